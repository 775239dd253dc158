package zoom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stubTokens mints "t1", "t2", … and counts invalidations.
type stubTokens struct {
	mu          sync.Mutex
	n           int
	cur         *Token
	invalidated int
	apiURL      string
}

func (s *stubTokens) Token(context.Context) (*Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		s.n++
		s.cur = &Token{AccessToken: fmt.Sprintf("t%d", s.n), Expiry: time.Now().Add(time.Hour), APIURL: s.apiURL}
	}
	return s.cur, nil
}

func (s *stubTokens) Invalidate(_ context.Context, t *Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalidated++
	if s.cur != nil && s.cur.AccessToken == t.AccessToken {
		s.cur = nil
	}
	return nil
}

// scripted is a fake API: answer decides each response from the request's
// bearer token and the number of the call (from 1).
type scripted struct {
	srv    *httptest.Server
	calls  atomic.Int32
	tokens *stubTokens
	client *Client
}

func newScripted(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, token string, n int), adjust ...func(*Config)) *scripted {
	t.Helper()
	s := &scripted{tokens: &stubTokens{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.calls.Add(1))
		answer(w, r, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), n)
	}))
	t.Cleanup(s.srv.Close)
	cfg := Config{URL: "http://127.0.0.1:1", DefaultAPIURL: s.srv.URL, TokenSource: s.tokens, Limiter: Unlimited{}}
	for _, f := range adjust {
		f(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.client = c
	return s
}

func zoomError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%d,"message":%q}`, code, msg)
}

// TestCode124RenewsTheTokenAtAnyStatus: 400 "Access token is expired." and
// 401 "Invalid access token." both mean the token: the client drops it,
// gets another and tries once more.
func TestCode124RenewsTheTokenAtAnyStatus(t *testing.T) {
	for _, tt := range []struct {
		status int
		msg    string
	}{{400, "Access token is expired."}, {401, "Invalid access token."}} {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			s := newScripted(t, func(w http.ResponseWriter, r *http.Request, token string, n int) {
				if token == "t1" {
					zoomError(w, tt.status, 124, tt.msg)
					return
				}
				io.WriteString(w, `{"id":"u1"}`)
			})
			u, err := s.client.GetUser(context.Background(), "u1")
			if err != nil || u.ID != "u1" {
				t.Fatalf("GetUser = %+v, %v; want success with a new token", u, err)
			}
			if s.tokens.invalidated != 1 || s.calls.Load() != 2 {
				t.Errorf("invalidated %d, calls %d; want 1 and 2", s.tokens.invalidated, s.calls.Load())
			}
		})
	}
}

// TestTokenRefusedAfterRenewalIsTheAccount: a 401 (or code 124) that a
// fresh token does not cure is the account's failure: ErrAccount, neither
// permanent nor retryable, and not "not found" even when Zoom says
// "Account does not exist".
func TestTokenRefusedAfterRenewalIsTheAccount(t *testing.T) {
	for _, tt := range []struct {
		status int
		msg    string
	}{{401, "Invalid access token."}, {401, "Account does not exist: acc."}, {400, "Access token is expired."}} {
		t.Run(tt.msg, func(t *testing.T) {
			s := newScripted(t, func(w http.ResponseWriter, r *http.Request, token string, n int) {
				zoomError(w, tt.status, 124, tt.msg)
			})
			err := s.client.DeleteVoicemail(context.Background(), "vm1")
			if !errors.Is(err, ErrAccount) || errors.Is(err, ErrPermanent) || errors.Is(err, ErrRetryable) || errors.Is(err, ErrNotFound) {
				t.Fatalf("err = %v: want ErrAccount alone", err)
			}
			if s.calls.Load() != 2 {
				t.Errorf("%d calls, want 2 (one retry with a fresh token)", s.calls.Load())
			}
		})
	}
}

// TestPresence5301IsNotARateLimit: Zoom's 5301 is a refusal the caller must
// judge; the client does not turn it into a wait.
func TestPresence5301IsNotARateLimit(t *testing.T) {
	s := newScripted(t, func(w http.ResponseWriter, r *http.Request, token string, n int) {
		zoomError(w, 400, 5301, "Request to update the presence status of this user failed.")
	})
	err := s.client.SetAvailable(context.Background(), "u1")
	if !errors.Is(err, ErrPresenceRefused) || !errors.Is(err, ErrPermanent) || errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v: want ErrPresenceRefused and ErrPermanent, not rate limited", err)
	}
	if _, ok := RetryAt(err); ok {
		t.Error("a 5301 carries a retry time")
	}
}

// TestPresence429WithoutRetryAfter: Zoom's per-user presence 429 often has
// no Retry-After; the wait is Zoom's one-minute rule, and the account's
// Medium bucket is not held for it.
func TestPresence429WithoutRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	lim := NewLocalLimiter(LimiterConfig{})
	s := newScripted(t, func(w http.ResponseWriter, r *http.Request, token string, n int) {
		zoomError(w, 429, 429, "Too many requests submitted to update the presence status of this user. Please wait...")
	}, func(c *Config) { c.Now = func() time.Time { return now }; c.Limiter = lim })
	err := s.client.SetAvailable(context.Background(), "u1")
	at, ok := RetryAt(err)
	if !ok || !at.Equal(now.Add(time.Minute)) {
		t.Fatalf("RetryAt = %v, %v (%v); want %v", at, ok, err, now.Add(time.Minute))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := lim.Wait(ctx, Bucket{FamilyMain, Medium}); err != nil {
		t.Errorf("the Medium bucket is held after a per-user presence 429: %v", err)
	}
}

// TestRetryAfterIsCapped: whatever the form, a per-second 429 waits at most
// a minute, and a daily one at most until the next 00:00 UTC plus the
// margin.
func TestRetryAfterIsCapped(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	midnight := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		retryAfter string
		daily      bool
		want       time.Time
	}{
		{"seconds", "999999", false, now.Add(time.Minute)},
		{"seconds within the cap", "7", false, now.Add(7 * time.Second)},
		{"HTTP date", "Fri, 31 Dec 9999 23:59:59 GMT", false, now.Add(time.Minute)},
		{"RFC 3339", "9999-12-31T23:59:59Z", false, now.Add(time.Minute)},
		{"daily RFC 3339 far away", "9999-12-31T23:59:59Z", true, midnight.Add(5 * time.Minute)},
		{"daily seconds far away", "9999999", true, midnight.Add(5 * time.Minute)},
		{"daily at Zoom's midnight", "2026-11-24T00:00:00Z", true, midnight},
		{"daily without a time", "", true, midnight},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScripted(t, func(w http.ResponseWriter, r *http.Request, token string, n int) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				if tt.daily {
					w.Header().Set("X-RateLimit-Type", "Daily-limit")
				}
				zoomError(w, 429, 429, "You have reached the maximum per-second rate limit for this API. Try again later.")
			}, func(c *Config) { c.Now = func() time.Time { return now } })
			_, err := s.client.ListUsers(context.Background())
			if at, ok := RetryAt(err); !ok || !at.Equal(tt.want) {
				t.Errorf("RetryAt = %v, %v; want %v", at, ok, tt.want)
			}
		})
	}
}

// TestDailyLimitHoldsTheDailyBucket: a daily 429 on a Heavy call pauses the
// family's daily bucket, not the Medium budget every call is charged to:
// Light and Medium Phone calls go on, Heavy calls stop without a request.
func TestDailyLimitHoldsTheDailyBucket(t *testing.T) {
	lim := NewLocalLimiter(LimiterConfig{})
	s := newScripted(t, func(w http.ResponseWriter, r *http.Request, token string, n int) {
		if strings.HasSuffix(r.URL.Path, "/phone/call_history") {
			w.Header().Set("X-RateLimit-Type", "Daily-limit")
			w.Header().Set("Retry-After", nextUTCMidnight(time.Now()).Format(time.RFC3339))
			zoomError(w, 429, 429, "You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}, func(c *Config) { c.Limiter = lim })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := s.client.ListCallHistory(ctx, time.Time{}, time.Time{})
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("first Heavy call: %v", err)
	}
	if err := s.client.UpdateDeviceName(ctx, "d1", "Room 1201"); err != nil {
		t.Fatalf("a Light phone write after a daily 429: %v", err)
	}
	calls := s.calls.Load()
	_, err = s.client.ListCallHistory(ctx, time.Time{}, time.Time{})
	var pe *PausedError
	if !errors.As(err, &pe) || pe.Bucket != DailyBucket(FamilyPhone) {
		t.Fatalf("second Heavy call: %v, want a PausedError of the daily bucket", err)
	}
	if s.calls.Load() != calls {
		t.Error("a Heavy call went to Zoom during the daily pause")
	}
}

// TestRedirectsAreRefused: a redirect is not followed, so neither the
// bearer token nor a request body reaches the host it points to.
func TestRedirectsAreRefused(t *testing.T) {
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { leaked.Add(1) }))
	defer other.Close()
	s := newScripted(t, func(w http.ResponseWriter, r *http.Request, token string, n int) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	err := s.client.UpdateUser(context.Background(), "u1", UserUpdate{FirstName: "Ada", LastName: "Lovelace"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusTemporaryRedirect || !errors.Is(err, ErrPermanent) {
		t.Fatalf("err = %v, want the 307 as a permanent APIError", err)
	}
	if leaked.Load() != 0 {
		t.Error("the redirect was followed")
	}
}

// TestAPIURLMustBeZoom: with the real Zoom URL, a token's api_url must be
// https on a zoom.us host; nothing is sent elsewhere.
func TestAPIURLMustBeZoom(t *testing.T) {
	for _, bad := range []string{"http://api.zoom.us", "https://api.zoom.us.evil.example", "https://evil.example", "ftp://api.zoom.us", "https://user@api.zoom.us"} {
		s := newScripted(t, func(w http.ResponseWriter, r *http.Request, token string, n int) {}, func(c *Config) { c.URL = "" })
		s.tokens.apiURL = bad
		_, err := s.client.ListUsers(context.Background())
		var ue *APIURLError
		if !errors.As(err, &ue) || !errors.Is(err, ErrAccount) {
			t.Errorf("api_url %q: err = %v, want an APIURLError", bad, err)
		}
		if s.calls.Load() != 0 {
			t.Errorf("api_url %q: a request went out", bad)
		}
	}
	c := &Client{cfg: Config{URL: DefaultURL}}
	for _, good := range []string{"https://api.zoom.us", "https://api-eu.zoom.us/", "https://eu01api.zoom.us"} {
		if !c.trustedAPIURL(good) {
			t.Errorf("api_url %q refused", good)
		}
	}
	c.cfg.URL = "http://127.0.0.1:9480" // overridden: a simulator
	if !c.trustedAPIURL("http://127.0.0.1:9481") {
		t.Error("an overridden Zoom URL must allow any http(s) api_url")
	}
}

// TestTransportKeepsEnoughIdleConnections: the default transport keeps as
// many idle connections per host as calls may run at once.
func TestTransportKeepsEnoughIdleConnections(t *testing.T) {
	for _, tt := range []struct {
		hc   *http.Client
		n    int
		want int
	}{
		{nil, 0, 32},
		{nil, 64, 64},
		{&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}, 0, 32},
		{&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}, 0, 100},
	} {
		c, err := New(Config{TokenSource: &stubTokens{}, HTTPClient: tt.hc, MaxIdleConnsPerHost: tt.n})
		if err != nil {
			t.Fatal(err)
		}
		tr, ok := c.http.Transport.(*packetLogger).next.(*http.Transport)
		if !ok || tr.MaxIdleConnsPerHost != tt.want {
			t.Errorf("MaxIdleConnsPerHost %d, want %d", tr.MaxIdleConnsPerHost, tt.want)
		}
	}
}
