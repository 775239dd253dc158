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

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// bundle is a whole deployment in one test: an embedded JetStream server, a
// Zoom simulator, a Zoom client, a producer and (once started) a worker.
type bundle struct {
	t        *testing.T
	storeDir string
	listen   string
	srv      *server.Server
	nc       *nats.Conn
	js       jetstream.JetStream
	sim      *zoomsim.Server
	zoom     *zoom.Client
	prod     *producer.Producer
	worker   *consumer.Worker
	cfg      consumer.Config
	now      time.Time // event times increase from here
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
	b := &bundle{t: t, storeDir: t.TempDir(), listen: "127.0.0.1:-1", now: time.Now().UTC().Add(-time.Hour).Truncate(time.Second)}
	b.startNATS()
	sc := zoomsim.Config{Unlimited: true, Seed: &zoomsim.Seed{Rooms: 5, FirstExtension: 1201, PhonesPerRoom: 1, VoicemailsPerRoom: 2}}
	if opts.sim != nil {
		opts.sim(&sc)
	}
	sim, err := zoomsim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	b.sim = sim
	zc := zoom.Config{URL: sim.OAuthURL(), AccountID: sim.Config().AccountID, ClientID: sim.Config().ClientID,
		ClientSecret: sim.Config().ClientSecret, DefaultAPIURL: "http://127.0.0.1:1", Limiter: zoom.Unlimited{}}
	if opts.zoom != nil {
		opts.zoom(&zc)
	}
	b.zoom, err = zoom.New(zc)
	if err != nil {
		t.Fatal(err)
	}
	b.cfg = consumer.Config{JetStream: b.js, Zoom: b.zoom, RetryInterval: 200 * time.Millisecond,
		Topology: broker.Topology{AckWait: 3 * time.Second}}
	if os.Getenv("PBXLINK_TEST_LOG") != "" {
		// Debugging a test: the worker's log on stderr.
		b.cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if opts.worker != nil {
		opts.worker(&b.cfg)
	}
	return b
}

// startNATS starts (or restarts, on the same port and store) the server.
func (b *bundle) startNATS() {
	b.t.Helper()
	srv, err := broker.StartEmbedded(broker.EmbeddedConfig{Listen: b.listen, StoreDir: b.storeDir})
	if err != nil {
		b.t.Fatal(err)
	}
	b.srv = srv
	b.listen = srv.Addr().String()
	if b.nc == nil {
		b.nc, err = broker.Connect(broker.ConnectConfig{URL: srv.ClientURL(), Name: "test"})
		if err != nil {
			b.t.Fatal(err)
		}
		b.js, _ = jetstream.New(b.nc)
		b.prod, err = producer.New(b.js, producer.Config{Source: "pms/test", Now: b.eventTime})
		if err != nil {
			b.t.Fatal(err)
		}
		b.t.Cleanup(func() {
			b.nc.Close()
			b.srv.Shutdown()
			b.srv.WaitForShutdown()
		})
	}
}

func (b *bundle) stopNATS() {
	b.srv.Shutdown()
	b.srv.WaitForShutdown()
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

func (b *bundle) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	b.t.Cleanup(cancel)
	return ctx
}

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
	b.eventuallyWithin(15*time.Second, what, cond)
}

// eventuallyWithin waits up to d for cond.
func (b *bundle) eventuallyWithin(d time.Duration, what string, cond func() (bool, string)) {
	b.t.Helper()
	deadline := time.Now().Add(d)
	var last string
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(20 * time.Millisecond)
	}
	b.t.Fatalf("timed out waiting for %s; last: %s", what, last)
}

// finished waits until every event in the stream so far is finished:
// the consumer's ack floor has reached the stream's last sequence. (A count
// of pending messages is no such fact: an event handed back to wait for its
// retry is briefly counted nowhere.)
func (b *bundle) finished() {
	b.t.Helper()
	s, err := b.js.Stream(b.ctx(), schemas.StreamEvents)
	if err != nil {
		b.t.Fatal(err)
	}
	info, err := s.Info(b.ctx())
	if err != nil {
		b.t.Fatal(err)
	}
	b.finishedSeq(info.State.LastSeq)
}

// finishedAt waits until the event the producer published, and every one
// before it, is finished.
func (b *bundle) finishedAt(r *producer.Result) {
	b.t.Helper()
	b.finishedSeq(r.Ack.Sequence)
}

func (b *bundle) finishedSeq(seq uint64) {
	b.t.Helper()
	b.finishedSeqWithin(seq, 15*time.Second)
}

// finishedWithin waits up to d for every event so far to finish.
func (b *bundle) finishedWithin(d time.Duration) {
	b.t.Helper()
	s, err := b.js.Stream(b.ctx(), schemas.StreamEvents)
	if err != nil {
		b.t.Fatal(err)
	}
	info, err := s.Info(b.ctx())
	if err != nil {
		b.t.Fatal(err)
	}
	b.finishedSeqWithin(info.State.LastSeq, d)
}

func (b *bundle) finishedSeqWithin(seq uint64, d time.Duration) {
	b.t.Helper()
	b.eventuallyWithin(d, fmt.Sprintf("the ack floor to reach %d", seq), func() (bool, string) {
		c, err := b.js.Consumer(b.ctx(), schemas.StreamEvents, schemas.ConsumerWorker)
		if err != nil {
			return false, err.Error()
		}
		info, err := c.Info(b.ctx())
		if err != nil {
			return false, err.Error()
		}
		return info.AckFloor.Stream >= seq, fmt.Sprintf("ack floor %d, pending %d, ack pending %d", info.AckFloor.Stream, info.NumPending, info.NumAckPending)
	})
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
