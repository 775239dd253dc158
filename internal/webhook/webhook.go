// Package webhook receives Zoom's event notifications (webhooks) for
// pbxlink: it answers Zoom's endpoint validation, refuses any request not
// signed with the app's secret token or signed more than a few minutes
// away from now, and hands a de-authorization of the configured account to
// the caller, which stops the fleet's Zoom work and erases guest data.
//
// Zoom signs each request with x-zm-signature: "v0=" and the hex
// HMAC-SHA256, under the secret token, of "v0:<x-zm-request-timestamp>:<raw
// body>". The timestamp bounds replays; the signature is compared in
// constant time.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Zoom's names for the events and headers this package handles.
const (
	EventURLValidation   = "endpoint.url_validation"
	EventAppDeauthorized = "app_deauthorized"
	HeaderSignature      = "x-zm-signature"
	HeaderTimestamp      = "x-zm-request-timestamp"
)

// Defaults of Config.
const (
	DefaultTolerance = 5 * time.Minute
	DefaultMaxBody   = 64 << 10
)

// Errors a refused or ignored request is reported with (Config.OnError),
// matched with errors.Is.
var (
	ErrSignature    = errors.New("webhook: x-zm-signature missing or wrong")
	ErrTimestamp    = errors.New("webhook: x-zm-request-timestamp missing or too far from now")
	ErrBody         = errors.New("webhook: body too large or not a Zoom notification")
	ErrOtherAccount = errors.New("webhook: app_deauthorized for another account; ignored")
)

// Deauthorization is Zoom's app_deauthorized notification: the account's
// admin removed the app, and the account's data must be deleted.
type Deauthorization struct {
	AccountID string `json:"account_id"`
	UserID    string `json:"user_id"`
	ClientID  string `json:"client_id"`
	// Time is Zoom's deauthorization_time, as sent (not parsed: an odd
	// format must not lose the notification).
	Time string `json:"deauthorization_time"`
}

