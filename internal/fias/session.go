package fias

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Errors that end a connection; the link reconnects after them.
var (
	// ErrLinkEnded: the PMS sent LE.
	ErrLinkEnded = errors.New("fias: the PMS ended the link (LE)")
	// ErrNoAnswer: the PMS did not answer an LA or a PS in time.
	ErrNoAnswer = errors.New("fias: the PMS did not answer")
)

// retryPostingAfter is the wait before a posting the PMS asked to retry.
const retryPostingAfter = 5 * time.Second

// session is one TCP connection to the PMS interface.
type session struct {
	s      *Service
	conn   net.Conn
	store  *StateStore
	st     *State
	rev    uint64
	b      backoff.BackOff
	needDR bool

	alive      bool
	gotLS      bool
	laPending  time.Time // when our oldest unanswered LA went out; zero when none
	laCount    int       // our LAs not answered yet
	inflight   *postReq
	inflightAt time.Time
	postAfter  time.Time // postings wait until then (the PMS asked to retry)
	filter     *resendFilter
}

type readResult struct {
	rec Record
	err error
}

func (ss *session) run(ctx context.Context) error {
	s := ss.s
	defer ss.conn.Close()
	defer func() {
		if ss.inflight != nil {
			s.retry = ss.inflight
		}
		s.setStatus(Status{Holder: true, Reason: "link down"})
	}()
	ss.filter = newResendFilter(append([]string(nil), ss.st.Recent...))
	recs := make(chan readResult, 64)
	rctx, stopRead := context.WithCancel(ctx)
	defer stopRead()
	go ss.read(rctx, recs)
	go func() { // a cancelled ctx (lease lost, shutdown) unblocks writes and reads
		<-rctx.Done()
		_ = ss.conn.SetDeadline(time.Now())
	}()

	listen := time.NewTimer(s.cfg.ListenLS)
	defer listen.Stop()
	tick := time.NewTicker(min(s.cfg.KeepAlive, s.cfg.AnswerTimeout) / 4)
	defer tick.Stop()
	lastSent := time.Now()
	for {
		var posts chan *postReq
		if ss.alive && ss.inflight == nil && ss.st.Resync == nil && !time.Now().Before(ss.postAfter) {
			if s.retry != nil {
				req := s.retry
				s.retry = nil
				if err := ss.sendPosting(req); err != nil {
					return err
				}
				continue
			}
			posts = s.posts
		}
		select {
		case <-ctx.Done():
			if errors.Is(context.Cause(ctx), context.Canceled) && ss.alive {
				// Shutting down: tell the PMS, which then buffers.
				_ = ss.conn.SetDeadline(time.Now().Add(time.Second))
				_ = ss.send(NewRecord("LE", stamp(time.Now())...))
			}
			return context.Cause(ctx)
		case rr := <-recs:
			if rr.err != nil {
				return rr.err
			}
			if err := ss.handle(ctx, rr.rec); err != nil {
				return err
			}
		case req := <-posts:
			if err := ss.sendPosting(req); err != nil {
				return err
			}
		case <-listen.C:
			if !ss.gotLS {
				if err := ss.send(NewRecord("LS", stamp(time.Now())...)); err != nil {
					return err
				}
			}
		case now := <-tick.C:
			switch {
			case !ss.laPending.IsZero() && now.Sub(ss.laPending) > s.cfg.AnswerTimeout:
				return fmt.Errorf("%w: no LA within %s", ErrNoAnswer, s.cfg.AnswerTimeout)
			case ss.inflight != nil && now.Sub(ss.inflightAt) > s.cfg.AnswerTimeout:
				return fmt.Errorf("%w: no PA for posting %s within %s", ErrNoAnswer, ss.inflight.number, s.cfg.AnswerTimeout)
			case ss.alive && ss.laPending.IsZero() && now.Sub(lastSent) >= s.cfg.KeepAlive:
				if err := ss.send(NewRecord("LA", stamp(now)...)); err != nil {
					return err
				}
				ss.sentLA()
				lastSent = now
			}
		}
	}
}

// read feeds the connection's bytes through a Scanner and delivers the
// records, until the connection fails.
func (ss *session) read(ctx context.Context, out chan<- readResult) {
	s := ss.s
	var sc Scanner
	buf := make([]byte, 4096)
	var skipped uint64
	for {
		n, err := ss.conn.Read(buf)
		for _, frame := range sc.Feed(buf[:n]) {
			rec, perr := ParseRecord(s.cfg.Charset.Decode(frame))
			if perr != nil {
				s.record("??", "bad")
				s.cfg.Logger.Warn("FIAS record not understood, skipped", "link", s.cfg.Link, "err", perr)
				continue
			}
			select {
			case out <- readResult{rec: rec}:
			case <-ctx.Done():
				return
			}
		}
		if d := sc.Skipped() - skipped; d > 0 {
			skipped = sc.Skipped()
			if m := s.cfg.Metrics; m != nil {
				m.BadBytes.WithLabelValues(s.cfg.Link).Add(float64(d))
			}
		}
		if err != nil {
			select {
			case out <- readResult{err: fmt.Errorf("read from the PMS: %w", err)}:
			case <-ctx.Done():
			}
			return
		}
	}
}

// send writes one record.
func (ss *session) send(r Record) error {
	_ = ss.conn.SetWriteDeadline(time.Now().Add(ss.s.cfg.AnswerTimeout))
	if _, err := ss.conn.Write(ss.s.cfg.Charset.Frame(r)); err != nil {
		return fmt.Errorf("write to the PMS: %w", err)
	}
	return nil
}

