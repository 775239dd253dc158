package zoom

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Token is a Server-to-Server access token with what Zoom said about it.
type Token struct {
	AccessToken string
	Expiry      time.Time
	// APIURL is the token response's api_url (the account's region), or
	// empty when Zoom did not send one.
	APIURL string
	// Scope is the space-separated list of granted scopes.
	Scope string
}

// TokenSource hands out access tokens. The client calls Invalidate when Zoom
// refuses a token (code 124 at any status, or 401), so that the next Token
// mints a new one. A fleet can share one token through its own TokenSource.
type TokenSource interface {
	Token(ctx context.Context) (*Token, error)
	// Invalidate drops t if it is still the current token. An error means
	// a shared store could not be updated; the next Token may then return
	// t again.
	Invalidate(ctx context.Context, t *Token) error
}

// S2SConfig configures Server-to-Server OAuth.
type S2SConfig struct {
	// URL is the OAuth host; tokens come from URL + "/oauth/token".
	URL                               string
	AccountID, ClientID, ClientSecret string
	// HTTPClient makes the token requests (the client's logging client).
	HTTPClient *http.Client
	// RefreshBefore is how long before expiry a token is replaced.
	// Default one minute.
	RefreshBefore time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// S2S mints tokens with the account_credentials grant and caches one until
// shortly before it expires. Only one mint runs at a time: concurrent callers
// wait for it rather than each minting a token (which, where Zoom lets a new
// token invalidate the older ones, would knock each other out).
type S2S struct {
	cfg S2SConfig
	oc  clientcredentials.Config
	sem chan struct{}
	mu  sync.Mutex
	tok *Token
}

// NewS2S returns a caching Server-to-Server token source.
func NewS2S(cfg S2SConfig) *S2S {
	if cfg.RefreshBefore <= 0 {
		cfg.RefreshBefore = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	s := &S2S{cfg: cfg, sem: make(chan struct{}, 1)}
	s.oc = clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		TokenURL:     strings.TrimRight(cfg.URL, "/") + "/oauth/token",
		EndpointParams: url.Values{
			"grant_type": {"account_credentials"},
			"account_id": {cfg.AccountID},
		},
		AuthStyle: oauth2.AuthStyleInHeader,
	}
	return s
}

// Token returns the cached token, or mints one.
func (s *S2S) Token(ctx context.Context) (*Token, error) {
	if t := s.cached(); t != nil {
		return t, nil
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.sem }()
	if t := s.cached(); t != nil { // minted while we waited
		return t, nil
	}
	t, err := s.Mint(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.tok = t
	s.mu.Unlock()
	return t, nil
}

func (s *S2S) cached() *Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.cfg.Now().Add(s.cfg.RefreshBefore).Before(s.tok.Expiry) {
		return s.tok
	}
	return nil
}

// Invalidate drops t if it is still the cached token.
func (s *S2S) Invalidate(_ context.Context, t *Token) error {
	s.mu.Lock()
	if s.tok != nil && t != nil && s.tok.AccessToken == t.AccessToken {
		s.tok = nil
	}
	s.mu.Unlock()
	return nil
}

// Mint asks Zoom for a new token, bypassing the cache: for a fleet that
// shares one token and caches it itself.
func (s *S2S) Mint(ctx context.Context) (*Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, s.cfg.HTTPClient)
	ot, err := s.oc.Token(ctx)
	if err != nil {
		return nil, authError(err)
	}
	t := &Token{AccessToken: ot.AccessToken, Expiry: ot.Expiry}
	if v, ok := ot.Extra("api_url").(string); ok {
		t.APIURL = v
	}
	if v, ok := ot.Extra("scope").(string); ok {
		t.Scope = v
	}
	if t.Expiry.IsZero() {
		// Zoom's tokens live an hour; a response without expires_in is
		// taken to mean the same.
		t.Expiry = s.cfg.Now().Add(time.Hour)
	}
	return t, nil
}

// authError turns an oauth2 failure into an AuthError carrying Zoom's
// "error" and "reason", never the request (which holds the secret).
func authError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return &AuthError{Err: err}
	}
	ae := &AuthError{Kind: re.ErrorCode, Err: errors.New("token request refused")}
	if re.Response != nil {
		ae.Status = re.Response.StatusCode
	}
	var body struct {
		Reason string `json:"reason"`
		Error  string `json:"error"`
	}
	if json.Unmarshal(re.Body, &body) == nil {
		ae.Reason = body.Reason
		if ae.Kind == "" {
			ae.Kind = body.Error
		}
	}
	if ae.Reason == "" {
		ae.Reason = re.ErrorDescription
	}
	return ae
}
