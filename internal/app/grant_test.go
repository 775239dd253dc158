package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// authorizeOAuthApp does what pbxlink authorize does against the
// simulator: the admin consents, the code is exchanged, and the grant is
// stored sealed in pbxlink-fleet through js.
func authorizeOAuthApp(t *testing.T, sim *zoomsim.Server, js jetstream.JetStream) {
	t.Helper()
	sc := sim.Config()
	ac, err := zoom.NewAuthCode(zoom.AuthCodeConfig{URL: sim.OAuthURL(), ClientID: sc.ClientID, ClientSecret: sc.ClientSecret, RedirectURI: "http://127.0.0.1:1/oauth/callback"})
	if err != nil {
		t.Fatal(err)
	}
	g := testenv.Consent(t, ac)
	kv, err := js.CreateOrUpdateKeyValue(testenv.Ctx(t), broker.FleetBucketConfig(broker.Topology{}))
	if err != nil {
		t.Fatal(err)
	}
	info := fleet.GrantInfo{AccountID: sc.AccountID, AuthorizedAt: time.Now()}
	if err := fleet.SaveGrant(testenv.Ctx(t), kv, sc.ClientSecret, g, info); err != nil {
		t.Fatal(err)
	}
}

// TestRunOnTheStoredGrant: without an account id the app works through the
// account-level OAuth app's grant that pbxlink authorize stored, and its
// webhook takes the grant's account as its own; with neither, Open refuses
// naming --zoom-account-id.
func TestRunOnTheStoredGrant(t *testing.T) {
	sim := startSim(t, 1)
	srv := testenv.StartNATS(t)
	cfg := testConfig(t, sim)
	cfg.NATS = NATSConfig{URL: srv.URL}
	cfg.Zoom.AccountID = ""
	cfg.Webhook = WebhookConfig{Listen: "127.0.0.1:0", Secret: "whsec"}

	_, err := Open(testenv.Ctx(t), cfg)
	var fe *FlagError
	if !errors.As(err, &fe) || fe.Flag != "zoom-account-id" || !strings.Contains(err.Error(), "pbxlink authorize") {
		t.Fatalf("Open with no account id and no grant: %v; want an error naming --zoom-account-id and pbxlink authorize", err)
	}

	authorizeOAuthApp(t, sim, srv.JS)
	r := runApp(t, cfg)
	if _, err := r.Prod.CheckIn(testenv.Ctx(t), "1201", schemas.CheckIn{Guest: schemas.Guest{Last: "Granted"}}); err != nil {
		t.Fatal(err)
	}
	// No account id means no Server-to-Server token: only the grant can
	// have authorised this write.
	waitDisplayName(t, sim, 1201, "Granted")
	if r.WebhookAddr() == "" {
		t.Error("no webhook served: the grant's account was not taken as the webhook's")
	}
	r.stop(t)
}
