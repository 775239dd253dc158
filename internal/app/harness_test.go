package app

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// startSim starts a Zoom simulator with rooms users from extension 1201,
// closed at the test's end.
func startSim(t *testing.T, rooms int) *zoomsim.Server {
	t.Helper()
	sim, err := zoomsim.New(zoomsim.Config{Seed: &zoomsim.Seed{Rooms: rooms, FirstExtension: 1201, Target: zoomsim.TargetUsers, PhonesPerRoom: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// startNATS starts a JetStream server on a free loopback port, as an
// external server would be, shut down at the test's end.
func startNATS(t *testing.T) *server.Server {
	t.Helper()
	srv, err := broker.StartEmbedded(broker.EmbeddedConfig{Listen: "127.0.0.1:-1", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	return srv
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

// eventually polls cond every 20 ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v (%s)", what, timeout, state)
		}
		time.Sleep(20 * time.Millisecond)
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

// testCtx ends with the test or after a minute.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// lines is err's message split at newlines.
func lines(err error) []string { return strings.Split(err.Error(), "\n") }
