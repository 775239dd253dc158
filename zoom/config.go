package zoom

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// Config configures a Client. Zero values take the documented defaults.
type Config struct {
	// URL is Zoom's OAuth host. Default DefaultURL. While it is the
	// default, the token's api_url must be https on a zoom.us host.
	URL string
	// AccountID, ClientID and ClientSecret identify the Server-to-Server
	// OAuth app. Required unless TokenSource is set.
	AccountID, ClientID, ClientSecret string
	// DefaultAPIURL is where API calls go when the token response names no
	// api_url. Default "https://api.zoom.us". "/v2" is appended.
	DefaultAPIURL string

	// Plan selects Zoom's rate limits. Default PlanPro.
	Plan Plan
	// ExactCategories charges every call to its own rate-limit category
	// (Zoom's "Rate Limit Label") instead of Medium. Default false: every
	// change is budgeted at the Medium rate, as hospitality vendors do.
	ExactCategories bool
	// Limiter paces calls. Default a LocalLimiter for Plan.
	Limiter Limiter
	// TokenSource supplies access tokens. Default an S2S source over URL
	// and the credentials, through HTTPClient.
	TokenSource TokenSource

	// HTTPClient sends the requests. Default a client with a 30 s timeout.
	// Redirects are never followed.
	HTTPClient *http.Client
	// MaxIdleConnsPerHost is the least number of idle connections to Zoom
	// the transport keeps: at least the number of concurrent calls, so that
	// calls do not handshake TLS again. Default 32.
	MaxIdleConnsPerHost int
	// Logger receives packet logs at debug level, and nothing else. Put a
	// slog.LevelVar behind its handler to switch packet logging at run
	// time. Default: discard.
	Logger *slog.Logger
	// OnCall, when set, is called after every API call (for metrics).
	OnCall func(Call)

	// DefaultRetryAfter is the wait after a 429 that names no time.
	// Default one second (Zoom's per-second window).
	DefaultRetryAfter time.Duration
	// PresenceInterval is Zoom's per-user limit on presence changes, and
	// the wait after a presence 429 that names no time. Default one minute.
	PresenceInterval time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// DefaultURL is Zoom's OAuth host.
const DefaultURL = "https://zoom.us"

// Call describes one finished API call, for the OnCall hook.
type Call struct {
	Op       Operation
	Status   int // 0 when no answer came
	Duration time.Duration
	Err      error
}

// WithDefaults returns a copy of c with every unset field at its default.
func (c Config) WithDefaults() Config {
	if c.URL == "" {
		c.URL = DefaultURL
	}
	if c.MaxIdleConnsPerHost <= 0 {
		c.MaxIdleConnsPerHost = 32
	}
	if c.DefaultAPIURL == "" {
		c.DefaultAPIURL = "https://api.zoom.us"
	}
	if c.Plan == "" {
		c.Plan = PlanPro
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.DefaultRetryAfter <= 0 {
		c.DefaultRetryAfter = time.Second
	}
	if c.PresenceInterval <= 0 {
		c.PresenceInterval = time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Limiter == nil {
		c.Limiter = NewLocalLimiter(LimiterConfig{Plan: c.Plan, Now: c.Now})
	}
	return c
}

func (c Config) validate() error {
	var errs []error
	for _, f := range []struct{ name, v string }{{"URL", c.URL}, {"DefaultAPIURL", c.DefaultAPIURL}} {
		if err := checkHTTPURL(f.v); err != nil {
			errs = append(errs, fmt.Errorf("zoom: Config.%s: %w", f.name, err))
		}
	}
	if _, err := ParsePlan(string(c.Plan)); err != nil {
		errs = append(errs, fmt.Errorf("zoom: Config.Plan: %w", err))
	}
	if c.TokenSource == nil {
		for _, f := range []struct{ name, v string }{{"AccountID", c.AccountID}, {"ClientID", c.ClientID}, {"ClientSecret", c.ClientSecret}} {
			if f.v == "" {
				errs = append(errs, fmt.Errorf("zoom: Config.%s is required", f.name))
			}
		}
	}
	return errors.Join(errs...)
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}
