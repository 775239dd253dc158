package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/setting"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// The operator runbook of README.md, command by command, with the real nats
// CLI (natscli v0.5.1) against a real worker: "pbxlink run" in a process of
// its own with its embedded JetStream server, and the Zoom simulator. Each
// test has its own worker and simulator.

// replayMarker picks the README's republishing loop.
const replayMarker = "Nats-Msg-Id:replay-{{ID}}"

// TestRunbookWatchAndPublish: the stream and the shared consumer as nats
// shows them, nats sub watching events, a contract event published with
// nats pub (and resent: dropped as a duplicate), pbxlink publish, and the
// health endpoints.
func TestRunbookWatchAndPublish(t *testing.T) {
	s := startStack(t, zoomsim.Config{})

	wantAll(t, "nats stream info", s.nats(t, "stream", "info", "PBXLINK_EVENTS"),
		"Subjects: pbxlink.ext.*.*", "Storage: File", "Retention: Limits", "Duplicate Window: 2m0s")
	wantAll(t, "nats consumer info", s.nats(t, "consumer", "info", "PBXLINK_EVENTS", "pbxlink-worker"),
		"Name: pbxlink-worker", "Pull Mode: true", "Ack Policy: Explicit")

	// nats sub reports "Subscribing" before it subscribes: probe until it
	// receives (pbxlink.ext.probe is outside the stream's subjects).
	watch := s.natsStart(t, "sub", "pbxlink.ext.>")
	eventually(t, 10*time.Second, func() (bool, string) {
		s.nats(t, "pub", "pbxlink.ext.probe", "probe")
		return watch.contains(`Received on "pbxlink.ext.probe"`), "no probe received"
	}, "nats sub to receive")

	// The contract's example event, timed now.
	ev := cloudEvent("opera-20261123-000481", "checkin", "1203", time.Now(),
		`{"guest":{"first":"Ada","last":"Lovelace","title":"Dr","vip":"VIP","language":"en","reservation":"778812"},`+
			`"mailbox":{"description":"Lovelace party","room_id":"1203"},"tenant":"Grand Hotel","site":"Main"}`)
	pub := []string{"pub", "-J", "pbxlink.ext.1203.checkin", "-H", "Nats-Msg-Id:opera-20261123-000481", ev}
	wantAll(t, "nats pub", s.nats(t, pub...), "Stored in Stream: PBXLINK_EVENTS Sequence: 1")
	s.waitDisplay(t, 1203, "VIP Ada Lovelace 1203")
	wantAll(t, "nats pub of the same event again", s.nats(t, pub...), "Duplicate: true")

	i, _ := watch.wait(t, 0, 10*time.Second, "nats sub to show the event", func(l logLine) bool {
		return strings.Contains(l.Raw, `Received on "pbxlink.ext.1203.checkin"`)
	})
	if _, _, ok := watch.find(i, func(l logLine) bool { return l.Raw == "Nats-Msg-Id: opera-20261123-000481" }); !ok {
		t.Errorf("nats sub does not show the event's Nats-Msg-Id:\n%s", watch.text(func(logLine) bool { return true }))
	}

	out := s.pbxlink(t, "publish", "guest", "--nats-url", s.natsURL, "--ext", "1203", "--last", "Byron")
	wantAll(t, "pbxlink publish guest", out, "published pbxlink.ext.1203.guest", "stream=PBXLINK_EVENTS")
	s.waitDisplay(t, 1203, "VIP Ada Byron 1203")

	s.pbxlink(t, "publish", "dnd", "--nats-url", s.natsURL, "--ext", "1203", "--on")
	id := s.user(t, 1203).ID
	eventually(t, 15*time.Second, func() (bool, string) {
		p, _ := s.sim.Presence(id)
		return p.Status == "Do_Not_Disturb", "presence " + p.Status
	}, "do-not-disturb on 1203")

	out = s.pbxlink(t, "publish", "move", "--nats-url", s.natsURL, "--from", "1209", "--to", "1210", "--first", "Grace", "--last", "Hopper")
	wantAll(t, "pbxlink publish move", out, "published pbxlink.ext.1209.checkout", "published pbxlink.ext.1210.checkin")
	s.waitDisplay(t, 1210, "Grace Hopper 1210")
	s.waitDisplay(t, 1209, "1209")

	for path, want := range map[string]string{"/livez": "ok", "/readyz": "ready"} {
		if code, body := s.get(t, path); code != 200 || strings.TrimSpace(body) != want {
			t.Errorf("GET %s: %d %q, want 200 %q", path, code, body, want)
		}
	}
	// An event is counted just after Zoom shows it.
	eventually(t, 10*time.Second, func() (bool, string) {
		_, metrics := s.get(t, "/metrics")
		for _, want := range []string{
			`pbxlink_events_total{outcome="applied",type="checkin"} 2`,
			`pbxlink_events_total{outcome="applied",type="checkout"} 1`,
			`pbxlink_events_total{outcome="applied",type="guest"} 1`,
			`pbxlink_events_total{outcome="applied",type="dnd"} 1`,
			`pbxlink_zoom_calls_total{operation="userUpdate",status="204"}`,
			`pbxlink_event_processing_seconds_count{type="checkin"} 2`, `pbxlink_event_processing_seconds_count{type="guest"} 1`,
			`pbxlink_event_processing_seconds_count{type="dnd"} 1`, `pbxlink_event_processing_seconds_count{type="checkout"} 1`,
			"pbxlink_consumer_backlog", "pbxlink_directory_extensions 12",
		} {
			if !strings.Contains(metrics, want) {
				return false, "no " + want
			}
		}
		return true, ""
	}, "the events counted in /metrics")
}

