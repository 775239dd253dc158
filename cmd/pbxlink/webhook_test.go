package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/callrecord"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

const testWebhookSecret = "webhook-secret-7c2a90"

// TestDeauthorizationWebhook: pbxlink run --webhook-listen, with guests,
// a dead letter and calls in the call database. A forged and a stale
// app_deauthorized are refused with 401 and change nothing; Zoom's URL
// validation is answered; another account's de-authorization is ignored.
// This account's stops the Zoom work (/readyz 503 saying de-authorized,
// and it stays so, a published event not applied) and leaves nothing of
// the guests in NATS nor any call in the database.
func TestDeauthorizationWebhook(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "webhook-secret")
	if err := os.WriteFile(secretFile, []byte(testWebhookSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The call database of an earlier run with call records on (the
	// poller itself is not needed here).
	callDB := filepath.Join(t.TempDir(), "calls.db")
	store, err := callrecord.OpenSQLite(context.Background(), callDB)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Hour).UTC()
	for i, ext := range []string{"1201", "1201", "1202"} {
		c := schemas.Call{CallHistoryID: fmt.Sprint("c", i), CallID: "7", Extension: ext, Direction: "inbound",
			Start: start, End: start.Add(time.Minute), OtherName: "Zanzibar", Result: "answered"}
		if _, err := store.Insert(context.Background(), c, start); err != nil {
			t.Fatal(err)
		}
	}
	_ = store.Close()
	s := startStack(t, zoomsim.Config{Unlimited: true, Seed: &zoomsim.Seed{Rooms: 3, FirstExtension: 1201}},
		"--webhook-listen", "127.0.0.1:0", "--zoom-webhook-secret-file", secretFile, "--call-db", "sqlite:"+callDB)
	_, l, ok := s.log.find(0, func(l logLine) bool { return l.Msg == "Zoom webhooks served" })
	if !ok {
		t.Fatal("no log line with the webhook address")
	}
	url := "http://" + l.str("addr") + webhookPath
	calls := func() int {
		store, err := callrecord.OpenExisting(context.Background(), "sqlite:"+callDB, "")
		if err != nil {
			return -1
		}
		defer store.Close()
		c, err := store.Calls(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		return len(c)
	}
	s.pbxlink(t, "publish", "checkin", "--nats-url", s.natsURL, "--ext", "1201", "--first", "Ada", "--last", "Zanzibar")
	s.pbxlink(t, "publish", "checkin", "--nats-url", s.natsURL, "--ext", "1202", "--first", "Don", "--last", "Zanzibar")
	s.waitDisplay(t, 1202, "Don Zanzibar 1202")
	s.nats(t, "pub", "pbxlink.ext.1201.checkin", `{"guest":"Zanzibar"}`) // a dead letter
	eventually(t, 30*time.Second, func() (bool, string) {
		return slicesHasDLQ(holding(t, s.natsURL, "", "Zanzibar")), "no dead letter"
	}, "the bad event dead-lettered")
	account := s.sim.Config().AccountID
	send := func(secret, event string, payload any, at time.Time) zoomsim.WebhookReply {
		t.Helper()
		r, err := zoomsim.SendWebhookAt(context.Background(), url, secret, event, payload, at)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ready := func() (int, string) { return s.get(t, "/readyz") }

	if r := send("forged", zoomsim.EventAppDeauthorized, s.sim.DeauthorizedPayload(account), time.Now()); r.Status != http.StatusUnauthorized {
		t.Fatalf("forged signature: %d, want 401", r.Status)
	}
	if r := send(testWebhookSecret, zoomsim.EventAppDeauthorized, s.sim.DeauthorizedPayload(account), time.Now().Add(-10*time.Minute)); r.Status != http.StatusUnauthorized {
		t.Fatalf("stale timestamp: %d, want 401", r.Status)
	}
	if r := send(testWebhookSecret, zoomsim.EventURLValidation, zoomsim.URLValidationPayload("plain-1"), time.Now()); r.Status != http.StatusOK ||
		!strings.Contains(string(r.Body), `"plainToken":"plain-1"`) || !strings.Contains(string(r.Body), `"encryptedToken":"`) {
		t.Fatalf("url_validation: %d %s", r.Status, r.Body)
	}
	if r := send(testWebhookSecret, zoomsim.EventAppDeauthorized, s.sim.DeauthorizedPayload("another-account"), time.Now()); r.Status != http.StatusOK {
		t.Fatalf("another account: %d, want 200", r.Status)
	}
	if code, body := ready(); code != http.StatusOK {
		t.Fatalf("refused and ignored webhooks paused the worker: %d %s", code, body)
	}
	if left := holding(t, s.natsURL, "", "Zanzibar"); len(left) < 3 || calls() != 3 {
		t.Fatalf("refused webhooks erased data: names in %v, %d calls", left, calls())
	}

	if r := send(testWebhookSecret, zoomsim.EventAppDeauthorized, s.sim.DeauthorizedPayload(account), time.Now()); r.Status != http.StatusOK {
		t.Fatalf("app_deauthorized: %d %s", r.Status, r.Body)
	}
	if code, body := ready(); code != http.StatusServiceUnavailable || !strings.Contains(body, "de-authorized") {
		t.Fatalf("/readyz after the de-authorization: %d %s", code, body)
	}
	if left := holding(t, s.natsURL, "", "Zanzibar"); len(left) > 0 {
		t.Fatalf("after the de-authorization the guests' name is still in %v", left)
	}
	if n := calls(); n != 0 {
		t.Fatalf("%d calls left in the database", n)
	}
	// The Zoom work stays stopped: a new guest is not applied, but held
	// back, and the second erasure pass does not end the pause.
	deferred := s.deferredEvents(t)
	s.pbxlink(t, "publish", "checkin", "--nats-url", s.natsURL, "--ext", "1203", "--first", "Late", "--last", "Arrival")
	eventually(t, 30*time.Second, func() (bool, string) {
		n := s.deferredEvents(t)
		return n > deferred, fmt.Sprint(n, " deferred")
	}, "the new guest's event to be held back")
	s.log.wait(t, 0, 30*time.Second, "the second erasure pass", func(l logLine) bool { return l.Msg == "de-authorization: second erasure pass" })
	if got := s.user(t, 1203).DisplayName; strings.Contains(got, "Arrival") {
		t.Fatalf("1203 shows %q after the de-authorization", got)
	}
	if code, body := ready(); code != http.StatusServiceUnavailable || !strings.Contains(body, "de-authorized") {
		t.Fatalf("/readyz later: %d %s", code, body)
	}
	if s.log.contains(testWebhookSecret) {
		t.Error("the webhook secret reached the worker's log")
	}
}

// deferredEvents is how many times the worker held an event back
// (pbxlink_events_total with outcome deferred, summed over the types).
func (s *stack) deferredEvents(t *testing.T) int {
	t.Helper()
	code, body := s.get(t, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	n := 0
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, "pbxlink_events_total{") || !strings.Contains(line, `outcome="deferred"`) {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v); err != nil {
			t.Fatalf("/metrics line %q: %v", line, err)
		}
		n += int(v)
	}
	return n
}

// TestWebhookSettingErrors: the webhook secret given twice, or missing
// with --webhook-listen, stops pbxlink run with a line naming the setting.
func TestWebhookSettingErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--zoom-webhook-secret", "a", "--zoom-webhook-secret-file", "/nonexistent"}, "PBXLINK_ZOOM_WEBHOOK_SECRET (--zoom-webhook-secret) and PBXLINK_ZOOM_WEBHOOK_SECRET_FILE"},
		{[]string{"--webhook-listen", "127.0.0.1:0"}, "PBXLINK_ZOOM_WEBHOOK_SECRET (--zoom-webhook-secret): required"},
		{[]string{"--webhook-listen", "127.0.0.1:0", "--zoom-webhook-secret-file", "/nonexistent"}, "PBXLINK_ZOOM_WEBHOOK_SECRET_FILE (--zoom-webhook-secret-file)"},
	} {
		args := append([]string{"run", "--zoom-account-id", "a", "--zoom-client-id", "c", "--zoom-client-secret", "s"}, c.args...)
		_, stderr, code := runPbxlink(t, nil, args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("pbxlink %v: exit %d, stderr %q; want %q", c.args, code, stderr, c.want)
		}
	}
}
