package fleet

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestFleetKeepsZoomsWindowByArrival: Zoom counts a call when it arrives,
// and the trip there varies. Three replicas' clients share one schedule at
// the account's whole limit (no share held back), while the simulator
// delays each request by 2 to 82 ms before counting it, as a busy host or
// the internet does. A schedule that bounds only the departures puts the
// limit and one more into some second at Zoom (a call that took 80 ms
// beside calls that took 2 ms, a second apart at departure); the limiter,
// told when each call was answered, keeps every second at Zoom within the
// limit, and no call is refused.
func TestFleetKeepsZoomsWindowByArrival(t *testing.T) {
	if testing.Short() {
		t.Skip("seconds at the limit")
	}
	const (
		limit    = 20
		replicas = 3
		callers  = 4
		calls    = 8 * limit
	)
	main := zoom.Bucket{Family: zoom.FamilyMain, Category: zoom.Medium}
	simLimits := map[zoom.Bucket]zoom.Limit{}
	for _, cat := range []zoom.Category{zoom.Light, zoom.Medium} {
		simLimits[zoom.Bucket{Family: zoom.FamilyMain, Category: cat}] = zoom.Limit{Count: limit, Per: time.Second}
	}
	sim, err := zoomsim.New(zoomsim.Config{
		Limits:        simLimits,
		NoDailyLimits: true,
		Seed:          &zoomsim.Seed{Rooms: 1, FirstExtension: 1201},
		Faults:        zoomsim.Faults{Latency: 2 * time.Millisecond, LatencyJitter: 80 * time.Millisecond},
		RandSeed:      12,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	room, ok := sim.UserByExtension(1201)
	if !ok {
		t.Fatal("the simulator has no user at extension 1201")
	}
	kv := bucketForTest(t)
	sc := sim.Config()
	var clients []*zoom.Client
	for range replicas {
		c, err := zoom.New(zoom.Config{
			URL: sim.OAuthURL(), AccountID: sc.AccountID, ClientID: sc.ClientID, ClientSecret: sc.ClientSecret,
			DefaultAPIURL: "http://127.0.0.1:1",
			// The account's whole limit: the limiter's own margin must do.
			Limiter: NewLimiter(kv, zoom.LimiterConfig{Limits: map[zoom.Bucket]zoom.Limit{main: {Count: limit, Per: time.Second}}}),
		})
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, c := range clients { // tokens first: their minting is not the subject
		if _, err := c.Grants(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// A second of quiet, so that the start-up calls are out of every window.
	time.Sleep(1100 * time.Millisecond)
	sim.ResetStats()

	var left atomic.Int64
	left.Store(calls)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	start := time.Now()
	for _, c := range clients {
		for range callers {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					if _, err := c.GetUser(ctx, room.ID); err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	st := sim.Stats().Family(zoom.FamilyMain)
	rate := float64(calls) / elapsed.Seconds()
	t.Logf("%d calls in %v (%.1f/s, %.0f%% of %d/s): busiest second at Zoom %d, 429s %d",
		calls, elapsed.Round(time.Millisecond), rate, 100*rate/limit, limit, st.MaxPerSecond, st.RateLimited)
	if st.MaxPerSecond > limit {
		t.Errorf("%d calls arrived at Zoom within one second; the limit is %d", st.MaxPerSecond, limit)
	}
	if st.RateLimited != 0 {
		t.Errorf("Zoom answered 429 %d times; want none", st.RateLimited)
	}
	for _, err := range errs[:min(len(errs), 3)] {
		t.Errorf("call failed: %v", err)
	}
	// Keeping the window costs what the trip's spread takes, not the rate:
	// the calls still go at more than 80% of the limit.
	if rate < 0.8*limit {
		t.Errorf("%.1f calls/s; want at least 80%% of %d/s", rate, limit)
	}
}

// TestMoveSent: a call that may have arrived late has its entry moved, the
// log stays in order and at most Count long, and a call pushed out of the
// log comes back only where it still counts.
func TestMoveSent(t *testing.T) {
	at := func(ms int) time.Time { return time.UnixMilli(int64(ms)).UTC() }
	r := zoom.Rule{Count: 3, Window: time.Second, Interval: time.Second / 3}
	for _, tc := range []struct {
		name       string
		sent       []int
		slot, to   int
		want       []int
		wantChange bool
	}{
		{"moved past a later entry", []int{100, 200, 300}, 100, 250, []int{200, 250, 300}, true},
		{"moved in place", []int{100, 200, 300}, 300, 320, []int{100, 200, 320}, true},
		{"pushed out, still counts", []int{200, 300, 400}, 100, 250, []int{250, 300, 400}, true},
		{"pushed out, no longer counts", []int{200, 300, 400}, 100, 150, []int{200, 300, 400}, false},
		{"log not full", []int{300}, 100, 150, []int{150, 300}, true},
		{"moved already", []int{200, 250, 300}, 100, 250, []int{200, 250, 300}, false},
		{"unsorted log", []int{300, 100, 200}, 100, 350, []int{200, 300, 350}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := zoom.Pace{}
			for _, ms := range tc.sent {
				p.Sent = append(p.Sent, at(ms))
			}
			changed := moveSent(&p, r, at(tc.slot), at(tc.to))
			var got []int
			for _, s := range p.Sent {
				got = append(got, int(s.UnixMilli()))
			}
			if changed != tc.wantChange || !slices.Equal(got, tc.want) {
				t.Errorf("moveSent(%v, %d → %d) = %v, changed %v; want %v, changed %v", tc.sent, tc.slot, tc.to, got, changed, tc.want, tc.wantChange)
			}
		})
	}
}

// TestTripsBase: the base is 0 until a replica knows enough of its own
// trips or the fleet's, the least of the two when both are known, and
// forgotten two spans after the last trip.
func TestTripsBase(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	var tr trips
	tr.add(t0, 30*time.Millisecond)
	if b := tr.base(t0); b != 0 {
		t.Fatalf("one trip of its own, no fleet: base %v, want 0", b)
	}
	tr.heard(fleetTrip{D: 20 * time.Millisecond, At: t0})
	if b := tr.base(t0); b != 20*time.Millisecond {
		t.Fatalf("fleet 20ms, own 30ms: base %v, want 20ms", b)
	}
	for i := range minTrips {
		tr.add(t0.Add(time.Duration(i)*time.Millisecond), 10*time.Millisecond)
	}
	if b := tr.base(t0); b != 10*time.Millisecond {
		t.Fatalf("own 10ms, fleet 20ms: base %v, want 10ms", b)
	}
	// The fleet's is lowered by this replica's own.
	if f := tr.fold(fleetTrip{D: 20 * time.Millisecond, At: t0}, t0); f.D != 10*time.Millisecond {
		t.Errorf("fold: fleet %v, want 10ms", f.D)
	}
	// A stale fleet trip is replaced by a trusted own one, or dropped.
	later := t0.Add(2*tripSpan + time.Second)
	if f := tr.fold(fleetTrip{D: 5 * time.Millisecond, At: t0}, t0.Add(tripSpan+time.Second)); f.D != 5*time.Millisecond {
		t.Errorf("fold of a fresh, quicker fleet trip: %v, want it kept (5ms)", f.D)
	}
	if b := tr.base(later); b != 0 {
		t.Errorf("two spans without a trip, fleet stale: base %v, want 0", b)
	}
	if f := tr.fold(fleetTrip{D: 5 * time.Millisecond, At: t0}, later); f != (fleetTrip{}) {
		t.Errorf("fold of a stale fleet trip without own trips: %+v, want it dropped", f)
	}
}
