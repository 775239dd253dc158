package zoomsim

import (
	"crypto/subtle"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// oauthError is the body of a refused token request.
type oauthError struct {
	Reason string `json:"reason"`
	Error  string `json:"error"`
}

// tokenResponse is the body of a granted token request.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
	APIURL       string `json:"api_url,omitempty"`
}

// serveOAuth is the OAuth listener: POST /oauth/token with HTTP Basic
// client_id:client_secret and grant_type=account_credentials&account_id=…
// (Server-to-Server), authorization_code&code=…&redirect_uri=… or
// refresh_token&refresh_token=… (the account-level OAuth app) in the form
// body or the query string; and GET /oauth/authorize, the admin's consent.
func (s *Server) serveOAuth(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/oauth/authorize" && r.Method == http.MethodGet {
		s.serveAuthorize(w, r)
		return
	}
	now := s.now()
	body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	e := Entry{Time: now, Listener: "oauth", Method: r.Method, Path: r.URL.Path, OperationID: "oauthToken"}
	if form, err := url.ParseQuery(string(body)); err == nil {
		e.RequestBody = []byte(redactValues(form))
	}
	if q := r.URL.Query(); len(q) > 0 {
		e.Query = redactValues(q)
	}

	status, out := s.grant(r, body)
	data := marshal(out)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	e.Status, e.Duration = status, s.now().Sub(now)
	if tr, ok := out.(tokenResponse); ok {
		tr.AccessToken = "[redacted]"
		if tr.RefreshToken != "" {
			tr.RefreshToken = "[redacted]"
		}
		e.ResponseBody = marshal(tr)
	} else {
		e.ResponseBody = data
		if oe, ok := out.(oauthError); ok && oe.Reason == "The app is not activated" {
			e.Fault = "app_not_activated"
		} else if ok && strings.HasPrefix(oe.Reason, reasonInvalidCode) {
			oe.Reason = reasonInvalidCode + " [redacted]" // Zoom echoes the code
			e.ResponseBody = marshal(oe)
		}
	}
	s.jrnl.add(e) // before answering: the client that has its token finds the entry
	w.WriteHeader(status)
	_, _ = w.Write(data)
	s.log.Debug("zoomsim oauth", "method", r.Method, "path", r.URL.Path, "status", status)
}

// grant decides a token request: the status and a tokenResponse or an
// oauthError.
func (s *Server) grant(r *http.Request, body []byte) (int, any) {
	if r.URL.Path != "/oauth/token" {
		return http.StatusNotFound, oauthError{Reason: "Not Found", Error: "invalid_request"}
	}
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, oauthError{Reason: "Method Not Allowed", Error: "invalid_request"}
	}
	params := r.URL.Query()
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/x-www-form-urlencoded") {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return http.StatusBadRequest, oauthError{Reason: "Invalid request body", Error: "invalid_request"}
		}
		for k, v := range form {
			params[k] = append(v, params[k]...)
		}
	}
	id, secret, ok := r.BasicAuth()
	if !ok || subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) != 1 {
		return s.cfg.InvalidClientStatus, oauthError{Reason: "Invalid client_id or client_secret", Error: "invalid_client"}
	}
	gt := params.Get("grant_type")
	if gt != "account_credentials" && gt != "authorization_code" && gt != "refresh_token" {
		return http.StatusBadRequest, oauthError{Reason: "Unsupported grant type", Error: "unsupported_grant_type"}
	}
	if gt != "account_credentials" {
		if f := s.faults.get(); f.AppNotActivated {
			return http.StatusBadRequest, oauthError{Reason: "The app is not activated", Error: "invalid_request"}
		}
		return s.codeGrantToken(params)
	}
	if params.Get("account_id") != s.cfg.AccountID || s.faults.get().AccountDeleted {
		return http.StatusBadRequest, oauthError{Reason: "Account does not exist", Error: "invalid_request"}
	}
	if s.faults.get().AppNotActivated {
		return http.StatusBadRequest, oauthError{Reason: "The app is not activated", Error: "invalid_request"}
	}
	v, t := s.tokens.mint(s.now(), s.cfg.TokenTTL, s.cfg.Scopes, s.cfg.TokenMode == TokenModeLatestOnly)
	resp := tokenResponse{
		AccessToken: v, TokenType: "bearer", ExpiresIn: int(s.cfg.TokenTTL.Seconds()),
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
