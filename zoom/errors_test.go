package zoom

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 14, 5, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"3", now.Add(3 * time.Second), true},
		{"0.5", now.Add(500 * time.Millisecond), true},
		{"2026-11-24T00:00:00Z", time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), true},
		{"Mon, 23 Nov 2026 14:06:00 GMT", now.Add(time.Minute), true},
		{"", time.Time{}, false},
		{"soon", time.Time{}, false},
		{"-4", time.Time{}, false},
		{"NaN", time.Time{}, false},
		{"Inf", now.Add(48 * time.Hour), true},
		{"1e400", now.Add(48 * time.Hour), true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNextUTCMidnight(t *testing.T) {
	loc := time.FixedZone("UTC+9", 9*3600)
	now := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC).In(loc)
	if got, want := nextUTCMidnight(now), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("nextUTCMidnight = %v, want %v", got, want)
	}
}

func TestErrorClasses(t *testing.T) {
	retryAt := time.Now().Add(time.Second)
	tests := []struct {
		name     string
		err      error
		want     error
		notFound bool
	}{
		{"user not found", &APIError{Status: 404, Code: 1001, Message: "User does not exist: x."}, ErrPermanent, true},
		{"device not found", &APIError{Status: 400, Code: 400, Message: "Device does not exist in the system."}, ErrPermanent, true},
		{"common area not found", &APIError{Status: 400, Code: 404, Message: "Common area does not exist: x."}, ErrPermanent, true},
		{"validation", &APIError{Status: 400, Code: 300, Message: "Validation Failed."}, ErrPermanent, false},
		{"missing scope", &APIError{Status: 400, Code: 4711}, ErrPermanent, false},
		{"rate limited", &APIError{Status: 429, RetryAt: retryAt}, ErrRateLimited, false},
		{"server error", &APIError{Status: 503}, ErrRetryable, false},
		{"timeout answer", &APIError{Status: 408}, ErrRetryable, false},
		{"token refused twice", &APIError{Status: 401, Code: 124}, ErrRetryable, false},
		{"network", &TransportError{Op: "x", Err: errors.New("connection refused")}, ErrRetryable, false},
		{"bad credentials", &AuthError{Status: 400, Kind: "invalid_client"}, ErrPermanent, false},
		{"oauth outage", &AuthError{Status: 502}, ErrRetryable, false},
		{"oauth unreachable", &AuthError{Err: errors.New("dial")}, ErrRetryable, false},
		{"scopes", &ScopeError{Missing: []string{ScopeReadUser}}, ErrPermanent, false},
	}
	sentinels := []error{ErrPermanent, ErrRateLimited, ErrRetryable}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range sentinels {
				if got := errors.Is(tt.err, s); got != (s == tt.want) {
					t.Errorf("errors.Is(%v, %v) = %v", tt.err, s, got)
				}
			}
			if got := errors.Is(tt.err, ErrNotFound); got != tt.notFound {
				t.Errorf("errors.Is(%v, ErrNotFound) = %v, want %v", tt.err, got, tt.notFound)
			}
		})
	}
	if at, ok := RetryAt(&APIError{Status: http.StatusTooManyRequests, RetryAt: retryAt}); !ok || !at.Equal(retryAt) {
		t.Errorf("RetryAt = %v, %v", at, ok)
	}
}
