package main

import (
	"strings"
	"testing"

	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestReconcileCommand: a checked-out room given a guest's name behind
// pbxlink's back. A dry run reports it, without the name and without
// changing it; pbxlink reconcile --ext repairs it through the worker; the
// occupied room next door is in order.
func TestReconcileCommand(t *testing.T) {
	s := startStack(t, zoomsim.Config{Unlimited: true, Seed: &zoomsim.Seed{Rooms: 3, FirstExtension: 1201, PhonesPerRoom: 1}})
	s.pbxlink(t, "publish", "checkin", "--nats-url", s.natsURL, "--ext", "1201", "--first", "Ada", "--last", "Zanzibar")
	s.pbxlink(t, "publish", "checkin", "--nats-url", s.natsURL, "--ext", "1202", "--first", "Don", "--last", "Quixote")
	s.pbxlink(t, "publish", "checkout", "--nats-url", s.natsURL, "--ext", "1202")
	s.waitDisplay(t, 1201, "Ada Zanzibar 1201")
	s.waitDisplay(t, 1202, "1202")
	u := s.user(t, 1202)
	if err := s.sim.UpdateUser(u.ID, func(u *zoomsim.User) { u.FirstName, u.DisplayName = "Don", "Don Quixote 1202" }); err != nil {
		t.Fatal(err)
	}
	c := s.sim.Config()
	env := []string{"PBXLINK_ZOOM_ACCOUNT_ID=" + c.AccountID, "PBXLINK_ZOOM_CLIENT_ID=" + c.ClientID,
		"PBXLINK_ZOOM_CLIENT_SECRET=" + c.ClientSecret, "PBXLINK_NATS_URL=" + s.natsURL, "PBXLINK_ZOOM_URL=" + s.sim.OAuthURL()}

	stdout, stderr, code := runPbxlink(t, env, "reconcile", "--dry-run")
	if code != 0 {
		t.Fatalf("pbxlink reconcile --dry-run: exit %d\n%s%s", code, stdout, stderr)
	}
	wantLine(t, stdout, "1201", "occupied", "-", "ok")
	wantLine(t, stdout, "1202", "vacant", "first_name,display_name", "would repair")
	if strings.Contains(stdout+stderr, "Quixote") || strings.Contains(stdout+stderr, "Zanzibar") {
		t.Errorf("a guest name in the output without --debug:\n%s%s", stdout, stderr)
	}
	if got := s.user(t, 1202).DisplayName; got != "Don Quixote 1202" {
		t.Errorf("a dry run changed Zoom: %q", got)
	}

	stdout, stderr, code = runPbxlink(t, env, "reconcile", "--ext", "1202")
	if code != 0 {
		t.Fatalf("pbxlink reconcile --ext 1202: exit %d\n%s%s", code, stdout, stderr)
	}
	wantLine(t, stdout, "1202", "vacant", "first_name,display_name", "repaired")
	if strings.Contains(stdout, "1201") {
		t.Errorf("--ext 1202 checked other rooms:\n%s", stdout)
	}
	s.waitDisplay(t, 1202, "1202")

	stdout, _, code = runPbxlink(t, env, "reconcile", "--ext", "1202", "--debug")
	if code != 0 || !strings.Contains(stdout, "DETAILS") {
		t.Errorf("pbxlink reconcile --debug: exit %d\n%s", code, stdout)
	}
	wantLine(t, stdout, "1202", "vacant", "-", "ok")
}

// wantLine fails unless some line of out holds the fields in order.
func wantLine(t *testing.T, out string, fields ...string) {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= len(fields) && strings.Join(f[:len(fields)-1], " ") == strings.Join(fields[:len(fields)-1], " ") &&
			strings.HasPrefix(strings.Join(f[len(fields)-1:], " "), fields[len(fields)-1]) {
			return
		}
	}
	t.Errorf("no line %q in:\n%s", strings.Join(fields, " "), out)
}
