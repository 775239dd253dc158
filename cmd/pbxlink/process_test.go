package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// The helpers of the tests that run pbxlink as an operator does: as a
// process of its own, next to the Zoom simulator, driven with the nats CLI.

// childEnv makes the test binary run pbxlink's main; see TestPbxlinkProcess.
const childEnv = "PBXLINK_TEST_RUN_MAIN"

// TestPbxlinkProcess is the pbxlink binary of the process tests: pbxlinkCmd
// re-executes the test binary (built with this test's flags, -race
// included) with only this test selected and childEnv set, and main takes
// the arguments after "--". Run as a test, it does nothing.
func TestPbxlinkProcess(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		return
	}
	args := os.Args[len(os.Args):]
	if i := slices.Index(os.Args, "--"); i >= 0 {
		args = os.Args[i+1:]
	}
	os.Args = append([]string{"pbxlink"}, args...)
	main() // exits
}

// pbxlinkCmd is "pbxlink args..." as a process of its own. Its environment
// is the test's without PBXLINK_* and NATS_* variables, plus env. Cancelling
// ctx interrupts it, as Ctrl-C or SIGTERM would, and kills it 15 s later.
func pbxlinkCmd(ctx context.Context, t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, exe, append([]string{"-test.run=^TestPbxlinkProcess$", "--"}, args...)...)
	cmd.Env = append(append(cleanEnv(), childEnv+"=1"), env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	dieWithTest(cmd)
	return cmd
}

// runPbxlink runs "pbxlink args..." to its end (at most 60 s) and returns
// its output and exit code.
func runPbxlink(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := pbxlinkCmd(ctx, t, env, args...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("pbxlink %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("pbxlink %s: still running after 60 s", strings.Join(args, " "))
	}
	return out.String(), errs.String(), code
}

// cleanEnv is the environment without pbxlink's and the nats CLI's
// variables, so that the developer's own settings cannot leak into a test.
// A -race child skips the race detector's one-second pause at exit.
func cleanEnv() []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "PBXLINK_") || strings.HasPrefix(kv, "NATS_") || strings.HasPrefix(kv, "GORACE=")
	})
	return append(env, "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
}

// natsInstall says how to get the nats CLI that the runbook uses.
const natsInstall = "go install github.com/nats-io/natscli/nats@v0.5.1"

// natsPath finds the nats CLI: on PATH, else where go install puts it.
var natsPath = sync.OnceValues(func() (string, error) {
	if p, err := exec.LookPath("nats"); err == nil {
		return p, nil
	}
	var dirs []string
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		gobin, gopath, _ := strings.Cut(string(out), "\n")
		if gobin = strings.TrimSpace(gobin); gobin != "" {
			dirs = append(dirs, gobin)
		}
		for _, p := range filepath.SplitList(strings.TrimSpace(gopath)) {
			dirs = append(dirs, filepath.Join(p, "bin"))
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "nats")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("the nats CLI is not installed (neither on PATH nor in $(go env GOPATH)/bin)")
})

// stack is a Zoom simulator and a pbxlink worker ("pbxlink run" with its
// embedded JetStream server), both on loopback, free ports.
type stack struct {
	sim     *zoomsim.Server
	natsBin string
	natsURL string // the worker's embedded server
	httpURL string // /livez, /readyz, /metrics
	dir     string // scratch files; also the nats CLI's configuration home
	log     *lineLog
}

// testSecret is the Zoom client secret of the process tests; no log may
// ever show it.
const testSecret = "runbook-secret-4b1d9e"

