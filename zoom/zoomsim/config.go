package zoomsim

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// TokenMode says how many access tokens of the app are valid at once.
type TokenMode string

const (
	// TokenModeMany keeps every unexpired token valid, as Zoom documents
	// today.
	TokenModeMany TokenMode = "many"
	// TokenModeLatestOnly invalidates the app's older tokens whenever a new
	// one is minted, as Zoom staff described it in 2022-2023: replicas that
	// each mint their own token knock each other out.
	TokenModeLatestOnly TokenMode = "latest-only"
)

// PresenceAnswer is how the simulator refuses a presence change that comes
// less than PresenceInterval after the user's previous one. Zoom documents the
// limit but not the answer.
type PresenceAnswer string

const (
	// PresenceAnswer429 answers 429 with the per-second body and a
	// Retry-After until the change is allowed.
	PresenceAnswer429 PresenceAnswer = "429"
	// PresenceAnswer5301 answers 400 code 5301 "Request to update the
	// presence status of this user failed.".
	PresenceAnswer5301 PresenceAnswer = "5301"
)

// RetryAfterFormat is how a per-second 429 expresses Retry-After. Zoom has
// been seen sending each of them.
type RetryAfterFormat string

const (
	// RetryAfterSeconds is an integer number of seconds, at least 1.
	RetryAfterSeconds RetryAfterFormat = "seconds"
	// RetryAfterHTTPDate is an HTTP date (RFC 1123, GMT).
	RetryAfterHTTPDate RetryAfterFormat = "http-date"
	// RetryAfterRFC3339 is an RFC 3339 time in UTC.
	RetryAfterRFC3339 RetryAfterFormat = "rfc3339"
	// RetryAfterNone leaves Retry-After out (the X-RateLimit-* headers
	// stay), as some of Zoom's 429s do.
	RetryAfterNone RetryAfterFormat = "none"
)

// DefaultBannedWords are the words refused in names when Config.BannedWords
// is nil.
var DefaultBannedWords = []string{"banned", "forbiddenword"}

// Config configures a Server. The zero value is usable: every field has a
// documented default, applied by WithDefaults.
type Config struct {
	// OAuthListen and APIListen are the addresses of the two listeners: the
	// OAuth host (POST /oauth/token) and the API host (/v2/..., /_sim/...).
	// They differ so that a client must follow the token's api_url.
	// Default "127.0.0.1:0" (a free port) for both.
	OAuthListen, APIListen string

	// AccountID, ClientID and ClientSecret are the Server-to-Server OAuth
	// app's credentials. Defaults "sim-account", "sim-client", "sim-secret".
	AccountID, ClientID, ClientSecret string
	// Scopes are the granular scopes granted to the app. Default: every
	// scope of zoom.RequiredScopes and each zoom.Feature's Scopes.
	Scopes []string
	// TokenTTL is a token's lifetime, sent as expires_in. Default 3599s.
	TokenTTL time.Duration
	// TokenMode says whether older tokens survive a new one. Default
	// TokenModeMany.
	TokenMode TokenMode
	// OmitAPIURL leaves api_url out of the token response (whether Zoom
	// always sends it is unconfirmed).
	OmitAPIURL bool
	// APIURLOverride, when set, is sent as api_url instead of APIURL(). It is
	// needed when the API handler is served by something other than Start.
	APIURLOverride string
	// OAuthApp configures the account-level OAuth app (authorization
	// code, refresh-token rotation).
	OAuthApp OAuthAppConfig
	// InvalidClientStatus is the HTTP status of a token request with bad
	// client credentials: 400 (default, as documented) or 401 (as
	// reported).
	InvalidClientStatus int

	// Plan selects Zoom's rate-limit table. Default zoom.PlanPro.
	Plan zoom.Plan
	// Limits overrides the plan's limit of some buckets (Count per Per on
	// a sliding window; a Daily above 0 caps that bucket alone, except that
	// Heavy and Resource-intensive share their family's daily cap:
	// MainDailyShared, PhoneDailyShared).
	Limits map[zoom.Bucket]zoom.Limit
	// MainDailyShared overrides the daily cap that Heavy and
	// Resource-intensive calls of the main API share. 0 (default) means
	// zoom.DailyShared(Plan).
	MainDailyShared int
	// PhoneDailyShared overrides the daily cap that Heavy and
	// Resource-intensive calls of the Phone API share. 0 (default) means
	// the Daily of the plan's (or Limits') phone Heavy limit.
	PhoneDailyShared int
	// Unlimited switches rate limiting off entirely (pipeline benchmarks).
	Unlimited bool
	// NoDailyLimits switches the daily caps off; the per-second and
	// per-minute limits stay. Default false: daily caps are enforced.
	NoDailyLimits bool
	// OmitRateLimitHeaders answers 429 without X-RateLimit-* and
	// Retry-After headers, as Zoom sometimes does.
	OmitRateLimitHeaders bool
	// RateLimitTypeQPS is the X-RateLimit-Type of a per-second 429 (Zoom's
	// value is unconfirmed). Default "QPS".
	RateLimitTypeQPS string
	// RetryAfter is the format of Retry-After on a per-second 429 (and the
	// per-user presence 429). Default RetryAfterSeconds. (A daily 429
	// always carries an RFC 3339 time: the next 00:00 UTC.)
	RetryAfter RetryAfterFormat
	// ExpiredToken400 answers a call with an expired token 400 code 124
	// "Access token is expired." (documented on GET /users) instead of 401
	// code 124 "Invalid access token.".
	ExpiredToken400 bool

	// PresenceInterval is the least time between two presence changes of
	// one user. Default one minute.
	PresenceInterval time.Duration
	// PresenceAnswer is the answer to a change that comes too soon. Default
	// PresenceAnswer429: 429 "Too many requests submitted to update the
	// presence status of this user. Please wait…".
	PresenceAnswer PresenceAnswer
	// OmitPresenceHeaders sends the per-user presence 429 without
	// Retry-After and X-RateLimit-* headers, as Zoom sometimes does.
	OmitPresenceHeaders bool

	// BannedWords are words Zoom refuses in names (case-insensitive
	// substring): PATCH of a user, device or common area whose name
	// contains one gets 400 code 300. Default (nil) DefaultBannedWords; an
	// empty, non-nil list bans nothing.
	BannedWords []string
	// DeriveDisplayNameWhenAbsent makes PATCH /users/{userId} recompute
	// display_name from first_name and last_name when the body changes a
	// name but has no display_name. By default only an empty display_name
	// is derived, as documented; an absent one is left alone.
	DeriveDisplayNameWhenAbsent bool
	// ClampPageSize answers a page_size above an operation's maximum with
	// a page of the maximum size. By default such a request is refused with
	// 400 code 300, the stricter reading of the schema's maximum.
	ClampPageSize bool
	// PageTokenTTL is how long a next_page_token stays valid. Default 15
	// minutes.
	PageTokenTTL time.Duration

	// Seed describes the hotel to create. Default DefaultSeed(), unless
	// SeedFile is set.
	Seed *Seed
	// SeedFile is a JSON account description (see LoadSeedFile) that
	// replaces Seed.
	SeedFile string

	// Faults are the faults active from the start (SetFaults changes them).
	Faults Faults
	// RandSeed seeds the random source behind faults and jitter, so that a
	// test is repeatable. Tokens do not depend on it.
	RandSeed uint64
	// JournalLimit is how many requests the journal keeps (oldest dropped).
	// Default 10000.
	JournalLimit int

	// Logger receives an info line when the listeners start and a debug
	// line per request (never a secret, a token or a body). Default: no
	// logging.
	Logger *slog.Logger
	// Now is the clock of tokens, rate limits, presence, page tokens and
	// seeded data. Default time.Now.
	Now func() time.Time
}

