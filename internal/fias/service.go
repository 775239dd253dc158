package fias

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/lease"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
)

// Service is one FIAS link: it waits for the link's lease, connects to the
// PMS interface while it holds it, and reconnects with back-off.
type Service struct {
	cfg  Config
	prod *producer.Producer
	plan planner

	mu     sync.Mutex
	status Status

	// retry is the posting in flight when a connection ended: the next
	// connection sends it again, under the same number.
	retry *postReq
	posts chan *postReq
}

// Status is what /readyz reports of a link.
type Status struct {
	// Holder: this replica holds the lease and is the one that connects.
	Holder bool
	// Up: the link is alive (handshake done).
	Up bool
	// Reason says why the link is not up, in words.
	Reason string
}

// Ready says whether the replica is doing its part: a standby always is;
// the holder is once its link is up.
func (st Status) Ready() bool { return !st.Holder || st.Up }

// New returns the link service of cfg after [Config.WithDefaults].
func New(cfg Config) (*Service, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.JetStream == nil {
		return nil, &ConfigError{Field: "JetStream", Msg: "required"}
	}
	prod, err := producer.New(cfg.JetStream, producer.Config{Source: "fias/" + cfg.Link})
	if err != nil {
		return nil, fmt.Errorf("%w: Link: %v", ErrInvalidConfig, err)
	}
	s := &Service{cfg: cfg, prod: prod, plan: planner{vip: cfg.VIP}, posts: make(chan *postReq)}
	s.status = Status{Reason: "waiting for the link's lease"}
	return s, nil
}

// Status returns the link's current status.
func (s *Service) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

