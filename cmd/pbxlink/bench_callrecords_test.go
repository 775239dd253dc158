package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/bench"
)

// TestBenchCallRecords: the call-record section publishes and stores each
// room's call of the day once, and a day of reads at the default interval
// keeps within the default share of the daily Heavy cap.
func TestBenchCallRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("reads and stores a 500-room hotel's day of calls")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var out, errs bytes.Buffer
	if code := dispatch(ctx, []string{"bench", "--only", bench.SectionCallRecords, "--format", "json"}, &out, &errs); code != 0 {
		t.Fatalf("bench exited %d\n%s%s", code, out.String(), errs.String())
	}
	var r bench.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	c := r.CallRecords
	if c == nil {
		t.Fatalf("no call-record result: %s", out.String())
	}
	if c.Published == 0 || c.Published > c.Entries || c.Stored != c.Published || c.PerSecond <= 0 {
		t.Errorf("catch-up: %+v", c)
	}
	if c.DayRequests < 288 || c.CapShare > c.Share {
		t.Errorf("a day of reads every 5 minutes: %d requests, %.4f of the cap (share %.2f)", c.DayRequests, c.CapShare, c.Share)
	}
	t.Logf("%+v", *c)
}
