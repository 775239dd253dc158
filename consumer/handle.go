package consumer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// result says what became of a job: finished (acknowledged, terminated or
// handed back to JetStream) or parked (still held, to look at again).
type result int

const (
	finished result = iota
	parked
)

// maxDeliveries is the backstop for an event that keeps coming back without
// ever finishing (a worker that crashes on it, say): it is dead-lettered.
const maxDeliveries = 100

// handle runs one event through the pipeline: order check, decoding, the
// stale-event rule, directory lookup, Zoom, and the outcome.
func (w *Worker) handle(ctx context.Context, j *job) result {
	if j.ext == "" {
		// Not on pbxlink.ext.<digits>.<type>: no extension to order by.
		return w.bury(ctx, j, nil, 0, fmt.Errorf("subject %q does not name an extension (pbxlink.ext.<digits>.<type>)", j.subject), 1)
	}
	rec, rev, err := w.states.get(ctx, j.ext)
	if err != nil {
		w.log.Warn("state unavailable; will look again", "ext", j.ext, "err", err)
		return parked
	}
	if j.seq <= rec.Seq {
		return w.ack(j, OutcomeDuplicate)
	}
	if next, err := w.isNext(ctx, j, rec); err != nil || !next {
		if err != nil {
			w.log.Warn("order check failed; will look again", "ext", j.ext, "err", err)
		}
		return parked
	}
	if j.delivered > maxDeliveries {
		return w.bury(ctx, j, &rec, rev, fmt.Errorf("delivered %d times without finishing", j.delivered), rec.attemptsOf(j.seq))
	}
	d, err := schemas.Parse(j.subject, j.msg.Data())
	if err != nil {
		return w.bury(ctx, j, &rec, rev, fmt.Errorf("bad event: %w", err), 1)
	}
	if d.Event.Time.Before(rec.Time) {
		w.log.Info("skipped an event older than what the extension shows",
			"ext", j.ext, "type", d.Type, "id", d.Event.ID, "event_time", d.Event.Time, "shown_time", rec.Time, "seq", j.seq)
		return w.commit(ctx, j, rec, rev, OutcomeStale)
	}
	entry, err := w.dir.Lookup(ctx, j.ext)
	if err == nil {
		w.log.Debug("applying", "ext", j.ext, "type", d.Type, "id", d.Event.ID, "data", string(d.Event.Data))
		err = w.app.apply(ctx, d, &rec, entry)
	}
	if err == nil {
		return w.commit(ctx, j, rec, rev, OutcomeApplied)
	}
	return w.fail(ctx, j, rec, rev, err)
}

// attemptsOf is the failed attempts recorded for the event at seq.
func (r record) attemptsOf(seq uint64) int {
	if r.Pending == seq {
		return r.Attempts
	}
	return 0
}

// isNext reports whether j is the oldest unfinished event of its extension:
// the first message on pbxlink.ext.<ext>.* after the extension's last
// finished event (or the consumer's ack floor, if that is higher).
func (w *Worker) isNext(ctx context.Context, j *job, rec record) (bool, error) {
	floor := max(rec.Seq, w.ackFloor.Load())
	if j.seq <= floor+1 {
		return true, nil
	}
	m, err := w.nats.Events.GetMsg(ctx, floor+1, jetstream.WithGetMsgSubject(schemas.SubjectPrefix+j.ext+".*"))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return m.Sequence >= j.seq, nil
}

