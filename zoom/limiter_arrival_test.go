package zoom_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// arrivalRecorder is an ArrivalLimiter that lets every call go and records
// when Admit let each go and when the client said it was answered.
type arrivalRecorder struct {
	zoom.Unlimited
	mu       sync.Mutex
	admitted []time.Time
	answered []time.Duration // after the call's Admit
	waited   []zoom.Bucket   // buckets asked through Wait
}

func (r *arrivalRecorder) Wait(ctx context.Context, b zoom.Bucket) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waited = append(r.waited, b)
	return ctx.Err()
}

func (r *arrivalRecorder) Admit(ctx context.Context, b zoom.Bucket) (func(), error) {
	went := time.Now()
	r.mu.Lock()
	r.admitted = append(r.admitted, went)
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.answered = append(r.answered, time.Since(went))
	}, ctx.Err()
}

// TestClientTellsAnArrivalLimiterWhenAnswered: with a limiter that keeps
// Zoom's window by arrival, the client asks Admit (not Wait) before each
// call and calls answered once, after Zoom's answer: here the simulator
// takes 40 ms, so answered comes at least 40 ms after the call went.
func TestClientTellsAnArrivalLimiterWhenAnswered(t *testing.T) {
	rec := &arrivalRecorder{}
	cfg := hotel(1, zoomsim.TargetUsers)
	cfg.Faults = zoomsim.Faults{Latency: 40 * time.Millisecond}
	b := setup(t, cfg, func(c *zoom.Config) { c.Limiter = rec })
	room, _ := b.sim.UserByExtension(1201)
	const calls = 3
	for range calls {
		if _, err := b.client.GetUser(ctx(t), room.ID); err != nil {
			t.Fatal(err)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.admitted) != calls || len(rec.answered) != calls {
		t.Fatalf("%d calls: Admit %d times, answered %d times; want %d each (Wait was asked for %v)",
			calls, len(rec.admitted), len(rec.answered), calls, rec.waited)
	}
	for i, d := range rec.answered {
		if d < 40*time.Millisecond {
			t.Errorf("call %d: answered %v after it went; Zoom took 40 ms", i, d)
		}
	}
}
