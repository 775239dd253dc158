package zoomsim_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

const testRedirect = "http://127.0.0.1:8765/oauth/callback"

// consent asks for an authorization code and returns the redirect's query.
func consent(t *testing.T, s *zoomsim.Server, q url.Values) (int, url.Values) {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(s.OAuthURL() + "/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusFound {
		return res.StatusCode, nil
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirect {
		t.Fatalf("redirected to %s, want %s", got, testRedirect)
	}
	return res.StatusCode, loc.Query()
}

func authorizeQuery(state string) url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {"sim-client"}, "redirect_uri": {testRedirect}, "state": {state}}
}

type grantResp struct {
	tokenResp
	RefreshToken string `json:"refresh_token"`
}

func codeToken(t *testing.T, s *zoomsim.Server, form url.Values) (int, grantResp) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.OAuthURL()+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("sim-client", "sim-secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var g grantResp
	if err := json.NewDecoder(res.Body).Decode(&g); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, g
}

func exchangeForm(code, redirect string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
}

func refreshForm(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
}

// TestAuthorizationCodeFlow: consent redirects with code and state; the
// code works once, only with its redirect_uri; every refresh rotates the
// refresh token and the old one is refused as Zoom refuses it; GET
// /users/me answers the admin who consented, with the account id.
func TestAuthorizationCodeFlow(t *testing.T) {
	s := start(t, zoomsim.Config{})
	status, back := consent(t, s, authorizeQuery("st-1"))
	if status != http.StatusFound || back.Get("state") != "st-1" || back.Get("code") == "" {
		t.Fatalf("consent: %d %v", status, back)
	}
	code := back.Get("code")
	if st, g := codeToken(t, s, exchangeForm(code, "http://127.0.0.1:9/other")); st != 400 || g.Reason != "Redirect URI mismatch." {
		t.Fatalf("exchange with another redirect_uri: %d %+v", st, g)
	}
	st, g := codeToken(t, s, exchangeForm(code, testRedirect))
	if st != 200 || g.AccessToken == "" || g.RefreshToken == "" || g.ExpiresIn != 3599 || g.TokenType != "bearer" || g.APIURL == nil || g.Scope == "" {
		t.Fatalf("exchange: %d %+v", st, g)
	}
	if st, again := codeToken(t, s, exchangeForm(code, testRedirect)); st != 400 || again.Error != "invalid_request" || !strings.HasPrefix(again.Reason, "Invalid authorization code") {
		t.Fatalf("second exchange of one code: %d %+v", st, again)
	}

	r := doAPI(t, s.APIURL()+"/v2/users/me", "GET", g.AccessToken, nil)
	var me struct {
		ID, Email, AccountID, RoleName string
	}
	var raw map[string]any
	_ = json.Unmarshal(r.body, &raw)
	me.ID, _ = raw["id"].(string)
	me.Email, _ = raw["email"].(string)
	me.AccountID, _ = raw["account_id"].(string)
	me.RoleName, _ = raw["role_name"].(string)
	if r.status != 200 || me.Email != "staff1@hotel.example" || me.AccountID != "sim-account" || me.RoleName != "Admin" {
		t.Fatalf("GET /users/me: %d %s", r.status, r.body)
	}

	st, next := codeToken(t, s, refreshForm(g.RefreshToken))
	if st != 200 || next.RefreshToken == "" || next.RefreshToken == g.RefreshToken || next.AccessToken == "" {
		t.Fatalf("refresh: %d %+v", st, next)
	}
	st, stale := codeToken(t, s, refreshForm(g.RefreshToken))
	if st != 400 || stale.Reason != "Invalid Token!" || stale.Error != "invalid_request" || stale.AccessToken != "" {
		t.Fatalf("refresh with the rotated-out token: %d %+v", st, stale)
	}
	if st, _ := codeToken(t, s, refreshForm(next.RefreshToken)); st != 200 {
		t.Fatalf("refresh with the newest token: %d", st)
	}
	want := zoomsim.OAuthStats{Authorizations: 1, Exchanges: 1, RefusedExchanges: 2, Refreshes: 2, RefusedRefreshes: 1, Grants: 1}
	if got := s.OAuthStats(); got != want {
		t.Fatalf("OAuthStats %+v, want %+v", got, want)
	}
	for _, e := range s.Journal() {
		if strings.Contains(string(e.RequestBody)+e.Query+string(e.ResponseBody), g.RefreshToken) ||
			strings.Contains(string(e.RequestBody)+e.Query+string(e.ResponseBody), code) {
			t.Fatalf("journal entry %s %s holds a code or refresh token", e.Method, e.Path)
		}
	}
}

