package zoomsim_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

func TestOAuthToken(t *testing.T) {
	s := start(t, zoomsim.Config{Seed: &zoomsim.Seed{}})
	tests := []struct {
		name        string
		id, secret  string
		form, query url.Values
		status      int
		reason, err string
	}{
		{name: "form body", id: "sim-client", secret: "sim-secret", form: goodForm(), status: 200},
		{name: "query string", id: "sim-client", secret: "sim-secret", query: goodForm(), status: 200},
		{name: "bad secret", id: "sim-client", secret: "wrong", form: goodForm(), status: 400, reason: "Invalid client_id or client_secret", err: "invalid_client"},
		{name: "bad client id", id: "other", secret: "sim-secret", form: goodForm(), status: 400, reason: "Invalid client_id or client_secret", err: "invalid_client"},
		{name: "no basic auth", form: goodForm(), status: 400, reason: "Invalid client_id or client_secret", err: "invalid_client"},
		{name: "bad account", id: "sim-client", secret: "sim-secret", form: url.Values{"grant_type": {"account_credentials"}, "account_id": {"other"}}, status: 400, reason: "Account does not exist", err: "invalid_request"},
		{name: "no account", id: "sim-client", secret: "sim-secret", form: url.Values{"grant_type": {"account_credentials"}}, status: 400, reason: "Account does not exist", err: "invalid_request"},
		{name: "bad grant", id: "sim-client", secret: "sim-secret", form: url.Values{"grant_type": {"client_credentials"}, "account_id": {"sim-account"}}, status: 400, err: "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, tr := tokenRequest(t, s, tt.id, tt.secret, tt.form, tt.query)
			if status != tt.status {
				t.Fatalf("status %d, want %d (%+v)", status, tt.status, tr)
			}
			if tt.status != 200 {
				if tr.Error != tt.err || (tt.reason != "" && tr.Reason != tt.reason) || tr.AccessToken != "" {
					t.Fatalf("got %+v, want reason %q error %q", tr, tt.reason, tt.err)
				}
				return
			}
			if len(tr.AccessToken) < 32 || tr.TokenType != "bearer" || tr.ExpiresIn != 3599 {
				t.Fatalf("bad token response %+v", tr)
			}
			if tr.APIURL == nil || *tr.APIURL != s.APIURL() || s.APIURL() == s.OAuthURL() {
				t.Fatalf("api_url %v, want %s (distinct from %s)", tr.APIURL, s.APIURL(), s.OAuthURL())
			}
			want := zoomsim.AllScopes()
			got := strings.Fields(tr.Scope)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("scope %q, want %v", tr.Scope, want)
			}
			for _, sc := range zoom.RequiredScopes() {
				if !zoom.ParseGrants(tr.Scope).Has(sc) {
					t.Fatalf("required scope %s not granted", sc)
				}
			}
		})
	}
}

func TestOAuthMethodAndPath(t *testing.T) {
	s := start(t, zoomsim.Config{Seed: &zoomsim.Seed{}})
	res, err := http.Get(s.OAuthURL() + "/oauth/token")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET token: %d", res.StatusCode)
	}
	res, err = http.Post(s.OAuthURL()+"/oauth/other", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("POST other: %d", res.StatusCode)
	}
}

func TestOAuthInvalidClientStatus401(t *testing.T) {
	s := start(t, zoomsim.Config{Seed: &zoomsim.Seed{}, InvalidClientStatus: 401})
	if status, _ := tokenRequest(t, s, "sim-client", "nope", goodForm(), nil); status != 401 {
		t.Fatalf("status %d, want 401", status)
	}
}

func TestOAuthAPIURLVariants(t *testing.T) {
	s := start(t, zoomsim.Config{Seed: &zoomsim.Seed{}, OmitAPIURL: true})
	if _, tr := tokenRequest(t, s, "sim-client", "sim-secret", goodForm(), nil); tr.APIURL != nil {
		t.Fatalf("api_url %q sent although omitted", *tr.APIURL)
	}
	s = start(t, zoomsim.Config{Seed: &zoomsim.Seed{}, APIURLOverride: "https://eu01api.zoom.us"})
	if _, tr := tokenRequest(t, s, "sim-client", "sim-secret", goodForm(), nil); tr.APIURL == nil || *tr.APIURL != "https://eu01api.zoom.us" {
		t.Fatalf("api_url %v, want the override", tr.APIURL)
	}
}

