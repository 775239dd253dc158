package zoom_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestErrorClasses drives every class of Zoom error through the client and
// checks that the caller is told what to do.
func TestErrorClasses(t *testing.T) {
	tests := []struct {
		name  string
		sim   func(*zoomsim.Config)
		call  func(b *bundle) error
		want  error
		check func(t *testing.T, err error)
	}{
		{
			name: "user not found",
			call: func(b *bundle) error { _, err := b.client.GetUser(ctx(nil), "nobody"); return err },
			want: zoom.ErrPermanent,
			check: func(t *testing.T, err error) {
				var ae *zoom.APIError
				if !errors.As(err, &ae) || ae.Status != 404 || ae.Code != 1001 || !errors.Is(err, zoom.ErrNotFound) {
					t.Errorf("want 404 code 1001 not found, got %v", err)
				}
			},
		},
		{
			name: "validation: name too long",
			call: func(b *bundle) error {
				u, _ := b.sim.UserByExtension(1201)
				return b.client.UpdateUser(ctx(nil), u.ID, zoom.UserUpdate{FirstName: strings.Repeat("é", 65)})
			},
			want: zoom.ErrPermanent,
			check: func(t *testing.T, err error) {
				var ae *zoom.APIError
				if !errors.As(err, &ae) || ae.Code != 300 || len(ae.Fields) == 0 || ae.Fields[0].Field != "first_name" {
					t.Errorf("want code 300 naming first_name, got %v", err)
				}
			},
		},
		{
			name: "validation: a word Zoom refuses",
			sim:  func(c *zoomsim.Config) { c.BannedWords = []string{"forbidden"} },
			call: func(b *bundle) error {
				u, _ := b.sim.UserByExtension(1201)
				return b.client.UpdateUser(ctx(nil), u.ID, zoom.UserUpdate{FirstName: "Forbidden", LastName: "1201"})
			},
			want: zoom.ErrPermanent,
		},
		{
			name: "device not found answers 400",
			call: func(b *bundle) error { return b.client.UpdateDeviceName(ctx(nil), "nodevice", "x") },
			want: zoom.ErrPermanent,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, zoom.ErrNotFound) {
					t.Errorf("want not found, got %v", err)
				}
			},
		},
		{
			name: "missing scope",
			sim:  func(c *zoomsim.Config) { c.Scopes = zoom.RequiredScopes() },
			call: func(b *bundle) error {
				u, _ := b.sim.UserByExtension(1201)
				return b.client.SetAvailable(ctx(nil), u.ID)
			},
			want: zoom.ErrPermanent,
			check: func(t *testing.T, err error) {
				var ae *zoom.APIError
				if !errors.As(err, &ae) || ae.Code != 4711 || !strings.Contains(ae.Message, zoom.ScopeUpdatePresence) {
					t.Errorf("want code 4711 naming the scope, got %v", err)
				}
			},
		},
		{
			name: "server errors",
			sim:  func(c *zoomsim.Config) { c.Faults = zoomsim.Faults{ErrorRate: 1} },
			call: func(b *bundle) error { _, err := b.client.ListUsers(ctx(nil)); return err },
			want: zoom.ErrRetryable,
			check: func(t *testing.T, err error) {
				var ae *zoom.APIError
				if !errors.As(err, &ae) || ae.Status < 500 {
					t.Errorf("want a 5xx APIError, got %v", err)
				}
			},
		},
		{
			name: "network: nothing listens at api_url",
			sim:  func(c *zoomsim.Config) { c.APIURLOverride = "http://127.0.0.1:1" },
			call: func(b *bundle) error { _, err := b.client.ListUsers(ctx(nil)); return err },
			want: zoom.ErrRetryable,
			check: func(t *testing.T, err error) {
				var te *zoom.TransportError
				if !errors.As(err, &te) {
					t.Errorf("want a TransportError, got %T %v", err, err)
				}
			},
		},
		{
			name: "timeout",
			sim:  func(c *zoomsim.Config) { c.Faults = zoomsim.Faults{Latency: 2 * time.Second} },
			call: func(b *bundle) error {
				c, err := zoom.New(withTimeout(b.cfg, 200*time.Millisecond))
				if err != nil {
					return err
				}
				_, err = c.ListUsers(ctx(nil))
				return err
			},
			want: zoom.ErrRetryable,
		},
		{
			name: "rate limited with Zoom's headers",
			sim:  func(c *zoomsim.Config) { c.Faults = zoomsim.Faults{RateLimitUntil: time.Now().Add(time.Hour)} },
			call: func(b *bundle) error { _, err := b.client.ListUsers(ctx(nil)); return err },
			want: zoom.ErrRateLimited,
			check: func(t *testing.T, err error) {
				// The simulator says the outage lasts an hour; a per-second
				// limit pauses at most a minute.
				at, ok := zoom.RetryAt(err)
				if d := time.Until(at); !ok || d < 59*time.Second || d > time.Minute {
					t.Errorf("want Retry-After capped at a minute, got %v (%v)", at, err)
				}
			},
		},
		{
			name: "rate limited without headers",
			sim: func(c *zoomsim.Config) {
				c.OmitRateLimitHeaders = true
				c.Faults = zoomsim.Faults{RateLimitUntil: time.Now().Add(time.Hour)}
			},
			call: func(b *bundle) error { _, err := b.client.ListUsers(ctx(nil)); return err },
			want: zoom.ErrRateLimited,
			check: func(t *testing.T, err error) {
				at, _ := zoom.RetryAt(err)
				if d := time.Until(at); d <= 0 || d > time.Second {
					t.Errorf("want the one-second default, got %v", d)
				}
			},
		},
		{
			name: "daily limit waits until midnight UTC",
			sim: func(c *zoomsim.Config) {
				c.Limits = map[zoom.Bucket]zoom.Limit{{Family: zoom.FamilyPhone, Category: zoom.Heavy}: {Count: 100, Per: time.Second, Daily: 1}}
			},
			call: func(b *bundle) error {
				if _, err := b.client.ListCallHistory(ctx(nil), time.Time{}, time.Time{}); err != nil {
					return err
				}
				_, err := b.client.ListCallHistory(ctx(nil), time.Time{}, time.Time{})
				return err
			},
			want: zoom.ErrRateLimited,
			check: func(t *testing.T, err error) {
				var ae *zoom.APIError
				errors.As(err, &ae)
				y, m, d := time.Now().UTC().Date()
				if midnight := time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC); ae == nil || !ae.Daily || !ae.RetryAt.Equal(midnight) {
					t.Errorf("want a daily limit until %v, got %v", midnight, err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := hotel(2, zoomsim.TargetUsers)
			if tt.sim != nil {
				tt.sim(&cfg)
			}
			b := setup(t, cfg)
			err := tt.call(b)
			for _, s := range []error{zoom.ErrPermanent, zoom.ErrRateLimited, zoom.ErrRetryable} {
				if errors.Is(err, s) != (s == tt.want) {
					t.Errorf("errors.Is(%v, %v) = %v", err, s, errors.Is(err, s))
				}
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
}

func withTimeout(c zoom.Config, d time.Duration) zoom.Config {
	c.HTTPClient = &http.Client{Timeout: d}
	return c
}

// TestRateLimitedCallPausesTheBucket: after a 429 the limiter holds every
// call of the bucket until Zoom's time, instead of hammering Zoom.
func TestRateLimitedCallPausesTheBucket(t *testing.T) {
	cfg := hotel(2, zoomsim.TargetUsers)
	cfg.Faults = zoomsim.Faults{RateLimitUntil: time.Now().Add(300 * time.Millisecond)}
	cfg.RetryAfter = zoomsim.RetryAfterSeconds
	b := setup(t, cfg, func(c *zoom.Config) { c.Limiter = zoom.NewLocalLimiter(zoom.LimiterConfig{}) })
	_, err := b.client.ListUsers(ctx(t))
	at, limited := zoom.RetryAt(err)
	if !limited {
		t.Fatalf("first call: %v, want rate limited", err)
	}
	start := time.Now()
	if _, err := b.client.ListUsers(ctx(t)); err != nil {
		t.Fatalf("call after the pause: %v", err)
	}
	if sent := start.Add(time.Since(start)); sent.Before(at) {
		t.Errorf("the call after a 429 went out at %v, before Zoom's Retry-After %v", sent, at)
	}
	if n := b.sim.Stats().Family(zoom.FamilyMain).RateLimited; n != 1 {
		t.Errorf("%d 429s, want 1 (the bucket must be held, not retried)", n)
	}
}
