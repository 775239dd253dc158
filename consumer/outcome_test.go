package consumer

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// TestDecide: only the event's own failures use attempts; waiting, the
// account's failures and the infrastructure's are deferrals.
func TestDecide(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	cfg := Config{Retries: 3, RetryInterval: time.Minute}
	tests := []struct {
		name     string
		err      error
		attempts int
		want     act
		after    time.Duration
		used     int
	}{
		{"5xx, first attempt", &zoom.APIError{Op: "updateUser", Status: 503}, 0, actRetry, time.Minute, 1},
		{"network, last attempt", &zoom.TransportError{Op: "updateUser", Err: errors.New("reset")}, 2, actBury, 0, 3},
		{"validation", &zoom.APIError{Op: "updateUser", Status: 400, Code: 300}, 0, actBury, 0, 1},
		{"unknown extension", ErrUnknownExtension, 1, actBury, 0, 2},
		{"429 with a time", &zoom.APIError{Op: "updateUser", Status: 429, RetryAt: now.Add(20 * time.Second)}, 2, actDefer, 20 * time.Second, 2},
		{"fleet pause", &zoom.PausedError{Until: now.Add(3 * time.Hour)}, 1, actDefer, 3 * time.Hour, 1},
		{"presence minute", &waitError{until: now.Add(40 * time.Second), err: &zoom.APIError{Status: 400, Code: 5301}}, 0, actDefer, 40 * time.Second, 0},
		{"credentials refused", &zoom.AuthError{Status: 400, Kind: "invalid_client"}, 2, actPause, time.Second, 2},
		{"lost claim", fmt.Errorf("%w: conflict", errLostClaim), 0, actDefer, claimDelay, 0},
		{"NATS down", errors.New("nats: timeout"), 2, actDefer, infraDelay, 2},
		{"stopping", fmt.Errorf("zoom updateUser: %w", context.Canceled), 1, actHandBack, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decide(tt.err, tt.attempts, cfg, now)
			if d.act != tt.want || d.after != tt.after || d.attempts != tt.used {
				t.Fatalf("decide = act %d after %v attempts %d; want act %d after %v attempts %d",
					d.act, d.after, d.attempts, tt.want, tt.after, tt.used)
			}
		})
	}
}