// AllScopes lists every scope of zoom.RequiredScopes and each zoom.Feature's Scopes,
// sorted: the default grant.
func AllScopes() []string {
	out := zoom.RequiredScopes()
	for _, f := range zoom.Features() {
		out = append(out, f.Scopes()...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// OperationScopes lists the scope of every operation in zoom.Operations(),
// sorted: a grant with which every simulated call is allowed.
func OperationScopes() []string {
	var out []string
	for _, op := range zoom.Operations() {
		out = append(out, op.Scope)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// WithDefaults returns a copy of c with every unset field set to its
// default.
func (c Config) WithDefaults() Config {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.OAuthListen, "127.0.0.1:0")
	def(&c.APIListen, "127.0.0.1:0")
	def(&c.AccountID, "sim-account")
	def(&c.ClientID, "sim-client")
	def(&c.ClientSecret, "sim-secret")
	if c.Scopes == nil {
		c.Scopes = AllScopes()
	}
	if c.TokenTTL == 0 {
		c.TokenTTL = 3599 * time.Second
	}
	if c.TokenMode == "" {
		c.TokenMode = TokenModeMany
	}
	c.OAuthApp = c.OAuthApp.withDefaults()
	if c.InvalidClientStatus == 0 {
		c.InvalidClientStatus = 400
	}
	if c.Plan == "" {
		c.Plan = zoom.PlanPro
	}
	def(&c.RateLimitTypeQPS, "QPS")
	if c.RetryAfter == "" {
		c.RetryAfter = RetryAfterSeconds
	}
	if c.PresenceInterval == 0 {
		c.PresenceInterval = time.Minute
	}
	if c.PresenceAnswer == "" {
		c.PresenceAnswer = PresenceAnswer429
	}
	if c.BannedWords == nil {
		c.BannedWords = slices.Clone(DefaultBannedWords)
	}
	if c.PageTokenTTL == 0 {
		c.PageTokenTTL = 15 * time.Minute
	}
	if c.Seed == nil && c.SeedFile == "" {
		s := DefaultSeed()
		c.Seed = &s
	}
	if c.Seed != nil {
		s := c.Seed.WithDefaults()
		c.Seed = &s
	}
	if c.JournalLimit == 0 {
		c.JournalLimit = 10000
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// validate reports the first setting that cannot work, naming the field.
func (c Config) validate() error {
	for _, f := range []struct{ name, addr string }{{"OAuthListen", c.OAuthListen}, {"APIListen", c.APIListen}} {
		if !strings.Contains(f.addr, ":") {
			return fmt.Errorf("zoomsim: Config.%s %q is not host:port", f.name, f.addr)
		}
	}
	for _, f := range []struct{ name, v string }{{"AccountID", c.AccountID}, {"ClientID", c.ClientID}, {"ClientSecret", c.ClientSecret}} {
		if strings.TrimSpace(f.v) == "" {
			return fmt.Errorf("zoomsim: Config.%s is blank", f.name)
		}
	}
	for _, s := range c.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\n,") {
			return fmt.Errorf("zoomsim: Config.Scopes: invalid scope %q", s)
		}
	}
	if c.TokenTTL < time.Second {
		return fmt.Errorf("zoomsim: Config.TokenTTL %v is under one second", c.TokenTTL)
	}
	if c.TokenMode != TokenModeMany && c.TokenMode != TokenModeLatestOnly {
		return fmt.Errorf("zoomsim: Config.TokenMode %q: want %q or %q", c.TokenMode, TokenModeMany, TokenModeLatestOnly)
	}
	if c.APIURLOverride != "" {
		if u, err := url.Parse(c.APIURLOverride); err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("zoomsim: Config.APIURLOverride %q is not an absolute URL", c.APIURLOverride)
		}
	}
	if c.InvalidClientStatus != 400 && c.InvalidClientStatus != 401 {
		return fmt.Errorf("zoomsim: Config.InvalidClientStatus %d: want 400 or 401", c.InvalidClientStatus)
	}
	if _, err := zoom.ParsePlan(string(c.Plan)); err != nil {
		return fmt.Errorf("zoomsim: Config.Plan: %w", err)
	}
	for _, op := range zoom.Operations() {
		if _, ok := c.limit(op.Bucket()); !ok {
			return fmt.Errorf("zoomsim: Config.Plan %q has no limit for bucket %s", c.Plan, op.Bucket())
		}
	}
	for b, l := range c.Limits {
		if l.Count < 1 || l.Per <= 0 || l.Daily < 0 {
			return fmt.Errorf("zoomsim: Config.Limits[%s] = %+v: want Count ≥ 1, Per > 0, Daily ≥ 0", b, l)
		}
	}
	if c.MainDailyShared < 0 {
		return fmt.Errorf("zoomsim: Config.MainDailyShared %d is negative", c.MainDailyShared)
	}
	if c.PhoneDailyShared < 0 {
		return fmt.Errorf("zoomsim: Config.PhoneDailyShared %d is negative", c.PhoneDailyShared)
	}
	if c.RateLimitTypeQPS == "" {
		return errors.New("zoomsim: Config.RateLimitTypeQPS is blank")
	}
	switch c.RetryAfter {
	case RetryAfterSeconds, RetryAfterHTTPDate, RetryAfterRFC3339, RetryAfterNone:
	default:
		return fmt.Errorf("zoomsim: Config.RetryAfter %q: want %q, %q, %q or %q", c.RetryAfter, RetryAfterSeconds, RetryAfterHTTPDate, RetryAfterRFC3339, RetryAfterNone)
	}
	if c.PresenceInterval < 0 {
		return fmt.Errorf("zoomsim: Config.PresenceInterval %v is negative", c.PresenceInterval)
	}
	if c.PresenceAnswer != PresenceAnswer429 && c.PresenceAnswer != PresenceAnswer5301 {
		return fmt.Errorf("zoomsim: Config.PresenceAnswer %q: want %q or %q", c.PresenceAnswer, PresenceAnswer429, PresenceAnswer5301)
	}
	for _, w := range c.BannedWords {
		if strings.TrimSpace(w) == "" {
			return errors.New("zoomsim: Config.BannedWords holds a blank word")
		}
	}
	if c.PageTokenTTL < 0 {
		return fmt.Errorf("zoomsim: Config.PageTokenTTL %v is negative", c.PageTokenTTL)
	}
	if c.Seed != nil && c.SeedFile == "" {
		if err := c.Seed.validate(); err != nil {
			return err
		}
	}
	if err := c.Faults.validate("Config.Faults"); err != nil {
		return err
	}
	if c.JournalLimit < 0 {
		return fmt.Errorf("zoomsim: Config.JournalLimit %d is negative", c.JournalLimit)
	}
	return nil
}

// limit is the effective limit of a bucket: the override, else the plan's.
func (c Config) limit(b zoom.Bucket) (zoom.Limit, bool) {
	if l, ok := c.Limits[b]; ok {
		return l, true
	}
	return zoom.Limits(c.Plan, b)
}
