package zoom

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors that tell a caller what to do with a failed call; every
// error the client returns matches exactly one of them with errors.Is.
var (
	// ErrPermanent: retrying cannot help (404 user, 400 validation, missing
	// scope, bad credentials). Dead-letter the work.
	ErrPermanent = errors.New("zoom: permanent error")
	// ErrRateLimited: Zoom refused the call for now; wait until RetryAt.
	ErrRateLimited = errors.New("zoom: rate limited")
	// ErrRetryable: a transient failure (5xx, timeout, network); try again
	// later.
	ErrRetryable = errors.New("zoom: retryable error")
)

// ErrAccount: the failure belongs to the account, not to the work at hand.
// Zoom refused the app's credentials (OAuth 400/401 invalid_client, "Account
// does not exist", "The app is not activated"), an API call's token was
// refused again after a fresh one (401 or code 124), or the token named an
// api_url that is not Zoom's. No event can succeed until an administrator
// or Zoom fixes the account: pause all Zoom work, charge no event an attempt,
// and try a token again on a slow schedule. It matches neither ErrPermanent
// nor ErrRetryable.
var ErrAccount = errors.New("zoom: account refused")

// Refinements of ErrPermanent: an error matching one of them also matches
// ErrPermanent.
var (
	// ErrNotFound: the user, common area, device or voicemail does not
	// exist. Only a 404, or a 400 with Zoom's not-found code of that object
	// (device code 400 "Device does not exist", common area code 404 or
	// "Common area does not exist", voicemail code 300 "Voice mail does not
	// exist", user code 1001), says so; a 401 "Account does not exist" does
	// not.
	ErrNotFound = errors.New("zoom: not found")
	// ErrPresenceRefused: Zoom answered a presence change 400 code 5301
	// ("Request to update the presence status of this user failed"). Zoom
	// gives it for a user not signed in to any Zoom client (a room with only
	// a desk phone) and, by some reports, for a second change within a
	// minute; only the caller, who knows when this user's presence last
	// changed, can tell which.
	ErrPresenceRefused = errors.New("zoom: presence change refused")
	// ErrInvalidName: Zoom refused a name (400 code 300: a field error on
	// first_name, last_name or display_name, or a word Zoom bans). A caller
	// can fall back to a name without guest data.
	ErrInvalidName = errors.New("zoom: name refused")
)

// FieldError is one entry of a validation error's "errors" list.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// APIError is an error answer from Zoom, with Zoom's own code and message.
type APIError struct {
	// Op is Zoom's operationId of the call.
	Op string
	// Status is the HTTP status; Code and Message are Zoom's body.
	Status  int
	Code    int
	Message string
	Fields  []FieldError
	// RetryAt is set on rate-limit errors: the earliest time to try again.
	RetryAt time.Time
	// Daily is true when a daily (not per-second) limit was hit.
	Daily bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "zoom %s: HTTP %d", e.Op, e.Status)
	if e.Code != 0 {
		fmt.Fprintf(&b, " code %d", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, " [%s: %s]", f.Field, f.Message)
	}
	if !e.RetryAt.IsZero() {
		fmt.Fprintf(&b, " (retry at %s)", e.RetryAt.UTC().Format(time.RFC3339))
	}
	return b.String()
}

// Is matches the sentinel that says what to do with this error, and the
// refinements of ErrPermanent that apply.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrRateLimited:
		return e.kind() == rateLimited
	case ErrRetryable:
		return e.kind() == retryable
	case ErrPermanent:
		return e.kind() == permanent
	case ErrAccount:
		return e.kind() == account
	case ErrNotFound:
		return e.kind() == permanent && e.notFound()
	case ErrPresenceRefused:
		return e.kind() == permanent && e.Code == CodePresenceFailed
	case ErrInvalidName:
		return e.kind() == permanent && e.invalidName()
	}
	return false
}

// Zoom's error codes that the client tells apart.
const (
	// CodeInvalidToken (124) is a refused access token, at HTTP 401
	// ("Invalid access token.", "Account does not exist: …") and at 400
	// ("Access token is expired.").
	CodeInvalidToken = 124
	// CodeValidation (300) is a refused request body or parameter.
	CodeValidation = 300
	// CodePresenceFailed (5301) refuses a presence change.
	CodePresenceFailed = 5301
	// CodeUserNotFound (1001) is a missing user.
	CodeUserNotFound = 1001
)

