package fias

import (
	"context"
	"time"
)

// postReq is one posting handed to the connection: its PS record, and
// done, closed once the PMS answered it.
type postReq struct {
	p      Posting
	rec    Record
	number string
	done   chan string // the PMS's answer status
}

// poster takes postings from the source one at a time, numbers them in
// the ledger, hands each to whichever connection is up, waits for its PA
// and only then records it as posted and lets the source forget it.
func (s *Service) poster(ctx context.Context, ledger *Ledger) {
	for ctx.Err() == nil {
		p, err := s.cfg.Postings.Next(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.cfg.Logger.Warn("FIAS postings: reading the next call failed", "link", s.cfg.Link, "err", err)
				sleep(ctx, time.Second)
			}
			continue
		}
		room, ok := s.cfg.Rooms.Room(p.Extension)
		if !ok {
			_ = s.cfg.Postings.Done(ctx, p)
			continue
		}
		n, done, err := ledger.Number(ctx, p.ID)
		for err != nil && ctx.Err() == nil {
			sleep(ctx, time.Second)
			n, done, err = ledger.Number(ctx, p.ID)
		}
		if ctx.Err() != nil {
			return
		}
		if !done {
			req := &postReq{p: p, rec: postingRecord(p, room, n, s.cfg.Location), done: make(chan string, 1)}
			req.number = req.rec.Value("P#")
			select {
			case s.posts <- req:
			case <-ctx.Done():
				s.abandon(p)
				return
			}
			var status string
			select {
			case status = <-req.done:
			case <-ctx.Done():
				// Not answered: the source hands it out again to the next
				// holder, under the same number.
				s.abandon(p)
				return
			}
			if m := s.cfg.Metrics; m != nil {
				m.Postings.WithLabelValues(s.cfg.Link, status).Inc()
			}
			for ledger.MarkDone(ctx, p.ID, n, status) != nil && ctx.Err() == nil {
				sleep(ctx, time.Second)
			}
		}
		for s.cfg.Postings.Done(ctx, p) != nil && ctx.Err() == nil {
			sleep(ctx, time.Second)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// Abandoner is a [PostingSource] that can hand a posting out again at once
// (CallSource: a negative acknowledgement), when the replica gives the
// link up before the PMS answered it.
type Abandoner interface {
	Abandon(p Posting)
}

func (s *Service) abandon(p Posting) {
	if a, ok := s.cfg.Postings.(Abandoner); ok {
		a.Abandon(p)
	}
}
