package testenv_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// fatalRecorder is a testing.TB whose Fatalf records the message and ends
// the goroutine, as the real one does, so a test can see a wait fail.
type fatalRecorder struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

// failure runs wait with a recorder and returns its failure message ("" if
// it returned).
func failure(t *testing.T, wait func(testing.TB)) string {
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); wait(rec) }()
	<-done
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.msg
}

// TestWaitForSaysWhatItWaitedFor: a condition that never holds fails after
// the timeout, naming the wait and the last state; one that comes true
// returns as soon as it does.
func TestWaitForSaysWhatItWaitedFor(t *testing.T) {
	t.Parallel()
	msg := failure(t, func(tb testing.TB) {
		n := 0
		testenv.WaitFor(tb, 100*time.Millisecond, "the room to be ready", func() (bool, string) {
			n++
			return false, fmt.Sprintf("look %d", n)
		})
	})
	if !strings.Contains(msg, "the room to be ready") || !strings.Contains(msg, "look ") || !strings.Contains(msg, "100ms") {
		t.Fatalf("failure message %q does not say what was awaited, how long, and what was seen", msg)
	}
	var looks atomic.Int32
	start := time.Now()
	msg = failure(t, func(tb testing.TB) {
		testenv.WaitFor(tb, 10*time.Second, "the third look", func() (bool, string) { return looks.Add(1) == 3, "" })
	})
	if msg != "" || looks.Load() != 3 || time.Since(start) > 5*time.Second {
		t.Fatalf("a condition that came true: failure %q after %d looks and %v", msg, looks.Load(), time.Since(start))
	}
}

// TestWaitAckFloor: the wait returns only once the durable consumer has
// acknowledged the producer's sequence, and a delivered but unacknowledged
// event fails it with the consumer's state.
func TestWaitAckFloor(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Config{Topology: &broker.Topology{AckWait: 30 * time.Second}})
	ctx := testenv.Ctx(t)
	first, err := env.Prod.ClearMessages(ctx, "1201")
	if err != nil {
		t.Fatal(err)
	}
	second, err := env.Prod.ClearMessages(ctx, "1202")
	if err != nil {
		t.Fatal(err)
	}
	c := env.WorkerConsumer()
	batch, err := c.Fetch(2, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []jetstream.Msg
	for m := range batch.Messages() {
		msgs = append(msgs, m)
	}
	if len(msgs) != 2 {
		t.Fatalf("fetched %d events, want 2", len(msgs))
	}
	if err := msgs[0].DoubleAck(ctx); err != nil {
		t.Fatal(err)
	}
	testenv.WaitAckFloor(t, c, first.Ack.Sequence)
	msg := failure(t, func(tb testing.TB) { testenv.WaitAckFloorWithin(tb, 300*time.Millisecond, c, second.Ack.Sequence) })
	if !strings.Contains(msg, fmt.Sprintf("stream sequence %d", second.Ack.Sequence)) || !strings.Contains(msg, "ack pending 1") {
		t.Fatalf("waiting for a delivered, unacknowledged event: failure %q", msg)
	}
	if err := msgs[1].DoubleAck(ctx); err != nil {
		t.Fatal(err)
	}
	env.WaitFinished(second)
	env.WaitAllFinished()
}

// TestNATSRestartKeepsAddressAndStore: after Stop and Start the server has
// the same URL and the stored events, and the test's connection is back.
func TestNATSRestartKeepsAddressAndStore(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Config{Topology: &broker.Topology{}})
	if _, err := env.Prod.ClearMessages(testenv.Ctx(t), "1201"); err != nil {
		t.Fatal(err)
	}
	url := env.URL
	env.Stop()
	env.Start()
	if env.URL != url {
		t.Fatalf("URL %s after a restart, was %s", env.URL, url)
	}
	testenv.WaitFor(t, testenv.DefaultWait, "the connection to come back", func() (bool, string) {
		return env.Conn.IsConnected(), env.Conn.Status().String()
	})
	if n := env.LastSeq(schemas.StreamEvents); n != 1 {
		t.Fatalf("last sequence %d after a restart, want 1", n)
	}
}

// TestWaitReady: readiness is polled until it holds; a /readyz answering
// 503 fails the wait with its status and reason.
func TestWaitReady(t *testing.T) {
	t.Parallel()
	var ready atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Load() {
			http.Error(w, "Zoom work paused: app deactivated", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	msg := failure(t, func(tb testing.TB) { testenv.WaitHTTPReady(tb, 200*time.Millisecond, srv.URL+"/readyz") })
	if !strings.Contains(msg, "503") || !strings.Contains(msg, "app deactivated") {
		t.Fatalf("failure %q does not give the status and the reason", msg)
	}
	time.AfterFunc(100*time.Millisecond, func() { ready.Store(true) })
	testenv.WaitHTTPReady(t, testenv.DefaultWait, srv.URL+"/readyz")

	calls := 0
	testenv.WaitReady(t, testenv.DefaultWait, "the worker", func(context.Context) error {
		if calls++; calls < 3 {
			return errors.New("not started")
		}
		return nil
	})
}

// TestSimAndZoomClient: the simulator runs with the given seed and the
// client made for it reaches it.
func TestSimAndZoomClient(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Config{Sim: &zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 3, FirstExtension: 1201}}})
	users, err := testenv.ZoomClient(t, env.Sim).ListPhoneUsers(testenv.Ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(users) < 3 {
		t.Fatalf("%d phone users, want the 3 seeded rooms", len(users))
	}
}

// TestConsent: the admin's consent gives a grant that refreshes; an app
// the simulator does not know fails the test with the answer it got.
func TestConsent(t *testing.T) {
	t.Parallel()
	sim := testenv.StartSim(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 1, Staff: 1}})
	sc := sim.Config()
	app := func(clientID string) *zoom.AuthCode {
		a, err := zoom.NewAuthCode(zoom.AuthCodeConfig{URL: sim.OAuthURL(), ClientID: clientID, ClientSecret: sc.ClientSecret,
			RedirectURI: "http://127.0.0.1:1/oauth/callback"})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	g := testenv.Consent(t, app(sc.ClientID))
	if g.RefreshToken == "" || g.Token.AccessToken == "" {
		t.Fatalf("grant %+v lacks a token", g)
	}
	if _, err := app(sc.ClientID).Refresh(testenv.Ctx(t), g.RefreshToken); err != nil {
		t.Fatalf("the consented grant does not refresh: %v", err)
	}
	msg := failure(t, func(tb testing.TB) { testenv.Consent(tb, app("no-such-client")) })
	if !strings.Contains(msg, "consent") || !strings.Contains(msg, "want 302") {
		t.Fatalf("consent to an unknown app: failure %q", msg)
	}
}