// notFound reports Zoom's not-found answers: 404, or a 400 with the code and
// message Zoom uses for a missing object of that kind.
func (e *APIError) notFound() bool {
	if e.Status == http.StatusNotFound {
		return true
	}
	if e.Status != http.StatusBadRequest {
		return false
	}
	switch e.Code {
	case CodeUserNotFound, 404: // user; common area (PATCH)
		return true
	case 400, CodeValidation: // device, common area (GET), voicemail
		msg := strings.ToLower(e.Message)
		for _, what := range []string{"device", "common area", "voice mail", "voicemail", "user"} {
			if strings.Contains(msg, what+" does not exist") {
				return true
			}
		}
	}
	return false
}

// nameFields are the request fields that carry the names pbxlink writes.
var nameFields = map[string]bool{"first_name": true, "last_name": true, "display_name": true}

// invalidName reports a 400 code 300 that refuses a name: a field error on a
// name field, Zoom's banned-word message, or a bare "Validation Failed." of
// an operation whose body is names.
func (e *APIError) invalidName() bool {
	if e.Status != http.StatusBadRequest || e.Code != CodeValidation || e.notFound() {
		return false
	}
	if len(e.Fields) > 0 {
		for _, f := range e.Fields {
			if nameFields[f.Field] {
				return true
			}
		}
		return false
	}
	msg := strings.ToLower(e.Message)
	if strings.Contains(msg, "invalid word") {
		return true
	}
	switch e.Op {
	case OpUpdateUser.ID, OpUpdateDevice.ID, OpUpdateCommonArea.ID:
		return strings.HasPrefix(msg, "validation failed")
	}
	return false
}

type errorKind int

const (
	permanent errorKind = iota
	rateLimited
	retryable
	account
)

func (e *APIError) kind() errorKind {
	switch {
	case !e.RetryAt.IsZero():
		return rateLimited
	case e.Status == http.StatusUnauthorized, e.Code == CodeInvalidToken:
		// The client drops a refused token and tries once more with a new
		// one; a refusal that survives that is the account's (deactivated
		// app, deleted account), not this call's.
		return account
	case e.Status >= 500, e.Status == http.StatusRequestTimeout:
		return retryable
	}
	return permanent
}

// TransportError is a call that got no answer from Zoom: network failure,
// timeout, or an unreadable response. It is retryable.
type TransportError struct {
	Op  string
	Err error
}

func (e *TransportError) Error() string        { return fmt.Sprintf("zoom %s: %v", e.Op, e.Err) }
func (e *TransportError) Unwrap() error        { return e.Err }
func (e *TransportError) Is(target error) bool { return target == ErrRetryable }

// AuthError is a failure to obtain an access token. A refusal (any 3xx or
// 4xx answer but 408 and 429: bad credentials, unknown account, app not
// activated) matches ErrAccount; anything else (no answer, 5xx, 429)
// ErrRetryable.
type AuthError struct {
	// Status is the HTTP status of Zoom's answer; 0 when none came.
	Status int
	// Kind is the OAuth "error" value (invalid_client, invalid_request, …);
	// Reason is Zoom's "reason" text.
	Kind, Reason string
	Err          error
	// grant marks a refused authorization code or refresh token: it
	// matches ErrGrantRevoked too.
	grant bool
}

func (e *AuthError) Error() string {
	switch {
	case e.Kind != "" || e.Reason != "":
		return fmt.Sprintf("zoom oauth: HTTP %d %s: %s", e.Status, e.Kind, e.Reason)
	case e.Status != 0:
		return fmt.Sprintf("zoom oauth: HTTP %d", e.Status)
	}
	return fmt.Sprintf("zoom oauth: %v", e.Err)
}

func (e *AuthError) Unwrap() error { return e.Err }

// Is reports ErrAccount for a refusal of the credentials, else ErrRetryable.
func (e *AuthError) Is(target error) bool {
	refused := e.Status >= 300 && e.Status < 500 && e.Status != http.StatusTooManyRequests && e.Status != http.StatusRequestTimeout
	switch target {
	case ErrAccount:
		return refused
	case ErrRetryable:
		return !refused
	case ErrGrantRevoked:
		return refused && e.grant
	}
	return false
}

