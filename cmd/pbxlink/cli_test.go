package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/setting"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// The command line as a new user meets it: usage, help, version, stray
// arguments, conflicting settings, durations, and the commands' own
// environment variables. Commands run in this process through dispatch.

// call runs "pbxlink args..." in this process and returns its output and
// exit code.
func call(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errs bytes.Buffer
	code = dispatch(ctx, args, &out, &errs)
	return out.String(), errs.String(), code
}

// oneLine fails the test unless text is one line containing want.
func oneLine(t *testing.T, what, text, want string) {
	t.Helper()
	line := strings.TrimSuffix(text, "\n")
	if strings.Contains(line, "\n") || !strings.Contains(line, want) {
		t.Errorf("%s: %q, want one line with %q", what, text, want)
	}
}

// TestUsageWithoutCommand: pbxlink alone is a usage error: the usage on
// standard error, exit 2.
func TestUsageWithoutCommand(t *testing.T) {
	stdout, stderr, code := call(t)
	if code != 2 || stdout != "" || !strings.Contains(stderr, "Usage: pbxlink <command>") {
		t.Errorf("pbxlink: exit %d, stdout %q, stderr %q; want exit 2 and the usage on stderr", code, stdout, stderr)
	}
}

// TestHelpGoesToStdout: help that was asked for is the command's output:
// standard output, exit 0, nothing on standard error.
func TestHelpGoesToStdout(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		stdout, stderr, code := call(t, args...)
		if code != 0 || stderr != "" || !strings.Contains(stdout, "Usage: pbxlink <command>") {
			t.Errorf("pbxlink %s: exit %d, stdout %q, stderr %q", args[0], code, stdout, stderr)
		}
	}
	for name := range commands {
		for _, h := range []string{"--help", "-h"} {
			stdout, stderr, code := call(t, name, h)
			if code != 0 || stderr != "" || !strings.Contains(stdout, "Usage: pbxlink "+name) {
				t.Errorf("pbxlink %s %s: exit %d, stdout %q, stderr %q; want the usage on stdout, exit 0", name, h, code, stdout, stderr)
			}
		}
	}
}

// TestPublishHelpListsFlags: publish --help, before or after the type,
// lists every flag with its variable: the connection settings shared with
// run, the event fields under a prefix of their own.
func TestPublishHelpListsFlags(t *testing.T) {
	for _, args := range [][]string{{"publish", "--help"}, {"publish", "checkin", "--help"}} {
		stdout, _, code := call(t, args...)
		if code != 0 {
			t.Errorf("pbxlink %s: exit %d", strings.Join(args, " "), code)
		}
		wantAll(t, "pbxlink "+strings.Join(args, " "), stdout,
			"--nats-url, PBXLINK_NATS_URL", "--nats-creds, PBXLINK_NATS_CREDS",
			"--ext, PBXLINK_PUBLISH_EXT", "--first, PBXLINK_PUBLISH_FIRST", "--department, PBXLINK_PUBLISH_DEPARTMENT", "--data, PBXLINK_PUBLISH_DATA")
	}
	stdout, stderr, code := call(t, "publish")
	if code != 2 || stdout != "" || !strings.Contains(stderr, "Usage: pbxlink publish <type>") {
		t.Errorf("pbxlink publish: exit %d, stdout %q, stderr %q; want exit 2 and the usage on stderr", code, stdout, stderr)
	}
}

// TestVersion: --version and the version command print the module version
// and the Go version, exit 0.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		stdout, stderr, code := call(t, args...)
		if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "pbxlink ") || !strings.Contains(stdout, runtime.Version()) {
			t.Errorf("pbxlink %s: exit %d, stdout %q, stderr %q; want pbxlink <version> with %s", args[0], code, stdout, stderr, runtime.Version())
		}
	}
}

