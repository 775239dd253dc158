package consumer_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// laterTokens is a token source put in place after the harness built the
// client (the grant needs the harness's NATS).
type laterTokens struct{ zoom.TokenSource }

// TestRevokedGrantPausesTheFleet: a worker on the OAuth app's stored grant
// applies events; once the admin removes the app in Zoom, its refresh is
// refused (zoom.ErrGrantRevoked): the fleet pauses, nothing is
// dead-lettered, and the event waits without using attempts; a new
// authorisation lets the probe resume the work.
func TestRevokedGrantPausesTheFleet(t *testing.T) {
	t.Parallel()
	tokens := &laterTokens{}
	b := setup(t, options{
		zoom:   func(c *zoom.Config) { c.TokenSource = tokens },
		worker: func(c *consumer.Config) { c.Retries = 1; c.ProbeInterval = 100 * time.Millisecond },
	})
	kv, err := b.js.CreateOrUpdateKeyValue(b.ctx(), broker.FleetBucketConfig(broker.Topology{}))
	if err != nil {
		t.Fatal(err)
	}
	app, err := zoom.NewAuthCode(zoom.AuthCodeConfig{URL: b.sim.OAuthURL(), ClientID: "sim-client", ClientSecret: "sim-secret", RedirectURI: "http://127.0.0.1:1/cb"})
	if err != nil {
		t.Fatal(err)
	}
	authorize := func() {
		t.Helper()
		g := testenv.Consent(t, app)
		if err := fleet.SaveGrant(b.ctx(), kv, "sim-secret", g, fleet.GrantInfo{AccountID: "sim-account", AuthorizedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	authorize()
	m, err := fleet.NewGrantMinter(kv, fleet.GrantConfig{Zoom: app, Secret: "sim-secret", Holder: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := fleet.NewTokenSource(kv, m, fleet.TokenConfig{Secret: "sim-secret", Holder: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	tokens.TokenSource = ts
	w := b.start()
	b.finishedAt(must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1201", schemas.CheckIn{Guest: schemas.Guest{Last: "Granted"}})))
	if got := b.user(1201).DisplayName; got != "Granted 1201" {
		t.Fatalf("1201 shows %q through the grant", got)
	}

	b.sim.Deauthorize() // the admin removes the app in the Marketplace
	res := must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1202", schemas.CheckIn{Guest: schemas.Guest{Last: "Revoked"}}))
	b.eventually("the pause for the revoked grant", func() (bool, string) {
		err := w.Ready(b.ctx())
		return err != nil && strings.Contains(err.Error(), "Invalid Token!"), fmt.Sprint(err)
	})
	if dl := b.deadLetters(); len(dl) != 0 {
		t.Fatalf("%d dead letters for a revoked grant: %s", len(dl), b.deadLetterReasons())
	}
	authorize() // pbxlink authorize again
	b.finishedAt(res)
	if got := b.user(1202).DisplayName; got != "Revoked 1202" {
		t.Fatalf("1202 shows %q after the new authorisation", got)
	}
	if st := b.sim.OAuthStats(); st.RefusedRefreshes == 0 {
		t.Fatalf("OAuthStats %+v: the revoked grant was never refused", st)
	}
}