func TestTokenModes(t *testing.T) {
	for _, mode := range []zoomsim.TokenMode{zoomsim.TokenModeMany, zoomsim.TokenModeLatestOnly} {
		t.Run(string(mode), func(t *testing.T) {
			e := newEnv(t, zoomsim.Config{Seed: smallHotel(), TokenMode: mode})
			first := e.token
			second := e.mustToken()
			if first == second {
				t.Fatal("two tokens are equal")
			}
			if r := doAPI(t, e.sim.APIURL()+"/v2/users", "GET", second, nil); r.status != 200 {
				t.Fatalf("newest token refused: %d", r.status)
			}
			r := doAPI(t, e.sim.APIURL()+"/v2/users", "GET", first, nil)
			if mode == zoomsim.TokenModeMany && r.status != 200 {
				t.Fatalf("older token refused in mode many: %d %s", r.status, r.body)
			}
			if mode == zoomsim.TokenModeLatestOnly {
				z := wantErr(t, r, 401, 124)
				if z.Message != "Invalid access token." {
					t.Fatalf("message %q", z.Message)
				}
			}
		})
	}
}

func TestTokenExpiryAndRevocation(t *testing.T) {
	clock := testenv.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now, TokenTTL: time.Hour})
	if r := e.call("GET", "/users", nil); r.status != 200 {
		t.Fatalf("fresh token: %d", r.status)
	}
	clock.Advance(time.Hour)
	wantErr(t, e.call("GET", "/users", nil), 401, 124)

	e.token = e.mustToken()
	e.sim.RevokeTokens()
	wantErr(t, e.call("GET", "/users", nil), 401, 124)
	e.token = e.mustToken()
	if r := e.call("GET", "/users", nil); r.status != 200 {
		t.Fatalf("token after revocation: %d", r.status)
	}
}

func TestMissingOrMalformedToken(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel()})
	for _, tok := range []string{"", "garbage"} {
		wantErr(t, doAPI(t, e.sim.APIURL()+"/v2/users", "GET", tok, nil), 401, 124)
	}
	req, _ := http.NewRequest("GET", e.sim.APIURL()+"/v2/users", nil)
	req.Header.Set("Authorization", "Basic "+e.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("non-bearer scheme: %d", res.StatusCode)
	}
}

func TestAppNotActivated(t *testing.T) {
	s := start(t, zoomsim.Config{Seed: &zoomsim.Seed{}, Faults: zoomsim.Faults{AppNotActivated: true}})
	status, tr := tokenRequest(t, s, "sim-client", "sim-secret", goodForm(), nil)
	if status != 400 || tr.Reason != "The app is not activated" || tr.Error != "invalid_request" {
		t.Fatalf("got %d %+v", status, tr)
	}
}

func TestScopeRefusal(t *testing.T) {
	// The default grant lacks user:read:presence_status:admin.
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Scopes: []string{zoom.ScopeListUsers}})
	if r := e.call("GET", "/users", nil); r.status != 200 {
		t.Fatalf("granted scope refused: %d", r.status)
	}
	u := e.sim.State().Users[0]
	z := wantErr(t, e.call("PATCH", "/users/"+u.ID, map[string]string{"first_name": "A"}), 400, 4711)
	if z.Message != "Invalid access token, does not contain scopes:[user:update:user:admin]." {
		t.Fatalf("message %q", z.Message)
	}
	if got, _ := e.sim.User(u.ID); got.FirstName != u.FirstName {
		t.Fatal("refused PATCH was applied")
	}
}

func TestDefaultScopesAreRequiredPlusFeatures(t *testing.T) {
	s := start(t, zoomsim.Config{Seed: &zoomsim.Seed{}})
	_, tr := tokenRequest(t, s, "sim-client", "sim-secret", goodForm(), nil)
	g := zoom.ParseGrants(tr.Scope)
	if len(g.Missing) != 0 {
		t.Fatalf("missing required scopes %v", g.Missing)
	}
	for _, f := range zoom.Features() {
		if !g.Enabled[f] {
			t.Fatalf("feature %s not enabled by the default grant", f)
		}
	}
}