func (s *Service) setStatus(st Status) {
	s.mu.Lock()
	s.status = st
	s.mu.Unlock()
	if m := s.cfg.Metrics; m != nil {
		m.LinkUp.WithLabelValues(s.cfg.Link).Set(b2f(st.Up))
		m.LeaseHeld.WithLabelValues(s.cfg.Link).Set(b2f(st.Holder))
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Run runs the link until ctx ends. It returns ctx's error, or an error
// when NATS cannot be set up.
func (s *Service) Run(ctx context.Context) error {
	js := s.cfg.JetStream
	fleet, err := js.CreateOrUpdateKeyValue(ctx, broker.FleetBucketConfig(broker.Topology{Replicas: s.cfg.Replicas}))
	if err != nil {
		return fmt.Errorf("bucket %s: %w", broker.BucketFleet, err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, BucketConfig(s.cfg.Replicas))
	if err != nil {
		return fmt.Errorf("bucket %s: %w", BucketFIAS, err)
	}
	if _, err := js.Stream(ctx, schemas.StreamEvents); errors.Is(err, jetstream.ErrStreamNotFound) {
		// The workers provision it too; whoever comes first creates it.
		_, err = js.CreateStream(ctx, broker.EventsStreamConfig(broker.Topology{Replicas: s.cfg.Replicas}))
		if err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return fmt.Errorf("stream %s: %w", schemas.StreamEvents, err)
		}
	}
	// The IFC serves one client per port and drops the older connection
	// when another connects: two replicas connected at once would take the
	// link from each other. So the lease trusts no host's clock
	// (SkewUnbounded): it is taken over only after a replica saw it
	// unchanged for a whole TTL, while its holder gives the link up TTL/2
	// after its last renewal.
	l, err := lease.New(lease.Config{KV: fleet, Key: LeaseKey(s.cfg.Link), Holder: s.cfg.Holder,
		TTL: s.cfg.LeaseTTL, ClockSkew: lease.SkewUnbounded})
	if err != nil {
		return err
	}
	store := NewStateStore(kv, s.cfg.Link)
	ledger := NewLedger(kv, s.cfg.Link)
	for {
		s.setStatus(Status{Reason: "standby: another replica holds the link"})
		if err := l.Acquire(ctx); err != nil {
			return err
		}
		s.cfg.Logger.Info("FIAS link lease taken: this replica connects to the PMS", "link", s.cfg.Link)
		s.setStatus(Status{Holder: true, Reason: "connecting to the PMS"})
		hold, lost := context.WithCancelCause(ctx)
		var wg sync.WaitGroup
		wg.Go(func() {
			if err := l.Keep(hold); err != nil {
				lost(err)
			}
		})
		s.retry = nil
		if s.cfg.Postings != nil {
			wg.Go(func() { s.poster(hold, ledger) })
		}
		err := s.hold(hold, store)
		lost(err)
		wg.Wait()
		_ = l.Release(context.WithoutCancel(ctx)) // else another takes over after the TTL
		if ctx.Err() != nil {
			s.setStatus(Status{Reason: "stopped"})
			return ctx.Err()
		}
		s.cfg.Logger.Warn("FIAS link given up by this replica", "link", s.cfg.Link, "err", context.Cause(hold))
	}
}

// LeaseKey is the fleet bucket key of link's lease (see package lease).
func LeaseKey(link string) string { return "fias.lease." + link }

// hold connects and reconnects while the lease is held (ctx).
func (s *Service) hold(ctx context.Context, store *StateStore) error {
	b := backoff.NewExponentialBackOff(backoff.WithInitialInterval(s.cfg.MinBackoff),
		backoff.WithMaxInterval(s.cfg.MaxBackoff), backoff.WithMaxElapsedTime(0))
	for {
		st, rev, found, err := store.Load(ctx)
		if err == nil {
			var conn net.Conn
			d := net.Dialer{Timeout: 5 * time.Second}
			conn, err = d.DialContext(ctx, "tcp", s.cfg.Address)
			if err != nil {
				s.connected("failed")
				err = fmt.Errorf("connect to the PMS at %s: %w", s.cfg.Address, err)
			} else {
				s.connected("ok")
				ss := &session{s: s, conn: conn, store: store, st: st, rev: rev, b: b}
				ss.needDR = !found || st.Resync != nil
				st.Resync = nil // a swap cut short by the broken link counts for nothing
				err = ss.run(ctx)
			}
		}
		if errors.Is(err, ErrFenced) {
			return err
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		wait := b.NextBackOff()
		s.setStatus(Status{Holder: true, Reason: err.Error()})
		s.cfg.Logger.Warn("FIAS link down", "link", s.cfg.Link, "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(wait):
		}
	}
}

// connected counts a connection attempt.
func (s *Service) connected(result string) {
	if m := s.cfg.Metrics; m != nil {
		m.Connects.WithLabelValues(s.cfg.Link, result).Inc()
	}
}

// record counts a received record by outcome.
func (s *Service) record(id, outcome string) {
	if m := s.cfg.Metrics; m != nil {
		m.Records.WithLabelValues(s.cfg.Link, id, outcome).Inc()
	}
}

// digest identifies a record's data on this link.
func (s *Service) digest(data string) string {
	sum := sha256.Sum256([]byte(s.cfg.Link + "\x00" + data))
	return hex.EncodeToString(sum[:10])
}

// publish publishes a record's events, in order, each acknowledged by the
// stream. Event ids are "fias-<link>-<seq>-<digest>-<n>": the same record
// redone from the same state gets the same ids, so the stream keeps one
// copy.
func (s *Service) publish(ctx context.Context, seq uint64, digest string, acts []action) error {
	for i, a := range acts {
		ext, err := s.cfg.Rooms.Extension(a.Room)
		if err != nil {
			s.cfg.Logger.Warn("FIAS record for a room without an extension skipped", "link", s.cfg.Link, "err", err)
			continue
		}
		id := fmt.Sprintf("fias-%s-%d-%s-%d", s.cfg.Link, seq, digest[:12], i)
		if _, err := s.prod.Publish(ctx, ext, a.Type, a.Data, producer.WithID(id)); err != nil {
			return err
		}
		if s.cfg.Logger.Enabled(ctx, slog.LevelDebug) {
			s.cfg.Logger.Debug("FIAS event published", "link", s.cfg.Link, "ext", ext, "type", a.Type, "id", id, "data", a.Data)
		} else {
			s.cfg.Logger.Info("FIAS event published", "link", s.cfg.Link, "ext", ext, "type", a.Type, "id", id)
		}
	}
	return nil
}
