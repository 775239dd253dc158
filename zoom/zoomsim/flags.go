package zoomsim

import (
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pbxlink/pbxlink/zoom"
)

// RegisterFlags binds the useful settings of c to flags of fs, with c's
// values (after WithDefaults) as the flags' defaults. The seed flags bind to
// c.Seed; --seed-file replaces the seed when given.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	*c = c.WithDefaults()
	if c.Seed == nil {
		s := DefaultSeed()
		c.Seed = &s
	}
	fs.StringVar(&c.OAuthListen, "oauth-listen", c.OAuthListen, "address of the OAuth listener (POST /oauth/token): the Zoom URL clients use")
	fs.StringVar(&c.APIListen, "api-listen", c.APIListen, "address of the API listener (/v2/..., admin API under /_sim/): the api_url of tokens")
	fs.StringVar(&c.AccountID, "account-id", c.AccountID, "Server-to-Server OAuth account ID the simulator accepts")
	fs.StringVar(&c.ClientID, "client-id", c.ClientID, "OAuth client ID the simulator accepts")
	fs.StringVar(&c.ClientSecret, "client-secret", c.ClientSecret, "OAuth client secret the simulator accepts")
	fs.Var(&listValue{&c.Scopes}, "scopes", "comma-separated granular scopes granted to tokens")
	fs.DurationVar(&c.TokenTTL, "token-ttl", c.TokenTTL, "lifetime of an access token (sent as expires_in)")
	fs.Var(&enumValue[TokenMode]{&c.TokenMode, []TokenMode{TokenModeMany, TokenModeLatestOnly}}, "token-mode",
		"many: every unexpired token stays valid; latest-only: a new token invalidates the older ones")
	fs.BoolVar(&c.OmitAPIURL, "omit-api-url", c.OmitAPIURL, "leave api_url out of token responses")
	fs.StringVar(&c.APIURLOverride, "api-url", c.APIURLOverride, "api_url to send in token responses instead of the API listener's URL")
	fs.IntVar(&c.InvalidClientStatus, "invalid-client-status", c.InvalidClientStatus, "HTTP status of a token request with bad credentials: 400 or 401")
	fs.Var(&listValue{&c.OAuthApp.RedirectURIs}, "oauth-redirect-uris", "comma-separated redirect URIs registered for the OAuth app (empty: any)")
	fs.StringVar(&c.OAuthApp.Admin, "oauth-admin", c.OAuthApp.Admin, "user (ID or email) who authorises the OAuth app (default staff1@hotel.example, else the first user)")
	fs.BoolVar(&c.OAuthApp.RefuseConsent, "refuse-consent", c.OAuthApp.RefuseConsent, "the admin declines the OAuth app's authorisation (redirect with error=access_denied)")
	fs.Var(planValue{&c.Plan}, "plan", "Zoom plan whose rate limits apply: pro or business")
	fs.BoolVar(&c.Unlimited, "unlimited", c.Unlimited, "switch rate limiting off entirely")
	fs.Var(invertedBool{&c.NoDailyLimits}, "daily-limits", "enforce the daily rate limits (reset 00:00 UTC)")
	fs.BoolVar(&c.OmitRateLimitHeaders, "omit-ratelimit-headers", c.OmitRateLimitHeaders, "answer 429 without X-RateLimit-* and Retry-After headers")
	fs.StringVar(&c.RateLimitTypeQPS, "ratelimit-type-qps", c.RateLimitTypeQPS, "X-RateLimit-Type of a per-second 429")
	fs.Var(&enumValue[RetryAfterFormat]{&c.RetryAfter, []RetryAfterFormat{RetryAfterSeconds, RetryAfterHTTPDate, RetryAfterRFC3339, RetryAfterNone}}, "retry-after",
		"Retry-After format of a per-second 429: seconds, http-date, rfc3339 or none")
	fs.BoolVar(&c.ExpiredToken400, "expired-token-400", c.ExpiredToken400, `answer an expired token 400 code 124 "Access token is expired." instead of 401`)
	fs.BoolVar(&c.OmitPresenceHeaders, "omit-presence-headers", c.OmitPresenceHeaders, "answer the per-user presence 429 without Retry-After and X-RateLimit-* headers")
	fs.DurationVar(&c.PresenceInterval, "presence-interval", c.PresenceInterval, "least time between two presence changes of one user")
	fs.Var(&enumValue[PresenceAnswer]{&c.PresenceAnswer, []PresenceAnswer{PresenceAnswer429, PresenceAnswer5301}}, "presence-answer",
		"answer to a presence change that comes too soon: 429 or 5301 (400 code 5301)")
	fs.Var(&listValue{&c.BannedWords}, "banned-words", "comma-separated words refused in names (400 code 300)")
	fs.BoolVar(&c.DeriveDisplayNameWhenAbsent, "derive-display-name", c.DeriveDisplayNameWhenAbsent,
		"recompute display_name when a user PATCH changes a name without sending display_name")
	fs.BoolVar(&c.ClampPageSize, "clamp-page-size", c.ClampPageSize, "serve a page_size above the maximum as the maximum instead of refusing it")
	fs.IntVar(&c.Seed.Rooms, "rooms", c.Seed.Rooms, "number of hotel rooms to create")
	fs.IntVar(&c.Seed.FirstExtension, "first-extension", c.Seed.FirstExtension, "extension of the first room; room i has first-extension+i")
	fs.Var(&enumValue[Target]{&c.Seed.Target, []Target{TargetUsers, TargetCommonAreas}}, "target", "what the rooms are in Zoom: users or common_areas")
	fs.IntVar(&c.Seed.PhonesPerRoom, "phones-per-room", c.Seed.PhonesPerRoom, "desk phones assigned to each room")
	fs.IntVar(&c.Seed.VoicemailsPerRoom, "voicemails-per-room", c.Seed.VoicemailsPerRoom, "unread voicemails each room user starts with")
	fs.IntVar(&c.Seed.CallRecords, "call-records", c.Seed.CallRecords, "call history records to create")
	fs.BoolVar(&c.Seed.RoomsNotSignedIn, "rooms-not-signed-in", c.Seed.RoomsNotSignedIn, "room users have only a desk phone, no Zoom client signed in: presence changes get 400 code 5301")
	fs.IntVar(&c.Seed.Staff, "staff", c.Seed.Staff, "staff users without a room (extensions 9001 and up)")
	fs.StringVar(&c.Seed.Site, "site", c.Seed.Site, "name of the Zoom Phone site")
	fs.StringVar(&c.SeedFile, "seed-file", c.SeedFile, "JSON account description to load instead of generating rooms")
	fs.Float64Var(&c.Faults.ErrorRate, "error-rate", c.Faults.ErrorRate, "share (0-1) of API calls answered 500/503 without being applied")
	fs.Float64Var(&c.Faults.AppliedErrorRate, "applied-error-rate", c.Faults.AppliedErrorRate, "share (0-1) of API calls applied and then answered 500/503")
	fs.DurationVar(&c.Faults.Latency, "latency", c.Faults.Latency, "delay added to every API call")
	fs.DurationVar(&c.Faults.LatencyJitter, "latency-jitter", c.Faults.LatencyJitter, "random extra delay, up to this, added to every API call")
	fs.Uint64Var(&c.RandSeed, "rand-seed", c.RandSeed, "seed of the random source behind faults and jitter")
	fs.IntVar(&c.JournalLimit, "journal-limit", c.JournalLimit, "number of requests the journal keeps")
}