func (ss *session) sendPosting(req *postReq) error {
	ss.inflight, ss.inflightAt = req, time.Now()
	return ss.send(req.rec)
}

// handle acts on one record from the PMS.
func (ss *session) handle(ctx context.Context, r Record) error {
	s := ss.s
	switch r.ID {
	case "LS":
		// Every LS is answered with LD, the LRs and LA, even on a live link.
		ss.gotLS = true
		if err := ss.flush(ctx); err != nil {
			return err
		}
		for _, out := range handshake(s.cfg.Version, time.Now()) {
			if err := ss.send(out); err != nil {
				return err
			}
		}
		ss.sentLA()
		s.record(r.ID, "applied")
		return nil
	case "LA":
		s.record(r.ID, "applied")
		if err := ss.flush(ctx); err != nil {
			return err
		}
		if ss.laCount > 0 {
			// The answer to one of ours. The PMS's own alive checks are
			// told apart by count, so that two sides answering each
			// other's LA never ping-pong.
			if ss.laCount--; ss.laCount == 0 {
				ss.laPending = time.Time{}
			}
			if !ss.alive {
				return ss.up(ctx)
			}
			return nil
		}
		// The PMS's own alive check: answered after every record before it.
		return ss.send(NewRecord("LA", stamp(time.Now())...))
	case "LE":
		s.record(r.ID, "applied")
		_ = ss.flush(ctx)
		return ErrLinkEnded
	case "PA":
		s.record(r.ID, "applied")
		if ss.inflight != nil && r.Value("P#") == ss.inflight.number {
			status := r.Value("AS")
			switch status {
			case "RY", "NA", "BY":
				// Retry, night audit, busy: the same posting again later.
				s.retry, ss.inflight = ss.inflight, nil
				ss.postAfter = time.Now().Add(retryPostingAfter)
				return nil
			}
			ss.inflight.done <- status
			ss.inflight = nil
		}
		return nil
	}
	if !dataRecords[r.ID] {
		s.record(r.ID, "ignored")
		return nil
	}
	if !ss.alive {
		s.record(r.ID, "early") // records before the link is alive are ignored
		return nil
	}
	digest := s.digest(r.String())
	apply, dropped := ss.filter.offer(r, digest)
	for range dropped {
		s.record(r.ID, "resent")
	}
	if dropped > 0 {
		s.cfg.Logger.Info("FIAS records resent by the PMS after a broken link dropped", "link", s.cfg.Link, "records", dropped)
	}
	return ss.applyAll(ctx, apply)
}

// flush applies the records the resend filter held back.
func (ss *session) flush(ctx context.Context) error {
	return ss.applyAll(ctx, ss.filter.flush())
}

func (ss *session) applyAll(ctx context.Context, recs []heldRecord) error {
	for _, h := range recs {
		if err := ss.apply(ctx, h.rec, h.digest); err != nil {
			return err
		}
	}
	return nil
}

// apply publishes a data record's events, then stores the state after it:
// only then is the record received.
func (ss *session) apply(ctx context.Context, r Record, digest string) error {
	s := ss.s
	seq := ss.st.Seq + 1
	s.cfg.Logger.Debug("FIAS record", "link", s.cfg.Link, "seq", seq, "digest", digest, "record", r.String())
	acts := s.plan.plan(ss.st, r)
	if err := s.publish(ctx, seq, digest, acts); err != nil {
		return fmt.Errorf("FIAS %s record: %w", r.ID, err)
	}
	ss.st.Seq = seq
	ss.st.remember(digest)
	rev, err := ss.store.Save(ctx, ss.st, ss.rev)
	if err != nil {
		return err
	}
	ss.rev = rev
	s.record(r.ID, "applied")
	return ss.maybeDR(ctx)
}

// up: the link is alive.
func (ss *session) up(ctx context.Context) error {
	ss.alive = true
	ss.b.Reset()
	ss.s.setStatus(Status{Holder: true, Up: true})
	ss.s.cfg.Logger.Info("FIAS link alive", "link", ss.s.cfg.Link, "pms", ss.s.cfg.Address)
	return ss.maybeDR(ctx)
}

// maybeDR asks for a database swap when pbxlink lost its state (none
// stored, or a swap cut short) or found it contradicted, at most once per
// DRAfter for the latter; never on a schedule or merely at start-up.
func (ss *session) maybeDR(ctx context.Context) error {
	s := ss.s
	if !ss.alive || ss.st.Resync != nil {
		return nil
	}
	now := time.Now()
	due := ss.needDR || (ss.st.Diverged && now.Sub(ss.st.LastDR) >= s.cfg.DRAfter)
	if !due {
		return nil
	}
	ss.st.LastDR, ss.st.Diverged = now, false
	rev, err := ss.store.Save(ctx, ss.st, ss.rev)
	if err != nil {
		return err
	}
	ss.rev, ss.needDR = rev, false
	s.cfg.Logger.Info("FIAS database swap requested (DR)", "link", s.cfg.Link)
	return ss.send(NewRecord("DR", stamp(now)...))
}

// sentLA notes an LA of ours going out.
func (ss *session) sentLA() {
	if ss.laCount == 0 {
		ss.laPending = time.Now()
	}
	ss.laCount++
}
