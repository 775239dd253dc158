package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FootprintResult is a real `pbxlink run` process holding Extensions
// extensions, measured from /proc after its start-up.
type FootprintResult struct {
	Skipped    string `json:"skipped,omitempty"`
	Binary     string `json:"binary,omitempty"`
	Extensions int    `json:"extensions"`
	// StartUp is from exec to the "pbxlink worker running" log line;
	// StartUpCPU is the CPU time it used until then.
	StartUp    Seconds `json:"start_up_s"`
	StartUpCPU Seconds `json:"start_up_cpu_s"`
	// PeakRSS is VmHWM after the idle window, RSS is VmRSS then, in MiB.
	PeakRSS float64 `json:"peak_rss_mib"`
	RSS     float64 `json:"rss_mib"`
	// Idle is the window; IdleCPU is utime+stime over it, as a percentage
	// of one core.
	Idle      Seconds `json:"idle_s"`
	IdleCPU   float64 `json:"idle_cpu_percent"`
	IdleTicks int64   `json:"idle_cpu_ticks"`
	// IdleSched is the same from the threads' schedstat run times
	// (nanoseconds, where the ticks of stat are 10 ms).
	IdleSched float64 `json:"idle_cpu_schedstat_percent"`
	Threads   int     `json:"threads"`
	// Command is how the process was started (secret left out: it goes in
	// the environment).
	Command string `json:"command,omitempty"`
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

func (b *bencher) footprint(ctx context.Context) error {
	n := b.cfg.Extensions
	r := &FootprintResult{Extensions: n, Idle: secs(b.cfg.Idle)}
	b.report.Footprint = r
	name := fmt.Sprintf("footprint, %s extensions", thousands(float64(n)))
	skip := func(why string) error {
		r.Skipped = why
		b.row(SectionFootprint, name, "skipped: "+why, "-", Skipped)
		return nil
	}
	if b.cfg.Binary == "" {
		return skip(b.cfg.SkipFootprint)
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		return skip("needs Linux /proc")
	}
	r.Binary = b.cfg.Binary
	b.progress("footprint: %s run against %d extensions, then %v idle", b.cfg.Binary, n, b.cfg.Idle)
	e, err := newEnv(ctx, b.cfg, rooms{count: n, phones: 1}, false)
	if err != nil {
		return err
	}
	defer e.close()
	if err := b.measureProcess(ctx, e, r); err != nil {
		return err
	}
	b.row(SectionFootprint, name+": peak RSS (VmHWM)", fmt.Sprintf("%.1f MiB (VmRSS %.1f MiB after idle)", r.PeakRSS, r.RSS), "-", Info)
	b.row(SectionFootprint, name+fmt.Sprintf(": idle CPU, %v", b.cfg.Idle),
		fmt.Sprintf("%.2f %% of one core (utime+stime %d × 10 ms; schedstat %.3f %%)", r.IdleCPU, r.IdleTicks, r.IdleSched), "-", Info)
	b.row(SectionFootprint, name+": start-up", fmt.Sprintf("%s s, %.2f s CPU", seconds(r.StartUp), float64(r.StartUpCPU)), "-", Info)
	return nil
}

func (b *bencher) measureProcess(ctx context.Context, e *env, r *FootprintResult) error {
	c := e.sim.Config()
	args := []string{"run", "--nats-url", e.url, "--zoom-url", e.sim.OAuthURL(),
		"--zoom-account-id", c.AccountID, "--zoom-client-id", c.ClientID, "--zoom-plan", string(b.cfg.Plan),
		"--http-listen", "127.0.0.1:0", "--log-format", "json"}
	r.Command = b.cfg.Binary + " " + strings.Join(args, " ")
	cmd := exec.Command(b.cfg.Binary, args...)
	cmd.Env = append(cleanEnv(), "PBXLINK_ZOOM_CLIENT_SECRET="+c.ClientSecret)
	// A pipe of our own, not StderrPipe: Wait may then run while the log
	// is still being read.
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	defer pr.Close()
	cmd.Stdout, cmd.Stderr = io.Discard, pw
	start := time.Now()
	err = cmd.Start()
	pw.Close()
	if err != nil {
		return fmt.Errorf("start %s: %w", b.cfg.Binary, err)
	}
	pid := cmd.Process.Pid
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()

	ready := make(chan struct{})
	var tail logTail
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			tail.add(line)
			if strings.Contains(line, `"msg":"pbxlink worker running"`) {
				once.Do(func() { close(ready) })
			}
		}
	}()
	select {
	case <-ready:
	case <-exited:
		return fmt.Errorf("pbxlink run exited during start-up: %s", tail.String())
	case <-time.After(5 * time.Minute):
		return fmt.Errorf("pbxlink run did not start within 5 minutes: %s", tail.String())
	case <-ctx.Done():
		return ctx.Err()
	}
	r.StartUp = secs(time.Since(start))
	cpu0, err := cpuTicks(pid)
	if err != nil {
		return err
	}
	r.StartUpCPU = Seconds(float64(cpu0) / clockTicks)
	run0 := schedRun(pid)
	t0 := time.Now()
	select {
	case <-time.After(b.cfg.Idle):
	case <-ctx.Done():
		return ctx.Err()
	}
	cpu1, err := cpuTicks(pid)
	if err != nil {
		return err
	}
	window := time.Since(t0)
	if run0 >= 0 {
		if run1 := schedRun(pid); run1 >= run0 {
			r.IdleSched = 100 * float64(run1-run0) / float64(window)
		}
	}
	r.Idle = secs(window)
	r.IdleTicks = cpu1 - cpu0
	r.IdleCPU = 100 * float64(cpu1-cpu0) / clockTicks / window.Seconds()
	st, err := procStatus(pid)
	if err != nil {
		return err
	}
	r.PeakRSS, r.RSS = float64(st["VmHWM"])/1024, float64(st["VmRSS"])/1024
	r.Threads = st["Threads"]
	return nil
}

// cpuTicks is a process's utime+stime, in clock ticks.
func cpuTicks(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("unreadable /proc stat")
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return u + st, nil
}

// schedRun is the time the process's threads have run, in nanoseconds,
// from /proc/<pid>/task/*/schedstat; -1 when unreadable.
func schedRun(pid int) int64 {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return -1
	}
	var total int64
	for _, t := range tasks {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			continue // the thread ended
		}
		f := strings.Fields(string(data))
		if len(f) == 0 {
			return -1
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return -1
		}
		total += n
	}
	return total
}

// procStatus reads the numeric fields of /proc/<pid>/status (kB for the
// Vm* fields).
func procStatus(pid int) (map[string]int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if f := strings.Fields(v); len(f) > 0 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				out[k] = n
			}
		}
	}
	return out, nil
}

// cleanEnv is this process's environment without pbxlink's and the nats
// CLI's settings, so that none leaks into the measured process.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PBXLINK_") && !strings.HasPrefix(kv, "NATS_") {
			out = append(out, kv)
		}
	}
	return out
}

// logTail keeps the last lines of a log for an error message.
type logTail struct {
	mu    sync.Mutex
	lines []string
}

func (t *logTail) add(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, s)
	if len(t.lines) > 5 {
		t.lines = t.lines[1:]
	}
}

func (t *logTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, " | ")
}