// TestRunbookDeadLetters: bad events go to PBXLINK_DLQ at once with their
// reason, the worker goes on, and nats stream get, nats sub and nats stream
// view show the dead letters and their Pbxlink-* headers.
func TestRunbookDeadLetters(t *testing.T) {
	s := startStack(t, zoomsim.Config{})
	now := time.Now()
	s.nats(t, "pub", "-J", "pbxlink.ext.1204.checkin", "-H", "Nats-Msg-Id:bad-1", `{"specversion":"1.0",`)
	s.nats(t, "pub", "-J", "pbxlink.ext.1204.checkin", "-H", "Nats-Msg-Id:bad-2", cloudEvent("bad-2", "checkout", "1204", now, `{}`))
	s.nats(t, "pub", "-J", "pbxlink.ext.1204.checkin", "-H", "Nats-Msg-Id:good-3", cloudEvent("good-3", "checkin", "1204", now, `{"guest":{"last":"Curie"}}`))
	s.waitDisplay(t, 1204, "Curie 1204")

	wantAll(t, "nats stream get PBXLINK_DLQ 1", s.natsEventually(t, 10*time.Second, "stream", "get", "PBXLINK_DLQ", "1"),
		"on Subject pbxlink.dlq.ext.1204.checkin", "Pbxlink-Error: bad event: invalid event: JSON: not valid JSON",
		"Pbxlink-Attempts: 1", "Pbxlink-Original-Subject: pbxlink.ext.1204.checkin", "Pbxlink-Original-Seq: 1",
		`{"specversion":"1.0",`)
	wantAll(t, "nats stream get PBXLINK_DLQ 2", s.nats(t, "stream", "get", "PBXLINK_DLQ", "2"),
		"Pbxlink-Error: bad event", "pbxlink.checkout", "Pbxlink-Original-Seq: 2")

	wantAll(t, "nats sub --stream PBXLINK_DLQ --all -T --wait 2s --headers-only",
		s.nats(t, "sub", "--stream", "PBXLINK_DLQ", "--all", "-T", "--wait", "2s", "--headers-only"),
		"seq: 1 ", "seq: 2 ", "Pbxlink-Original-Seq: 1", "Pbxlink-Original-Seq: 2", "Pbxlink-Error: bad event")
	wantAll(t, "nats stream info PBXLINK_DLQ", s.nats(t, "stream", "info", "PBXLINK_DLQ"), "Messages: 2", "Subjects: pbxlink.dlq.>")

	wantAll(t, "nats stream view PBXLINK_DLQ", s.natsOnTerminal(t, "stream", "view", "PBXLINK_DLQ"),
		"[1] Subject: pbxlink.dlq.ext.1204.checkin", "[2] Subject: pbxlink.dlq.ext.1204.checkin",
		"Pbxlink-Error: bad event", "Pbxlink-Original-Subject: pbxlink.ext.1204.checkin")
}

