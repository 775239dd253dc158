package app

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/schemas"
)

// TestRunAppliesAnEvent: an app on its embedded server, opened and run,
// applies a published check-in to Zoom, serves /livez, /readyz and
// /metrics, and stops when its context ends.
func TestRunAppliesAnEvent(t *testing.T) {
	sim := startSim(t, 2)
	r := runApp(t, testConfig(t, sim))
	if _, err := r.Prod.CheckIn(testenv.Ctx(t), "1201", schemas.CheckIn{Guest: schemas.Guest{First: "Ada", Last: "Lovelace"}}); err != nil {
		t.Fatal(err)
	}
	waitDisplayName(t, sim, 1201, "Lovelace")
	if code, body := get(r.Base + "/livez"); code != http.StatusOK {
		t.Errorf("/livez: %d %s", code, body)
	}
	if _, body := get(r.Base + "/metrics"); !strings.Contains(body, "pbxlink_clock_skew_seconds") {
		t.Errorf("/metrics lacks pbxlink_clock_skew_seconds")
	}
	r.stop(t)
	if code, _ := get(r.Base + "/livez"); code != 0 {
		t.Errorf("/livez still served after Run returned: %d", code)
	}
}

// TestExternalNATSProvisionsOnce: on an external server (the URL set),
// the app creates the fleet bucket once, not once for the Zoom client and
// again for the worker, and it starts no server of its own.
func TestExternalNATSProvisionsOnce(t *testing.T) {
	srv := testenv.StartNATS(t)
	watch := srv.Conn
	// Each CreateOrUpdateKeyValue asks to update the bucket's stream
	// first (and creates it when that finds none): count those requests.
	var creates atomic.Int64
	if _, err := watch.Subscribe("$JS.API.STREAM.UPDATE.KV_"+broker.BucketFleet, func(*nats.Msg) { creates.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := watch.Flush(); err != nil {
		t.Fatal(err)
	}
	sim := startSim(t, 1)
	cfg := testConfig(t, sim)
	cfg.NATS = NATSConfig{URL: srv.URL}
	a := startApp(t, cfg)
	if got := a.Conn().ConnectedUrl(); got != srv.URL {
		t.Errorf("connected to %s, want the external %s", got, srv.URL)
	}
	if err := a.Stop(testenv.Ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := watch.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := creates.Load(); n != 1 {
		t.Errorf("the fleet bucket was created or updated %d times, want once", n)
	}
}

// TestReadyzWhileStarting: /readyz asked again and again while the worker
// starts answers 503 and then 200, without a data race (-race).
func TestReadyzWhileStarting(t *testing.T) {
	sim := startSim(t, 2)
	cfg := testConfig(t, sim)
	cfg.HTTPListen = "127.0.0.1:0"
	a, err := Open(testenv.Ctx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var codes sync.Map
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				code, _ := get("http://" + a.HTTPAddr() + "/readyz")
				codes.Store(code, true)
			}
		})
	}
	stopAskers := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopAskers() // also when a wait fails the test
	startErr := a.Start(testenv.Ctx(t))
	if startErr == nil {
		testenv.WaitFor(t, testenv.DefaultWait, "the askers to see /readyz answer 200", func() (bool, string) {
			_, ok := codes.Load(http.StatusOK)
			return ok, "no 200 yet"
		})
	}
	stopAskers()
	if startErr != nil {
		t.Fatal(startErr)
	}
}

// TestStopJoinsDebugWatch: once Stop returns, the watch of the debug
// switch has ended: no goroutine of it is left, and the switch no longer
// changes the level.
func TestStopJoinsDebugWatch(t *testing.T) {
	sim := startSim(t, 1)
	cfg := testConfig(t, sim)
	cfg.Level = new(slog.LevelVar)
	a := startApp(t, cfg)
	kv := a.Provisioned().Config
	if _, err := kv.Put(testenv.Ctx(t), schemas.KeyDebug, []byte("true")); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 10*time.Second, "debug switched on", func() (bool, string) {
		return cfg.Level.Level() == slog.LevelDebug, cfg.Level.Level().String()
	})
	if err := a.Stop(testenv.Ctx(t)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	if stacks := string(buf[:runtime.Stack(buf, true)]); strings.Contains(stacks, "internal/app.watchDebug") {
		t.Fatalf("the debug watch still runs after Stop:\n%s", stacks)
	}
}

// TestSettingErrorsNameFlags: every setting that cannot work is refused
// by Open, each on its own line naming the flag.
func TestSettingErrorsNameFlags(t *testing.T) {
	_, err := Open(testenv.Ctx(t), Config{Zoom: ZoomConfig{Plan: "gold", Limits: "bogus"}, ShutdownGrace: -time.Second,
		Webhook: WebhookConfig{Listen: "127.0.0.1:0"}, Calls: CallRecordsConfig{Enabled: true, DB: "mysql://x"}})
	if err == nil {
		t.Fatal("Open accepted an empty configuration")
	}
	if !errors.Is(err, ErrConfig) {
		t.Errorf("%v: not ErrConfig", err)
	}
	want := []string{"--data-dir", "--zoom-client-id", "--zoom-client-secret", "--zoom-plan",
		"--zoom-limits", "--shutdown-grace", "--call-db", "--zoom-webhook-secret"}
	got := lines(err)
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%v", len(got), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w+": ") {
			t.Errorf("line %d %q: want it to start with %s", i+1, got[i], w)
		}
	}
}

// TestAddressesInUse: a NATS address, a health address or a data
// directory already in use is refused at Open, naming its flag.
func TestAddressesInUse(t *testing.T) {
	sim := startSim(t, 1)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	first := testConfig(t, sim)
	a, err := Open(testenv.Ctx(t), first)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, tc := range []struct {
		flag string
		edit func(*Config)
	}{
		{"nats-listen", func(c *Config) { c.NATS.Listen = busy.Addr().String() }},
		{"http-listen", func(c *Config) { c.HTTPListen = busy.Addr().String() }},
		{"data-dir", func(c *Config) { c.NATS.DataDir = first.NATS.DataDir }},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			cfg := testConfig(t, sim)
			tc.edit(&cfg)
			b, err := Open(testenv.Ctx(t), cfg)
			if err == nil {
				b.Close()
				t.Fatal("Open succeeded")
			}
			var fe *FlagError
			if !errors.As(err, &fe) || fe.Flag != tc.flag {
				t.Errorf("%v: want a *FlagError of %s", err, tc.flag)
			}
		})
	}
}
