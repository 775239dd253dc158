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
	hc := PacketLogging(cfg.HTTPClient, cfg.Logger, cfg.ClientSecret)
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

// PacketLogging returns a copy of hc that logs every request and response
// to log at debug level, with the Authorization header, tokens and secret
// masked. New uses it; give it to an S2S that mints for a fleet, so that
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
	out.Transport = &packetLogger{next: base, log: log, secret: secret}
	return &out
}

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

// apiBase is the token's region, else the default API URL, plus /v2.
func (c *Client) apiBase(t *Token) string {
	base := c.cfg.DefaultAPIURL
	if t.APIURL != "" && checkHTTPURL(t.APIURL) == nil {
		base = t.APIURL
	}
	return strings.TrimRight(base, "/") + "/v2"
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
		if err := c.cfg.Limiter.Wait(ctx, c.bucket(r.op)); err != nil {
			return err
		}
		status, err := c.send(ctx, r, tok, payload, out)
		var ae *APIError
		if status == http.StatusUnauthorized && attempt == 0 && errors.As(err, &ae) {
			c.tokens.Invalidate(tok)
			continue
		}
		if status == http.StatusTooManyRequests && r.op != OpSetPresence && errors.As(err, &ae) {
			// The account's limit is shared with other apps: hold the whole
			// bucket until Zoom's time. A presence 429 is more likely the
			// per-user rule, which must not stall every other user.
			c.cfg.Limiter.Backoff(c.bucket(r.op), ae.RetryAt)
		}
		return err
	}
}

// send performs the HTTP exchange and reports the status (0 if none).
func (c *Client) send(ctx context.Context, r request, tok *Token, payload []byte, out any) (status int, err error) {
	start := c.cfg.Now()
	defer func() {
		if c.cfg.OnCall != nil {
			c.cfg.OnCall(Call{Op: r.op, Status: status, Duration: c.cfg.Now().Sub(start), Err: err})
		}
	}()
	u := c.apiBase(tok) + r.path()
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
	now := c.cfg.Now()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Daily = strings.EqualFold(resp.Header.Get("X-RateLimit-Type"), "Daily-limit") ||
			strings.Contains(strings.ToLower(e.Message), "daily")
		at, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now)
		switch {
		case ok:
			e.RetryAt = at
		case e.Daily:
			e.RetryAt = nextUTCMidnight(now)
		default:
			e.RetryAt = now.Add(c.cfg.DefaultRetryAfter)
		}
		if !e.RetryAt.After(now) {
			e.RetryAt = now.Add(c.cfg.DefaultRetryAfter)
		}
	case op == OpSetPresence && e.Code == 5301:
		// Zoom refuses a presence change within a minute of the last one.
		e.RetryAt = now.Add(c.cfg.PresenceInterval)
	}
	return e
}
