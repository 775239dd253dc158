package consumer_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
	"github.com/prometheus/client_golang/prometheus"
)

// bundle is a whole deployment in one test: the shared test environment
// (an embedded JetStream server, a Zoom simulator, a producer), a Zoom
// client and (once started) a worker.
type bundle struct {
	t      *testing.T
	env    *testenv.Env
	nc     *nats.Conn
	js     jetstream.JetStream
	sim    *zoomsim.Server
	zoom   *zoom.Client
	prod   *producer.Producer
	worker *consumer.Worker
	cfg    consumer.Config
	reg    *prometheus.Registry // the workers' metrics, unless a test sets its own
	now    time.Time            // event times increase from here
}

type options struct {
	sim    func(*zoomsim.Config)
	worker func(*consumer.Config)
	zoom   func(*zoom.Config)
}

// setup starts NATS and a simulated hotel of 5 rooms (users 1201-1205 by
// default) without rate limits, and a worker configured by opts.
func setup(t *testing.T, opts options) *bundle {
	t.Helper()
	b := &bundle{t: t, reg: prometheus.NewRegistry(), now: time.Now().UTC().Add(-time.Hour).Truncate(time.Second)}
	sc := zoomsim.Config{Unlimited: true, Seed: &zoomsim.Seed{Rooms: 5, FirstExtension: 1201, PhonesPerRoom: 1, VoicemailsPerRoom: 2}}
	if opts.sim != nil {
		opts.sim(&sc)
	}
	b.env = testenv.New(t, testenv.Config{Sim: &sc, Producer: producer.Config{Source: "pms/test", Now: b.eventTime}})
	b.nc, b.js, b.sim, b.prod = b.env.Conn, b.env.JS, b.env.Sim, b.env.Prod
	var adjust []func(*zoom.Config)
	if opts.zoom != nil {
		adjust = append(adjust, opts.zoom)
	}
	b.zoom = testenv.ZoomClient(t, b.sim, adjust...)
	b.cfg = consumer.Config{JetStream: b.js, Zoom: b.zoom, RetryInterval: 200 * time.Millisecond,
		Topology: broker.Topology{AckWait: 3 * time.Second}, Metrics: consumer.NewMetrics(b.reg)}
	if os.Getenv("PBXLINK_TEST_LOG") != "" {
		// Debugging a test: the worker's log on stderr.
		b.cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if opts.worker != nil {
		opts.worker(&b.cfg)
	}
	return b
}

// eventTime hands out increasing event times, one second apart.
func (b *bundle) eventTime() time.Time {
	b.now = b.now.Add(time.Second)
	return b.now
}

// start starts a worker and stops it at the end of the test.
func (b *bundle) start() *consumer.Worker {
	b.t.Helper()
	w, err := consumer.New(b.cfg)
	if err != nil {
		b.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := w.Start(ctx); err != nil {
		b.t.Fatal(err)
	}
	b.worker = w
	b.t.Cleanup(func() { b.stop(w) })
	return w
}

func (b *bundle) stop(w *consumer.Worker) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = w.Stop(ctx)
}

func (b *bundle) ctx() context.Context { return testenv.Ctx(b.t) }

// user returns the simulated user of an extension.
func (b *bundle) user(ext int64) zoomsim.User {
	b.t.Helper()
	u, ok := b.sim.UserByExtension(ext)
	if !ok {
		b.t.Fatalf("no user has extension %d", ext)
	}
	return u
}

// eventually waits up to 15 s for cond, then fails with what it last said.
func (b *bundle) eventually(what string, cond func() (bool, string)) {
	b.t.Helper()
	testenv.WaitFor(b.t, testenv.DefaultWait, what, cond)
}

// eventuallyWithin waits up to d for cond.
func (b *bundle) eventuallyWithin(d time.Duration, what string, cond func() (bool, string)) {
	b.t.Helper()
	testenv.WaitFor(b.t, d, what, cond)
}

// finished waits until every event in the stream so far is finished:
// the consumer's ack floor has reached the stream's last sequence. (A count
// of pending messages is no such fact: an event handed back to wait for its
// retry is briefly counted nowhere.) A test that
// published the events itself waits with finishedAt on the producer's
// result instead.
func (b *bundle) finished() {
	b.t.Helper()
	b.env.WaitAllFinished()
}

// finishedAt waits until the event the producer published, and every one
// before it, is finished.
func (b *bundle) finishedAt(r *producer.Result) {
	b.t.Helper()
	b.env.WaitFinished(r)
}

func (b *bundle) finishedSeq(seq uint64) {
	b.t.Helper()
	testenv.WaitAckFloor(b.t, b.env.WorkerConsumer(), seq)
}

// finishedWithin waits up to d for every event so far to finish.
func (b *bundle) finishedWithin(d time.Duration) {
	b.t.Helper()
	b.finishedSeqWithin(b.env.LastSeq(schemas.StreamEvents), d)
}

func (b *bundle) finishedSeqWithin(seq uint64, d time.Duration) {
	b.t.Helper()
	testenv.WaitAckFloorWithin(b.t, d, b.env.WorkerConsumer(), seq)
}

// deadLetters returns every message in PBXLINK_DLQ.
func (b *bundle) deadLetters() []*jetstream.RawStreamMsg {
	b.t.Helper()
	s, err := b.js.Stream(b.ctx(), schemas.StreamDLQ)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []*jetstream.RawStreamMsg
	for seq := uint64(1); ; seq++ {
		m, err := s.GetMsg(b.ctx(), seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			info, _ := s.Info(b.ctx())
			if seq > info.State.LastSeq {
				return out
			}
			continue
		}
		if err != nil {
			b.t.Fatal(err)
		}
		out = append(out, m)
	}
}

// deadLetterReasons says, for a failure message, why each dead letter so
// far was dead-lettered ("" when there is none).
func (b *bundle) deadLetterReasons() string {
	b.t.Helper()
	var out strings.Builder
	for _, m := range b.deadLetters() {
		fmt.Fprintf(&out, "\n  dead letter %s (seq %s): %s", m.Subject, m.Header.Get(schemas.HeaderOriginalSeq), m.Header.Get(schemas.HeaderError))
	}
	return out.String()
}

// outcomes is how many times the workers gave an event the outcome (one of
// consumer.Outcome*), over every event type: a fact to wait on ("every
// event was tried and deferred") where the stream shows none.
func (b *bundle) outcomes(outcome string) int {
	b.t.Helper()
	families, err := b.reg.Gather()
	if err != nil {
		b.t.Fatal(err)
	}
	n := 0.0
	for _, f := range families {
		if f.GetName() != "pbxlink_events_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == outcome {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return int(n)
}

// zoomCalls counts the simulator's journal entries of the operations given
// (every API call when none is given).
func (b *bundle) zoomCalls(ops ...zoom.Operation) int {
	n := 0
	for _, e := range b.sim.Journal() {
		if e.Listener != "api" {
			continue
		}
		if len(ops) == 0 {
			n++
			continue
		}
		for _, op := range ops {
			if e.OperationID == op.ID {
				n++
			}
		}
	}
	return n
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// jetstreamMsg is a stored message.
type jetstreamMsg = jetstream.RawStreamMsg

func producerAt(t time.Time) producer.PublishOption { return producer.WithTime(t) }