// TestStrayArguments: a word a command does not take is refused, in one
// line, before anything starts.
func TestStrayArguments(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--zoom-account-id", "a", "--zoom-client-id", "c", "--zoom-client-secret", "s",
			"--data-dir", t.TempDir(), "--nats-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "extra"},
		{"zoomsim", "--oauth-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "extra"}, {"demo", "extra"}, {"bench", "extra"}, {"health", "extra"}, {"version", "extra"},
		{"publish", "checkin", "--ext", "1203", "--first", "Ada", "Lovelace"},
	} {
		stdout, stderr, code := call(t, args...)
		if code != 2 || stdout != "" {
			t.Errorf("pbxlink %s: exit %d, stdout %q; want exit 2", strings.Join(args, " "), code, stdout)
		}
		oneLine(t, "pbxlink "+strings.Join(args, " "), stderr, "unexpected argument")
	}
}

// TestConflictingSecret: the client secret given both directly and as a
// file is refused; the worker would otherwise pick one silently.
func TestConflictingSecret(t *testing.T) {
	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PBXLINK_ZOOM_CLIENT_SECRET", "from-env")
	stdout, stderr, code := call(t, "run", "--zoom-account-id", "a", "--zoom-client-id", "c", "--zoom-client-secret-file", file,
		"--data-dir", t.TempDir(), "--nats-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0")
	if code != 2 || stdout != "" {
		t.Errorf("exit %d, stdout %q; want exit 2", code, stdout)
	}
	oneLine(t, "secret and secret file", stderr, "PBXLINK_ZOOM_CLIENT_SECRET (--zoom-client-secret) and PBXLINK_ZOOM_CLIENT_SECRET_FILE (--zoom-client-secret-file)")
	if strings.Contains(stderr, "from-env") || strings.Contains(stderr, "from-file") {
		t.Errorf("the error shows the secret: %q", stderr)
	}
}

// TestDurationUnits: a bare number is read in the unit the DuVoice screens
// use (seconds for the retry interval and the shutdown grace, minutes for
// the cache refresh); Go durations work as before; anything else says what
// to write.
func TestDurationUnits(t *testing.T) {
	parse := func(env map[string]string, args ...string) (runSettings, error) {
		var s runSettings
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		s.flags(fs)
		return s, setting.Parse(fs, envPrefix, args, func(k string) string { return env[k] })
	}
	s, err := parse(nil, "--retry-interval", "5", "--cache-refresh", "480", "--shutdown-grace", "2.5")
	if err != nil {
		t.Fatal(err)
	}
	if s.RetryInterval != 5*time.Second || s.CacheRefresh != 8*time.Hour || s.ShutdownGrace != 2500*time.Millisecond {
		t.Errorf("bare numbers: retry interval %v, cache refresh %v, shutdown grace %v; want 5s, 8h0m0s, 2.5s", s.RetryInterval, s.CacheRefresh, s.ShutdownGrace)
	}
	s, err = parse(map[string]string{"PBXLINK_RETRY_INTERVAL": "90", "PBXLINK_CACHE_REFRESH": "1h30m"})
	if err != nil {
		t.Fatal(err)
	}
	if s.RetryInterval != 90*time.Second || s.CacheRefresh != 90*time.Minute {
		t.Errorf("from the environment: retry interval %v, cache refresh %v; want 1m30s, 1h30m0s", s.RetryInterval, s.CacheRefresh)
	}
	if s, _ := parse(nil); s.RetryInterval != time.Minute || s.CacheRefresh != 8*time.Hour || s.ShutdownGrace != 10*time.Second {
		t.Errorf("defaults: %v, %v, %v; want 1m0s, 8h0m0s, 10s", s.RetryInterval, s.CacheRefresh, s.ShutdownGrace)
	}
	for _, tc := range []struct{ flag, unit string }{{"retry-interval", "seconds"}, {"cache-refresh", "minutes"}} {
		_, err := parse(nil, "--"+tc.flag, "soon")
		if err == nil || !strings.Contains(err.Error(), "a number of "+tc.unit) || !strings.Contains(err.Error(), "--"+tc.flag) {
			t.Errorf("--%s soon: %v; want it to name the flag and say a number of %s", tc.flag, err, tc.unit)
		}
	}
}

// TestLogDurationsAsText: durations in the log read as Go writes them
// ("1.5s"), in JSON as in text, not as nanoseconds.
func TestLogDurationsAsText(t *testing.T) {
	for format, want := range map[string]string{"json": `"grace":"1.5s"`, "text": "grace=1.5s"} {
		var b bytes.Buffer
		newLogger(&b, format, new(slog.LevelVar)).Info("stopping", "grace", 1500*time.Millisecond)
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s log %q, want %s", format, b.String(), want)
		}
	}
}

