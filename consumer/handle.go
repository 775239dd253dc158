package consumer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

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

// handle runs one event through the pipeline: order, the claim, decoding,
// the replay and time rules, the directory, Zoom, and the outcome.
func (w *Worker) handle(ctx context.Context, j *job) result {
	if j.ext == "" {
		// Not on pbxlink.ext.<extension>.<type>: no extension to order by.
		return w.bury(ctx, j, nil, fmt.Errorf("%w: subject %q does not name an extension (pbxlink.ext.<digits, no leading zero>.<type>)",
			schemas.ErrInvalidEvent, j.subject), 1)
	}
	if p := w.gate.state(); p != nil {
		// The account's Zoom work is paused: nothing to try, no attempt.
		return w.deferJob(j, w.cfg.pauseDelay(), OutcomeDeferred)
	}
	for range 3 {
		h, r, again := w.prepare(ctx, j)
		if h != nil {
			return w.work(ctx, h)
		}
		if !again {
			return r
		}
		// The record changed while claiming: read it again.
	}
	return parked
}

// prepare reads the extension's record and decides whether j may go now.
// It returns the hold, claimed, when Zoom work may begin; else a result
// (finished or parked), or again when the record changed while claiming
// and must be read again.
func (w *Worker) prepare(ctx context.Context, j *job) (h *hold, r result, again bool) {
	rec, rev, err := w.states.get(ctx, j.ext)
	if err != nil {
		w.log.Warn("state unavailable; will look again", "ext", j.ext, "err", err)
		return nil, parked, false
	}
	h = &hold{w: w, j: j, rec: rec, rev: rev}
	if j.seq <= rec.Seq {
		return nil, w.ack(j, OutcomeDuplicate), false
	}
	switch t, err := w.order(ctx, j, rec); {
	case err != nil:
		w.log.Warn("order check failed; will look again", "ext", j.ext, "err", err)
		return nil, parked, false
	case t == turnWait:
		return nil, parked, false
	case t == turnErased:
		w.log.Info("event no longer in the stream (erased); dropped", "ext", j.ext, "seq", j.seq)
		return nil, w.ack(j, OutcomeDuplicate), false
	}
	now := w.cfg.Now()
	if rec.Claim.live(w.id, now) {
		return nil, parked, false // another replica works on the extension
	}
	if n := rec.abandonedOf(j.seq); n >= maxAbandoned {
		return nil, w.bury(ctx, j, h, fmt.Errorf("%w: %d times", errInterrupted, n), rec.attemptsOf(j.seq)), false
	}
	d, err := schemas.Parse(j.subject, j.message().Data())
	if err != nil {
		return nil, w.bury(ctx, j, h, fmt.Errorf("bad event: %w", err), 1), false
	}
	if !j.published.IsZero() && d.Event.Time.After(j.published.Add(maxAhead)) {
		return nil, w.bury(ctx, j, h, errBadTime, 1), false
	}
	if orig, ok := originalSeq(j); ok && orig < rec.Applied {
		w.log.Info("skipped a replayed dead letter older than what the extension shows",
			"ext", j.ext, "type", d.Type, "id", d.Event.ID, "seq", j.seq, "original_seq", orig, "applied_seq", rec.Applied)
		return nil, w.commit(ctx, h, OutcomeStale), false
	}
	entry, err := w.dir.Lookup(ctx, j.ext)
	if err != nil {
		return nil, w.fail(ctx, h, err), false
	}
	if err := h.claim(ctx); err != nil {
		if errors.Is(err, errConflict) {
			return nil, parked, true
		}
		w.log.Warn("claim failed; will look again", "ext", j.ext, "err", err)
		return nil, parked, false
	}
	h.decoded, h.entry = d, entry
	return h, parked, false
}

// originalSeq is the Pbxlink-Original-Seq of a replayed dead letter.
func originalSeq(j *job) (uint64, bool) {
	v := j.message().Headers().Get(schemas.HeaderOriginalSeq)
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 64)
	return n, err == nil
}

// work makes the claimed event's change in Zoom and records the outcome.
func (w *Worker) work(ctx context.Context, h *hold) result {
	j, d, entry := h.j, h.decoded, h.entry
	w.log.Debug("applying", "ext", j.ext, "type", d.Type, "id", d.Event.ID, "data", string(d.Event.Data))
	app := w.app.forEvent(w.cfg.Zoom, h)
	err := app.apply(ctx, d, &h.rec, entry)
	if errors.Is(err, zoom.ErrNotFound) {
		// The directory's entry may be stale (the user or phone was
		// replaced since the last load): look the extension up afresh
		// once, then decide.
		w.dir.Forget(j.ext)
		if fresh, lerr := w.dir.Lookup(ctx, j.ext); lerr != nil {
			err = lerr
		} else if fresh.ID != entry.ID || !samePhones(fresh, entry) {
			err = app.apply(ctx, d, &h.rec, fresh)
		}
	}
	if err == nil {
		h.rec.Applied = j.seq
		r := w.commit(ctx, h, OutcomeApplied)
		if r == finished {
			// One line per applied event, without guest data.
			changed := "nothing"
			if len(app.changed) > 0 {
				changed = strings.Join(app.changed, ", ")
			}
			w.log.Info("event applied", "ext", j.ext, "type", d.Type, "seq", j.seq, "changed", changed,
				"took", time.Since(j.published).Round(time.Millisecond))
		}
		return r
	}
	return w.fail(ctx, h, err)
}

