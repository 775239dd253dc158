package consumer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// errLostClaim: the claim on the event could not be kept (another replica
// took the extension over, or the state store did not answer), so no Zoom
// call may be made for it from here.
var errLostClaim = errors.New("lost the claim on the extension")

// hold is one runner's work on the head event of an extension: the record
// as last read or written, its revision, and the claim that fences the
// event's Zoom writes.
type hold struct {
	w       *Worker
	j       *job
	rec     record
	rev     uint64
	decoded schemas.Decoded
	entry   dirEntry
}

// save writes the record with compare-and-swap and keeps the new revision.
func (h *hold) save(ctx context.Context) error {
	rev, err := h.w.states.put(ctx, h.j.ext, h.rec, h.rev)
	if err != nil {
		return err
	}
	h.rev = rev
	return nil
}

// claim takes the extension for the event before its first Zoom call. A
// claim on the same event left by a holder that vanished counts as an
// abandoned try.
func (h *hold) claim(ctx context.Context) error {
	now := h.w.cfg.Now()
	if h.rec.Pending != h.j.seq {
		h.rec.Pending, h.rec.Attempts, h.rec.Abandoned = h.j.seq, 0, 0
	}
	c := &claim{Seq: h.j.seq, Holder: h.w.id, Until: now.Add(claimTTL)}
	if old := h.rec.Claim; old != nil && old.Seq == h.j.seq {
		c.Done = old.Done
		if old.Holder != h.w.id {
			h.rec.Abandoned++
		}
	}
	h.rec.Claim = c
	return h.save(ctx)
}

// release drops the claim, so that the next try (here or elsewhere) need
// not wait for it to expire.
func (h *hold) release() {
	if h.rec.Claim == nil || h.rec.Claim.Holder != h.w.id {
		return
	}
	h.rec.Claim = nil
}

// enter is called before every Zoom call of the event: it makes sure the
// claim is still this runner's with at least callBudget left (renewing it
// otherwise), and returns a context whose deadline ends claimMargin before
// the claim does.
func (h *hold) enter(ctx context.Context) (context.Context, context.CancelFunc, error) {
	c := h.rec.Claim
	if c == nil || c.Holder != h.w.id || c.Seq != h.j.seq {
		return nil, nil, errLostClaim
	}
	now := h.w.cfg.Now()
	if c.Until.Sub(now) < callBudget {
		old := c.Until
		c.Until = now.Add(claimTTL)
		if err := h.save(ctx); err != nil {
			c.Until = old
			return nil, nil, fmt.Errorf("%w: %w", errLostClaim, err)
		}
	}
	cctx, cancel := context.WithDeadline(ctx, c.Until.Add(-claimMargin))
	return cctx, cancel, nil
}

// step records that a once-only step of the event was made.
func (h *hold) step(ctx context.Context, name string) error {
	if h.rec.Claim == nil {
		return errLostClaim
	}
	h.rec.Claim.Done = append(h.rec.Claim.Done, name)
	return h.save(ctx)
}

// fenced is the Zoom writer the applier uses for one event: every call runs
// inside the event's claim.
type fenced struct {
	z Zoom
	h *hold
}

func (f fenced) call(ctx context.Context, do func(context.Context) error) error {
	cctx, cancel, err := f.h.enter(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	return do(cctx)
}

func (f fenced) UpdateUser(ctx context.Context, id string, u zoom.UserUpdate) error {
	return f.call(ctx, func(ctx context.Context) error { return f.z.UpdateUser(ctx, id, u) })
}

func (f fenced) UpdateCommonArea(ctx context.Context, id string, u zoom.CommonAreaUpdate) error {
	return f.call(ctx, func(ctx context.Context) error { return f.z.UpdateCommonArea(ctx, id, u) })
}

func (f fenced) UpdateDeviceName(ctx context.Context, id, name string) error {
	return f.call(ctx, func(ctx context.Context) error { return f.z.UpdateDeviceName(ctx, id, name) })
}

func (f fenced) SetDoNotDisturb(ctx context.Context, id string, d time.Duration) error {
	return f.call(ctx, func(ctx context.Context) error { return f.z.SetDoNotDisturb(ctx, id, d) })
}

func (f fenced) SetAvailable(ctx context.Context, id string) error {
	return f.call(ctx, func(ctx context.Context) error { return f.z.SetAvailable(ctx, id) })
}

func (f fenced) ListVoicemails(ctx context.Context, id string, from, to time.Time) (vms []zoom.Voicemail, err error) {
	err = f.call(ctx, func(ctx context.Context) (err error) { vms, err = f.z.ListVoicemails(ctx, id, from, to); return err })
	return vms, err
}

func (f fenced) DeleteVoicemail(ctx context.Context, id string) error {
	return f.call(ctx, func(ctx context.Context) error { return f.z.DeleteVoicemail(ctx, id) })
}
