package zoom_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

const redirectURI = "http://127.0.0.1:8765/oauth/callback"

// authorizeAt follows the authorisation URL as the admin's browser would,
// up to the redirect, and returns the code.
func authorizeAt(t *testing.T, u string) url.Values {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("authorize: %d %v", res.StatusCode, err)
	}
	return loc.Query()
}

func startSim(t *testing.T, cfg zoomsim.Config) *zoomsim.Server {
	t.Helper()
	s, err := zoomsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestAuthCodeGrant: the authorisation URL, the exchange, GET /users/me
// with the grant's token, a refresh that rotates, and the rotated-out token
// refused as ErrGrantRevoked (an account-wide failure).
func TestAuthCodeGrant(t *testing.T) {
	sim := startSim(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 1, Staff: 1}})
	ac, err := zoom.NewAuthCode(zoom.AuthCodeConfig{URL: sim.OAuthURL(), ClientID: "sim-client", ClientSecret: "sim-secret", RedirectURI: redirectURI})
	if err != nil {
		t.Fatal(err)
	}
	u := ac.AuthorizeURL("st4te")
	if !strings.HasPrefix(u, sim.OAuthURL()+"/oauth/authorize?") || !strings.Contains(u, "state=st4te") || !strings.Contains(u, "response_type=code") {
		t.Fatalf("AuthorizeURL %s", u)
	}
	back := authorizeAt(t, u)
	if back.Get("state") != "st4te" {
		t.Fatalf("state %q", back.Get("state"))
	}
	g, err := ac.Exchange(ctx(t), back.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if g.RefreshToken == "" || g.Token.AccessToken == "" || g.Token.APIURL != sim.APIURL() || g.Token.Scope == "" || g.Token.Expiry.IsZero() {
		t.Fatalf("grant %+v", g)
	}
	if _, err := ac.Exchange(ctx(t), back.Get("code")); !errors.Is(err, zoom.ErrGrantRevoked) || !errors.Is(err, zoom.ErrAccount) ||
		strings.Contains(err.Error(), back.Get("code")) {
		t.Fatalf("a used code: %v, want ErrGrantRevoked and ErrAccount, without the code (Zoom echoes it)", err)
	}
	c, err := zoom.New(zoom.Config{URL: sim.OAuthURL(), TokenSource: zoom.StaticToken{T: &g.Token}})
	if err != nil {
		t.Fatal(err)
	}
	me, err := c.Me(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if me.AccountID != "sim-account" || me.Email != "staff1@hotel.example" || me.ID == "" {
		t.Fatalf("Me %+v", me)
	}
	next, err := ac.Refresh(ctx(t), g.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if next.RefreshToken == g.RefreshToken || next.Token.AccessToken == g.Token.AccessToken {
		t.Fatal("the refresh did not rotate the tokens")
	}
	_, err = ac.Refresh(ctx(t), g.RefreshToken)
	if !errors.Is(err, zoom.ErrGrantRevoked) || !errors.Is(err, zoom.ErrAccount) || errors.Is(err, zoom.ErrRetryable) {
		t.Fatalf("the rotated-out refresh token: %v, want ErrGrantRevoked", err)
	}
	if !strings.Contains(err.Error(), "Invalid Token!") || strings.Contains(err.Error(), g.RefreshToken) {
		t.Fatalf("error %q: want Zoom's reason, never the token", err)
	}
	if st := sim.OAuthStats(); st.Refreshes != 1 || st.RefusedRefreshes != 1 {
		t.Fatalf("OAuthStats %+v", st)
	}
}

// TestAuthCodeRefusals: bad client credentials are the account's failure
// but not a revoked grant; Zoom unreachable is retryable; a missing
// setting is named.
func TestAuthCodeRefusals(t *testing.T) {
	sim := startSim(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 1, Staff: 1}})
	bad, _ := zoom.NewAuthCode(zoom.AuthCodeConfig{URL: sim.OAuthURL(), ClientID: "sim-client", ClientSecret: "wrong", RedirectURI: redirectURI})
	_, err := bad.Refresh(ctx(t), "whatever")
	if !errors.Is(err, zoom.ErrAccount) || errors.Is(err, zoom.ErrGrantRevoked) {
		t.Fatalf("bad secret: %v, want ErrAccount only", err)
	}
	down, _ := zoom.NewAuthCode(zoom.AuthCodeConfig{URL: "http://127.0.0.1:1", ClientID: "c", ClientSecret: "s", RedirectURI: redirectURI})
	if _, err := down.Refresh(ctx(t), "rt"); !errors.Is(err, zoom.ErrRetryable) || errors.Is(err, zoom.ErrGrantRevoked) {
		t.Fatalf("Zoom unreachable: %v, want ErrRetryable", err)
	}
	if _, err := zoom.NewAuthCode(zoom.AuthCodeConfig{ClientID: "c"}); err == nil || !strings.Contains(err.Error(), "AuthCodeConfig.ClientSecret") {
		t.Fatalf("no secret: %v", err)
	}
	sim.SetAppActivated(false)
	ok, _ := zoom.NewAuthCode(zoom.AuthCodeConfig{URL: sim.OAuthURL(), ClientID: "sim-client", ClientSecret: "sim-secret", RedirectURI: redirectURI})
	if _, err := ok.Refresh(ctx(t), "rt"); !errors.Is(err, zoom.ErrAccount) || errors.Is(err, zoom.ErrGrantRevoked) {
		t.Fatalf("app deactivated: %v, want ErrAccount only", err)
	}
}