// fail carries out the decision on a failed change.
func (w *Worker) fail(ctx context.Context, h *hold, err error) result {
	j := h.j
	dec := decide(err, h.rec.attemptsOf(j.seq), w.cfg, w.cfg.Now())
	h.release()
	switch dec.act {
	case actHandBack:
		if h.rev != 0 {
			_ = h.save(context.WithoutCancel(ctx))
		}
		j.handBack()
		return finished
	case actBury:
		return w.bury(ctx, j, h, dec.cause, dec.attempts)
	case actPause:
		w.log.Error("Zoom refuses the account; pausing the fleet's Zoom work", "err", logSafe(err))
		if gerr := w.gate.close(ctx, logSafe(err), w.cfg.Now()); gerr != nil {
			w.log.Warn("could not record the pause for the fleet", "err", gerr)
		}
	case actRetry:
		h.rec.Pending, h.rec.Attempts = j.seq, dec.attempts
		w.log.Warn("Zoom change failed; will retry", "ext", j.ext, "seq", j.seq, "attempt", dec.attempts,
			"of", w.cfg.Retries, "in", dec.after, "err", logSafe(err))
	case actDefer:
		w.log.Info("event deferred", "ext", j.ext, "seq", j.seq, "for", dec.after, "why", logSafe(err))
	}
	if h.rev == 0 && dec.act != actRetry {
		// Nothing to remember of an extension never seen before (no claim
		// was taken, no attempt used): write no record.
		return w.deferJob(j, dec.after, OutcomeDeferred)
	}
	if serr := h.save(ctx); serr != nil && !errors.Is(serr, errConflict) {
		w.log.Warn("state write failed; will look again", "ext", j.ext, "err", serr)
		return parked
	}
	outcome := OutcomeDeferred
	if dec.act == actRetry {
		outcome = OutcomeRetry
	}
	return w.deferJob(j, dec.after, outcome)
}

// deferJob hands j back to JetStream until after has passed.
func (w *Worker) deferJob(j *job, after time.Duration, outcome string) result {
	j.handBackIn(after)
	w.count(j, outcome)
	return finished
}

// bury dead-letters j with its cause and marks it finished, so that its
// extension's later events go on. h is nil when the event has no
// extension.
func (w *Worker) bury(ctx context.Context, j *job, h *hold, cause error, attempts int) result {
	if err := w.deadLetter(ctx, j, cause.Error(), attempts); err != nil {
		w.log.Warn("dead-lettering failed; will try again", "subject", j.subject, "seq", j.seq, "err", err)
		return parked
	}
	class := reasonClass(cause)
	w.log.Warn("event dead-lettered", "subject", j.subject, "seq", j.seq, "attempts", attempts, "reason", logSafe(cause))
	w.metrics.deadLetters.WithLabelValues(class).Inc()
	// An extension Zoom does not know, never seen before, gets no state
	// record: a PMS sending events for random extensions must not grow the
	// bucket for ever. Its later events wait at most for the consumer's
	// ack floor to pass this one.
	if h != nil && !(h.rev == 0 && errors.Is(cause, ErrUnknownExtension)) {
		h.release()
		if r := w.record(ctx, h); r == parked {
			return parked
		}
	}
	// Only the class goes to JetStream's advisory: Zoom's text can quote
	// a guest's name.
	j.term(class)
	w.count(j, OutcomeDead)
	return finished
}

// commit records j as the extension's last finished event and
// acknowledges it.
func (w *Worker) commit(ctx context.Context, h *hold, outcome string) result {
	if r := w.record(ctx, h); r == parked {
		return parked
	}
	return w.ack(h.j, outcome)
}

// record writes the record with j as its last finished event.
func (w *Worker) record(ctx context.Context, h *hold) result {
	h.rec.Seq, h.rec.Pending, h.rec.Attempts, h.rec.Abandoned = h.j.seq, 0, 0, 0
	h.rec.Claim = nil // finishing the event ends any claim on it
	if err := h.save(ctx); err != nil {
		// A conflict means another holder took over: its outcome stands.
		if !errors.Is(err, errConflict) {
			w.log.Warn("state write failed; will look again", "ext", h.j.ext, "err", err)
		}
		return parked
	}
	return finished
}

func (w *Worker) ack(j *job, outcome string) result {
	j.ack()
	w.count(j, outcome)
	return finished
}

func (w *Worker) count(j *job, outcome string) {
	w.metrics.events.WithLabelValues(typeLabel(j.typ), outcome).Inc()
	if outcome != OutcomeRetry && outcome != OutcomeDeferred && !j.published.IsZero() {
		w.metrics.latency.WithLabelValues(typeLabel(j.typ)).Observe(time.Since(j.published).Seconds())
	}
}

// typeLabel keeps the metrics' type label to the known event types.
func typeLabel(t string) string {
	if schemas.Type(t).Valid() {
		return t
	}
	return "unknown"
}

// samePhones reports whether two entries list the same desk phones.
func samePhones(a, b dirEntry) bool {
	if len(a.Phones) != len(b.Phones) {
		return false
	}
	for i := range a.Phones {
		if a.Phones[i].ID != b.Phones[i].ID {
			return false
		}
	}
	return true
}
