package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
)

// gateKey is the fleet bucket key that pauses every replica's Zoom work
// while Zoom refuses the account (credentials refused, app deactivated).
const gateKey = "account.pause"

// pause is the value of gateKey.
type pause struct {
	Reason string    `json:"reason"`
	Since  time.Time `json:"since"`
	By     string    `json:"by"`
	// Deauthorized marks the pause of a Zoom de-authorization (see
	// deauth.go): the probe never lifts it; only an operator removing the
	// key does.
	Deauthorized bool `json:"deauthorized,omitempty"`
}

// gate is this replica's view of the fleet's account pause. While it is
// closed no event calls Zoom: events are deferred without using an
// attempt, /readyz answers 503 with the reason, and a probe tries Zoom on
// a slow schedule until it answers again.
type gate struct {
	kv jetstream.KeyValue
	id string

	mu     sync.Mutex
	closed *pause
}

// ErrPaused is matched (errors.Is) by Worker.Paused's error.
var ErrPaused = errors.New("the fleet's Zoom work is paused")

// Paused returns why the fleet's Zoom work is paused (Zoom refused the
// account, the app was de-authorized), an error matching ErrPaused, or nil
// when it may go on. Before Start has finished the pause is not known yet,
// which counts as paused. The call-record poller asks it before each read
// (callrecord.PollerConfig.Paused).
func (w *Worker) Paused(context.Context) error {
	if !w.ready.Load() {
		return fmt.Errorf("%w: the worker has not started", ErrPaused)
	}
	if p := w.gate.state(); p != nil {
		return fmt.Errorf("%w since %s: %s", ErrPaused, p.Since.UTC().Format(time.RFC3339), p.Reason)
	}
	return nil
}

// state returns the pause in force, nil when Zoom work may go on.
func (g *gate) state() *pause {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

func (g *gate) set(p *pause) {
	g.mu.Lock()
	g.closed = p
	g.mu.Unlock()
}

// close pauses the fleet. The first replica to see the failure writes the
// reason; the others keep it.
func (g *gate) close(ctx context.Context, reason string, now time.Time) error {
	p := pause{Reason: reason, Since: now, By: g.id}
	if cur := g.state(); cur != nil {
		return nil
	}
	g.set(&p)
	b, _ := json.Marshal(p)
	if _, err := g.kv.Create(ctx, gateKey, b); err != nil && !broker.IsConflict(err) {
		return err
	}
	return nil
}

// open resumes the fleet's Zoom work.
func (g *gate) open(ctx context.Context) error {
	return g.liftUnlessDeauthorized(ctx)
}

// watch keeps the view in step with the fleet bucket until ctx ends.
func (g *gate) watch(ctx context.Context, sleep func(context.Context, time.Duration) bool) {
	for ctx.Err() == nil {
		w, err := g.kv.Watch(ctx, gateKey)
		if err != nil {
			sleep(ctx, time.Second)
			continue
		}
		for e := range w.Updates() {
			if e == nil {
				continue // initial values done
			}
			var p pause
			if e.Operation() != jetstream.KeyValuePut || json.Unmarshal(e.Value(), &p) != nil {
				g.set(nil)
				continue
			}
			g.set(&p)
		}
		_ = w.Stop()
	}
}

// probe tries Zoom on a slow schedule while the fleet is paused, and
// resumes the fleet's work once Zoom answers: a fresh token and one light
// read of a known user or common area.
func (w *Worker) probe(ctx context.Context) {
	for w.sleep(ctx, w.cfg.ProbeInterval) {
		p := w.gate.state()
		if p == nil || p.Deauthorized {
			continue
		}
		if err := w.probeZoom(ctx); err != nil {
			w.log.Warn("Zoom still refuses the account; work stays paused", "err", logSafe(err))
			continue
		}
		if err := w.gate.open(ctx); err != nil {
			w.log.Warn("could not resume the fleet's Zoom work", "err", err)
			continue
		}
		w.log.Info("Zoom accepts the account again; work resumes", "paused_since", p.Since)
	}
}

func (w *Worker) probeZoom(ctx context.Context) error {
	if _, err := w.cfg.Zoom.Grants(ctx); err != nil {
		return err
	}
	e, ok := w.dir.any()
	if !ok {
		return nil
	}
	if e.Kind == kindUser {
		_, err := w.cfg.Zoom.GetUser(ctx, e.ID)
		return err
	}
	_, err := w.cfg.Zoom.SearchPhoneUsers(ctx, e.Extension)
	return err
}
