package zoomsim

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// Counters count the API requests of one bucket or one family.
type Counters struct {
	// Requests is every request routed to an operation of the bucket.
	Requests int `json:"requests"`
	// Accepted is the requests answered 2xx.
	Accepted int `json:"accepted"`
	// RateLimited is the requests answered 429 (rate limit, presence rule
	// or injected).
	RateLimited int `json:"rate_limited"`
	// Unauthorized is the requests answered 401.
	Unauthorized int `json:"unauthorized"`
	// ClientErrors is the other 4xx answers.
	ClientErrors int `json:"client_errors"`
	// ServerErrors is the 5xx answers (injected faults).
	ServerErrors int `json:"server_errors"`
	// MaxPerSecond is the highest number of requests that arrived within
	// any one-second sliding window: the rate a client actually sent.
	MaxPerSecond int `json:"max_per_second"`
	// MaxAdmittedPerSecond is the highest number of requests the rate
	// limiter admitted within any one-second sliding window.
	MaxAdmittedPerSecond int `json:"max_admitted_per_second"`
}

// BucketStats are the counters of one rate-limit bucket.
type BucketStats struct {
	Family   zoom.Family   `json:"family"`
	Category zoom.Category `json:"category"`
	Counters
}

// Bucket is the bucket the counters belong to.
func (b BucketStats) Bucket() zoom.Bucket { return zoom.Bucket{Family: b.Family, Category: b.Category} }

// FamilyStats are the counters of every category of one API family
// together (the one-second maxima are measured over the family, not summed).
type FamilyStats struct {
	Family zoom.Family `json:"family"`
	Counters
}

// Stats are the simulator's request statistics since start or ResetStats.
type Stats struct {
	Buckets  []BucketStats `json:"buckets"`
	Families []FamilyStats `json:"families"`
	// TokensIssued is the number of access tokens minted.
	TokensIssued int `json:"tokens_issued"`
	// Unrouted is the API requests that matched no operation.
	Unrouted int `json:"unrouted"`
}

// Bucket returns one bucket's counters (zero when it saw no request).
func (s Stats) Bucket(b zoom.Bucket) Counters {
	for _, x := range s.Buckets {
		if x.Bucket() == b {
			return x.Counters
		}
	}
	return Counters{}
}

// Family returns one family's counters (zero when it saw no request).
func (s Stats) Family(f zoom.Family) Counters {
	for _, x := range s.Families {
		if x.Family == f {
			return x.Counters
		}
	}
	return Counters{}
}

// slidingMax tracks the most events seen within any one-second window,
// counting windows as half-open (t-1s, t].
type slidingMax struct {
	times []time.Time
	max   int
}

func (w *slidingMax) add(t time.Time) {
	i := 0
	for i < len(w.times) && t.Sub(w.times[i]) >= time.Second {
		i++
	}
	w.times = append(w.times[i:], t)
	w.max = max(w.max, len(w.times))
}

type counterSet struct {
	Counters
	arrivals, admitted slidingMax
}

func (c *counterSet) snapshot() Counters {
	out := c.Counters
	out.MaxPerSecond, out.MaxAdmittedPerSecond = c.arrivals.max, c.admitted.max
	return out
}

// stats collects Counters per bucket and per family.
type stats struct {
	mu       sync.Mutex
	now      func() time.Time
	buckets  map[zoom.Bucket]*counterSet
	families map[zoom.Family]*counterSet
	unrouted int
}

func newStats(now func() time.Time) *stats {
	s := &stats{now: now}
	s.reset()
	return s
}

func (s *stats) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buckets, s.families, s.unrouted = map[zoom.Bucket]*counterSet{}, map[zoom.Family]*counterSet{}, 0
}

func (s *stats) sets(b zoom.Bucket) (*counterSet, *counterSet) {
	bs, ok := s.buckets[b]
	if !ok {
		bs = &counterSet{}
		s.buckets[b] = bs
	}
	fs, ok := s.families[b.Family]
	if !ok {
		fs = &counterSet{}
		s.families[b.Family] = fs
	}
	return bs, fs
}

// arrive counts a request routed to bucket b, at its arrival.
func (s *stats) arrive(b zoom.Bucket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.now()
	for _, c := range s.pair(b) {
		c.Requests++
		c.arrivals.add(t)
	}
}

// admit counts a request the rate limiter let through at t.
func (s *stats) admit(b zoom.Bucket, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.pair(b) {
		c.admitted.add(t)
	}
}

// finish counts a request's answer.
func (s *stats) finish(b zoom.Bucket, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.pair(b) {
		switch {
		case status >= 200 && status < 300:
			c.Accepted++
		case status == 429:
			c.RateLimited++
		case status == 401:
			c.Unauthorized++
		case status >= 500:
			c.ServerErrors++
		case status >= 400:
			c.ClientErrors++
		}
	}
}

func (s *stats) pair(b zoom.Bucket) [2]*counterSet {
	bs, fs := s.sets(b)
	return [2]*counterSet{bs, fs}
}

func (s *stats) noRoute() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unrouted++
}

func (s *stats) snapshot(tokens int) Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{TokensIssued: tokens, Unrouted: s.unrouted, Buckets: []BucketStats{}, Families: []FamilyStats{}}
	for b, c := range s.buckets {
		out.Buckets = append(out.Buckets, BucketStats{Family: b.Family, Category: b.Category, Counters: c.snapshot()})
	}
	for f, c := range s.families {
		out.Families = append(out.Families, FamilyStats{Family: f, Counters: c.snapshot()})
	}
	slices.SortFunc(out.Buckets, func(a, b BucketStats) int { return strings.Compare(a.Bucket().String(), b.Bucket().String()) })
	slices.SortFunc(out.Families, func(a, b FamilyStats) int { return strings.Compare(string(a.Family), string(b.Family)) })
	return out
}
