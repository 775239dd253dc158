package callrecord

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/lease"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// Poller reads Zoom's call history for the fleet and publishes each
// finished call once. Every replica may run one; the one holding the lease
// reads, the others wait to take over.
type Poller struct {
	cfg         PollerConfig
	lease       *lease.Lease
	state       *stateStore
	pausedUntil time.Time // the daily share is used up until then
}

// NewPoller checks cfg and returns a poller; Run starts it.
func NewPoller(cfg PollerConfig) (*Poller, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	l, err := lease.New(lease.Config{KV: cfg.Fleet, Key: LeaseKey, Holder: cfg.Holder, TTL: cfg.LeaseTTL, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	cfg.Metrics.dailyBudget.Set(float64(cfg.Budget()))
	return &Poller{cfg: cfg, lease: l, state: &stateStore{kv: cfg.Fleet}}, nil
}

// Run creates or updates PBXLINK_CALLS, then takes part in the lease until
// ctx ends: while it holds the lease it reads the call history every
// Interval. It gives the lease up when it returns.
func (p *Poller) Run(ctx context.Context) error {
	if _, err := EnsureStream(ctx, p.cfg.JetStream, p.StreamConfig()); err != nil {
		return err
	}
	defer func() {
		_ = p.lease.Release(context.WithoutCancel(ctx)) // else it runs out
		p.cfg.Metrics.leader.Set(0)
	}()
	tick := time.NewTicker(p.cfg.LeaseTTL / 3)
	defer tick.Stop()
	for {
		if err := p.step(ctx); err != nil && ctx.Err() == nil {
			p.cfg.OnError(err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// StreamConfig is the PBXLINK_CALLS this poller needs: its duplicate
// window covers the overlap, two intervals and a takeover.
func (p *Poller) StreamConfig() jetstream.StreamConfig {
	return StreamConfig(p.cfg.Retention, DuplicateWindow(p.cfg.Interval, p.cfg.Overlap, p.cfg.LeaseTTL), p.cfg.Replicas)
}

// Poll is one round of Run: it takes or renews the lease and, when this
// replica holds it and a read is due (Interval after the last, on the
// configured clock), reads. Run calls it every third of LeaseTTL; a tool
// that runs the poller on a clock of its own (the benchmark's simulated
// day) calls it directly, after EnsureStream.
func (p *Poller) Poll(ctx context.Context) error { return p.step(ctx) }

// step renews or takes the lease and, when it is held and a read is due,
// reads.
func (p *Poller) step(ctx context.Context) error {
	held, err := p.lease.TryAcquire(ctx)
	if err != nil {
		p.cfg.Metrics.leader.Set(0)
		return err // it names the lease's key
	}
	if !held {
		p.cfg.Metrics.leader.Set(0)
		return nil
	}
	p.cfg.Metrics.leader.Set(1)
	now := p.cfg.Now()
	if now.Before(p.pausedUntil) {
		return nil
	}
	st, found, err := p.state.load(ctx)
	if err != nil {
		return err
	}
	if found && now.Sub(st.LastRead) < p.cfg.Interval {
		return nil
	}
	if p.cfg.Paused != nil && p.cfg.Paused(ctx) != nil {
		p.cfg.Metrics.polls.WithLabelValues("paused").Inc()
		return nil // the fleet's pause is reported where it is kept
	}
	if !found {
		st = pollState{Watermark: now.Add(-p.cfg.FirstLookback)}
	}
	return p.read(ctx, st)
}

// errBudget stops a read at the daily share.
var errBudget = errors.New("call records: the daily share of Zoom's Heavy cap is used up")

// read brings the watermark up to now, one window at a time, and saves the
// state after each window (and when a window stops early, so that what was
// published is not published again).
func (p *Poller) read(ctx context.Context, st pollState) error {
	m := p.cfg.Metrics
	for {
		now := p.cfg.Now().UTC()
		today := now.Format(time.DateOnly)
		if st.Day != today {
			st.Day, st.Requests = today, 0
		}
		st.LastRead = now
		from := st.Watermark.Add(-p.cfg.Overlap)
		if oldest := oldestReachable(now); from.Before(oldest) {
			from = oldest
		}
		to := now
		if to.Sub(from) > catchUpWindow {
			to = from.Add(catchUpWindow)
		}
		if st.Requests >= p.cfg.Budget() {
			p.pause(now)
			m.polls.WithLabelValues("budget").Inc()
			return p.saveState(ctx, st)
		}
		n, err := p.cfg.Zoom.CallHistoryPages(ctx, zoom.CallHistoryWindow{From: from, To: to, ByEndTime: true},
			func(page []zoom.CallHistoryEntry, more bool) error {
				st.Requests++ // a page seen is a request made
				if err := p.publishPage(ctx, page, &st); err != nil {
					return err
				}
				if more && st.Requests >= p.cfg.Budget() {
					return errBudget
				}
				return nil
			})
		// The callback counted the pages it saw; a request that failed
		// also counts toward Zoom's cap.
		st.Requests += n - pagesSeen(n, err)
		p.report(st)
		switch {
		case errors.Is(err, errBudget):
			p.pause(now)
			m.polls.WithLabelValues("budget").Inc()
			return p.saveState(ctx, st)
		case err != nil:
			m.polls.WithLabelValues("error").Inc()
			if pe := pausedUntil(err); !pe.IsZero() {
				p.pausedUntil = pe
			}
			if serr := p.saveState(ctx, st); serr != nil {
				return errors.Join(err, serr)
			}
			return fmt.Errorf("call records: reading Zoom's call history: %w", err)
		}
		st.Watermark = to
		for id, end := range st.Recent {
			if time.Unix(end, 0).Before(to.Add(-p.cfg.Overlap)) {
				delete(st.Recent, id)
			}
		}
		if err := p.saveState(ctx, st); err != nil {
			return err
		}
		m.polls.WithLabelValues("ok").Inc()
		m.watermark.Set(float64(to.Unix()))
		if !to.Before(now) {
			return nil
		}
	}
}

// pagesSeen is how many of n requests reached the page callback: all of
// them when the read succeeded or the callback stopped it, else all but
// the failed last one.
func pagesSeen(n int, err error) int {
	if err == nil || errors.Is(err, errBudget) || n == 0 {
		return n
	}
	var ae *zoom.APIError
	var te *zoom.TransportError
	if errors.As(err, &ae) || errors.As(err, &te) {
		return n - 1
	}
	return n
}

// pausedUntil is when a daily 429 or the limiter's daily pause ends, or
// zero.
func pausedUntil(err error) time.Time {
	var ae *zoom.APIError
	if errors.As(err, &ae) && ae.Daily {
		return ae.RetryAt
	}
	if at, ok := zoom.RetryAt(err); ok {
		return at
	}
	return time.Time{}
}

// pause stops reading until the next 00:00 UTC, when Zoom's daily caps
// and the share start again.
func (p *Poller) pause(now time.Time) {
	y, mo, d := now.UTC().Date()
	p.pausedUntil = time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
}

// saveState saves st; errLostState when another replica took over (its
// next renewal then finds the lease lost too).
func (p *Poller) saveState(ctx context.Context, st pollState) error {
	return p.state.save(context.WithoutCancel(ctx), st)
}

// report sets the budget metrics from the state.
func (p *Poller) report(st pollState) {
	p.cfg.Metrics.requestsToday.Set(float64(st.Requests))
	p.cfg.Metrics.capShareUsed.Set(float64(st.Requests) / float64(p.cfg.DailyCap))
}

// publishPage publishes the page's calls that are ours and not yet
// published, and waits for the stream to store them.
func (p *Poller) publishPage(ctx context.Context, page []zoom.CallHistoryEntry, st *pollState) error {
	m := p.cfg.Metrics
	type sent struct {
		id  string
		end time.Time
		ack jetstream.PubAckFuture
	}
	var pending []sent
	for _, e := range page {
		if _, ok := st.Recent[e.CallHistoryUUID]; ok {
			m.published.WithLabelValues("seen").Inc()
			continue
		}
		c, ok, err := callOf(e, p.isOurs)
		if err != nil {
			return err
		}
		if !ok {
			m.published.WithLabelValues("skipped").Inc()
			continue
		}
		body, err := schemas.MarshalCall(schemas.NewCallEvent(c))
		if err != nil {
			return fmt.Errorf("call %s: %w", c.CallHistoryID, err)
		}
		msg := nats.NewMsg(schemas.CallSubject(c.Extension))
		msg.Data = body
		msg.Header.Set(schemas.HeaderMsgID, c.CallHistoryID)
		msg.Header.Set(schemas.HeaderContentType, schemas.ContentTypeCloudEvents)
		f, err := p.cfg.JetStream.PublishMsgAsync(msg)
		if err != nil {
			return fmt.Errorf("publish call %s: %w", c.CallHistoryID, err)
		}
		pending = append(pending, sent{c.CallHistoryID, c.End, f})
	}
	if st.Recent == nil {
		st.Recent = map[string]int64{}
	}
	var errs []error
	for _, s := range pending {
		select {
		case ack := <-s.ack.Ok():
			st.Recent[s.id] = s.end.Unix()
			if ack.Duplicate {
				m.published.WithLabelValues("duplicate").Inc()
			} else {
				m.published.WithLabelValues("published").Inc()
			}
		case err := <-s.ack.Err():
			errs = append(errs, fmt.Errorf("publish call %s: %w", s.id, err))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.Join(errs...)
}

func (p *Poller) isOurs(ext string) bool { return p.cfg.AllExtensions || p.cfg.Rooms.Has(ext) }

// oldestReachable is the first instant Zoom's call history still serves:
// six months back, from the start of that day, plus a day of margin.
func oldestReachable(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, -6, 1)
}
