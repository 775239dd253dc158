package zoom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client calls the Zoom REST API for one account. It is safe for concurrent
// use.
type Client struct {
	cfg    Config
	http   *http.Client
	tokens TokenSource

	mu           sync.Mutex
	presenceNext map[string]time.Time // user id → earliest next presence change
}

// maxBody bounds what the client reads of one response.
const maxBody = 32 << 20

// New returns a client. It makes no call until one is needed.
func New(cfg Config) (*Client, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	hc := PacketLogging(pooled(cfg.HTTPClient, cfg.MaxIdleConnsPerHost), cfg.Logger, cfg.ClientSecret)
	c := &Client{cfg: cfg, http: hc, presenceNext: map[string]time.Time{}}
	c.tokens = cfg.TokenSource
	if c.tokens == nil {
		c.tokens = NewS2S(S2SConfig{
			URL: cfg.URL, AccountID: cfg.AccountID, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			HTTPClient: hc, Now: cfg.Now,
		})
	}
	return c, nil
}

// pooled returns hc, or a copy whose transport keeps at least n idle
// connections per host, so that n concurrent calls reuse their TLS
// connections instead of handshaking again. A transport that is not an
// *http.Transport is left alone.
func pooled(hc *http.Client, n int) *http.Client {
	tr, ok := hc.Transport.(*http.Transport)
	switch {
	case hc.Transport == nil:
		tr = http.DefaultTransport.(*http.Transport).Clone()
	case !ok || tr.MaxIdleConnsPerHost >= n:
		return hc
	default:
		tr = tr.Clone()
	}
	tr.MaxIdleConnsPerHost = n
	if tr.MaxIdleConns != 0 && tr.MaxIdleConns < n {
		tr.MaxIdleConns = n
	}
	out := *hc
	out.Transport = tr
	return &out
}

// PacketLogging returns a copy of hc that logs every request and response
// to log at debug level, with the Authorization header, tokens and secret
// masked, and that follows no redirect (a redirect would re-send the bearer
// token or guest names to wherever it points; the 3xx answer is returned
// as is). New uses it; give it to an S2S that mints for a fleet, so that
// token requests are logged the same way.
func PacketLogging(hc *http.Client, log *slog.Logger, secret string) *http.Client {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	out := *hc
	out.Transport = &packetLogger{next: base, log: log, secret: secret, limit: maxBody}
	out.CheckRedirect = refuseRedirect
	return &out
}

// refuseRedirect makes an http.Client return a redirect answer instead of
// following it.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Grants obtains a token (minting one if needed) and reports what its scope
// allows. The worker calls it at start-up; a ScopeError comes back when
// required scopes are missing.
func (c *Client) Grants(ctx context.Context) (Grants, error) {
	t, err := c.tokens.Token(ctx)
	if err != nil {
		return Grants{}, err
	}
	g := ParseGrants(t.Scope)
	if len(g.Missing) > 0 {
		return g, &ScopeError{Missing: g.Missing}
	}
	return g, nil
}

// bucket is what a call of op is charged to.
func (c *Client) bucket(op Operation) Bucket {
	if c.cfg.ExactCategories {
		return op.Bucket()
	}
	return Bucket{op.Family, Medium}
}

// apiBase is the token's region, else the default API URL, plus /v2. The
// token's api_url must be https on a zoom.us host unless the Zoom URL was
// overridden (a simulator, a test): the token goes wherever it says.
func (c *Client) apiBase(t *Token) (string, error) {
	base := c.cfg.DefaultAPIURL
	if t.APIURL != "" {
		if !c.trustedAPIURL(t.APIURL) {
			return "", &APIURLError{URL: t.APIURL}
		}
		base = t.APIURL
	}
	return strings.TrimRight(base, "/") + "/v2", nil
}

