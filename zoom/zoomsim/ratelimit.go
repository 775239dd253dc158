package zoomsim

import (
	"sync"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// limiter enforces Zoom's per-account limits: per bucket, at most Count
// admitted requests in any window of length Per (a sliding window, the
// strictest reading of "n per second"), and the daily caps, which reset at
// 00:00 UTC. Refused requests do not count.
type limiter struct {
	mu      sync.Mutex
	limits  map[zoom.Bucket]zoom.Limit
	windows map[zoom.Bucket]*window
	days    map[string]*dayCount
	daily   func(zoom.Bucket) (key string, limit int)
}

// window is the admission times of the last Count admitted requests.
type window struct {
	times []time.Time // ring buffer
	head  int
}

type dayCount struct {
	day   string // YYYY-MM-DD, UTC
	count int
}

// decision is the limiter's verdict on one request.
type decision struct {
	ok bool
	// daily is true when a daily cap refused the request.
	daily bool
	// limit and remaining describe the cap that applies: the daily cap when
	// refused by it or when the bucket has one, else the per-window count.
	limit, remaining int
	// hasDaily reports whether the bucket has a daily cap.
	hasDaily bool
	// retryAt is when the refused request could succeed.
	retryAt time.Time
}

func newLimiter(c Config) *limiter {
	l := &limiter{limits: map[zoom.Bucket]zoom.Limit{}, windows: map[zoom.Bucket]*window{}, days: map[string]*dayCount{}}
	for _, f := range []zoom.Family{zoom.FamilyMain, zoom.FamilyPhone} {
		for _, cat := range []zoom.Category{zoom.Light, zoom.Medium, zoom.Heavy, zoom.ResourceIntensive} {
			b := zoom.Bucket{Family: f, Category: cat}
			if lim, ok := c.limit(b); ok {
				l.limits[b] = lim
			}
		}
	}
	// Heavy and Resource-intensive calls of one family share one daily cap
	// (Zoom's rate-limit page), on the main and the Phone API alike.
	shared := map[zoom.Family]int{zoom.FamilyMain: c.MainDailyShared, zoom.FamilyPhone: c.PhoneDailyShared}
	if shared[zoom.FamilyMain] == 0 {
		shared[zoom.FamilyMain] = zoom.DailyShared(c.Plan)
	}
	if shared[zoom.FamilyPhone] == 0 {
		heavy, _ := c.limit(zoom.Bucket{Family: zoom.FamilyPhone, Category: zoom.Heavy})
		shared[zoom.FamilyPhone] = heavy.Daily
	}
	l.daily = func(b zoom.Bucket) (string, int) {
		if c.NoDailyLimits {
			return "", 0
		}
		if zoom.SharesDailyCap(b.Category) && shared[b.Family] > 0 {
			return zoom.DailyBucket(b.Family).String(), shared[b.Family]
		}
		if lim, ok := c.limit(b); ok && lim.Daily > 0 {
			return b.String(), lim.Daily
		}
		return "", 0
	}
	return l
}

// admit decides on one request of bucket b arriving at now.
func (l *limiter) admit(b zoom.Bucket, now time.Time) decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.limits[b]
	if !ok {
		return decision{ok: true}
	}
	var dc *dayCount
	key, dayCap := l.daily(b)
	if key != "" {
		today := now.UTC().Format(time.DateOnly)
		dc = l.days[key]
		if dc == nil || dc.day != today {
			dc = &dayCount{day: today}
			l.days[key] = dc
		}
		if dc.count >= dayCap {
			return decision{daily: true, hasDaily: true, limit: dayCap, retryAt: nextMidnightUTC(now)}
		}
	}
	w := l.windows[b]
	if w == nil {
		w = &window{times: make([]time.Time, 0, lim.Count)}
		l.windows[b] = w
	}
	if len(w.times) < lim.Count {
		w.times = append(w.times, now)
	} else {
		oldest := w.times[w.head]
		if now.Sub(oldest) < lim.Per {
			return decision{limit: lim.Count, retryAt: oldest.Add(lim.Per)}
		}
		w.times[w.head] = now
		w.head = (w.head + 1) % lim.Count
	}
	d := decision{ok: true, limit: lim.Count}
	if dc != nil {
		dc.count++
		d.hasDaily, d.limit, d.remaining = true, dayCap, dayCap-dc.count
	}
	return d
}

func nextMidnightUTC(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}
