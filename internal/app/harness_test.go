package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// startSim starts a Zoom simulator with rooms users from extension 1201,
// changed by the adjust functions in order, closed at the test's end.
func startSim(t *testing.T, rooms int, adjust ...func(*zoomsim.Config)) *zoomsim.Server {
	t.Helper()
	cfg := zoomsim.Config{Seed: &zoomsim.Seed{Rooms: rooms, FirstExtension: 1201, Target: zoomsim.TargetUsers, PhonesPerRoom: 1}}
	for _, f := range adjust {
		f(&cfg)
	}
	return testenv.StartSim(t, cfg)
}

// testConfig is an embedded server in a temporary directory and the
// simulator's account, with the log at debug on the test's output when
// PBXLINK_TEST_LOG is set.
func testConfig(t *testing.T, sim *zoomsim.Server) Config {
	t.Helper()
	sc := sim.Config()
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("PBXLINK_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return Config{
		NATS:   NATSConfig{Listen: "127.0.0.1:0", DataDir: t.TempDir()},
		Zoom:   ZoomConfig{URL: sim.OAuthURL(), AccountID: sc.AccountID, ClientID: sc.ClientID, ClientSecret: sc.ClientSecret},
		Logger: log, ShutdownGrace: 5 * time.Second,
	}
}

// startApp opens an app with cfg and starts its worker (Start, without
// Run's health server and wait); it is closed when the test ends.
func startApp(t *testing.T, cfg Config) *App {
	t.Helper()
	a, err := Open(testenv.Ctx(t), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(a.Close)
	if err := a.Start(testenv.Ctx(t)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return a
}

// running is an app that Run runs in a goroutine of the test.
type running struct {
	*App
	// Base is the health server's address as a URL (http://host:port).
	Base string
	// Prod publishes the PMS's events on the app's connection.
	Prod   *producer.Producer
	cancel context.CancelFunc
	done   chan error
}

// runApp opens an app with cfg (its health server on a free port when
// cfg.HTTPListen is empty), runs it, and returns once /readyz answers
// 200: the worker has started and may be given events (r.Prod). The app is
// stopped and closed when the test ends, if the test has not stopped it.
func runApp(t *testing.T, cfg Config) *running {
	t.Helper()
	if cfg.HTTPListen == "" {
		cfg.HTTPListen = "127.0.0.1:0"
	}
	a, err := Open(testenv.Ctx(t), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(a.Close)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{App: a, Base: "http://" + a.HTTPAddr(), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Run(ctx) }()
	t.Cleanup(cancel)
	testenv.WaitHTTPReady(t, 30*time.Second, r.Base+"/readyz")
	if r.Prod, err = producer.New(a.JetStream(), producer.Config{Source: "pms/test"}); err != nil {
		t.Fatalf("producer: %v", err)
	}
	return r
}

// stop ends Run's context and fails the test unless Run returns nil
// within 20 s.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// displayName is the simulator's display name of the user with ext.
func displayName(sim *zoomsim.Server, ext int64) string {
	for _, u := range sim.State().Users {
		if u.ExtensionNumber == ext {
			return u.DisplayName
		}
	}
	return ""
}

// waitDisplayName waits until the simulator's user with ext has a display
// name containing part (an event applied to Zoom).
func waitDisplayName(t *testing.T, sim *zoomsim.Server, ext int64, part string) {
	t.Helper()
	testenv.WaitFor(t, 30*time.Second, "the display name of "+strconv.FormatInt(ext, 10)+" to contain "+part, func() (bool, string) {
		n := displayName(sim, ext)
		return strings.Contains(n, part), n
	})
}

// get is one GET: the status (0 when no answer) and the body.
func get(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// lines is err's message split at newlines.
func lines(err error) []string { return strings.Split(err.Error(), "\n") }
