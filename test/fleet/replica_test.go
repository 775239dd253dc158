package fleet_test

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// replica is one `pbxlink run` OS process, restartable with the same
// arguments. Its stdout and stderr go to one log file, kept across
// restarts.
type replica struct {
	name    string
	bin     string
	args    []string
	env     []string
	dir     string
	logPath string

	mu         sync.Mutex
	cmd        *exec.Cmd
	done       chan struct{} // closed when the current process has exited
	killed     bool          // the current process was killed by the test
	closed     bool          // the test is over: no more restarts
	starts     int
	unexpected []string // exits the test did not cause
}

func newReplica(t *testing.T, name, bin string, args, env []string) *replica {
	dir := t.TempDir()
	r := &replica{name: name, bin: bin, args: args, env: env, dir: dir, logPath: filepath.Join(dir, name+".log")}
	t.Cleanup(func() {
		r.mu.Lock()
		r.closed = true
		r.mu.Unlock()
		r.kill()
	})
	return r
}

// start starts the process; it must not be running.
func (r *replica) start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		return fmt.Errorf("%s: %w", r.name, errRunning)
	}
	if r.closed {
		return fmt.Errorf("%s: the test is over", r.name)
	}
	f, err := os.OpenFile(r.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	r.starts++
	fmt.Fprintf(f, "=== fleet test: start #%d of %s at %s\n", r.starts, r.name, time.Now().Format("15:04:05.000"))
	cmd := exec.Command(r.bin, append([]string{"run"}, r.args...)...)
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = r.env, r.dir, f, f
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", r.name, err)
	}
	done := make(chan struct{})
	r.cmd, r.done, r.killed = cmd, done, false
	go func() {
		err := cmd.Wait()
		r.mu.Lock()
		unexpected := !r.killed && !r.closed
		if unexpected {
			r.unexpected = append(r.unexpected, fmt.Sprintf("start #%d exited at %s: %v",
				r.starts, time.Now().Format("15:04:05.000"), err))
		}
		if r.cmd == cmd {
			r.cmd = nil
		}
		r.mu.Unlock()
		fmt.Fprintf(f, "=== fleet test: %s exited at %s: %v\n", r.name, time.Now().Format("15:04:05.000"), err)
		f.Close()
		close(done)
		if unexpected {
			// Like a supervisor with a restart policy: the exit is already
			// a test failure, but the run goes on so that the rest of it
			// can still be checked. The delay varies, as a supervisor's
			// back-off does, so that replicas that failed together do not
			// restart in lockstep.
			time.Sleep(time.Second + rand.N(2*time.Second))
			r.mu.Lock()
			again := r.cmd == nil && !r.closed
			r.mu.Unlock()
			if again {
				_ = r.start()
			}
		}
	}()
	return nil
}

// kill sends SIGKILL to the running process (if any) and waits for it to
// exit.
func (r *replica) kill() {
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	if cmd != nil {
		r.killed = true
		_ = cmd.Process.Kill() // SIGKILL on Linux
	}
	r.mu.Unlock()
	if cmd != nil {
		<-done
	}
}

// running reports whether the process is up.
func (r *replica) running() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cmd != nil
}

// exits lists the exits the test did not cause.
func (r *replica) exits() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.unexpected...)
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > 4*n {
			lines = lines[len(lines)-n:]
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// grep returns the first n lines of a file that contain every part of
// any one of alts.
func grep(path string, n int, alts ...[]string) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() && len(out) < n {
		for _, parts := range alts {
			if containsAll(sc.Text(), parts) {
				out = append(out, sc.Text())
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// grepCount counts the lines of a file that contain every one of parts.
func grepCount(path string, parts ...string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if containsAll(sc.Text(), parts) {
			n++
		}
	}
	return n
}

// workerEnv is the environment of a replica: the test's own, without any
// PBXLINK_ setting that could leak in, plus the Zoom credentials.
func workerEnv(accountID, clientID, secret string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PBXLINK_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"PBXLINK_ZOOM_ACCOUNT_ID="+accountID,
		"PBXLINK_ZOOM_CLIENT_ID="+clientID,
		"PBXLINK_ZOOM_CLIENT_SECRET="+secret,
	)
}

// errRunning: start was called on a replica that is running (restarted by
// its supervision in the meantime).
var errRunning = errors.New("already running")