// startStack starts the simulator (cfg) and a worker with runArgs after the
// tests' standard settings, waits until the worker runs, and stops both
// when the test ends, checking that the worker exits cleanly, without a
// data race and without having logged the client secret.
func startStack(t *testing.T, cfg zoomsim.Config, runArgs ...string) *stack {
	t.Helper()
	natsBin, err := natsPath()
	if err != nil {
		t.Skipf("%v; install it with: %s", err, natsInstall)
	}
	cfg.ClientSecret = testSecret
	sim, err := zoomsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	c := sim.Config()
	s := &stack{sim: sim, natsBin: natsBin, dir: t.TempDir(), log: &lineLog{}}

	ctx, cancel := context.WithCancel(context.Background())
	args := append([]string{"run",
		"--nats-listen", "127.0.0.1:0", "--data-dir", filepath.Join(s.dir, "data"),
		"--http-listen", "127.0.0.1:0", "--zoom-url", sim.OAuthURL(),
		"--retry-interval", "200ms", "--log-format", "json"}, runArgs...)
	cmd := pbxlinkCmd(ctx, t, []string{
		"PBXLINK_ZOOM_ACCOUNT_ID=" + c.AccountID,
		"PBXLINK_ZOOM_CLIENT_ID=" + c.ClientID,
		"PBXLINK_ZOOM_CLIENT_SECRET=" + c.ClientSecret,
	}, args...)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var exitErr error
	go func() {
		exitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cancel() // an interrupt, as Ctrl-C or SIGTERM
		<-exited
		if !cmd.ProcessState.Success() {
			t.Errorf("pbxlink run did not stop cleanly on an interrupt: %v", cmd.ProcessState)
		}
		if s.log.contains("DATA RACE") {
			t.Errorf("the race detector reported a data race in pbxlink run")
		}
		if s.log.contains(testSecret) {
			t.Errorf("the Zoom client secret reached the worker's log")
		}
		if t.Failed() {
			t.Logf("worker log (without the NATS server's lines):\n%s", s.log.text(func(l logLine) bool { return l.Attrs["component"] != "nats-server" }))
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, l, ok := s.log.find(0, func(l logLine) bool { return l.Msg == "pbxlink worker running" }); ok {
			s.httpURL = "http://" + l.str("http")
			break
		}
		select {
		case <-exited:
			t.Fatalf("pbxlink run exited while starting: %v", exitErr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("pbxlink run did not start within 60 s")
		}
	}
	_, l, _ := s.log.find(0, func(l logLine) bool { return l.Msg == "embedded NATS JetStream server" })
	s.natsURL = l.str("url")
	return s
}

// env is the environment of the nats CLI and of the README's snippets:
// NATS_URL names the stack's server, the nats CLI's contexts live in the
// scratch directory, and the nats CLI is on PATH.
func (s *stack) env() []string {
	return append(cleanEnv(),
		"NATS_URL="+s.natsURL,
		"XDG_CONFIG_HOME="+s.dir,
		"PATH="+filepath.Dir(s.natsBin)+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// tryNATS runs "nats --server <the stack's> args..." (at most 20 s).
func (s *stack) tryNATS(args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := s.natsCmd(ctx, args...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	err = cmd.Run()
	return out.String(), errs.String(), err
}

// nats runs the nats CLI and fails the test if it fails. It returns
// standard output and standard error together: the CLI writes its reports
// ("Stored in Stream: …") to standard error.
func (s *stack) nats(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, err := s.tryNATS(args...)
	if err != nil {
		t.Fatalf("nats %s: %v\n%s%s", strings.Join(args, " "), err, stdout, stderr)
	}
	return stdout + stderr
}

// natsEventually runs the nats CLI until it succeeds, for at most timeout.
func (s *stack) natsEventually(t *testing.T, timeout time.Duration, args ...string) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		stdout, stderr, err := s.tryNATS(args...)
		if err == nil {
			return stdout + stderr
		}
		if time.Now().After(deadline) {
			t.Fatalf("nats %s: still failing after %v: %v\n%s%s", strings.Join(args, " "), timeout, err, stdout, stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// natsStart starts the nats CLI in the background, for commands that wait
// (nats sub), and returns its output as it comes. The test's end stops it.
func (s *stack) natsStart(t *testing.T, args ...string) *lineLog {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := s.natsCmd(ctx, args...)
	out := &lineLog{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	return out
}

// natsCmd is "nats --server <the stack's> args..." in the scratch directory.
func (s *stack) natsCmd(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, s.natsBin, append([]string{"--server", s.natsURL}, args...)...)
	cmd.Env, cmd.Dir, cmd.WaitDelay = s.env(), s.dir, 5*time.Second
	dieWithTest(cmd)
	return cmd
}

// natsOnTerminal runs the nats CLI on a pseudo-terminal, for commands that
// refuse to run without one (nats stream view), and returns its output.
func (s *stack) natsOnTerminal(t *testing.T, args ...string) string {
	t.Helper()
	master, tty, err := openPTY()
	if err != nil {
		t.Skipf("nats %s needs a terminal: %v", strings.Join(args, " "), err)
	}
	defer master.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := s.natsCmd(ctx, args...)
	cmd.Env = append(cmd.Env, "TERM=dumb")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	err = cmd.Start()
	tty.Close() // the child has its own copy
	if err != nil {
		t.Fatal(err)
	}
	output := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(master)
		output <- b
	}()
	err = cmd.Wait()
	var b []byte
	select {
	case b = <-output: // the rest of the output, then EIO: no program holds the terminal any more
	case <-time.After(5 * time.Second):
	}
	if err != nil {
		t.Fatalf("nats %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// bash runs a shell snippet of the README with the stack's environment in
// the scratch directory. The snippets need bash and jq; without them the
// test skips.
func (s *stack) bash(t *testing.T, script string) string {
	t.Helper()
	for _, tool := range []string{"bash", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README's snippet needs %s, which is not installed", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Env, cmd.Dir, cmd.WaitDelay = s.env(), s.dir, 5*time.Second
	dieWithTest(cmd)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README snippet failed: %v\n%s\n--- output:\n%s", err, script, out)
	}
	return string(out)
}

// pbxlink runs a pbxlink command to its end and fails the test if it
// fails; it returns the command's standard output.
func (s *stack) pbxlink(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, code := runPbxlink(t, nil, args...)
	if code != 0 {
		t.Fatalf("pbxlink %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout
}

// get fetches one of the worker's HTTP endpoints.
func (s *stack) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(s.httpURL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// faults replaces the simulator's injected faults through its admin API.
func (s *stack) faults(t *testing.T, body string) {
	t.Helper()
	resp, err := http.Post(s.sim.APIURL()+"/_sim/faults", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /_sim/faults %s: HTTP %d", body, resp.StatusCode)
	}
}

// user is the simulator's user with an extension.
func (s *stack) user(t *testing.T, ext int64) zoomsim.User {
	t.Helper()
	u, ok := s.sim.UserByExtension(ext)
	if !ok {
		t.Fatalf("the simulator has no user with extension %d", ext)
	}
	return u
}

// waitDisplay waits until Zoom shows want as the display name of the user
// with extension ext and as the name of its desk phones.
func (s *stack) waitDisplay(t *testing.T, ext int64, want string) {
	t.Helper()
	eventually(t, 15*time.Second, func() (bool, string) {
		u := s.user(t, ext)
		state := fmt.Sprintf("user %d shows %q", ext, u.DisplayName)
		if u.DisplayName != want {
			return false, state
		}
		for _, d := range s.sim.DevicesOf(u.ID) {
			if d.DisplayName != want {
				return false, state + fmt.Sprintf(", its desk phone %q", d.DisplayName)
			}
		}
		return true, state
	}, "extension %d to show %q", ext, want)
}

// eventually polls cond until it holds, for at most timeout; state says
// what cond saw last, for the failure message.
func eventually(t *testing.T, timeout time.Duration, cond func() (ok bool, state string), format string, args ...any) {
	t.Helper()
	testenv.WaitFor(t, timeout, fmt.Sprintf(format, args...), cond)
}

// cloudEvent is a pbxlink event as a PMS sends it.
func cloudEvent(id, typ, ext string, at time.Time, data string) string {
	return fmt.Sprintf(`{"specversion":"1.0","id":%q,"source":"pms/runbook-test","type":"pbxlink.%s","time":%q,"subject":%q,"datacontenttype":"application/json","data":%s}`,
		id, typ, at.UTC().Format(time.RFC3339Nano), ext, data)
}

// readmeSnippet returns the README's ```sh block that contains marker: the
// tests run the README's own text.
func readmeSnippet(t *testing.T, marker string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	var block []string
	in := false
	for line := range strings.Lines(string(b)) {
		switch trimmed := strings.TrimSpace(line); {
		case !in && trimmed == "```sh":
			in, block = true, nil
		case in && trimmed == "```":
			in = false
			if text := strings.Join(block, ""); strings.Contains(text, marker) {
				found = append(found, text)
			}
		case in:
			block = append(block, line)
		}
	}
	if len(found) != 1 {
		t.Fatalf("README.md has %d sh blocks containing %q, want 1", len(found), marker)
	}
	return found[0]
}

// wantAll fails the test unless text contains every one of wants.
func wantAll(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// lineLog collects a process's output line by line; lines that are JSON
// objects (the worker's log) are decoded. It is safe for concurrent use.
type lineLog struct {
	mu      sync.Mutex
	partial []byte
	lines   []logLine
}

// logLine is one line of output.
type logLine struct {
	Raw   string
	Msg   string
	Level string
	Attrs map[string]any
}

func (l logLine) str(key string) string {
	s, _ := l.Attrs[key].(string)
	return s
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		raw := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		line := logLine{Raw: raw}
		if json.Unmarshal([]byte(raw), &line.Attrs) == nil {
			line.Msg, _ = line.Attrs["msg"].(string)
			line.Level, _ = line.Attrs["level"].(string)
		}
		l.lines = append(l.lines, line)
	}
}

// len is the number of complete lines so far: a mark for wait.
func (l *lineLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// since returns the lines from index from on.
func (l *lineLog) since(from int) []logLine {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines[min(from, len(l.lines)):])
}

func (l *lineLog) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Contains(l.partial, []byte(s)) || slices.ContainsFunc(l.lines, func(x logLine) bool { return strings.Contains(x.Raw, s) })
}

// text is the lines that keep returns true for.
func (l *lineLog) text(keep func(logLine) bool) string {
	var b strings.Builder
	for _, x := range l.since(0) {
		if keep(x) {
			b.WriteString(x.Raw + "\n")
		}
	}
	return b.String()
}

// find returns the first line, from index from on, that match accepts.
func (l *lineLog) find(from int, match func(logLine) bool) (int, logLine, bool) {
	for i, x := range l.since(from) {
		if match(x) {
			return from + i, x, true
		}
	}
	return 0, logLine{}, false
}

// wait waits for a line, from index from on, that match accepts, for at
// most timeout, and returns its index and the line.
func (l *lineLog) wait(t *testing.T, from int, timeout time.Duration, what string, match func(logLine) bool) (int, logLine) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if i, x, ok := l.find(from, match); ok {
			return i, x
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s in the output", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
