package testenv

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

const (
	// DefaultWait bounds a wait for something that takes well under a
	// second on an idle machine: generous, because two busy cores running
	// race-instrumented tests are many times slower, and a passing wait
	// returns as soon as its fact holds.
	DefaultWait = 15 * time.Second
	// pollEvery is how often a wait looks again.
	pollEvery = 20 * time.Millisecond
	// pollTimeout bounds one look (a NATS request, an HTTP request).
	pollTimeout = 5 * time.Second
)

// Ctx is a context for a test's calls: cancelled when the test ends, and
// after 30 s at the latest, so that a hung call fails the test instead of
// stalling the suite.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// WaitFor polls cond until it reports true, and fails the test after
// timeout, naming what it waited for and what cond last said of the state.
// It must be called from the test's goroutine.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() (done bool, state string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done, state := cond()
		if done {
			return
		}
		if !time.Now().Before(deadline) {
			t.Fatalf("timed out after %v waiting for %s; last seen: %s", timeout, what, orNothing(state))
			return
		}
		time.Sleep(pollEvery)
	}
}

func orNothing(s string) string {
	if s == "" {
		return "(nothing said)"
	}
	return s
}

// WaitAckFloor waits until the durable consumer c has finished every
// message up to stream sequence seq — acknowledged or terminated, never
// merely delivered or handed back — that is, until its ack floor reaches
// seq. seq is what the producer's publish returned (Result.Ack.Sequence):
// once this returns, the worker is done with that event and every earlier
// one, and what they did can be asserted.
func WaitAckFloor(t testing.TB, c jetstream.Consumer, seq uint64) {
	t.Helper()
	WaitAckFloorWithin(t, DefaultWait, c, seq)
}

// WaitAckFloorWithin is WaitAckFloor with its own timeout, for a test
// whose events wait out retries or a pause.
func WaitAckFloorWithin(t testing.TB, timeout time.Duration, c jetstream.Consumer, seq uint64) {
	t.Helper()
	WaitFor(t, timeout, fmt.Sprintf("the ack floor of consumer %s to reach stream sequence %d", c.CachedInfo().Name, seq), func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), pollTimeout)
		defer cancel()
		info, err := c.Info(ctx)
		if err != nil {
			return false, err.Error()
		}
		return info.AckFloor.Stream >= seq, fmt.Sprintf("ack floor %d, pending %d, ack pending %d, redelivered %d",
			info.AckFloor.Stream, info.NumPending, info.NumAckPending, info.NumRedelivered)
	})
}

// WaitReady polls ready (a Worker's Ready, a link's) until it returns nil,
// and fails the test after timeout with its last error.
func WaitReady(t testing.TB, timeout time.Duration, what string, ready func(context.Context) error) {
	t.Helper()
	WaitFor(t, timeout, what+" to be ready", func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), pollTimeout)
		defer cancel()
		if err := ready(ctx); err != nil {
			return false, err.Error()
		}
		return true, ""
	})
}

// WaitHTTPReady polls url (a /readyz) until it answers 200, and fails the
// test after timeout with the last status or error.
func WaitHTTPReady(t testing.TB, timeout time.Duration, url string) {
	t.Helper()
	WaitReady(t, timeout, url, func(ctx context.Context) error { return Get200(ctx, url) })
}

// Get200 asks url once: nil when it answers 200 OK, else an error naming
// the status and the start of the body (a /readyz says why), or the failure.
func Get200(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
