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

// ErrNotFound is matched, besides ErrPermanent, by an error saying the user,
// common area, device or voicemail does not exist.
var ErrNotFound = errors.New("zoom: not found")

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

// Is matches the sentinel that says what to do with this error.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrRateLimited:
		return e.kind() == rateLimited
	case ErrRetryable:
		return e.kind() == retryable
	case ErrPermanent:
		return e.kind() == permanent
	case ErrNotFound:
		// Zoom answers 404 for a missing user but 400 for a missing device,
		// common area or voicemail; the message says which.
		return e.Status == http.StatusNotFound ||
			e.Status/100 == 4 && strings.Contains(strings.ToLower(e.Message), "does not exist")
	}
	return false
}

type errorKind int

const (
	permanent errorKind = iota
	rateLimited
	retryable
)

func (e *APIError) kind() errorKind {
	switch {
	case !e.RetryAt.IsZero():
		return rateLimited
	case e.Status >= 500, e.Status == http.StatusRequestTimeout, e.Status == http.StatusUnauthorized:
		// A 401 that survives one token renewal is usually another
		// replica's fresh token invalidating ours: try again later.
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

// AuthError is a failure to obtain an access token. Bad credentials, an
// unknown account or an inactive app are permanent; anything else retryable.
type AuthError struct {
	Status int
	// Kind is the OAuth "error" value (invalid_client, invalid_request, …);
	// Reason is Zoom's "reason" text.
	Kind, Reason string
	Err          error
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

// Is reports ErrPermanent for a refusal of the credentials, else ErrRetryable.
func (e *AuthError) Is(target error) bool {
	permanent := e.Status >= 400 && e.Status < 500 && e.Status != http.StatusTooManyRequests && e.Status != http.StatusRequestTimeout
	switch target {
	case ErrPermanent:
		return permanent
	case ErrRetryable:
		return !permanent
	}
	return false
}

// ScopeError says the token lacks scopes that pbxlink needs.
type ScopeError struct {
	Missing []string
}

func (e *ScopeError) Error() string {
	return "zoom: the Server-to-Server app lacks required scopes: " + strings.Join(e.Missing, ", ")
}

// Is reports ErrPermanent: only an administrator adding the scopes helps.
func (e *ScopeError) Is(target error) bool { return target == ErrPermanent }

// RetryAt returns the time a rate-limited error says to wait for.
func RetryAt(err error) (time.Time, bool) {
	var ae *APIError
	if errors.As(err, &ae) && !ae.RetryAt.IsZero() {
		return ae.RetryAt, true
	}
	return time.Time{}, false
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