// TestRunbookReplayDeadLetter: an event dead-lettered after a Zoom outage is
// replayed with the README's commands once Zoom is back, with a new
// Nats-Msg-Id (the original one is dropped as a duplicate); a dead letter
// older than what its extension shows by now is skipped on replay; a
// replayed letter is then removed.
func TestRunbookReplayDeadLetter(t *testing.T) {
	s := startStack(t, zoomsim.Config{})
	s.faults(t, `{"error_rate":1}`) // every Zoom call answers 500 or 503
	s.pbxlink(t, "publish", "checkin", "--nats-url", s.natsURL, "--ext", "1205", "--first", "Grace", "--last", "Hopper", "--id", "pms-1205-in")
	wantAll(t, "nats stream get PBXLINK_DLQ 1", s.natsEventually(t, 15*time.Second, "stream", "get", "PBXLINK_DLQ", "1"),
		"Pbxlink-Error: gave up after 3 attempts", "Pbxlink-Attempts: 3", "Pbxlink-Original-Subject: pbxlink.ext.1205.checkin")
	s.pbxlink(t, "publish", "checkin", "--nats-url", s.natsURL, "--ext", "1206", "--first", "Alan", "--last", "Turing", "--id", "pms-1206-in")
	s.natsEventually(t, 15*time.Second, "stream", "get", "PBXLINK_DLQ", "2")
	s.faults(t, `{}`)
	if got := s.user(t, 1205).DisplayName; got != "Room 1205" {
		t.Fatalf("1205 shows %q before the replay, want it untouched", got)
	}

	// 1206's guest checks out meanwhile: newer than its dead letter.
	s.pbxlink(t, "publish", "checkout", "--nats-url", s.natsURL, "--ext", "1206")
	s.waitDisplay(t, 1206, "1206")

	oneLetter := readmeSnippet(t, `stream get PBXLINK_DLQ "$seq" --json`)
	allLetters := readmeSnippet(t, "--stream PBXLINK_DLQ --all --count")
	replay := readmeSnippet(t, replayMarker)

	if !strings.Contains(oneLetter, "seq=7") {
		t.Fatalf("the README's snippet no longer sets seq=7:\n%s", oneLetter)
	}
	s.bash(t, strings.Replace(oneLetter, "seq=7", "seq=1", 1))
	letters := s.replayFile(t)
	if len(letters) != 1 || letters[0].Header["Pbxlink-Original-Subject"][0] != "pbxlink.ext.1205.checkin" ||
		letters[0].Header["Pbxlink-Original-Seq"][0] != "1" {
		t.Fatalf("replay.jsonl holds %+v, want the dead letter of pbxlink.ext.1205.checkin with its Pbxlink-* headers", letters)
	}
	// The original Nats-Msg-Id is inside the duplicate window: dropped.
	wantAll(t, "nats pub with the original id", s.nats(t, "pub", "-J", "pbxlink.ext.1205.checkin", "-H", "Nats-Msg-Id:pms-1205-in", string(letters[0].Data)),
		"Duplicate: true")
	wantAll(t, "the replay", s.bash(t, replay), "Stored in Stream: PBXLINK_EVENTS")
	s.waitDisplay(t, 1205, "Grace Hopper 1205")
	s.nats(t, "stream", "rmm", "PBXLINK_DLQ", "1", "-f")

	mark := s.log.len()
	fetched := s.bash(t, allLetters+"\necho \"last=$last\"\n")
	if letters := s.replayFile(t); len(letters) != 1 || letters[0].Header["Pbxlink-Original-Subject"][0] != "pbxlink.ext.1206.checkin" {
		t.Fatalf("replay.jsonl holds %+v, want the one dead letter left, of pbxlink.ext.1206.checkin", letters)
	}
	s.bash(t, replay)
	_, skipped := s.log.wait(t, mark, 15*time.Second, "the replayed check-in of 1206 to be skipped", func(l logLine) bool {
		return l.Msg == "skipped a replayed dead letter older than what the extension shows" && l.str("ext") == "1206"
	})
	if skipped.Attrs["original_seq"] != 2.0 {
		t.Errorf("skipped the event of original sequence %v, want 2 (pms-1206-in)", skipped.Attrs["original_seq"])
	}
	if got := s.user(t, 1206).DisplayName; got != "1206" {
		t.Errorf("1206 shows %q after replaying an older check-in, want the check-out's %q", got, "1206")
	}

	// A letter dead-lettered after the fetch (as a replay that fails
	// again is) survives the README's purge; the letters fetched do not.
	s.nats(t, "pub", "-J", "pbxlink.ext.1207.checkin", "-H", "Nats-Msg-Id:bad-after-fetch", `{"specversion":"1.0",`)
	s.natsEventually(t, 15*time.Second, "stream", "get", "PBXLINK_DLQ", "3")
	last := ""
	for line := range strings.Lines(fetched) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "last="); ok {
			last = v
		}
	}
	if last != "2" {
		t.Fatalf("the README's fetch snippet noted last=%q, want 2:\n%s", last, fetched)
	}
	s.bash(t, "last="+last+"\n"+readmeSnippet(t, "purge PBXLINK_DLQ --seq"))
	wantAll(t, "nats stream info PBXLINK_DLQ after the purge", s.nats(t, "stream", "info", "PBXLINK_DLQ"), "Messages: 1", "First Sequence: 3")
	wantAll(t, "the letter dead-lettered after the fetch", s.nats(t, "stream", "get", "PBXLINK_DLQ", "3"), "Pbxlink-Original-Subject: pbxlink.ext.1207.checkin")
}