// TestHealth: pbxlink health asks the worker's /readyz and exits 0 when it
// answers ready, 1 when not or when nothing answers; it reads the worker's
// PBXLINK_HTTP_LISTEN, and an address of all interfaces is asked on
// loopback.
func TestHealth(t *testing.T) {
	var ready atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		if !ready.Load() {
			http.Error(w, "not ready: NATS unreachable", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	_, port, _ := net.SplitHostPort(addr)

	_, stderr, code := call(t, "health", "--http-listen", addr)
	if code != 1 {
		t.Errorf("not ready: exit %d, want 1", code)
	}
	oneLine(t, "health when not ready", stderr, "NATS unreachable")

	ready.Store(true)
	t.Setenv("PBXLINK_HTTP_LISTEN", "0.0.0.0:"+port)
	stdout, stderr, code := call(t, "health")
	if code != 0 || strings.TrimSpace(stdout) != "ready" || stderr != "" {
		t.Errorf("ready: exit %d, stdout %q, stderr %q; want exit 0 and ready", code, stdout, stderr)
	}

	srv.Close()
	_, stderr, code = call(t, "health", "--http-listen", addr)
	if code != 1 {
		t.Errorf("nothing listening: exit %d, want 1", code)
	}
	oneLine(t, "health with nothing listening", stderr, addr)
}

// TestPublishKeepsWorkerSettingsApart: the worker's environment
// (PBXLINK_DEPARTMENT=state means a department mode there) never becomes
// event data; publish's own fields come from PBXLINK_PUBLISH_*, and the
// connection from the shared PBXLINK_NATS_URL.
func TestPublishKeepsWorkerSettingsApart(t *testing.T) {
	env := testenv.New(t, testenv.Config{Topology: &broker.Topology{}})
	js, ctx := env.JS, testenv.Ctx(t)

	t.Setenv("PBXLINK_NATS_URL", env.URL)
	t.Setenv("PBXLINK_DEPARTMENT", "state")
	t.Setenv("PBXLINK_FIRST", "Worker")
	t.Setenv("PBXLINK_PUBLISH_LAST", "Desk")
	stdout, stderr, code := call(t, "publish", "extension", "--ext", "1203", "--first", "Front")
	if code != 0 {
		t.Fatalf("pbxlink publish: exit %d\n%s%s", code, stdout, stderr)
	}
	st, err := js.Stream(ctx, "PBXLINK_EVENTS")
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.GetLastMsgForSubject(ctx, "pbxlink.ext.1203.extension")
	if err != nil {
		t.Fatal(err)
	}
	var ev struct{ Data map[string]any }
	if err := json.Unmarshal(m.Data, &ev); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"first": "Front", "last": "Desk"}
	if len(ev.Data) != len(want) || ev.Data["first"] != want["first"] || ev.Data["last"] != want["last"] {
		t.Errorf("published data %v, want %v", ev.Data, want)
	}
}

// TestFieldTablesNameRealFlags: every flag that the field tables name is a
// flag of its command.
func TestFieldTablesNameRealFlags(t *testing.T) {
	var s runSettings
	run := flag.NewFlagSet("run", flag.ContinueOnError)
	s.flags(run)
	var cfg zoomsim.Config
	sim := flag.NewFlagSet("zoomsim", flag.ContinueOnError)
	cfg.RegisterFlags(sim)
	for fs, table := range map[*flag.FlagSet]map[string]string{run: runFields, sim: zoomsimFields} {
		for field, name := range table {
			if fs.Lookup(name) == nil {
				t.Errorf("%s maps to --%s, which pbxlink %s does not have", field, name, fs.Name())
			}
		}
	}
}

// TestConfigErrorsNameFlags: what the libraries say about a Config field
// reaches the operator naming the flag and the variable that set it.
func TestConfigErrorsNameFlags(t *testing.T) {
	_, zerr := zoom.New(zoom.Config{URL: "zoom.us", AccountID: "a", ClientID: "c", ClientSecret: "s"})
	if zerr == nil {
		t.Fatal("zoom.New accepted the URL zoom.us")
	}
	err := flagNamed(zerr, runFields, setting.Prefix(envPrefix))
	oneLine(t, "zoom.New's error", err.Error(), `PBXLINK_ZOOM_URL (--zoom-url): "zoom.us" is not an http(s) URL`)
	if !errors.As(err, new(*setting.Error)) || !errors.Is(err, zerr) {
		t.Errorf("%v: want a setting error that wraps zoom.New's", err)
	}

	// consumer's words, one field a flag sets and one it does not.
	cerr := errors.Join(errors.New("consumer: Config.Retries -1: must be at least 1"), errors.New("consumer: Config.JetStream is required"))
	err = flagNamed(cerr, runFields, setting.Prefix(envPrefix))
	if want := "PBXLINK_RETRIES (--retries): -1: must be at least 1\nconsumer: Config.JetStream is required"; err.Error() != want {
		t.Errorf("consumer's errors: %q, want %q", err, want)
	}
	if errors.As(err, new(*setting.Error)) {
		t.Errorf("%v: a setting error, but one line names no setting", err)
	}

	l, lerr := net.Listen("tcp", "127.0.0.1:0")
	if lerr != nil {
		t.Fatal(lerr)
	}
	defer l.Close()
	_, stderr, code := call(t, "zoomsim", "--oauth-listen", l.Addr().String(), "--api-listen", "127.0.0.1:0")
	if code == 0 {
		t.Error("zoomsim on an address in use: exit 0")
	}
	oneLine(t, "zoomsim on an address in use", stderr, "PBXLINK_ZOOMSIM_OAUTH_LISTEN (--oauth-listen): OAuth listener ("+l.Addr().String()+")")

	stdout, stderr, code := runPbxlink(t, []string{
		"PBXLINK_ZOOM_ACCOUNT_ID=a", "PBXLINK_ZOOM_CLIENT_ID=c", "PBXLINK_ZOOM_CLIENT_SECRET=s",
		"PBXLINK_NATS_LISTEN=127.0.0.1:0", "PBXLINK_HTTP_LISTEN=127.0.0.1:0", "PBXLINK_DATA_DIR=" + t.TempDir(),
		"PBXLINK_LOG_FORMAT=json",
	}, "run", "--zoom-url", "zoom.us")
	if code != 2 || stdout != "" {
		t.Errorf("pbxlink run --zoom-url zoom.us: exit %d, stdout %q; want exit 2", code, stdout)
	}
	last := stderr[strings.LastIndex(strings.TrimSuffix(stderr, "\n"), "\n")+1:]
	oneLine(t, "pbxlink run --zoom-url zoom.us", last, "pbxlink run: PBXLINK_ZOOM_URL (--zoom-url): ")
	if strings.Contains(stderr, "Config.") {
		t.Errorf("the error names a Go field:\n%s", stderr)
	}
}

// TestStartupZoomUnreachable: while the worker starts and Zoom does not
// answer, every failed attempt is one warning with the reason, from the
// first, not silence for the minute the worker keeps trying.
func TestStartupZoomUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := pbxlinkCmd(ctx, t, []string{
		"PBXLINK_ZOOM_ACCOUNT_ID=a", "PBXLINK_ZOOM_CLIENT_ID=c", "PBXLINK_ZOOM_CLIENT_SECRET=" + testSecret,
	}, "run", "--zoom-url", "http://"+addr, "--nats-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0",
		"--data-dir", t.TempDir(), "--log-format", "json")
	out := &lineLog{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	defer func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("output:\n%s", out.text(func(l logLine) bool { return l.Attrs["component"] != "nats-server" }))
		}
	}()
	attempt := func(n float64) func(logLine) bool {
		return func(l logLine) bool {
			return l.Msg == "no Zoom access token at start-up; trying again" && l.Attrs["attempt"] == n &&
				l.Level == "WARN" && strings.Contains(l.str("err"), addr)
		}
	}
	i, _ := out.wait(t, 0, 10*time.Second, "the first failed attempt in the log", attempt(1))
	out.wait(t, i, 10*time.Second, "the second failed attempt in the log", attempt(2))
	if out.contains(testSecret) {
		t.Error("the client secret reached the log")
	}
}