// TestAuthorizationCodeExpires: a code lives five minutes; a refresh token
// outlives an access token.
func TestAuthorizationCodeExpires(t *testing.T) {
	clk := testenv.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	s := start(t, zoomsim.Config{Now: clk.Now})
	_, back := consent(t, s, authorizeQuery(""))
	if back.Has("state") {
		t.Fatalf("state %q sent back although none was given", back.Get("state"))
	}
	clk.Advance(5*time.Minute + time.Second)
	if st, g := codeToken(t, s, exchangeForm(back.Get("code"), testRedirect)); st != 400 || !strings.HasPrefix(g.Reason, "Invalid authorization code") {
		t.Fatalf("exchange after 5 minutes: %d %+v", st, g)
	}
	_, back = consent(t, s, authorizeQuery("x"))
	clk.Advance(4 * time.Minute)
	st, g := codeToken(t, s, exchangeForm(back.Get("code"), testRedirect))
	if st != 200 {
		t.Fatalf("exchange within 5 minutes: %d %+v", st, g)
	}
	clk.Advance(2 * time.Hour)
	if r := doAPI(t, s.APIURL()+"/v2/users/me", "GET", g.AccessToken, nil); r.status != 401 {
		t.Fatalf("an expired access token: %d", r.status)
	}
	if st, _ := codeToken(t, s, refreshForm(g.RefreshToken)); st != 200 {
		t.Fatalf("refresh after the access token expired: %d", st)
	}
}

// TestAuthorizationRefusals: an admin who declines, an unknown client, an
// unregistered redirect URI, and a de-authorization that revokes the grant
// and its access tokens but not Server-to-Server tokens.
func TestAuthorizationRefusals(t *testing.T) {
	s := start(t, zoomsim.Config{OAuthApp: zoomsim.OAuthAppConfig{RedirectURIs: []string{testRedirect}, InvalidGrantStatus: 401}})
	q := authorizeQuery("s")
	q.Set("client_id", "other")
	if st, _ := consent(t, s, q); st != 400 {
		t.Fatalf("unknown client: %d", st)
	}
	q = authorizeQuery("s")
	q.Set("redirect_uri", "http://127.0.0.1:1/elsewhere")
	if st, _ := consent(t, s, q); st != 400 {
		t.Fatalf("unregistered redirect URI: %d", st)
	}
	s.SetConsentRefused(true)
	if st, back := consent(t, s, authorizeQuery("s")); st != 302 || back.Get("error") != "access_denied" || back.Has("code") || back.Get("state") != "s" {
		t.Fatalf("declined consent: %d %v", st, back)
	}
	s.SetConsentRefused(false)
	_, back := consent(t, s, authorizeQuery("s"))
	_, g := codeToken(t, s, exchangeForm(back.Get("code"), testRedirect))
	_, s2s := tokenRequest(t, s, "sim-client", "sim-secret", goodForm(), nil)
	if n := s.Deauthorize(); n != 1 {
		t.Fatalf("Deauthorize revoked %d grants, want 1", n)
	}
	if st, r := codeToken(t, s, refreshForm(g.RefreshToken)); st != 401 || r.Reason != "Invalid Token!" {
		t.Fatalf("refresh after de-authorization: %d %+v", st, r)
	}
	if r := doAPI(t, s.APIURL()+"/v2/users/me", "GET", g.AccessToken, nil); r.status != 401 {
		t.Fatalf("the grant's access token after de-authorization: %d", r.status)
	}
	if r := doAPI(t, s.APIURL()+"/v2/users", "GET", s2s.AccessToken, nil); r.status != 200 {
		t.Fatalf("a Server-to-Server token after de-authorization: %d", r.status)
	}
	if st := s.OAuthStats(); st.RefusedRefreshes != 1 || st.Grants != 0 {
		t.Fatalf("OAuthStats %+v", st)
	}
}

