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
	"github.com/pbxlink/pbxlink/zoom"
)

// ReconcileSchedule says how often the fleet reconciles Zoom with the
// rooms' state, and how fast.
type ReconcileSchedule struct {
	// Interval between the fleet's runs (one replica runs each). Default
	// 1 h; negative: never. A new fleet runs first one interval after it
	// starts.
	Interval time.Duration
	// Rates is the reconciler's own pace, in Zoom calls a second per API
	// family (ReconcileRates). Default: DefaultReconcileShare of the Pro
	// plan's Medium limits.
	Rates map[zoom.Family]float64
}

// DefaultReconcileInterval is the default interval between runs.
const DefaultReconcileInterval = time.Hour

func (s ReconcileSchedule) withDefaults() ReconcileSchedule {
	if s.Interval == 0 {
		s.Interval = DefaultReconcileInterval
	}
	if s.Rates == nil {
		s.Rates, _ = ReconcileRates(zoom.LimiterConfig{}, DefaultReconcileShare)
	}
	return s
}

func (s ReconcileSchedule) validate() error {
	for f, r := range s.Rates {
		if r < 0 {
			return fmt.Errorf("consumer: Config.Reconcile.Rates[%s] %v: must not be negative", f, r)
		}
	}
	return nil
}

// The fleet reconciles once per interval: the replica that wins the lease
// in the fleet bucket runs, renewing the lease while it does, and records
// when the run began.
const (
	reconcileLeaseKey = "reconcile.lease"
	reconcileLeaseFor = 2 * time.Minute
)

type reconcileLease struct {
	Holder string    `json:"holder,omitempty"`
	Until  time.Time `json:"until,omitzero"`
	// Last is when the fleet's last run began.
	Last time.Time `json:"last"`
}

// reconcileLoop runs the fleet's scheduled reconciliation on this replica
// whenever it is due and this replica wins the lease.
func (w *Worker) reconcileLoop(ctx context.Context) {
	s := w.cfg.Reconcile.withDefaults()
	if s.Interval < 0 {
		return
	}
	r, err := NewReconciler(ReconcileConfig{JetStream: w.cfg.JetStream, Zoom: w.cfg.Zoom,
		Target: w.cfg.Target, NameTemplate: w.cfg.NameTemplate, Department: w.cfg.Department,
		MessageManagement: w.cfg.MessageManagement, Location: w.cfg.Location, Rates: s.Rates,
		Logger: w.log, Metrics: w.metrics, Now: w.cfg.Now})
	if err != nil {
		w.log.Error("reconciler not scheduled", "err", err)
		return
	}
	every := max(min(s.Interval/10, time.Minute), 10*time.Millisecond)
	for w.sleep(ctx, every) {
		if w.gate.state() != nil {
			continue // the account's Zoom work is paused
		}
		l, err := w.reconcileTurn(ctx, s.Interval)
		if err != nil {
			w.log.Warn("reconcile lease", "err", err)
			continue
		}
		if l != nil {
			w.reconcileHeld(ctx, r, l)
		}
	}
}

// heldLease is the lease while this replica runs.
type heldLease struct {
	mu    sync.Mutex
	rev   uint64
	lease reconcileLease
}

// reconcileTurn takes the lease when a run is due and nobody holds it; nil
// when it is not this replica's turn.
func (w *Worker) reconcileTurn(ctx context.Context, interval time.Duration) (*heldLease, error) {
	kv, now := w.nats.Fleet, w.cfg.Now()
	e, err := kv.Get(ctx, reconcileLeaseKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		// A new fleet: the first run is one interval from now.
		data, _ := json.Marshal(reconcileLease{Last: now})
		if _, err := kv.Create(ctx, reconcileLeaseKey, data); err != nil && !broker.IsConflict(err) {
			return nil, err
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var l reconcileLease
	if err := json.Unmarshal(e.Value(), &l); err != nil {
		l = reconcileLease{} // unreadable: due, and overwritten
	}
	if (l.Holder != w.id && now.Before(l.Until)) || now.Sub(l.Last) < interval {
		return nil, nil
	}
	l.Holder, l.Until = w.id, now.Add(reconcileLeaseFor)
	data, _ := json.Marshal(l)
	rev, err := kv.Update(ctx, reconcileLeaseKey, data, e.Revision())
	if broker.IsConflict(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &heldLease{rev: rev, lease: l}, nil
}

// write stores the lease with compare-and-swap.
func (w *Worker) writeLease(ctx context.Context, h *heldLease, l reconcileLease) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	data, _ := json.Marshal(l)
	rev, err := w.nats.Fleet.Update(ctx, reconcileLeaseKey, data, h.rev)
	if err != nil {
		return err
	}
	h.rev, h.lease = rev, l
	return nil
}

// reconcileHeld runs under the lease, renewing it; a lease that cannot be
// renewed (another replica took it over) stops the run. The lease is then
// released with the run's start as the fleet's last run.
func (w *Worker) reconcileHeld(ctx context.Context, r *Reconciler, h *heldLease) {
	started := w.cfg.Now()
	runCtx, cancel := context.WithCancel(ctx)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		for w.sleep(runCtx, reconcileLeaseFor/4) {
			l := h.lease
			l.Until = w.cfg.Now().Add(reconcileLeaseFor)
			if err := w.writeLease(runCtx, h, l); err != nil {
				if runCtx.Err() == nil {
					w.log.Warn("reconcile lease lost; run stopped", "err", err)
				}
				cancel()
				return
			}
		}
	}()
	_, err := r.Run(runCtx, ReconcileOptions{})
	cancel()
	<-renewed
	if err != nil && ctx.Err() == nil {
		w.log.Warn("reconcile run failed; next at the next interval", "err", logSafe(err))
	}
	l := h.lease
	l.Until = w.cfg.Now()
	if ctx.Err() == nil {
		l.Last = started // a run cut short by shutdown is not the fleet's run
	}
	if err := w.writeLease(context.WithoutCancel(ctx), h, l); err != nil && !broker.IsConflict(err) {
		w.log.Warn("reconcile lease not released", "err", err)
	}
}
