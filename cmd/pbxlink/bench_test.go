package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/bench"
)

// TestBench runs pbxlink bench with tiny sizes: every section runs and
// reports, the JSON file and stdout agree, and the calls per event, which
// do not depend on the machine's speed, meet their targets.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole bench (tens of seconds)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	file := filepath.Join(t.TempDir(), "bench.json")
	var out, errs bytes.Buffer
	code := dispatch(ctx, []string{"bench", "--events", "40", "--replicas", "1,2", "--pipeline-events", "200",
		"--extensions", "300", "--idle", "2s", "--format", "json", "--json", file}, &out, &errs)
	if code != 0 {
		t.Fatalf("bench exited %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errs.String())
	}
	var r bench.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, out.String())
	}
	saved, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(saved), bytes.TrimSpace(out.Bytes())) {
		t.Errorf("--json file differs from stdout")
	}

	if len(r.Quota) != 2 || r.Quota[0].Replicas != 1 || r.Quota[1].Replicas != 2 {
		t.Errorf("quota: want results for 1 and 2 replicas, got %+v", r.Quota)
	}
	for _, q := range r.Quota {
		if q.Applied != 40 || q.DeadLettered != 0 || q.RateRatio <= 0 || q.BusiestRatio <= 0 {
			t.Errorf("quota, %d replicas: %+v", q.Replicas, q)
		}
	}
	if len(r.Calls) != 7 {
		t.Errorf("calls per event: want 7 events, got %+v", r.Calls)
	}
	for _, c := range r.Calls {
		if c.Calls != c.Want || c.Reads != 0 {
			t.Errorf("calls per event, %s: %d calls %v, want %d without a read", c.Event, c.Calls, c.Operations, c.Want)
		}
	}
	if p := r.Pipeline; p == nil || p.Throughput <= 0 || p.Latency.P50 <= 0 || p.DeadLetter != 0 {
		t.Errorf("pipeline: %+v", p)
	} else if p.NATS == nil && p.NATSSkip == "" {
		t.Errorf("pipeline: no nats bench figures and no reason why")
	}
	if s := r.Startup; s == nil || s.Loaded != 300 || s.Calls != s.Minimum {
		t.Errorf("start-up: %+v", s)
	}
	if f := r.Footprint; f == nil || (f.Skipped == "" && f.PeakRSS <= 0) {
		t.Errorf("footprint: %+v", f)
	}
	if len(r.Rows) == 0 || r.Machine.NumCPU == 0 || r.Machine.GoVersion == "" {
		t.Errorf("report lacks rows or machine: %+v", r.Machine)
	}
}

// TestBenchSettingErrors: a bad setting stops the bench before it runs.
func TestBenchSettingErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--replicas", "0"},
		{"--replicas", "two"},
		{"--format", "xml"},
		{"--zoom-plan", "free"},
		{"--only", "quota,speed"},
		{"--events", "-1"},
	} {
		var out, errs bytes.Buffer
		code := dispatch(context.Background(), append([]string{"bench"}, args...), &out, &errs)
		if code == 0 || errs.Len() == 0 {
			t.Errorf("bench %v: exit %d, stderr %q", args, code, errs.String())
		}
	}
}