// listValue is a comma-separated list flag.
type listValue struct{ p *[]string }

func (v *listValue) String() string {
	if v == nil || v.p == nil {
		return ""
	}
	return strings.Join(*v.p, ",")
}

func (v *listValue) Set(s string) error {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	if out == nil {
		out = []string{}
	}
	*v.p = out
	return nil
}

// enumValue is a flag restricted to some string values.
type enumValue[T ~string] struct {
	p       *T
	allowed []T
}

func (v *enumValue[T]) String() string {
	if v == nil || v.p == nil {
		return ""
	}
	return string(*v.p)
}

func (v *enumValue[T]) Set(s string) error {
	if !slices.Contains(v.allowed, T(s)) {
		return fmt.Errorf("want one of %v", v.allowed)
	}
	*v.p = T(s)
	return nil
}

type planValue struct{ p *zoom.Plan }

func (v planValue) String() string {
	if v.p == nil {
		return ""
	}
	return string(*v.p)
}

func (v planValue) Set(s string) error {
	p, err := zoom.ParsePlan(s)
	if err != nil {
		return err
	}
	*v.p = p
	return nil
}

// invertedBool is a boolean flag stored negated (--daily-limits=false sets
// NoDailyLimits).
type invertedBool struct{ p *bool }

func (v invertedBool) String() string {
	if v.p == nil {
		return "true"
	}
	return strconv.FormatBool(!*v.p)
}

func (v invertedBool) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	*v.p = !b
	return nil
}

func (v invertedBool) IsBoolFlag() bool { return true }
