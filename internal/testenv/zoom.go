package testenv

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// StartSim starts a Zoom simulator configured by cfg (its seed, limits,
// scopes, clock) on free ports of 127.0.0.1, closed when the test ends.
func StartSim(t testing.TB, cfg zoomsim.Config) *zoomsim.Server {
	t.Helper()
	sim, err := zoomsim.New(cfg)
	if err != nil {
		t.Fatalf("testenv: zoomsim config: %v", err)
	}
	if err := sim.Start(); err != nil {
		t.Fatalf("testenv: start zoomsim: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// ZoomConfig is a Zoom client configuration for sim: its OAuth URL and the
// credentials it accepts, no rate limiter of the client's own, and a
// default API URL that goes nowhere, so that nothing can reach the real
// Zoom: the API URL must come from the simulator's token response.
func ZoomConfig(sim *zoomsim.Server) zoom.Config {
	sc := sim.Config()
	return zoom.Config{
		URL: sim.OAuthURL(), AccountID: sc.AccountID, ClientID: sc.ClientID, ClientSecret: sc.ClientSecret,
		DefaultAPIURL: "http://127.0.0.1:1",
		Limiter:       zoom.Unlimited{},
	}
}

// ZoomClient is a plain Zoom client for sim (ZoomConfig, changed by the
// adjust functions in order).
func ZoomClient(t testing.TB, sim *zoomsim.Server, adjust ...func(*zoom.Config)) *zoom.Client {
	t.Helper()
	cfg := ZoomConfig(sim)
	for _, f := range adjust {
		f(&cfg)
	}
	c, err := zoom.New(cfg)
	if err != nil {
		t.Fatalf("testenv: zoom client: %v", err)
	}
	return c
}

// Consent plays the admin who authorises the account-level OAuth app: it
// follows app's authorisation URL as a browser would, up to Zoom's
// redirect, and exchanges the code the redirect carries for a grant.
func Consent(t testing.TB, app *zoom.AuthCode) *zoom.Grant {
	t.Helper()
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := browser.Get(app.AuthorizeURL("testenv"))
	if err != nil {
		t.Fatalf("testenv: consent: %v", err)
	}
	_ = res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	code := ""
	if err == nil {
		code = loc.Query().Get("code")
	}
	if res.StatusCode != http.StatusFound || code == "" {
		t.Fatalf("testenv: consent: %s, redirect %q: want 302 Found to the redirect URI with a code", res.Status, res.Header.Get("Location"))
	}
	g, err := app.Exchange(Ctx(t), code)
	if err != nil {
		t.Fatalf("testenv: consent: exchange the code: %v", err)
	}
	return g
}
