package zoom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// ErrGrantRevoked: Zoom refused the account-level OAuth app's refresh token
// or authorization code (rotated out by an earlier refresh, expired, or the
// app de-authorized). Only an admin authorising the app again (pbxlink
// authorize) helps. It refines ErrAccount: an error matching it also
// matches ErrAccount, so the worker pauses all Zoom work and charges no
// event an attempt.
var ErrGrantRevoked = errors.New("zoom: OAuth grant refused (authorise the app again)")

// Grant is what Zoom gives the account-level OAuth app for an authorization
// code or a refresh token: an access token and the refresh token that alone
// obtains the next one. Zoom rotates the refresh token on every use: the
// one this grant was refreshed with no longer works.
type Grant struct {
	// RefreshToken is the new refresh token; persist it before using
	// Token.
	RefreshToken string
	// Token is the access token, with its expiry, scope and api_url.
	Token Token
}

// AuthCodeConfig configures the account-level OAuth app (Zoom's
// authorization-code grant).
type AuthCodeConfig struct {
	// URL is the OAuth host: authorisation at URL + "/oauth/authorize",
	// tokens from URL + "/oauth/token". Default DefaultURL.
	URL string
	// ClientID and ClientSecret are the app's. Required.
	ClientID, ClientSecret string
	// RedirectURI is the app's registered redirect URI: Zoom sends the
	// admin's browser there with the code, and the exchange must name it
	// again. Required for AuthorizeURL and Exchange.
	RedirectURI string
	// HTTPClient makes the token requests. Default a client with a 30 s
	// timeout.
	HTTPClient *http.Client
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// WithDefaults returns a copy of c with every unset field at its default.
func (c AuthCodeConfig) WithDefaults() AuthCodeConfig {
	if c.URL == "" {
		c.URL = DefaultURL
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func (c AuthCodeConfig) validate() error {
	var errs []error
	if err := checkHTTPURL(c.URL); err != nil {
		errs = append(errs, fmt.Errorf("zoom: AuthCodeConfig.URL: %w", err))
	}
	if c.ClientID == "" {
		errs = append(errs, errors.New("zoom: AuthCodeConfig.ClientID is required"))
	}
	if c.ClientSecret == "" {
		errs = append(errs, errors.New("zoom: AuthCodeConfig.ClientSecret is required"))
	}
	if c.RedirectURI != "" {
		if err := checkHTTPURL(c.RedirectURI); err != nil {
			errs = append(errs, fmt.Errorf("zoom: AuthCodeConfig.RedirectURI: %w", err))
		}
	}
	return errors.Join(errs...)
}

// AuthCode exchanges authorization codes and refreshes grants of the
// account-level OAuth app. It keeps no state: the caller stores the grant
// (for a fleet: sealed in NATS, one refresher at a time) because every
// refresh rotates the refresh token.
type AuthCode struct {
	cfg AuthCodeConfig
	oc  oauth2.Config
}

// NewAuthCode returns the app's token client.
func NewAuthCode(cfg AuthCodeConfig) (*AuthCode, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	base := strings.TrimRight(cfg.URL, "/")
	return &AuthCode{cfg: cfg, oc: oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		RedirectURL:  cfg.RedirectURI,
		Endpoint: oauth2.Endpoint{
			AuthURL:   base + "/oauth/authorize",
			TokenURL:  base + "/oauth/token",
			AuthStyle: oauth2.AuthStyleInHeader,
		},
	}}, nil
}

// AuthorizeURL is the page where the account's admin authorises the app;
// Zoom then redirects to RedirectURI with code and state.
func (a *AuthCode) AuthorizeURL(state string) string {
	u, _ := url.Parse(a.oc.Endpoint.AuthURL)
	q := url.Values{"response_type": {"code"}, "client_id": {a.cfg.ClientID}}
	if a.cfg.RedirectURI != "" {
		q.Set("redirect_uri", a.cfg.RedirectURI)
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Exchange trades an authorization code (valid five minutes, once) for the
// first grant. A refused code is an *AuthError matching ErrGrantRevoked.
func (a *AuthCode) Exchange(ctx context.Context, code string) (*Grant, error) {
	if a.cfg.RedirectURI == "" {
		return nil, errors.New("zoom: AuthCodeConfig.RedirectURI is required to exchange a code")
	}
	if code == "" {
		return nil, errors.New("zoom: the authorization code is empty")
	}
	ot, err := a.oc.Exchange(a.ctx(ctx), code)
	if err != nil {
		return nil, grantError(err, code)
	}
	return a.grant(ot)
}

// Refresh trades the current refresh token for a new grant. Zoom rotates
// the refresh token: once this returns, refreshToken no longer works, so
// the caller must persist the new one before anything else. A refused
// refresh token (rotated out, expired, revoked) is an *AuthError matching
// ErrGrantRevoked; no answer, a 5xx or a 429 matches ErrRetryable (and
// may or may not have used the token up: Zoom gives no way to tell).
func (a *AuthCode) Refresh(ctx context.Context, refreshToken string) (*Grant, error) {
	if refreshToken == "" {
		return nil, errors.New("zoom: the refresh token is empty")
	}
	// An expired access token makes oauth2 refresh at once.
	ot, err := a.oc.TokenSource(a.ctx(ctx), &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		return nil, grantError(err, refreshToken)
	}
	if ot.RefreshToken == refreshToken {
		// oauth2 keeps the old refresh token when the answer has none;
		// Zoom always sends a new one, so this is not Zoom's answer.
		return nil, &AuthError{Status: http.StatusOK, Kind: "invalid_response", Reason: "the refresh answer carries no new refresh_token", Err: errors.New("no refresh_token")}
	}
	return a.grant(ot)
}

func (a *AuthCode) ctx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, a.cfg.HTTPClient)
}

func (a *AuthCode) grant(ot *oauth2.Token) (*Grant, error) {
	if ot.RefreshToken == "" {
		return nil, &AuthError{Status: http.StatusOK, Kind: "invalid_response", Reason: "the token answer carries no refresh_token", Err: errors.New("no refresh_token")}
	}
	g := &Grant{RefreshToken: ot.RefreshToken, Token: Token{AccessToken: ot.AccessToken, Expiry: ot.Expiry}}
	if v, ok := ot.Extra("api_url").(string); ok {
		g.Token.APIURL = v
	}
	if v, ok := ot.Extra("scope").(string); ok {
		g.Token.Scope = v
	}
	if g.Token.Expiry.IsZero() {
		g.Token.Expiry = a.cfg.Now().Add(time.Hour) // Zoom's tokens live an hour
	}
	return g, nil
}

// grantError is authError with refusals of the grant marked: any refusal
// but one of the client's credentials (invalid_client) or of the app (not
// activated) says the code or refresh token is dead. The credential is
// masked where Zoom's reason echoes it ("Invalid authorization code …").
func grantError(err error, credential string) error {
	err = authError(err)
	var ae *AuthError
	if !errors.As(err, &ae) {
		return err
	}
	ae.Reason = strings.ReplaceAll(ae.Reason, credential, mask)
	if errors.Is(ae, ErrAccount) && ae.Kind != "invalid_client" && ae.Reason != "The app is not activated" {
		ae.grant = true
	}
	return err
}

// StaticToken is a TokenSource of one token, for a one-off call such as
// GET /users/me right after an exchange. Invalidate does nothing: there is
// no other token to turn to.
type StaticToken struct{ T *Token }

// Token returns the token.
func (s StaticToken) Token(context.Context) (*Token, error) { return s.T, nil }

// Invalidate does nothing.
func (StaticToken) Invalidate(context.Context, *Token) error { return nil }
