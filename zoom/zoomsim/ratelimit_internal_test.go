package zoomsim

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// TestLimiterNeverExceedsWindow throws random arrivals at the limiter and
// checks that no window of length Per ever holds more than Count admitted
// requests, and that the limiter admits whenever that rule allows.
func TestLimiterNeverExceedsWindow(t *testing.T) {
	b := zoom.Bucket{Family: zoom.FamilyPhone, Category: zoom.Medium}
	for _, lim := range []zoom.Limit{{Count: 1, Per: time.Second}, {Count: 10, Per: time.Second}, {Count: 5, Per: time.Minute}} {
		c := Config{Limits: map[zoom.Bucket]zoom.Limit{b: lim}}.WithDefaults()
		l := newLimiter(c)
		rng := rand.New(rand.NewPCG(1, 2))
		now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
		var admitted []time.Time
		for range 5000 {
			now = now.Add(time.Duration(rng.Int64N(int64(lim.Per) / int64(lim.Count) * 2)))
			inWindow := 0
			for _, a := range admitted {
				if now.Sub(a) < lim.Per {
					inWindow++
				}
			}
			d := l.admit(b, now)
			if d.ok != (inWindow < lim.Count) {
				t.Fatalf("%+v at %v: admitted %v with %d in the window", lim, now, d.ok, inWindow)
			}
			if d.ok {
				admitted = append(admitted, now)
			} else if !d.retryAt.After(now) || d.retryAt.Sub(now) > lim.Per {
				t.Fatalf("retryAt %v for now %v", d.retryAt, now)
			}
			if len(admitted) > 4*lim.Count {
				admitted = admitted[len(admitted)-lim.Count:]
			}
		}
	}
}

// TestLimiterMainSharedDaily checks that Heavy and Resource-intensive calls
// of the main API share one daily cap, which resets at 00:00 UTC.
func TestLimiterMainSharedDaily(t *testing.T) {
	c := Config{MainDailyShared: 3}.WithDefaults()
	l := newLimiter(c)
	heavy := zoom.Bucket{Family: zoom.FamilyMain, Category: zoom.Heavy}
	ri := zoom.Bucket{Family: zoom.FamilyMain, Category: zoom.ResourceIntensive}
	l.limits[heavy] = zoom.Limit{Count: 100, Per: time.Second}
	l.limits[ri] = zoom.Limit{Count: 100, Per: time.Minute}
	now := time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC)
	for i, b := range []zoom.Bucket{heavy, ri, heavy} {
		if d := l.admit(b, now); !d.ok || !d.hasDaily || d.remaining != 2-i {
			t.Fatalf("call %d: %+v", i, d)
		}
	}
	d := l.admit(ri, now)
	if d.ok || !d.daily || !d.retryAt.Equal(time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("fourth call: %+v", d)
	}
	if d := l.admit(zoom.Bucket{Family: zoom.FamilyMain, Category: zoom.Light}, now); !d.ok || d.hasDaily {
		t.Fatalf("Light call: %+v", d)
	}
	if d := l.admit(heavy, now.Add(time.Hour)); !d.ok {
		t.Fatalf("after midnight: %+v", d)
	}
	if pro := newLimiter(Config{}.WithDefaults()); pro.limits[zoom.Bucket{Family: zoom.FamilyPhone, Category: zoom.Heavy}].Daily != 15000 {
		t.Fatal("Pro phone Heavy daily cap is not 15000")
	}
}

// TestDailyCapSharedByHeavyAndResourceIntensive: on both families, Heavy
// and Resource-intensive calls draw on one daily cap, which resets at
// 00:00 UTC; Light and Medium calls have none.
func TestDailyCapSharedByHeavyAndResourceIntensive(t *testing.T) {
	c := Config{MainDailyShared: 3, PhoneDailyShared: 3}.WithDefaults()
	l := newLimiter(c)
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	for _, f := range []zoom.Family{zoom.FamilyMain, zoom.FamilyPhone} {
		heavy, ri := zoom.Bucket{Family: f, Category: zoom.Heavy}, zoom.Bucket{Family: f, Category: zoom.ResourceIntensive}
		for i, b := range []zoom.Bucket{heavy, ri, heavy} {
			if d := l.admit(b, now.Add(time.Duration(i)*time.Minute)); !d.ok {
				t.Fatalf("%s call %d refused: %+v", f, i, d)
			}
		}
		d := l.admit(ri, now.Add(10*time.Minute))
		if d.ok || !d.daily || !d.retryAt.Equal(time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("%s: fourth call of the shared cap: %+v", f, d)
		}
		if d := l.admit(zoom.Bucket{Family: f, Category: zoom.Medium}, now.Add(10*time.Minute)); !d.ok || d.hasDaily {
			t.Fatalf("%s Medium: %+v", f, d)
		}
		if d := l.admit(heavy, time.Date(2026, 3, 3, 0, 0, 1, 0, time.UTC)); !d.ok {
			t.Fatalf("%s: after midnight UTC: %+v", f, d)
		}
	}
}
