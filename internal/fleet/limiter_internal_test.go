package fleet

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/zoom"
)

// bucketForTest starts an embedded JetStream server and returns the fleet
// bucket.
func bucketForTest(t *testing.T) jetstream.KeyValue {
	t.Helper()
	srv, err := broker.StartEmbedded(broker.EmbeddedConfig{Listen: "127.0.0.1:-1", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	nc, err := broker.Connect(broker.ConnectConfig{URL: srv.ClientURL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	kv, err := js.CreateOrUpdateKeyValue(context.Background(), broker.FleetBucketConfig(broker.Topology{}))
	if err != nil {
		t.Fatal(err)
	}
	return kv
}

// busiest is the most of times (unsorted) within any window of length
// per, counted as Zoom does: half-open (t-per, t].
func busiest(times []time.Time, per time.Duration) int {
	times = slices.Clone(times)
	slices.SortFunc(times, time.Time.Compare)
	best, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= per {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// drive has each limiter's callers call Wait as fast as it lets them until
// n calls in all went, and returns the true time each call went (the
// moment Wait returned: zero time to reach Zoom).
func drive(t *testing.T, limiters []*Limiter, callers, n int, b zoom.Bucket) []time.Time {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	var went []time.Time
	var left atomic.Int64
	left.Store(int64(n))
	var wg sync.WaitGroup
	for _, l := range limiters {
		for range callers {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					if err := l.Wait(ctx, b); err != nil {
						t.Error(err)
						return
					}
					now := time.Now()
					mu.Lock()
					went = append(went, now)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	return went
}

// TestLateWakeDoesNotCrowdZoomsWindow: a call whose sleep until its slot
// ends late (a busy host, a slow write) must not go then. The schedule let
// Count calls go per Window counting from the slot; a call that goes 60 ms
// after its slot lands in a one-second window with the Count calls after
// it. Here every fourth sleep wakes 60 ms late; however late the wake-ups,
// no second holds more than the limit.
func TestLateWakeDoesNotCrowdZoomsWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("seconds at the limit")
	}
	const limit, calls = 20, 90
	b := zoom.Bucket{Family: zoom.FamilyMain, Category: zoom.Medium}
	kv := bucketForTest(t)
	var sleeps atomic.Int64
	lateSleep := func(ctx context.Context, at, now time.Time) error {
		if sleeps.Add(1)%4 == 0 {
			at = at.Add(60 * time.Millisecond)
		}
		return zoom.SleepUntil(ctx, at, now)
	}
	var ls []*Limiter
	for range 2 {
		l := NewLimiter(kv, zoom.LimiterConfig{Limits: map[zoom.Bucket]zoom.Limit{b: {Count: limit, Per: time.Second}}})
		l.sleep = lateSleep
		ls = append(ls, l)
	}
	start := time.Now()
	went := drive(t, ls, 4, calls, b)
	elapsed := time.Since(start)
	n := busiest(went, time.Second)
	t.Logf("%d calls in %v, busiest second %d (limit %d)", len(went), elapsed.Round(time.Millisecond), n, limit)
	if n > limit {
		t.Errorf("%d calls went within one second; the limit is %d", n, limit)
	}
	// A late wake-up costs its call a new slot, not the fleet its rate:
	// the calls still go at more than half the limit (without the slot
	// given back, or with every late call stuck re-reserving, they would
	// not).
	if most := time.Duration(float64(calls) / (0.5 * limit) * float64(time.Second)); elapsed > most {
		t.Errorf("%d calls took %v; at half of %d/s they take %v", calls, elapsed, limit, most)
	}
}

// TestSkewedClocksShareOneSchedule: two replicas whose clocks are 300 ms
// ahead and 300 ms behind share the schedule on the fleet's clock and
// never put more than the limit into one second. On their own clocks, the
// one ahead sees the other's calls as 600 ms older than they are: when it
// follows a second of the other's calls, it goes while they still count at
// Zoom. So the replica behind calls first, then the one ahead, then both.
// The headroom is 5% here (a 52 ms margin), so that the clock's own error
// on a busy test host (half a round trip to NATS) cannot decide the
// outcome.
func TestSkewedClocksShareOneSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("seconds at the limit")
	}
	const limit = 20
	b := zoom.Bucket{Family: zoom.FamilyMain, Category: zoom.Medium}
	kv := bucketForTest(t)
	var ls []*Limiter
	for _, skew := range []time.Duration{-300 * time.Millisecond, 300 * time.Millisecond} {
		own := func() time.Time { return time.Now().Add(skew) }
		var warned time.Duration
		clock := NewClock(kv, ClockConfig{Holder: skew.String(), Now: own, OnSkew: func(d time.Duration) { warned = d }})
		if err := clock.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		off, ok := clock.Offset()
		if !ok || (off+skew).Abs() > 25*time.Millisecond {
			t.Fatalf("clock %+v ahead: measured offset %v (known %v), want about %v", skew, off, ok, -skew)
		}
		if warned != off {
			t.Errorf("clock %+v ahead: OnSkew got %v, want the offset %v", skew, warned, off)
		}
		ls = append(ls, NewLimiter(kv, zoom.LimiterConfig{Now: clock.Now, Headroom: 0.05,
			Limits: map[zoom.Bucket]zoom.Limit{b: {Count: limit, Per: time.Second}}}))
	}
	behind, ahead := ls[:1], ls[1:]
	went := drive(t, behind, 4, limit, b)
	went = append(went, drive(t, ahead, 4, 2*limit, b)...)
	went = append(went, drive(t, ls, 4, 2*limit, b)...)
	n := busiest(went, time.Second)
	t.Logf("%d calls, busiest second %d (limit %d)", len(went), n, limit)
	if n > limit {
		t.Errorf("%d calls went within one second; the limit is %d", n, limit)
	}
}