// fail decides between retrying later and dead-lettering.
func (w *Worker) fail(ctx context.Context, j *job, rec record, rev uint64, err error) result {
	switch {
	case ctx.Err() != nil:
		// Stopping: hand the event back untouched, no attempt counted.
		_ = w.save(context.WithoutCancel(ctx), j, rec, rev)
		_ = j.msg.Nak()
		return finished
	case errors.Is(err, zoom.ErrPermanent), errors.Is(err, ErrUnknownExtension), errors.Is(err, errFeatureOff):
		return w.bury(ctx, j, &rec, rev, err, rec.attemptsOf(j.seq)+1)
	}
	if at, limited := zoom.RetryAt(err); limited {
		// Waiting out Zoom's limit is not a failed attempt.
		delay := max(time.Until(at), time.Second)
		w.log.Info("rate limited by Zoom; event deferred", "ext", j.ext, "seq", j.seq, "until", at, "err", logSafe(err))
		if w.save(ctx, j, rec, rev) != nil {
			return parked
		}
		_ = j.msg.NakWithDelay(delay)
		w.count(j, OutcomeDeferred)
		return finished
	}
	attempts := rec.attemptsOf(j.seq) + 1
	if attempts >= w.cfg.Retries {
		return w.bury(ctx, j, &rec, rev, fmt.Errorf("gave up after %d attempts: %w", attempts, err), attempts)
	}
	rec.Pending, rec.Attempts = j.seq, attempts
	w.log.Warn("Zoom change failed; will retry", "ext", j.ext, "seq", j.seq, "attempt", attempts,
		"of", w.cfg.Retries, "in", w.cfg.RetryInterval, "err", logSafe(err))
	if w.save(ctx, j, rec, rev) != nil {
		return parked
	}
	_ = j.msg.NakWithDelay(w.cfg.RetryInterval)
	w.count(j, OutcomeRetry)
	return finished
}

// bury dead-letters j with its cause and marks it finished, so that its
// extension's later events go on. rec is nil when the event has no
// extension.
func (w *Worker) bury(ctx context.Context, j *job, rec *record, rev uint64, cause error, attempts int) result {
	reason := cause.Error()
	if err := w.deadLetter(ctx, j, reason, attempts); err != nil {
		w.log.Warn("dead-lettering failed; will try again", "subject", j.subject, "seq", j.seq, "err", err)
		return parked
	}
	w.log.Warn("event dead-lettered", "subject", j.subject, "seq", j.seq, "attempts", attempts, "reason", logSafe(cause))
	w.metrics.deadLetters.WithLabelValues(reasonClass(cause)).Inc()
	if rec != nil {
		if r := w.commit(ctx, j, *rec, rev, ""); r == parked {
			return parked
		}
	}
	_ = j.msg.TermWithReason(oneLine(reason))
	w.count(j, OutcomeDead)
	return finished
}

// commit records j as the extension's last finished event and acknowledges
// it (outcome "" only records).
func (w *Worker) commit(ctx context.Context, j *job, rec record, rev uint64, outcome string) result {
	rec.Seq, rec.Pending, rec.Attempts = j.seq, 0, 0
	if err := w.save(ctx, j, rec, rev); err != nil {
		return parked
	}
	if outcome == "" {
		return finished
	}
	return w.ack(j, outcome)
}

// save writes rec; after a conflicting write by another replica it gives
// way if that replica already finished this event, and otherwise writes
// over it.
func (w *Worker) save(ctx context.Context, j *job, rec record, rev uint64) error {
	for range 3 {
		err := w.states.put(ctx, j.ext, rec, rev)
		if !errors.Is(err, errConflict) {
			if err != nil {
				w.log.Warn("state write failed; will look again", "ext", j.ext, "err", err)
			}
			return err
		}
		var fresh record
		fresh, rev, err = w.states.get(ctx, j.ext)
		if err != nil {
			return err
		}
		if fresh.Seq >= j.seq {
			return nil
		}
	}
	return errConflict
}

func (w *Worker) ack(j *job, outcome string) result {
	_ = j.msg.Ack()
	w.count(j, outcome)
	return finished
}

func (w *Worker) count(j *job, outcome string) {
	w.metrics.events.WithLabelValues(j.typ, outcome).Inc()
	if outcome != OutcomeRetry && outcome != OutcomeDeferred && !j.published.IsZero() {
		w.metrics.latency.Observe(time.Since(j.published).Seconds())
	}
}
