package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/fleet"
)

// Deauthorize stops the whole fleet's Zoom work for good, after the
// account's admin de-authorized the Zoom app (Zoom's app_deauthorized
// webhook). It writes the fleet's account pause (key account.pause of the
// pbxlink-fleet bucket) marked as a de-authorization, over any pause in
// force: every replica's watch closes its gate, /readyz answers 503 with
// reason, and no probe lifts it. Only an operator removing the key (nats kv
// del pbxlink-fleet account.pause -f), once the app is authorized again,
// resumes the work. This replica's gate closes before Deauthorize returns.
// It also erases the OAuth app's stored grant and the fleet's access token
// (fleet.EraseGrant): the app may no longer act for the account, and only
// pbxlink authorize stores a new grant.
func (w *Worker) Deauthorize(ctx context.Context, reason string) error {
	if reason == "" {
		return errors.New("consumer: Deauthorize: the reason is empty")
	}
	p := pause{Reason: reason, Since: w.cfg.Now(), By: w.id, Deauthorized: true}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	w.gate.set(&p)
	if _, err := w.gate.kv.Put(ctx, gateKey, b); err != nil {
		return fmt.Errorf("consumer: writing %s: %w", gateKey, err)
	}
	if _, err := fleet.EraseGrant(ctx, w.gate.kv); err != nil {
		return fmt.Errorf("consumer: erasing the OAuth grant: %w", err)
	}
	return nil
}

// liftUnlessDeauthorized removes the account pause, unless it is (or has
// just become) a de-authorization: the removal is conditional on the
// revision read, so a de-authorization written meanwhile is kept.
func (g *gate) liftUnlessDeauthorized(ctx context.Context) error {
	lifted, p, err := liftPause(ctx, g.kv, func(p pause) bool { return !p.Deauthorized })
	switch {
	case err != nil:
		// Most likely a newer pause (a de-authorization) won the race;
		// the watch brings it.
		return err
	case !lifted && p != nil:
		g.set(p)
		return errDeauthorized
	}
	g.set(nil)
	return nil
}

// liftPause removes the account pause of kv when lift accepts it, on the
// condition that it is still the revision read. It reports whether it
// removed one, and the pause it left in force (nil when there is none).
// An unreadable record counts as a pause of no kind.
func liftPause(ctx context.Context, kv jetstream.KeyValue, lift func(pause) bool) (bool, *pause, error) {
	e, err := kv.Get(ctx, gateKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, fmt.Errorf("consumer: reading %s: %w", gateKey, err)
	}
	var p pause
	_ = json.Unmarshal(e.Value(), &p)
	if !lift(p) {
		return false, &p, nil
	}
	err = kv.Purge(ctx, gateKey, jetstream.LastRevision(e.Revision()))
	if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil, fmt.Errorf("consumer: lifting the account pause: %w", err)
	}
	return true, nil, nil
}

// errDeauthorized: the pause in force is a de-authorization, which only an
// operator lifts.
var errDeauthorized = errors.New("the Zoom app was de-authorized: only removing the account pause resumes work")

// Reauthorized lifts the pause of a de-authorization (Deauthorize) from
// the fleet bucket kv once the app is authorised again, that is once pbxlink
// authorize has stored a new grant: every replica's watch sees the pause go
// and resumes Zoom work. Any other pause (refused credentials) is left to
// the probe, which knows whether Zoom answers again. It reports whether it
// lifted a pause; the removal is conditional on the revision read, so a
// newer pause written meanwhile stands.
func Reauthorized(ctx context.Context, kv jetstream.KeyValue) (bool, error) {
	lifted, _, err := liftPause(ctx, kv, func(p pause) bool { return p.Deauthorized })
	return lifted, err
}
