package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/internal/bench"
	"github.com/pbxlink/pbxlink/internal/setting"
	"github.com/pbxlink/pbxlink/zoom"
)

func init() {
	register("bench", "measure quota use, calls per event, pipeline overhead, start-up and footprint", benchCmd)
}

// benchNATSInstall says how to get the nats CLI that bench compares with.
const benchNATSInstall = "install with go install github.com/nats-io/natscli/nats@v0.5.1"

var benchSynopsis = strings.TrimSpace(`
Usage: pbxlink bench [flags]

Measures pbxlink on this machine, against an embedded JetStream server and
the Zoom simulator, and prints a table with the targets beside the figures:

  quota      1, 2 and 3 replicas (workers in this process, each with the
             fleet rate limiter and token of pbxlink run) drain a backlog of
             check-ins: Zoom calls per second ÷ the plan's Medium limit,
             the busiest one-second window ÷ the limit, and the 429s
  calls      Zoom calls per event with a warm directory: checkin, guest,
             checkout, dnd and an identical event repeated
  pipeline   one replica with the simulator and its limiter unlimited:
             events per second end to end and latency from publish to the
             Zoom call, beside nats bench (natscli v0.5.1) on the same server
  startup    time and Zoom calls to load a directory of --extensions rooms,
             beside the pages it takes at Zoom's largest page sizes
  footprint  peak RSS and idle CPU of a real pbxlink run process holding
             that directory (the binary is built into a temporary directory)
  order      three replicas at the plan's real limits and the default ack
             wait: Zoom writes per change draining a backlog of several
             check-ins per room (duplicates), and a morning wave of 300
             check-outs with desk phones against the least time Zoom's
             limits allow
  callrecords a 500-room hotel's day of calls (the simulator's mix) read
             from the call history at once, published and stored in SQLite:
             records per second; and a day of reads every 5 minutes on a
             simulated clock: Heavy requests, as a share of Pro's daily cap

The default sizes take about six minutes; --events scales the quota part
down. --json FILE also writes the report as JSON; --format json writes it
to stdout instead of the table.`)

func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	prefix := envPrefix + "BENCH_"
	fs := newFlagSet("bench", stdout)
	events := fs.Int("events", 2000, "check-ins in the backlog each replica count drains (quota)")
	replicas := fs.String("replicas", "1,2,3", "replica counts of the quota measurement, comma-separated")
	phones := fs.Int("phones-per-room", 0, "desk phones per room in the quota measurement (0: one main-API call per check-in)")
	latency := fs.Duration("zoom-latency", 0, "latency the simulator adds to every Zoom call of the quota measurement")
	pipeline := fs.Int("pipeline-events", 5000, "backlog of the pipeline measurement")
	latencyEvents := fs.Int("latency-events", 0, "events of the latency measurement (default pipeline-events/10, at least 20)")
	latencyRate := fs.Float64("latency-rate", 100, "events per second of the latency measurement")
	extensions := fs.Int("extensions", 10000, "directory size of the start-up and footprint measurements")
	idle := fs.Duration("idle", 10*time.Second, "idle window of the footprint measurement")
	binary := fs.String("binary", "", "pbxlink executable of the footprint measurement (default: build ./cmd/pbxlink into a temporary directory)")
	natsCLI := fs.String("nats", "", "the nats CLI, natscli v0.5.1 (default: on PATH, else in $(go env GOPATH)/bin)")
	only := fs.String("only", strings.Join(bench.Sections, ","), "sections to run, comma-separated: "+strings.Join(bench.Sections, ", "))
	plan := fs.String("zoom-plan", "pro", "the simulated account's plan: pro or business")
	jsonFile := fs.String("json", "", "also write the report as JSON to this file")
	format := fs.String("format", "text", "what goes to stdout: text (the table) or json")
	verbose := fs.Bool("verbose", false, "show the workers' and the servers' logs")
	fs.Usage = setting.Usage(fs, prefix, benchSynopsis)
	if err := setting.Parse(fs, prefix, args, nil); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%s (--format): %q: want text or json", setting.EnvName(prefix, "format"), *format)
	}
	p, err := zoom.ParsePlan(*plan)
	if err != nil {
		return fmt.Errorf("%s (--zoom-plan): %v", setting.EnvName(prefix, "zoom-plan"), err)
	}
	counts, err := parseInts(*replicas)
	if err != nil {
		return fmt.Errorf("%s (--replicas): %v", setting.EnvName(prefix, "replicas"), err)
	}
	level := new(slog.LevelVar)
	level.Set(slog.LevelWarn)
	if *verbose {
		level.Set(slog.LevelInfo)
	}
	log := newLogger(stderr, "auto", level)

	cfg := bench.Config{
		Sections: splitList(*only), Plan: p,
		Events: *events, Replicas: counts, PhonesPerRoom: *phones, ZoomLatency: *latency,
		PipelineEvents: *pipeline, LatencyEvents: *latencyEvents, LatencyRate: *latencyRate,
		Extensions: *extensions, Idle: *idle,
		Log: log, Progress: stderr,
	}
	if err := cfg.WithDefaults().Validate(); err != nil {
		return err
	}
	if contains(cfg.Sections, bench.SectionPipeline) {
		cfg.NATSCLI = *natsCLI
		if cfg.NATSCLI == "" {
			cfg.NATSCLI = findNATSCLI()
		}
		if cfg.NATSCLI == "" {
			cfg.SkipNATS = benchNATSInstall
		}
	}
	if contains(cfg.Sections, bench.SectionFootprint) {
		cfg.Binary = *binary
		if cfg.Binary == "" {
			dir, err := os.MkdirTemp("", "pbxlink-bench-bin-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			fmt.Fprintln(stderr, "bench: building pbxlink for the footprint measurement")
			cfg.Binary, cfg.SkipFootprint = buildPbxlink(ctx, dir)
		}
	}

	report, runErr := bench.Run(ctx, cfg)
	if report == nil {
		return runErr
	}
	if *jsonFile != "" {
		data, _ := json.MarshalIndent(report, "", "  ")
		if err := os.WriteFile(*jsonFile, append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("%s (--json): %v", setting.EnvName(prefix, "json"), err)
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return err
		}
	} else if err := bench.WriteText(stdout, report); err != nil {
		return err
	}
	return runErr
}

// buildPbxlink builds this module's cmd/pbxlink into dir. When that is not
// possible (no Go toolchain, not inside the source tree) the running
// executable is used, unless it is a test binary; the second result says
// why the measurement is skipped.
func buildPbxlink(ctx context.Context, dir string) (string, string) {
	bin := filepath.Join(dir, "pbxlink")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/pbxlink/pbxlink/cmd/pbxlink").CombinedOutput()
	if err == nil {
		return bin, ""
	}
	exe, exeErr := os.Executable()
	if exeErr == nil && !strings.HasSuffix(exe, ".test") && filepath.Base(exe) == "pbxlink" {
		return exe, ""
	}
	why := strings.TrimSpace(string(out))
	if why == "" {
		why = err.Error()
	}
	return "", "could not build pbxlink (" + firstLine(why) + "); give one with --binary"
}

// findNATSCLI finds the nats CLI on PATH, else where go install puts it.
func findNATSCLI() string {
	if p, err := exec.LookPath("nats"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var dirs []string
	if lines[0] != "" {
		dirs = append(dirs, lines[0])
	}
	if len(lines) > 1 {
		for _, p := range filepath.SplitList(lines[1]) {
			dirs = append(dirs, filepath.Join(p, "bin"))
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "nats")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range splitList(s) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q: want positive numbers, comma-separated", s)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("empty: want at least one replica count")
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
