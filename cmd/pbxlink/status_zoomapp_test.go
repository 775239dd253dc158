package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
)

// TestStatusZoomApp: pbxlink status names the Zoom app: server-to-server
// without a stored grant; with one, the authorised account and admin and
// when the grant was last refreshed, as a table and as JSON, never a token.
func TestStatusZoomApp(t *testing.T) {
	n := testenv.StartNATS(t)
	p := n.Provision(broker.Topology{})
	ctx := testenv.Ctx(t)
	t.Setenv("PBXLINK_NATS_URL", n.URL)
	if stdout, stderr, code := call(t, "status"); code != 0 || !strings.Contains(stdout, "server-to-server") {
		t.Fatalf("status without a grant: exit %d\n%s%s", code, stdout, stderr)
	}
	authorized := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	refreshed := authorized.Add(3 * time.Hour)
	g := &zoom.Grant{RefreshToken: "rt-secret-value", Token: zoom.Token{AccessToken: "at-secret-value", Expiry: refreshed.Add(time.Hour)}}
	info := fleet.GrantInfo{AccountID: "acct-42", UserEmail: "admin@hotel.example", UserName: "Hotel Admin", AuthorizedAt: authorized,
		RefreshedAt: refreshed, Refreshes: 3, RefreshedBy: "host-a/1/0001"}
	if err := fleet.SaveGrant(ctx, p.Fleet, "secret", g, info); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := call(t, "status", "--timezone", "UTC")
	if code != 0 {
		t.Fatalf("status: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"OAuth app", "acct-42", "Hotel Admin", "admin@hotel.example", "2026-11-30 08:00:00", "2026-11-30 11:00:00", "host-a/1/0001"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, stdout)
		}
	}
	stdout, _, code = call(t, "status", "--json")
	var st Status
	if code != 0 || json.Unmarshal([]byte(stdout), &st) != nil {
		t.Fatalf("status --json: exit %d\n%s", code, stdout)
	}
	if a := st.ZoomApp; a == nil || a.Type != "oauth" || a.AccountID != "acct-42" || a.UserEmail != "admin@hotel.example" ||
		a.RefreshedAt == nil || !a.RefreshedAt.Equal(refreshed) || a.Refreshes != 3 {
		t.Fatalf("status --json zoom_app: %+v", st.ZoomApp)
	}
	if strings.Contains(stdout, "secret-value") {
		t.Fatalf("status --json shows a token:\n%s", stdout)
	}
}
