package zoom_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

func TestTokenReusedThenRenewedBeforeExpiry(t *testing.T) {
	clock := testenv.NewClock(time.Now())
	cfg := hotel(1, zoomsim.TargetUsers)
	cfg.Now = clock.Now
	b := setup(t, cfg, func(c *zoom.Config) { c.Now = clock.Now })
	for range 5 {
		if _, err := b.client.ListUsers(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	if n := b.sim.Stats().TokensIssued; n != 1 {
		t.Fatalf("%d tokens for 5 calls, want 1", n)
	}
	// 59 minutes and a half later the hour-long token is about to expire:
	// the client replaces it before Zoom would refuse it.
	clock.Advance(59*time.Minute + 30*time.Second)
	if _, err := b.client.ListUsers(ctx(t)); err != nil {
		t.Fatal(err)
	}
	st := b.sim.Stats()
	if st.TokensIssued != 2 || st.Family(zoom.FamilyMain).Unauthorized != 0 {
		t.Fatalf("tokens %d, 401s %d; want 2 tokens and no 401", st.TokensIssued, st.Family(zoom.FamilyMain).Unauthorized)
	}
}

func TestOneMintForConcurrentCallers(t *testing.T) {
	b := setup(t, hotel(1, zoomsim.TargetUsers))
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := b.client.ListUsers(ctx(nil)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := b.sim.Stats().TokensIssued; n != 1 {
		t.Fatalf("20 concurrent first calls minted %d tokens, want 1", n)
	}
}

// TestInvalidTokenDroppedAndRetriedOnce: a 401 code 124 makes the client
// drop its token, mint another and try the call once more.
func TestInvalidTokenDroppedAndRetriedOnce(t *testing.T) {
	b := setup(t, hotel(1, zoomsim.TargetUsers))
	if _, err := b.client.ListUsers(ctx(t)); err != nil {
		t.Fatal(err)
	}
	b.sim.RevokeTokens()
	if _, err := b.client.ListUsers(ctx(t)); err != nil {
		t.Fatalf("call after revocation: %v", err)
	}
	var statuses []int
	for _, e := range b.sim.Journal() {
		if e.OperationID == zoom.OpListUsers.ID {
			statuses = append(statuses, e.Status)
		}
	}
	if !slices.Equal(statuses, []int{200, 401, 200}) || b.sim.Stats().TokensIssued != 2 {
		t.Fatalf("statuses %v with %d tokens; want [200 401 200] with 2", statuses, b.sim.Stats().TokensIssued)
	}
}

// TestLatestOnlyTokens: where a new token invalidates the older ones, two
// clients of one app (two replicas) knock each other's token out; each
// recovers with one retry, and a fleet should share one token instead.
func TestLatestOnlyTokens(t *testing.T) {
	cfg := hotel(1, zoomsim.TargetUsers)
	cfg.TokenMode = zoomsim.TokenModeLatestOnly
	a := setup(t, cfg)
	other, err := zoom.New(a.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.client.ListUsers(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := other.ListUsers(ctx(t)); err != nil { // mints, invalidating a's
		t.Fatal(err)
	}
	if _, err := a.client.ListUsers(ctx(t)); err != nil {
		t.Fatalf("a after b minted: %v", err)
	}
	st := a.sim.Stats()
	if st.TokensIssued != 3 || st.Family(zoom.FamilyMain).Unauthorized != 1 {
		t.Fatalf("tokens %d, 401s %d; want 3 and 1", st.TokensIssued, st.Family(zoom.FamilyMain).Unauthorized)
	}

	// A shared token source (what a fleet does) never mints twice.
	shared := setup(t, cfg)
	src := zoom.NewS2S(zoom.S2SConfig{URL: shared.sim.OAuthURL(), AccountID: shared.cfg.AccountID,
		ClientID: shared.cfg.ClientID, ClientSecret: shared.cfg.ClientSecret})
	for range 2 {
		c := shared.cfg
		c.TokenSource = src
		client, err := zoom.New(c)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := client.ListUsers(ctx(t)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if st := shared.sim.Stats(); st.TokensIssued != 1 || st.Family(zoom.FamilyMain).Unauthorized != 0 {
		t.Fatalf("shared source: tokens %d, 401s %d; want 1 and 0", st.TokensIssued, st.Family(zoom.FamilyMain).Unauthorized)
	}
}

func TestAPIURLFromToken(t *testing.T) {
	// The token names the API listener, which is not the OAuth host, and
	// the default API URL leads nowhere (setup): calls must follow api_url.
	b := setup(t, hotel(1, zoomsim.TargetUsers))
	if b.sim.APIURL() == b.sim.OAuthURL() {
		t.Fatal("the simulator must serve the API on its own listener")
	}
	if _, err := b.client.ListUsers(ctx(t)); err != nil {
		t.Fatal(err)
	}
	for _, e := range b.sim.Journal() {
		if e.OperationID == zoom.OpListUsers.ID && e.Listener != "api" {
			t.Fatalf("call reached the %s listener", e.Listener)
		}
	}

	// Without api_url, calls go to the default API URL.
	cfg := hotel(1, zoomsim.TargetUsers)
	cfg.OmitAPIURL = true
	var sim *zoomsim.Server
	nb := setup(t, cfg, func(c *zoom.Config) { c.DefaultAPIURL = "http://127.0.0.1:1" })
	sim = nb.sim
	if _, err := nb.client.ListUsers(ctx(t)); !errors.Is(err, zoom.ErrRetryable) {
		t.Fatalf("without api_url the default (unreachable here) must be used; got %v", err)
	}
	c := nb.cfg
	c.DefaultAPIURL = sim.APIURL()
	client, err := zoom.New(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.ListUsers(ctx(t)); err != nil {
		t.Fatalf("with the default API URL pointing at the simulator: %v", err)
	}
}

func TestBadCredentials(t *testing.T) {
	for _, status := range []int{400, 401} {
		cfg := hotel(1, zoomsim.TargetUsers)
		cfg.InvalidClientStatus = status
		b := setup(t, cfg, func(c *zoom.Config) { c.ClientSecret = "wrong" })
		_, err := b.client.ListUsers(ctx(t))
		var ae *zoom.AuthError
		if !errors.As(err, &ae) || !errors.Is(err, zoom.ErrAccount) || errors.Is(err, zoom.ErrPermanent) || errors.Is(err, zoom.ErrRetryable) || ae.Kind != "invalid_client" || ae.Reason == "" {
			t.Fatalf("status %d: %#v", status, err)
		}
	}
	b := setup(t, hotel(1, zoomsim.TargetUsers), func(c *zoom.Config) { c.AccountID = "other" })
	_, err := b.client.ListUsers(ctx(t))
	if !errors.Is(err, zoom.ErrAccount) || errors.Is(err, zoom.ErrNotFound) || !containsAll(err.Error(), "invalid_request", "Account does not exist") {
		t.Fatalf("unknown account: %v", err)
	}
}

func TestGrants(t *testing.T) {
	cfg := hotel(1, zoomsim.TargetUsers)
	cfg.Scopes = append(zoom.RequiredScopes(), zoom.ScopeUpdatePresence, zoom.ScopeListVoicemails)
	b := setup(t, cfg)
	g, err := b.client.Grants(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	want := map[zoom.Feature]bool{zoom.FeatureDoNotDisturb: true}
	for _, f := range zoom.Features() {
		if g.Enabled[f] != want[f] {
			t.Errorf("feature %s = %v", f, g.Enabled[f])
		}
	}

	cfg.Scopes = zoom.RequiredScopes()[1:]
	b = setup(t, cfg)
	_, err = b.client.Grants(ctx(t))
	var se *zoom.ScopeError
	if !errors.As(err, &se) || !slices.Equal(se.Missing, zoom.RequiredScopes()[:1]) || !errors.Is(err, zoom.ErrPermanent) {
		t.Fatalf("missing required scope: %v", err)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