// Config configures a Handler.
type Config struct {
	// Secret is the Zoom app's webhook secret token. Required.
	Secret string
	// AccountID is the Zoom account pbxlink serves: a de-authorization of
	// any other account is ignored. Required.
	AccountID string
	// OnDeauthorized acts on a de-authorization of AccountID; its error
	// answers 500, so that Zoom sends the notification again. It runs
	// within Zoom's wait for the answer (3 s): it should do the urgent part
	// and leave the rest to run on. Required.
	OnDeauthorized func(context.Context, Deauthorization) error
	// OnError, when set, is told of every request refused or ignored, and
	// of OnDeauthorized's errors (for the log; it never holds the secret).
	OnError func(error)
	// Tolerance is how far the request's timestamp may be from now.
	// Default DefaultTolerance.
	Tolerance time.Duration
	// MaxBody bounds the request body, in bytes. Default DefaultMaxBody.
	MaxBody int64
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// WithDefaults returns c with its zero fields defaulted.
func (c Config) WithDefaults() Config {
	if c.Tolerance == 0 {
		c.Tolerance = DefaultTolerance
	}
	if c.MaxBody == 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.OnError == nil {
		c.OnError = func(error) {}
	}
	return c
}

func (c Config) validate() error {
	var errs []error
	if c.Secret == "" {
		errs = append(errs, errors.New("webhook: Config.Secret is required"))
	}
	if c.AccountID == "" {
		errs = append(errs, errors.New("webhook: Config.AccountID is required"))
	}
	if c.OnDeauthorized == nil {
		errs = append(errs, errors.New("webhook: Config.OnDeauthorized is required"))
	}
	if c.Tolerance < 0 {
		errs = append(errs, fmt.Errorf("webhook: Config.Tolerance %v: must not be negative", c.Tolerance))
	}
	if c.MaxBody < 0 {
		errs = append(errs, fmt.Errorf("webhook: Config.MaxBody %d: must not be negative", c.MaxBody))
	}
	return errors.Join(errs...)
}

// Handler serves Zoom's notifications (POST; the caller routes them).
type Handler struct {
	cfg Config
}

// New returns a Handler for cfg.
func New(cfg Config) (*Handler, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Handler{cfg: cfg}, nil
}

// notification is the envelope of every Zoom event.
type notification struct {
	Event   string          `json:"event"`
	Payload json.RawMessage `json:"payload"`
}

// ServeHTTP checks the request and handles the event: 401 for a wrong
// signature or timestamp, 413 for a body over MaxBody, 400 for one that is
// no notification, 200 otherwise (events other than the two handled are
// acknowledged and ignored).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.refuse(w, http.StatusRequestEntityTooLarge, fmt.Errorf("%w: over %d bytes", ErrBody, h.cfg.MaxBody))
			return
		}
		h.refuse(w, http.StatusBadRequest, fmt.Errorf("%w: %v", ErrBody, err))
		return
	}
	if err := h.verify(r.Header, body); err != nil {
		h.refuse(w, http.StatusUnauthorized, err)
		return
	}
	var n notification
	if err := json.Unmarshal(body, &n); err != nil || n.Event == "" {
		h.refuse(w, http.StatusBadRequest, fmt.Errorf("%w: no event", ErrBody))
		return
	}
	switch n.Event {
	case EventURLValidation:
		h.validateURL(w, n.Payload)
	case EventAppDeauthorized:
		h.deauthorized(w, r.Context(), n.Payload)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// verify checks the timestamp and the signature of a request.
func (h *Handler) verify(hd http.Header, body []byte) error {
	ts := hd.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrTimestamp
	}
	if off := h.cfg.Now().Sub(time.Unix(sec, 0)); off > h.cfg.Tolerance || off < -h.cfg.Tolerance {
		return fmt.Errorf("%w: %v off", ErrTimestamp, off.Round(time.Second))
	}
	if !hmac.Equal([]byte(hd.Get(HeaderSignature)), []byte(Sign(h.cfg.Secret, ts, body))) {
		return ErrSignature
	}
	return nil
}

// Sign is the x-zm-signature of body sent at timestamp (Unix seconds).
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + timestamp + ":"))
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// validateURL answers endpoint.url_validation: the plain token and its
// HMAC-SHA256 under the secret, in hex.
func (h *Handler) validateURL(w http.ResponseWriter, payload json.RawMessage) {
	var p struct {
		PlainToken string `json:"plainToken"`
	}
	if json.Unmarshal(payload, &p) != nil || p.PlainToken == "" {
		h.refuse(w, http.StatusBadRequest, fmt.Errorf("%w: url_validation without plainToken", ErrBody))
		return
	}
	m := hmac.New(sha256.New, []byte(h.cfg.Secret))
	m.Write([]byte(p.PlainToken))
	b, _ := json.Marshal(map[string]string{"plainToken": p.PlainToken, "encryptedToken": hex.EncodeToString(m.Sum(nil))})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// deauthorized acts on app_deauthorized for the configured account.
func (h *Handler) deauthorized(w http.ResponseWriter, ctx context.Context, payload json.RawMessage) {
	var d Deauthorization
	if err := json.Unmarshal(payload, &d); err != nil || d.AccountID == "" {
		h.refuse(w, http.StatusBadRequest, fmt.Errorf("%w: app_deauthorized without account_id", ErrBody))
		return
	}
	if d.AccountID != h.cfg.AccountID {
		h.cfg.OnError(fmt.Errorf("%w: %s", ErrOtherAccount, d.AccountID))
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := h.cfg.OnDeauthorized(ctx, d); err != nil {
		h.refuse(w, http.StatusInternalServerError, fmt.Errorf("webhook: acting on app_deauthorized: %w", err))
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) refuse(w http.ResponseWriter, status int, err error) {
	h.cfg.OnError(err)
	http.Error(w, http.StatusText(status), status)
}
