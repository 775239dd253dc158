package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/testenv"
)

// TestStatus: pbxlink status shows the last directory sync, the next slot
// of the schedule in the hotel's zone, every lease with its holder, the
// call-record watermark and a pause, as a table and as JSON.
func TestStatus(t *testing.T) {
	env := testenv.New(t, testenv.Config{Topology: &broker.Topology{}})
	p, ctx := env.Topo, testenv.Ctx(t)
	t.Setenv("PBXLINK_NATS_URL", env.URL)
	if stdout, stderr, code := call(t, "status"); code != 0 || !strings.Contains(stdout, "none recorded") || !strings.Contains(stdout, "running") {
		t.Fatalf("status on a fresh fleet: exit %d\n%s%s", code, stdout, stderr)
	}
	synced := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	put := func(key string, v any) {
		b, _ := json.Marshal(v)
		if _, err := p.Fleet.Put(ctx, key, b); err != nil {
			t.Fatal(err)
		}
	}
	put("directory.sync", consumer.SyncStatus{LastAttempt: synced, LastSuccess: synced, Outcome: "ok", Extensions: 250, Replica: "host-a/41/0001"})
	put("directory.lease", map[string]any{"holder": "host-b/7/0002", "until": time.Now().Add(time.Minute)})
	put("callrecords.state", map[string]any{"watermark": synced, "requests": 12, "day": "2026-11-30"})
	put("account.pause", map[string]any{"reason": "zoom oauth: HTTP 400 invalid_request: The app is not activated", "since": synced})

	stdout, stderr, code := call(t, "status", "--sync-schedule", "daily 02:30", "--timezone", "Europe/Berlin")
	if code != 0 {
		t.Fatalf("status: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"250 extensions", "host-a/41/0001", "02:30", "lease directory.lease", "held by host-b/7/0002",
		"12 Heavy requests", "PAUSED", "The app is not activated"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, stdout)
		}
	}
	stdout, _, code = call(t, "status", "--json", "--sync-schedule", "daily 02:30", "--timezone", "Europe/Berlin")
	var st Status
	if code != 0 || json.Unmarshal([]byte(stdout), &st) != nil {
		t.Fatalf("status --json: exit %d\n%s", code, stdout)
	}
	if st.DirectorySync == nil || st.DirectorySync.Extensions != 250 || st.NextSync == nil || !strings.HasSuffix(st.NextSlot, "02:30") ||
		len(st.Leases) != 1 || !st.Leases[0].Live || st.Pause == nil || st.CallRecords == nil {
		t.Fatalf("status --json: %+v", st)
	}
	if _, stderr, code := call(t, "status", "--sync-schedule", "someday 25:00"); code != 2 || !strings.Contains(stderr, "sync-schedule") {
		t.Errorf("a bad schedule: exit %d, %q", code, stderr)
	}
}