// APIURLError says the token response named an api_url that is not Zoom's:
// pbxlink sends the bearer token and guest names only to an https host under
// zoom.us, unless the configured Zoom URL was overridden (a simulator, a
// test). It matches ErrAccount.
type APIURLError struct {
	URL string
}

func (e *APIURLError) Error() string {
	return fmt.Sprintf("zoom: the token's api_url %q is not an https URL on a zoom.us host; refusing to send the token there (set the Zoom URL to use another host)", e.URL)
}

// Is reports ErrAccount.
func (e *APIURLError) Is(target error) bool { return target == ErrAccount }

// ScopeError says the token lacks scopes that pbxlink needs.
type ScopeError struct {
	Missing []string
}

func (e *ScopeError) Error() string {
	return "zoom: the Server-to-Server app lacks required scopes: " + strings.Join(e.Missing, ", ")
}

// Is reports ErrPermanent: only an administrator adding the scopes helps.
func (e *ScopeError) Is(target error) bool { return target == ErrPermanent }

// PausedError is the answer of Limiter.Wait when Zoom paused the bucket
// (a 429 recorded with Backoff) until a time further away than the
// limiter's MaxWait: rather than hold the caller, the limiter says when to
// come back. It matches ErrRateLimited, and RetryAt returns Until.
type PausedError struct {
	Bucket Bucket
	Until  time.Time
}

func (e *PausedError) Error() string {
	return fmt.Sprintf("zoom: %s paused until %s", e.Bucket, e.Until.UTC().Format(time.RFC3339))
}

// Is reports ErrRateLimited.
func (e *PausedError) Is(target error) bool { return target == ErrRateLimited }

// RetryAt returns the time a rate-limited error says to wait for.
func RetryAt(err error) (time.Time, bool) {
	var ae *APIError
	if errors.As(err, &ae) && !ae.RetryAt.IsZero() {
		return ae.RetryAt, true
	}
	var pe *PausedError
	if errors.As(err, &pe) {
		return pe.Until, true
	}
	return time.Time{}, false
}

// Bounds of a pause, whatever Zoom's Retry-After says (a year-9999 date
// must not stop the fleet for good).
const (
	// MaxPause is the longest pause of a per-second (or per-minute) limit.
	MaxPause = time.Minute
	// DailyMargin is how long after 00:00 UTC a daily limit may still hold,
	// for clocks that disagree a little with Zoom's.
	DailyMargin = 5 * time.Minute
)

// PauseLimit is the latest time a pause of bucket b may last, as seen at
// now: MaxPause from now, or for a daily bucket the next 00:00 UTC plus
// DailyMargin. Limiters cap what they store and what they read with it, so
// that a bad value persisted by an older version heals.
func PauseLimit(b Bucket, now time.Time) time.Time {
	if b.Category == Daily {
		return nextUTCMidnight(now).Add(DailyMargin)
	}
	return now.Add(MaxPause)
}

// capRetryAt bounds a 429's time: per-second limits to MaxPause, daily
// limits to the next 00:00 UTC plus DailyMargin.
func capRetryAt(at time.Time, daily bool, now time.Time) time.Time {
	limit := now.Add(MaxPause)
	if daily {
		limit = nextUTCMidnight(now).Add(DailyMargin)
	}
	if at.After(limit) {
		return limit
	}
	return at
}

// parseRetryAfter reads a Retry-After value in any of the forms Zoom has
// been seen to send: seconds, an HTTP date, or an RFC 3339 time.
func parseRetryAfter(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil || errors.Is(err, strconv.ErrRange) && math.IsInf(s, 1) {
		if math.IsNaN(s) || s < 0 {
			return time.Time{}, false
		}
		// Zoom's longest wait is a day's limit; a larger number (or +Inf)
		// would overflow a Duration.
		return now.Add(time.Duration(min(s, maxRetryAfter.Seconds()) * float64(time.Second))), true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// maxRetryAfter bounds a Retry-After given in seconds.
const maxRetryAfter = 48 * time.Hour

// nextUTCMidnight is when Zoom's daily limits reset.
func nextUTCMidnight(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}
