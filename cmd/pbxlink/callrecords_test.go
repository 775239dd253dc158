package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/callrecord"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestCallRecordsRun: pbxlink run --call-records reads the seeded call
// history, publishes the rooms' calls and keeps them in SQLite in the data
// directory, with the metrics; pbxlink forget --ext removes the
// extension's calls from the database too, while the worker runs.
func TestCallRecordsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts pbxlink run: slow")
	}
	s := startStack(t, zoomsim.Config{Unlimited: true, Seed: &zoomsim.Seed{Rooms: 3, FirstExtension: 1201, CallRecords: 12}},
		"--call-records", "--call-interval", "1m")
	data := filepath.Join(s.dir, "data")
	count := func(ext string) int {
		store, err := callrecord.OpenExisting(context.Background(), "", data)
		if err != nil {
			return -1
		}
		defer store.Close()
		calls, err := store.Calls(context.Background(), ext)
		if err != nil {
			t.Fatal(err)
		}
		return len(calls)
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		n := count("")
		return n == 12, fmt.Sprintf("%d calls stored", n)
	}, "the seeded calls to be stored")
	_, metrics := s.get(t, "/metrics")
	for _, want := range []string{`pbxlink_call_records_leader 1`, `pbxlink_call_records_zoom_requests_today [1-9]`,
		`pbxlink_call_records_daily_cap_used_ratio 0\.000[1-9]`, `pbxlink_call_records_stored_total\{outcome="inserted"\} 12`,
		`pbxlink_call_records_stale 0`} {
		if !regexp.MustCompile(`(?m)^` + want).MatchString(metrics) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	before := count("1201")
	if before == 0 {
		t.Fatal("no call of 1201 to forget")
	}
	out := s.pbxlink(t, "forget", "--nats-url", s.natsURL, "--data-dir", data, "--ext", "1201")
	wantAll(t, "pbxlink forget", out, "call database, calls of extension 1201", "stream PBXLINK_CALLS pbxlink.call.1201")
	if n := count("1201"); n != 0 {
		t.Errorf("%d calls of 1201 left in the database after forget", n)
	}
	if n := count(""); n != 12-before {
		t.Errorf("%d calls left, want the other rooms' %d", n, 12-before)
	}
}

// TestCallSettingErrors: bad call-record settings stop pbxlink run with one
// line naming the setting.
func TestCallSettingErrors(t *testing.T) {
	base := []string{
		"PBXLINK_ZOOM_ACCOUNT_ID=acct", "PBXLINK_ZOOM_CLIENT_ID=client", "PBXLINK_ZOOM_CLIENT_SECRET=secret",
		"PBXLINK_ZOOM_URL=http://127.0.0.1:1", "PBXLINK_NATS_LISTEN=127.0.0.1:0", "PBXLINK_HTTP_LISTEN=127.0.0.1:0",
		"PBXLINK_DATA_DIR=" + t.TempDir(), "PBXLINK_CALL_RECORDS=true",
	}
	for _, tc := range []struct {
		env  []string
		want []string
	}{
		{append(base, "PBXLINK_CALL_DB=mysql://db/calls"), []string{"PBXLINK_CALL_DB (--call-db)", "postgres://"}},
		{append(base, "PBXLINK_CALL_DAILY_SHARE=1.5"), []string{"PBXLINK_CALL_DAILY_SHARE (--call-daily-share)", "at most 1"}},
		{append(base, "PBXLINK_CALL_DAILY_SHARE=0.001", "PBXLINK_CALL_INTERVAL=1m"), []string{"PBXLINK_CALL_DAILY_SHARE (--call-daily-share)", "15 requests a day", "1440 reads"}},
		{append(base, "PBXLINK_CALL_RETENTION=forever"), []string{"PBXLINK_CALL_RETENTION (--call-retention)"}},
		{append(base, "PBXLINK_CALL_OVERLAP=-5m"), []string{"PBXLINK_CALL_OVERLAP (--call-overlap)"}},
	} {
		t.Run(tc.want[0][:strings.IndexByte(tc.want[0], ' ')], func(t *testing.T) {
			stdout, stderr, code := runPbxlink(t, tc.env, "run")
			msg := strings.TrimSuffix(stderr, "\n")
			if code == 0 || strings.Contains(msg, "\n") || stdout != "" {
				t.Fatalf("exit %d, output %q%q: want one line", code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q lacks %q", msg, w)
				}
			}
		})
	}
}
