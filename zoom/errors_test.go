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
		{"token refused twice", &APIError{Status: 401, Code: 124, Message: "Invalid access token."}, ErrAccount, false},
		{"account does not exist", &APIError{Op: OpDeleteVoicemail.ID, Status: 401, Code: 124, Message: "Account does not exist: abc."}, ErrAccount, false},
		{"expired token twice", &APIError{Status: 400, Code: 124, Message: "Access token is expired."}, ErrAccount, false},
		{"401 without a code", &APIError{Status: 401}, ErrAccount, false},
		{"voicemail not found", &APIError{Status: 400, Code: 300, Message: "Voice mail does not exist: x."}, ErrPermanent, true},
		{"device not found on PATCH", &APIError{Op: OpUpdateDevice.ID, Status: 400, Code: 300, Message: "Validation failed. Device does not exist in the system."}, ErrPermanent, true},
		{"user not found code on 400", &APIError{Status: 400, Code: 1001, Message: "User does not exist: x."}, ErrPermanent, true},
		{"phone account not found 404", &APIError{Status: 404, Code: 2001, Message: "Account does not exist."}, ErrPermanent, true},
		{"other 400 naming something missing", &APIError{Status: 400, Code: 3001, Message: "Meeting does not exist: 1."}, ErrPermanent, false},
		{"presence refused", &APIError{Op: OpSetPresence.ID, Status: 400, Code: 5301, Message: "Request to update the presence status of this user failed."}, ErrPermanent, false},
		{"oauth app not activated", &AuthError{Status: 400, Kind: "invalid_request", Reason: "The app is not activated"}, ErrAccount, false},
		{"oauth account does not exist", &AuthError{Status: 400, Kind: "invalid_request", Reason: "Account does not exist"}, ErrAccount, false},
		{"oauth rate limited", &AuthError{Status: 429}, ErrRetryable, false},
		{"api_url not Zoom's", &APIURLError{URL: "http://evil.example"}, ErrAccount, false},
		{"paused", &PausedError{Bucket: Bucket{FamilyMain, Medium}, Until: retryAt}, ErrRateLimited, false},
		{"network", &TransportError{Op: "x", Err: errors.New("connection refused")}, ErrRetryable, false},
		{"bad credentials", &AuthError{Status: 400, Kind: "invalid_client"}, ErrAccount, false},
		{"bad credentials 401", &AuthError{Status: 401, Kind: "invalid_client"}, ErrAccount, false},
		{"oauth outage", &AuthError{Status: 502}, ErrRetryable, false},
		{"oauth unreachable", &AuthError{Err: errors.New("dial")}, ErrRetryable, false},
		{"scopes", &ScopeError{Missing: []string{ScopeReadUser}}, ErrPermanent, false},
	}
	sentinels := []error{ErrPermanent, ErrRateLimited, ErrRetryable, ErrAccount}
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

// TestErrorRefinements: ErrPresenceRefused and ErrInvalidName single out
// the answers a caller handles on their own, and each also matches
// ErrPermanent.
func TestErrorRefinements(t *testing.T) {
	tests := []struct {
		name              string
		err               *APIError
		presence, invalid bool
	}{
		{"presence 5301", &APIError{Op: OpSetPresence.ID, Status: 400, Code: 5301, Message: "Request to update the presence status of this user failed."}, true, false},
		{"presence per-user 429", &APIError{Op: OpSetPresence.ID, Status: 429, Code: 429, RetryAt: time.Now().Add(time.Minute)}, false, false},
		{"first_name field", &APIError{Op: OpUpdateUser.ID, Status: 400, Code: 300, Message: "Validation Failed.", Fields: []FieldError{{"first_name", "Invalid field."}}}, false, true},
		{"display_name field", &APIError{Op: OpUpdateDevice.ID, Status: 400, Code: 300, Message: "Validation Failed.", Fields: []FieldError{{"display_name", "Invalid field."}}}, false, true},
		{"banned word", &APIError{Op: OpUpdateUser.ID, Status: 400, Code: 300, Message: "Your request could not be completed because the name contains an invalid word: Bad"}, false, true},
		{"bare validation of a name update", &APIError{Op: OpUpdateUser.ID, Status: 400, Code: 300, Message: "Validation Failed."}, false, true},
		{"dept field", &APIError{Op: OpUpdateUser.ID, Status: 400, Code: 300, Message: "Validation Failed.", Fields: []FieldError{{"dept", "Invalid field."}}}, false, false},
		{"bare validation of a listing", &APIError{Op: OpListCallHistory.ID, Status: 400, Code: 300, Message: "Validation Failed"}, false, false},
		{"device missing", &APIError{Op: OpUpdateDevice.ID, Status: 400, Code: 300, Message: "Validation failed. Device does not exist in the system."}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errors.Is(tt.err, ErrPresenceRefused); got != tt.presence {
				t.Errorf("ErrPresenceRefused = %v", got)
			}
			if got := errors.Is(tt.err, ErrInvalidName); got != tt.invalid {
				t.Errorf("ErrInvalidName = %v", got)
			}
			if (tt.presence || tt.invalid) && !errors.Is(tt.err, ErrPermanent) {
				t.Error("a refinement must also match ErrPermanent")
			}
		})
	}
}
