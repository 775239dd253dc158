package producer

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
)

// startJetStream starts an embedded JetStream server on 127.0.0.1 and
// returns a JetStream client of it; both stop when the test ends.
func startJetStream(t *testing.T) jetstream.JetStream {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// eventsStreamConfig is the events stream as the worker creates it.
func eventsStreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:       schemas.StreamEvents,
		Subjects:   []string{schemas.StreamEventsSubjects},
		Storage:    jetstream.FileStorage,
		Retention:  jetstream.LimitsPolicy,
		Duplicates: 2 * time.Minute,
	}
}

// createStream creates the events stream, changed by edit when not nil.
func createStream(t *testing.T, js jetstream.JetStream, edit func(*jetstream.StreamConfig)) jetstream.Stream {
	t.Helper()
	cfg := eventsStreamConfig()
	if edit != nil {
		edit(&cfg)
	}
	st, err := js.CreateStream(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// testConfig returns a Config with fixed time and ids and quick retries.
func testConfig() Config {
	n := 0
	var mu sync.Mutex
	return Config{
		Source:          "pms/test-hotel",
		MaxElapsed:      5 * time.Second,
		InitialInterval: 20 * time.Millisecond,
		MaxInterval:     100 * time.Millisecond,
		Timeout:         2 * time.Second,
		Now:             func() time.Time { return testTime },
		NewID: func() string {
			mu.Lock()
			defer mu.Unlock()
			n++
			return "id-" + strconv.Itoa(n)
		},
	}
}

var testTime = time.Date(2026, 11, 23, 14, 5, 0, 0, time.UTC)

// newProducer returns a Producer of js with cfg.
func newProducer(t *testing.T, js jetstream.JetStream, cfg Config) *Producer {
	t.Helper()
	p, err := New(js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// recordingJS wraps a JetStream, records every PublishMsg call and its
// outcome, and can make calls fail.
type recordingJS struct {
	jetstream.JetStream
	mu    sync.Mutex
	calls []string
	// fail, when not nil, is asked before each call; a non-nil error is
	// returned instead of publishing.
	fail func(ctx context.Context, n int, msg *nats.Msg) error
}

func (r *recordingJS) PublishMsg(ctx context.Context, msg *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	r.mu.Lock()
	n := len(r.calls)
	r.calls = append(r.calls, "publish "+msg.Subject)
	fail := r.fail
	r.mu.Unlock()
	var (
		ack *jetstream.PubAck
		err error
	)
	if fail != nil {
		err = fail(ctx, n, msg)
	}
	if err == nil {
		ack, err = r.JetStream.PublishMsg(ctx, msg, opts...)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.calls = append(r.calls, "error "+msg.Subject)
	} else {
		r.calls = append(r.calls, "ack "+msg.Subject)
	}
	return ack, err
}

// Calls returns the calls recorded so far.
func (r *recordingJS) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}
