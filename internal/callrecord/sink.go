package callrecord

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
)

// Defaults of the sink.
const (
	DefaultStaleAfter = 24 * time.Hour
	DefaultPurgeEvery = time.Hour
)

// SinkConfig configures a [Sink].
type SinkConfig struct {
	// JetStream reads PBXLINK_CALLS, which must exist (EnsureStream)
	// (required).
	JetStream jetstream.JetStream
	// Store keeps the records (required).
	Store Store
	// Retention: calls that ended longer ago are purged. Default
	// DefaultRetention.
	Retention time.Duration
	// PurgeEvery is the interval between purges; one runs at start.
	// Default DefaultPurgeEvery.
	PurgeEvery time.Duration
	// StaleAfter: when no call record has arrived for this long, the
	// no-CDR alert (pbxlink_call_records_stale) goes to 1. Default
	// DefaultStaleAfter.
	StaleAfter time.Duration
	// CheckEvery is how often the alert is brought up to date. Default a
	// minute (at most a tenth of StaleAfter).
	CheckEvery time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Metrics, if set, receives the sink's metrics.
	Metrics *Metrics
	// OnError hears the errors the sink goes on after (an invalid record,
	// a database error, a failed purge); the library does not log.
	OnError func(error)
}

// WithDefaults fills the zero fields.
func (c SinkConfig) WithDefaults() SinkConfig {
	if c.Retention == 0 {
		c.Retention = DefaultRetention
	}
	if c.PurgeEvery == 0 {
		c.PurgeEvery = DefaultPurgeEvery
	}
	if c.StaleAfter == 0 {
		c.StaleAfter = DefaultStaleAfter
	}
	if c.CheckEvery == 0 {
		c.CheckEvery = min(time.Minute, max(c.StaleAfter/10, time.Second))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
	if c.OnError == nil {
		c.OnError = func(error) {}
	}
	return c
}

func (c SinkConfig) validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrConfig, field, fmt.Sprintf(format, args...))
	}
	switch {
	case c.JetStream == nil:
		return bad("JetStream", "required")
	case c.Store == nil:
		return bad("Store", "required")
	case c.Retention < time.Minute:
		return bad("Retention", "%v: at least a minute", c.Retention)
	case c.PurgeEvery <= 0:
		return bad("PurgeEvery", "%v: must be positive", c.PurgeEvery)
	case c.StaleAfter <= 0:
		return bad("StaleAfter", "%v: must be positive", c.StaleAfter)
	case c.CheckEvery <= 0:
		return bad("CheckEvery", "%v: must be positive", c.CheckEvery)
	}
	return nil
}

// Sink stores the records of PBXLINK_CALLS in a Store, through its own
// durable consumer (ConsumerCallDB), purges them after the retention, and
// raises the no-CDR alert when none arrives for too long. Replicas sharing
// one PostgreSQL database share the consumer too.
type Sink struct {
	cfg SinkConfig

	mu   sync.Mutex
	last time.Time // when the last record arrived
}

// NewSink checks cfg and returns a sink; Run starts it.
func NewSink(cfg SinkConfig) (*Sink, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.Metrics.staleAfterSecs.Set(cfg.StaleAfter.Seconds())
	return &Sink{cfg: cfg}, nil
}

// ConsumerConfig is the sink's durable consumer.
func ConsumerConfig() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       ConsumerCallDB,
		Description:   "pbxlink call-record database sink",
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxDeliver:    -1,
		MaxAckPending: 1000,
		FilterSubject: schemas.StreamCallsSubjects,
	}
}

// Run consumes until ctx ends.
func (s *Sink) Run(ctx context.Context) error {
	last, err := s.cfg.Store.LastReceived(ctx)
	if err != nil {
		return err
	}
	if last.IsZero() {
		last = s.cfg.Now()
	}
	s.received(last)
	cons, err := s.cfg.JetStream.CreateOrUpdateConsumer(ctx, schemas.StreamCalls, ConsumerConfig())
	if err != nil {
		return fmt.Errorf("consumer %s: %w", ConsumerCallDB, err)
	}
	cc, err := cons.Consume(func(msg jetstream.Msg) { s.handle(ctx, msg) },
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			if ctx.Err() == nil && !errors.Is(err, jetstream.ErrNoHeartbeat) {
				s.cfg.OnError(fmt.Errorf("consumer %s: %w", ConsumerCallDB, err))
			}
		}))
	if err != nil {
		return fmt.Errorf("consumer %s: %w", ConsumerCallDB, err)
	}
	defer cc.Stop()
	s.purge(ctx)
	purge := time.NewTicker(s.cfg.PurgeEvery)
	defer purge.Stop()
	check := time.NewTicker(s.cfg.CheckEvery)
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-purge.C:
			s.purge(ctx)
		case <-check.C:
			s.Stale()
		}
	}
}

// handle stores one record: acknowledged when stored or already stored,
// terminated when invalid (it can never be stored), handed back for a
// later try when the database fails.
func (s *Sink) handle(ctx context.Context, msg jetstream.Msg) {
	m := s.cfg.Metrics
	ev, err := schemas.ParseCall(msg.Subject(), msg.Data())
	if err != nil {
		m.stored.WithLabelValues("invalid").Inc()
		s.cfg.OnError(fmt.Errorf("call record on %s refused: %w", msg.Subject(), err))
		_ = msg.Term()
		return
	}
	now := s.cfg.Now()
	inserted, err := s.cfg.Store.Insert(ctx, ev.Data, now)
	if err != nil {
		m.stored.WithLabelValues("error").Inc()
		s.cfg.OnError(err)
		_ = msg.NakWithDelay(5 * time.Second)
		return
	}
	if inserted {
		m.stored.WithLabelValues("inserted").Inc()
	} else {
		m.stored.WithLabelValues("duplicate").Inc()
	}
	s.received(now)
	_ = msg.Ack()
}

func (s *Sink) received(at time.Time) {
	s.mu.Lock()
	if at.After(s.last) {
		s.last = at
	}
	last := s.last
	s.mu.Unlock()
	s.cfg.Metrics.lastReceived.Set(float64(last.Unix()))
	s.Stale()
}

// Stale reports (and sets pbxlink_call_records_stale to) whether no call
// record has arrived for StaleAfter.
func (s *Sink) Stale() bool {
	s.mu.Lock()
	stale := s.cfg.Now().Sub(s.last) > s.cfg.StaleAfter
	s.mu.Unlock()
	v := 0.0
	if stale {
		v = 1
	}
	s.cfg.Metrics.stale.Set(v)
	return stale
}

// LastReceived is when the last record arrived (or the sink started).
func (s *Sink) LastReceived() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func (s *Sink) purge(ctx context.Context) {
	n, err := s.cfg.Store.Purge(ctx, s.cfg.Now().Add(-s.cfg.Retention))
	if err != nil {
		if ctx.Err() == nil {
			s.cfg.OnError(err)
		}
		return
	}
	s.cfg.Metrics.purged.Add(float64(n))
}