// trustedAPIURL reports whether api_url may receive the token.
func (c *Client) trustedAPIURL(s string) bool {
	if checkHTTPURL(s) != nil {
		return false
	}
	if strings.TrimRight(c.cfg.URL, "/") != DefaultURL {
		return true
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.User != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	return host == "zoom.us" || strings.HasSuffix(host, ".zoom.us")
}

// request is one API call to make.
type request struct {
	op    Operation
	args  []string // values for the path's {placeholders}, in order
	query url.Values
	body  any
}

// path fills the operation's path template.
func (r request) path() string {
	p := r.op.Path
	for _, a := range r.args {
		i := strings.IndexByte(p, '{')
		j := strings.IndexByte(p, '}')
		if i < 0 || j < i {
			break
		}
		p = p[:i] + url.PathEscape(a) + p[j+1:]
	}
	return p
}

// do makes one call: limiter, token, request, classification. A 401 with an
// invalid token drops the token and tries once more with a new one. out, if
// not nil, receives the decoded JSON answer.
func (c *Client) do(ctx context.Context, r request, out any) error {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("zoom %s: encode request: %w", r.op.ID, err)
		}
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return err
		}
		base, err := c.apiBase(tok)
		if err != nil {
			return err
		}
		if SharesDailyCap(r.op.Category) {
			if err := c.cfg.Limiter.Wait(ctx, DailyBucket(r.op.Family)); err != nil {
				return err
			}
		}
		answered, err := admit(ctx, c.cfg.Limiter, c.bucket(r.op))
		if err != nil {
			return err
		}
		status, err := c.send(ctx, base, r, tok, payload, out, answered)
		var ae *APIError
		if attempt == 0 && errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Code == CodeInvalidToken) {
			// Code 124 at any status (401 "Invalid access token.", 400
			// "Access token is expired.") is about the token: drop it and
			// try once more with a new one.
			if ierr := c.tokens.Invalidate(ctx, tok); ierr != nil {
				return fmt.Errorf("zoom %s: drop the refused token: %w", r.op.ID, ierr)
			}
			continue
		}
		if status == http.StatusTooManyRequests && errors.As(err, &ae) {
			if berr := c.backoff(ctx, r.op, ae); berr != nil {
				return fmt.Errorf("%w (pause not recorded: %v)", err, berr)
			}
		}
		return err
	}
}

// backoff holds the bucket that Zoom's 429 speaks of until its time. A
// daily limit holds the family's daily bucket of Heavy and
// Resource-intensive calls, never the Medium budget that every call is
// charged to, so Light and Medium work goes on. A presence 429 that is not
// the account's per-second or daily limit is the per-user rule, which must
// not stall every other user.
func (c *Client) backoff(ctx context.Context, op Operation, ae *APIError) error {
	b := c.bucket(op)
	switch {
	case ae.Daily && SharesDailyCap(op.Category):
		b = DailyBucket(op.Family)
	case op == OpSetPresence && !strings.Contains(strings.ToLower(ae.Message), "rate limit"):
		return nil
	}
	return c.cfg.Limiter.Backoff(ctx, b, ae.RetryAt)
}

// send performs the HTTP exchange and reports the status (0 if none). It
// calls answered (the limiter's, see ArrivalLimiter) as soon as the
// answer's headers or the transport's failure are in.
func (c *Client) send(ctx context.Context, base string, r request, tok *Token, payload []byte, out any, answered func()) (status int, err error) {
	start := c.cfg.Now()
	defer func() {
		if c.cfg.OnCall != nil {
			c.cfg.OnCall(Call{Op: r.op, Status: status, Duration: c.cfg.Now().Sub(start), Err: err})
		}
	}()
	u := base + r.path()
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.op.Method, u, body)
	if err != nil {
		return 0, fmt.Errorf("zoom %s: %w", r.op.ID, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	answered()
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, &TransportError{Op: r.op.ID, Err: scrubURLError(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return resp.StatusCode, &TransportError{Op: r.op.ID, Err: fmt.Errorf("read response: %w", err)}
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, c.apiError(r.op, resp, data)
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, &TransportError{Op: r.op.ID, Err: fmt.Errorf("decode response: %w", err)}
		}
	}
	return resp.StatusCode, nil
}

// scrubURLError drops the URL from a *url.Error: ours carry no secret, but an
// error string has no business repeating a query either.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// apiError reads Zoom's error body and headers.
func (c *Client) apiError(op Operation, resp *http.Response, data []byte) error {
	e := &APIError{Op: op.ID, Status: resp.StatusCode}
	var body struct {
		Code    int          `json:"code"`
		Message string       `json:"message"`
		Errors  []FieldError `json:"errors"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Code, e.Message, e.Fields = body.Code, body.Message, body.Errors
	} else if len(data) > 0 {
		e.Message = strings.TrimSpace(string(data[:min(len(data), 200)]))
	}
	if resp.StatusCode/100 == 3 && e.Message == "" {
		e.Message = "Zoom answered with a redirect, which pbxlink does not follow"
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		return e
	}
	now := c.cfg.Now()
	e.Daily = strings.EqualFold(resp.Header.Get("X-RateLimit-Type"), "Daily-limit") ||
		strings.Contains(strings.ToLower(e.Message), "daily")
	at, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now)
	switch {
	case ok:
	case e.Daily:
		at = nextUTCMidnight(now)
	case op == OpSetPresence:
		// Zoom's per-user rule: one change a minute. Its 429 often
		// comes without Retry-After.
		at = now.Add(c.cfg.PresenceInterval)
	default:
		at = now.Add(c.cfg.DefaultRetryAfter)
	}
	if !at.After(now) {
		at = now.Add(c.cfg.DefaultRetryAfter)
	}
	e.RetryAt = capRetryAt(at, e.Daily, now)
	return e
}
