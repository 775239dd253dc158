package zoomsim

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// OAuthAppConfig configures the simulated account-level OAuth app (the
// authorization-code flow beside the Server-to-Server grant). It shares
// Config.ClientID and Config.ClientSecret with the Server-to-Server app.
type OAuthAppConfig struct {
	// RedirectURIs are the app's registered redirect URIs. Empty (the
	// default) accepts any http(s) URI, as if the one asked for were
	// registered.
	RedirectURIs []string
	// Admin is the user (ID or email) who consents on /oauth/authorize:
	// GET /users/me with the grant's tokens answers this user. Default
	// the seed's first staff user (staff1@hotel.example), else the
	// account's first user.
	Admin string
	// RefuseConsent makes the admin decline: /oauth/authorize redirects
	// with error=access_denied instead of a code. SetConsentRefused
	// changes it at run time.
	RefuseConsent bool
	// CodeTTL is how long an authorization code can be exchanged. Default
	// five minutes, as Zoom documents.
	CodeTTL time.Duration
	// RefreshTokenTTL is how long an unused refresh token stays valid.
	// Default 90 days.
	RefreshTokenTTL time.Duration
	// InvalidGrantStatus is the HTTP status of a refused refresh token or
	// code: 400 (default) or 401 (as reported).
	InvalidGrantStatus int
}

func (c OAuthAppConfig) withDefaults() OAuthAppConfig {
	if c.CodeTTL == 0 {
		c.CodeTTL = 5 * time.Minute
	}
	if c.RefreshTokenTTL == 0 {
		c.RefreshTokenTTL = 90 * 24 * time.Hour
	}
	if c.InvalidGrantStatus == 0 {
		c.InvalidGrantStatus = http.StatusBadRequest
	}
	return c
}

// Zoom's answers to a refused code or refresh token, as reported on Zoom's
// developer forum (the documentation gives no bodies): a code that is
// unknown, expired or used is "Invalid authorization code …"; a refresh
// token that was rotated out, expired or revoked is "Invalid Token!".
const (
	reasonInvalidCode    = "Invalid authorization code"
	reasonInvalidToken   = "Invalid Token!"
	reasonRedirectURI    = "Redirect URI mismatch."
	defaultAdminEmail    = "staff1@hotel.example"
	authorizeOperationID = "oauthAuthorize"
)

// OAuthStats counts the authorization-code app's traffic.
type OAuthStats struct {
	// Authorizations is the codes issued on /oauth/authorize.
	Authorizations int `json:"authorizations"`
	// Exchanges is the codes exchanged for a grant.
	Exchanges int `json:"exchanges"`
	// RefusedExchanges is the code exchanges refused (unknown, expired,
	// used, another redirect_uri).
	RefusedExchanges int `json:"refused_exchanges"`
	// Refreshes is the refresh_token grants answered with new tokens.
	Refreshes int `json:"refreshes"`
	// RefusedRefreshes is the refresh_token grants refused: a rotated-out,
	// unknown, expired or revoked refresh token. A fleet that shares one
	// grant correctly never causes one.
	RefusedRefreshes int `json:"refused_refreshes"`
	// Grants is the grants in force (not revoked).
	Grants int `json:"grants"`
}

// authCode is an issued authorization code.
type authCode struct {
	redirectURI string
	user        string // the consenting admin's user ID
	expires     time.Time
}

// codeGrant is one authorisation of the app: its current refresh token
// alone refreshes it.
type codeGrant struct {
	user    string
	refresh string // the current refresh token
	expires time.Time
}

// grantStore holds the codes and grants of the authorization-code app.
type grantStore struct {
	mu      sync.Mutex
	codes   map[string]*authCode
	byToken map[string]*codeGrant // current refresh token → grant
	refuse  bool
	stats   OAuthStats
}

func newGrantStore(refuse bool) *grantStore {
	return &grantStore{codes: map[string]*authCode{}, byToken: map[string]*codeGrant{}, refuse: refuse}
}

// serveAuthorize is GET /oauth/authorize: the admin's consent, simulated.
// A request Zoom would refuse outright (unknown client, unregistered
// redirect URI) gets an error page; otherwise the browser is redirected
// to redirect_uri with code and state, or with error=access_denied when
// the admin declines.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	q := r.URL.Query()
	e := Entry{Time: now, Listener: "oauth", Method: r.Method, Path: r.URL.Path, OperationID: authorizeOperationID, Query: redactValues(q)}
	status, location, refusal := s.authorize(q, now)
	e.Status, e.Duration = status, s.now().Sub(now)
	if location == "" {
		e.ResponseBody = marshal(refusal)
	}
	s.jrnl.add(e)
	if location != "" {
		w.Header().Set("Location", location)
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, refusal)
}

