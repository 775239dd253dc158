package zoom_test

import (
	"sync"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestLimiterHoldsTheMediumRate sends 1,000 calls through one client as fast
// as 32 goroutines can, and checks what the simulator saw: no one-second
// window above the plan's Medium rate, no 429, and a rate within 5% of the
// limit. The calls are Light (GET user) but charged at Medium, as pbxlink
// charges every call by default. Business plan: Medium is 60/s, so the
// test takes about 17 s.
func TestLimiterHoldsTheMediumRate(t *testing.T) {
	if testing.Short() {
		t.Skip("17 s at Zoom's rate; run without -short")
	}
	const calls = 1000
	cfg := hotel(1, zoomsim.TargetUsers)
	cfg.Plan = zoom.PlanBusiness
	b := setup(t, cfg, func(c *zoom.Config) {
		c.Plan = zoom.PlanBusiness
		c.Limiter = nil // the default: a LocalLimiter for the plan
	})
	limit, _ := zoom.Limits(zoom.PlanBusiness, zoom.Bucket{Family: zoom.FamilyMain, Category: zoom.Medium})
	room, _ := b.sim.UserByExtension(1201)
	if _, err := b.client.GetUser(ctx(t), room.ID); err != nil { // mint the token first
		t.Fatal(err)
	}
	b.sim.ResetStats()
	b.sim.ResetJournal()

	work := make(chan struct{}, calls)
	for range calls {
		work <- struct{}{}
	}
	close(work)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for range work {
				if _, err := b.client.GetUser(ctx(nil), room.ID); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()

	st := b.sim.Stats().Family(zoom.FamilyMain)
	var first, last time.Time
	for _, e := range b.sim.Journal() {
		if e.OperationID != zoom.OpGetUser.ID {
			continue
		}
		if first.IsZero() || e.Time.Before(first) {
			first = e.Time
		}
		if e.Time.After(last) {
			last = e.Time
		}
	}
	rate := float64(calls-1) / last.Sub(first).Seconds()
	t.Logf("%d calls: busiest second %d (limit %d), 429s %d, rate %.2f/s (%.1f%% of the limit)",
		st.Requests, st.MaxPerSecond, limit.Count, st.RateLimited, rate, 100*rate/limit.Rate())
	if st.Requests != calls || st.Accepted != calls {
		t.Errorf("simulator saw %d requests, %d accepted; want %d", st.Requests, st.Accepted, calls)
	}
	if st.MaxPerSecond > limit.Count {
		t.Errorf("busiest one-second window held %d calls, above the limit %d", st.MaxPerSecond, limit.Count)
	}
	if st.RateLimited != 0 {
		t.Errorf("%d 429s, want none", st.RateLimited)
	}
	if rate < 0.95*limit.Rate() || rate > limit.Rate() {
		t.Errorf("rate %.2f/s, want within 5%% below %.0f/s", rate, limit.Rate())
	}
}