// TestRunbookReplayTimeRange: after Zoom was changed behind pbxlink's back
// (and the worker has re-read Zoom), the README's range replay of
// PBXLINK_EVENTS puts back the newest state of every extension; older
// events of the range are skipped.
func TestRunbookReplayTimeRange(t *testing.T) {
	s := startStack(t, zoomsim.Config{}, "--cache-refresh", "1s")
	s.pbxlink(t, "publish", "checkin", "--nats-url", s.natsURL, "--ext", "1207", "--first", "Ada", "--last", "Lovelace", "--id", "pms-1207-in")
	s.pbxlink(t, "publish", "guest", "--nats-url", s.natsURL, "--ext", "1207", "--last", "Byron")
	s.pbxlink(t, "publish", "checkin", "--nats-url", s.natsURL, "--ext", "1208", "--first", "Alan", "--last", "Turing")
	s.waitDisplay(t, 1207, "Ada Byron 1207")
	s.waitDisplay(t, 1208, "Alan Turing 1208")

	for _, ext := range []int64{1207, 1208} {
		err := s.sim.UpdateUser(s.user(t, ext).ID, func(u *zoomsim.User) {
			u.FirstName, u.LastName, u.DisplayName = "Someone", "Else", "Someone Else"
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Two directory refreshes: the second began after the change.
	mark := s.log.len()
	refreshed := func(l logLine) bool { return l.Msg == "directory loaded from Zoom" }
	i, _ := s.log.wait(t, mark, 10*time.Second, "a directory refresh", refreshed)
	s.log.wait(t, i+1, 10*time.Second, "a second directory refresh", refreshed)

	mark = s.log.len()
	s.bash(t, readmeSnippet(t, "--stream PBXLINK_EVENTS 'pbxlink.ext.>' --since"))
	if letters := s.replayFile(t); len(letters) != 3 {
		t.Fatalf("replay.jsonl holds %d events, want the 3 published", len(letters))
	}
	s.bash(t, readmeSnippet(t, replayMarker))
	s.waitDisplay(t, 1207, "Ada Byron 1207")
	s.waitDisplay(t, 1208, "Alan Turing 1208")
	s.log.wait(t, mark, 5*time.Second, "the replayed check-in of 1207 to be skipped", func(l logLine) bool {
		return l.Msg == "skipped a replayed dead letter older than what the extension shows" && l.str("id") == "pms-1207-in"
	})
}

// TestRunbookDebugSwitch: nats kv put pbxlink-config debug true switches the
// worker's Zoom packet log on within two seconds, with the Authorization
// header masked; false switches it off again.
func TestRunbookDebugSwitch(t *testing.T) {
	s := startStack(t, zoomsim.Config{})
	switched := func(on bool) func(logLine) bool {
		return func(l logLine) bool { return l.Msg == "debug logging switched" && l.Attrs["debug"] == on }
	}

	mark := s.log.len()
	wantAll(t, "nats kv put", s.nats(t, "kv", "put", "pbxlink-config", "debug", "true"), "true")
	s.log.wait(t, mark, 2*time.Second, "debug logging to switch on", switched(true))
	s.nats(t, "pub", "-J", "pbxlink.ext.1204.checkin", "-H", "Nats-Msg-Id:debug-on",
		cloudEvent("debug-on", "checkin", "1204", time.Now(), `{"guest":{"first":"Marie","last":"Curie"}}`))
	_, req := s.log.wait(t, mark, 15*time.Second, "a Zoom request in the log", func(l logLine) bool {
		return l.Msg == "zoom request" && strings.Contains(l.str("url"), "/v2/users/")
	})
	if h, _ := req.Attrs["headers"].(map[string]any); h["Authorization"] != "***" && h["Authorization"] != "Bearer ***" {
		t.Errorf("Authorization header in the packet log: %v, want it masked (***)", h["Authorization"])
	}
	s.waitDisplay(t, 1204, "Marie Curie 1204")

	mark = s.log.len()
	s.nats(t, "kv", "put", "pbxlink-config", "debug", "false")
	off, _ := s.log.wait(t, mark, 2*time.Second, "debug logging to switch off", switched(false))
	s.nats(t, "pub", "-J", "pbxlink.ext.1204.guest", "-H", "Nats-Msg-Id:debug-off",
		cloudEvent("debug-off", "guest", "1204", time.Now(), `{"guest":{"last":"Sklodowska"}}`))
	s.waitDisplay(t, 1204, "Marie Sklodowska 1204")
	for _, l := range s.log.since(off) {
		if l.Level == "DEBUG" {
			t.Errorf("debug line after debug was switched off: %s", l.Raw)
		}
	}
	wantAll(t, "nats kv get", s.nats(t, "kv", "get", "pbxlink-config", "debug"), "false")
}

// dumped is a line of replay.jsonl: a message as nats sub --dump writes it.
type dumped struct {
	Subject string
	Header  map[string][]string
	Data    []byte
}

// replayFile reads replay.jsonl, which the README's snippets write.
func (s *stack) replayFile(t *testing.T) []dumped {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dir, "replay.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []dumped
	for line := range strings.Lines(string(b)) {
		var m dumped
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("replay.jsonl: %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// TestRunSettingErrors: a missing or malformed setting of pbxlink run stops
// it at once, exit 1, with one line naming the variable and the flag.
func TestRunSettingErrors(t *testing.T) {
	base := []string{
		"PBXLINK_ZOOM_ACCOUNT_ID=acct", "PBXLINK_ZOOM_CLIENT_ID=client", "PBXLINK_ZOOM_CLIENT_SECRET=secret",
		"PBXLINK_ZOOM_URL=http://127.0.0.1:1", "PBXLINK_NATS_LISTEN=127.0.0.1:0", "PBXLINK_HTTP_LISTEN=127.0.0.1:0",
		"PBXLINK_DATA_DIR=" + t.TempDir(),
	}
	without := func(name string) []string {
		return slices.DeleteFunc(slices.Clone(base), func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
	}
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{without("PBXLINK_ZOOM_CLIENT_ID"), "PBXLINK_ZOOM_CLIENT_ID (--zoom-client-id): required"},
		{without("PBXLINK_ZOOM_CLIENT_SECRET"), "PBXLINK_ZOOM_CLIENT_SECRET (--zoom-client-secret): required"},
		{append(base, "PBXLINK_RETRY_INTERVAL=soon"), "PBXLINK_RETRY_INTERVAL (--retry-interval)"},
		{append(base, "PBXLINK_RETRIES=0"), "PBXLINK_RETRIES (--retries): 0: must be at least 1"},
		{append(base, "PBXLINK_ZOOM_PLAN=free"), "PBXLINK_ZOOM_PLAN (--zoom-plan)"},
		{append(base, "PBXLINK_TARGET=rooms"), "PBXLINK_TARGET (--target)"},
		{append(base, "PBXLINK_DEPARTMENT=floor"), "PBXLINK_DEPARTMENT (--department)"},
		{append(base, "PBXLINK_NAME_TEMPLATE=${first}"), "PBXLINK_NAME_TEMPLATE (--name-template)"},
		{append(base, "PBXLINK_LOG_FORMAT=xml"), "PBXLINK_LOG_FORMAT (--log-format)"},
		{append(base, "PBXLINK_MESSAGE_MANAGEMENT=maybe"), "PBXLINK_MESSAGE_MANAGEMENT (--message-management)"},
		{append(base, "PBXLINK_CACHE_REFRESH=-1m"), "PBXLINK_CACHE_REFRESH (--cache-refresh)"},
		{append(without("PBXLINK_ZOOM_CLIENT_SECRET"), "PBXLINK_ZOOM_CLIENT_SECRET_FILE=/nonexistent/secret"), "PBXLINK_ZOOM_CLIENT_SECRET_FILE (--zoom-client-secret-file)"},
		{append(base, "PBXLINK_ZOOM_LIMITS=main/Fast=3"), "PBXLINK_ZOOM_LIMITS (--zoom-limits)"},
		{append(base, "PBXLINK_NATS_REPLICAS=9"), "PBXLINK_NATS_REPLICAS (--nats-replicas)"},
	} {
		t.Run(tc.want[:strings.IndexByte(tc.want, ' ')], func(t *testing.T) {
			stdout, stderr, code := runPbxlink(t, tc.env, "run")
			if code != 2 {
				t.Errorf("exit code %d, want 2 (a bad setting)", code)
			}
			msg := strings.TrimSuffix(stderr, "\n")
			if strings.Contains(msg, "\n") || !strings.Contains(msg, tc.want) || stdout != "" {
				t.Errorf("output %q%q, want one line with %q", stdout, stderr, tc.want)
			}
		})
	}
	// Without an account id, the app may be the account-level OAuth app:
	// that is known only once NATS shows whether pbxlink authorize stored a
	// grant. With none, start-up stops with one line naming the setting and
	// the command.
	t.Run("PBXLINK_ZOOM_ACCOUNT_ID", func(t *testing.T) {
		_, stderr, code := runPbxlink(t, without("PBXLINK_ZOOM_ACCOUNT_ID"), "run")
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		last := lines[len(lines)-1]
		if code == 0 || !strings.Contains(last, "PBXLINK_ZOOM_ACCOUNT_ID (--zoom-account-id): required") || !strings.Contains(last, "pbxlink authorize") {
			t.Errorf("exit %d, last line %q: want a failure naming PBXLINK_ZOOM_ACCOUNT_ID and pbxlink authorize", code, last)
		}
	})
}

// TestReadmeSettings: the README's table of the settings of pbxlink run
// lists every flag of the code, no other, each with its environment
// variable and its default.
func TestReadmeSettings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Settings of `pbxlink run`\n")
	if !ok {
		t.Fatal("README.md has no section \"Settings of `pbxlink run`\"")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	code := func() *flag.FlagSet {
		var s runSettings
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		s.flags(fs)
		return fs
	}
	fs := code()
	documented := map[string]bool{}
	for line := range strings.Lines(section) {
		if !strings.HasPrefix(line, "| `--") {
			continue
		}
		cells := strings.Split(strings.ReplaceAll(line, `\|`, "\x00"), "|")
		if len(cells) < 5 {
			t.Errorf("README settings row with %d cells: %s", len(cells), line)
			continue
		}
		name := strings.TrimPrefix(strings.Trim(strings.TrimSpace(cells[1]), "`"), "--")
		env := strings.Trim(strings.TrimSpace(cells[2]), "`")
		documented[name] = true
		f := fs.Lookup(name)
		if f == nil {
			t.Errorf("README documents --%s, which pbxlink run does not have", name)
			continue
		}
		if want := setting.EnvName(envPrefix, name); env != want {
			t.Errorf("README: --%s is %s, want %s", name, env, want)
		}
		def := ""
		if parts := strings.Split(cells[3], "`"); len(parts) >= 3 {
			def = parts[1]
		}
		if def == "" {
			if f.DefValue != "" {
				t.Errorf("README: --%s has no default, the code has %q", name, f.DefValue)
			}
			continue
		}
		other := code()
		if err := other.Set(name, def); err != nil || other.Lookup(name).Value.String() != f.DefValue {
			t.Errorf("README: --%s defaults to %q, the code to %q", name, def, f.DefValue)
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !documented[f.Name] {
			t.Errorf("pbxlink run has --%s, which the README's settings table lacks", f.Name)
		}
	})
}

// TestCommandsHelp: every command answers --help with its usage and exit 0,
// and pbxlink --help lists every command.
func TestCommandsHelp(t *testing.T) {
	stdout, _, code := runPbxlink(t, nil, "--help")
	if code != 0 {
		t.Errorf("pbxlink --help: exit %d", code)
	}
	for name := range commands {
		if !strings.Contains(stdout, "\n  "+name+" ") {
			t.Errorf("pbxlink --help does not list %s:\n%s", name, stdout)
		}
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := runPbxlink(t, nil, name, "--help")
			if code != 0 || !strings.Contains(stdout+stderr, "Usage: pbxlink "+name) {
				t.Errorf("pbxlink %s --help: exit %d\n%s%s", name, code, stdout, stderr)
			}
		})
	}
}