// TestOAuthAdminAPI: the admin API declines consent, counts and
// de-authorizes.
func TestOAuthAdminAPI(t *testing.T) {
	s := start(t, zoomsim.Config{})
	post := func(path, body string) *http.Response {
		t.Helper()
		res, err := http.Post(s.APIURL()+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := post("/_sim/oauth/consent", `{"refuse":true}`); res.StatusCode != 204 {
		t.Fatalf("consent: %d", res.StatusCode)
	}
	if _, back := consent(t, s, authorizeQuery("a")); back.Get("error") != "access_denied" {
		t.Fatalf("after refuse: %v", back)
	}
	post("/_sim/oauth/consent", `{"refuse":false}`)
	_, back := consent(t, s, authorizeQuery("a"))
	_, g := codeToken(t, s, exchangeForm(back.Get("code"), testRedirect))
	if res := post("/_sim/app/deauthorize", ``); res.StatusCode != 200 {
		t.Fatalf("deauthorize: %d", res.StatusCode)
	}
	codeToken(t, s, refreshForm(g.RefreshToken))
	res, err := http.Get(s.APIURL() + "/_sim/oauth/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var st zoomsim.OAuthStats
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil || st.RefusedRefreshes != 1 || st.Exchanges != 1 || st.Grants != 0 {
		t.Fatalf("stats %+v %v", st, err)
	}
}

// TestOAuthAppFlags: the OAuth app's settings are flags of pbxlink zoomsim.
func TestOAuthAppFlags(t *testing.T) {
	var c zoomsim.Config
	fs := flag.NewFlagSet("zoomsim", flag.ContinueOnError)
	c.RegisterFlags(fs)
	if err := fs.Parse([]string{"--oauth-redirect-uris", testRedirect + ",https://x.example/cb", "--oauth-admin", "staff2@hotel.example", "--refuse-consent"}); err != nil {
		t.Fatal(err)
	}
	if len(c.OAuthApp.RedirectURIs) != 2 || c.OAuthApp.Admin != "staff2@hotel.example" || !c.OAuthApp.RefuseConsent {
		t.Fatalf("OAuthApp %+v", c.OAuthApp)
	}
}

// TestDeauthorizeAndNotify: removing the app revokes the grant, then Zoom
// posts a signed app_deauthorized for the account.
func TestDeauthorizeAndNotify(t *testing.T) {
	s := start(t, zoomsim.Config{})
	_, back := consent(t, s, authorizeQuery("a"))
	_, g := codeToken(t, s, exchangeForm(back.Get("code"), testRedirect))
	got := make(chan string, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("x-zm-signature") != zoomsim.SignWebhook("whsecret", r.Header.Get("x-zm-request-timestamp"), body) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		// The grant is revoked before Zoom tells the app.
		st, _ := codeToken(t, s, refreshForm(g.RefreshToken))
		got <- fmt.Sprintf("%d %s", st, body)
	}))
	defer hook.Close()
	reply, err := s.DeauthorizeAndNotify(context.Background(), hook.URL, "whsecret")
	if err != nil || reply.Status != 200 {
		t.Fatalf("reply %+v, %v", reply, err)
	}
	msg := <-got
	if !strings.HasPrefix(msg, "400 ") || !strings.Contains(msg, `"event":"app_deauthorized"`) || !strings.Contains(msg, `"account_id":"sim-account"`) {
		t.Fatalf("notification: %s", msg)
	}
}