// authorize decides a consent request: a redirect location, or a status
// and a refusal.
func (s *Server) authorize(q url.Values, now time.Time) (int, string, oauthError) {
	if q.Get("client_id") != s.cfg.ClientID {
		return http.StatusBadRequest, "", oauthError{Reason: "Invalid client_id: " + q.Get("client_id"), Error: "invalid_client"}
	}
	redirect := q.Get("redirect_uri")
	u, err := url.Parse(redirect)
	if redirect == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(len(s.cfg.OAuthApp.RedirectURIs) > 0 && !slices.Contains(s.cfg.OAuthApp.RedirectURIs, redirect)) {
		return http.StatusBadRequest, "", oauthError{Reason: reasonRedirectURI, Error: "invalid_request"}
	}
	back := u.Query()
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	if q.Get("response_type") != "code" {
		back.Set("error", "unsupported_response_type")
		u.RawQuery = back.Encode()
		return http.StatusFound, u.String(), oauthError{}
	}
	admin := s.consentingAdmin()
	s.grants.mu.Lock()
	defer s.grants.mu.Unlock()
	if s.grants.refuse || admin == "" || s.faults.get().AppNotActivated {
		back.Set("error", "access_denied")
		u.RawQuery = back.Encode()
		return http.StatusFound, u.String(), oauthError{}
	}
	code := randomToken(24)
	s.grants.codes[code] = &authCode{redirectURI: redirect, user: admin, expires: now.Add(s.cfg.OAuthApp.CodeTTL)}
	s.grants.stats.Authorizations++
	back.Set("code", code)
	u.RawQuery = back.Encode()
	return http.StatusFound, u.String(), oauthError{}
}

// consentingAdmin is the user ID of the consenting admin, or "" when the account
// has no users.
func (s *Server) consentingAdmin() string {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	if ref := s.cfg.OAuthApp.Admin; ref != "" {
		if u := a.user(ref); u != nil {
			return u.ID
		}
		return ""
	}
	if u := a.user(defaultAdminEmail); u != nil {
		return u.ID
	}
	if len(a.users) > 0 {
		return a.users[0].ID
	}
	return ""
}

// codeGrantToken answers the authorization_code and refresh_token grants.
func (s *Server) codeGrantToken(params url.Values) (int, any) {
	now := s.now()
	bad := s.cfg.OAuthApp.InvalidGrantStatus
	g := s.grants
	g.mu.Lock()
	defer g.mu.Unlock()
	var user string
	switch params.Get("grant_type") {
	case "authorization_code":
		code := params.Get("code")
		c, ok := g.codes[code]
		switch {
		case !ok || !now.Before(c.expires):
			delete(g.codes, code)
			g.stats.RefusedExchanges++
			return bad, oauthError{Reason: reasonInvalidCode + " " + code, Error: "invalid_request"}
		case params.Get("redirect_uri") != c.redirectURI:
			// The code stays usable with the right URI.
			g.stats.RefusedExchanges++
			return bad, oauthError{Reason: reasonRedirectURI, Error: "invalid_request"}
		}
		delete(g.codes, code) // works once
		user = c.user
		// Authorizing again replaces the account's earlier grant.
		for rt, old := range g.byToken {
			if old.user == user {
				delete(g.byToken, rt)
			}
		}
		g.stats.Exchanges++
	default: // refresh_token
		rt := params.Get("refresh_token")
		old, ok := g.byToken[rt]
		if !ok || !now.Before(old.expires) {
			delete(g.byToken, rt)
			g.stats.RefusedRefreshes++
			return bad, oauthError{Reason: reasonInvalidToken, Error: "invalid_request"}
		}
		delete(g.byToken, rt) // rotated: the old token stops working
		user = old.user
		g.stats.Refreshes++
	}
	refresh := randomToken(48)
	g.byToken[refresh] = &codeGrant{user: user, refresh: refresh, expires: now.Add(s.cfg.OAuthApp.RefreshTokenTTL)}
	v, t := s.tokens.mintFor(now, s.cfg.TokenTTL, s.cfg.Scopes, false, user)
	resp := tokenResponse{
		AccessToken: v, TokenType: "bearer", RefreshToken: refresh, ExpiresIn: int(s.cfg.TokenTTL.Seconds()),
		Scope: strings.Join(t.scopes, " "),
	}
	if !s.cfg.OmitAPIURL {
		resp.APIURL = s.cfg.APIURLOverride
		if resp.APIURL == "" {
			resp.APIURL = s.APIURL()
		}
	}
	return http.StatusOK, resp
}

// SetConsentRefused makes the simulated admin decline (true) or accept
// (false) the next authorisations.
func (s *Server) SetConsentRefused(refuse bool) {
	s.grants.mu.Lock()
	s.grants.refuse = refuse
	s.grants.mu.Unlock()
}

// Deauthorize removes the authorization-code app from the account, as its
// admin does in the Zoom App Marketplace: every grant is revoked (its
// refresh token refused from now on) and every access token of a grant
// stops working. Zoom then sends app_deauthorized (see SendWebhook and
// DeauthorizedPayload). It reports how many grants were revoked.
func (s *Server) Deauthorize() int {
	s.grants.mu.Lock()
	n := len(s.grants.byToken)
	clear(s.grants.byToken)
	clear(s.grants.codes)
	s.grants.mu.Unlock()
	s.tokens.revokeGranted()
	return n
}

// DeauthorizeAndNotify is the admin removing the app as Zoom plays it out:
// Deauthorize, then app_deauthorized for the account, signed under secret,
// posted to url (the app's event subscription).
func (s *Server) DeauthorizeAndNotify(ctx context.Context, url, secret string) (WebhookReply, error) {
	s.Deauthorize()
	return SendWebhook(ctx, url, secret, EventAppDeauthorized, s.DeauthorizedPayload(s.cfg.AccountID))
}

// OAuthStats returns the authorization-code app's counters.
func (s *Server) OAuthStats() OAuthStats {
	s.grants.mu.Lock()
	defer s.grants.mu.Unlock()
	st := s.grants.stats
	st.Grants = len(s.grants.byToken)
	return st
}
