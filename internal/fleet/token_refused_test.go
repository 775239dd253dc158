package fleet_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
)

// gatedKV is the fleet bucket with a catch: once armed, the next Get of
// zoom.token reads the bucket and then waits until the test releases it,
// so that a test can run a second caller in between.
type gatedKV struct {
	jetstream.KeyValue
	armed   atomic.Bool
	reached chan struct{}
	release chan struct{}
}

func (g *gatedKV) Get(ctx context.Context, key string) (jetstream.KeyValueEntry, error) {
	e, err := g.KeyValue.Get(ctx, key)
	if key == "zoom.token" && g.armed.CompareAndSwap(true, false) {
		close(g.reached)
		<-g.release
	}
	return e, err
}

// countingMinter mints tok-1, tok-2, … valid for an hour.
type countingMinter struct{ n atomic.Int32 }

func (m *countingMinter) Mint(context.Context) (*zoom.Token, error) {
	return &zoom.Token{AccessToken: fmt.Sprint("tok-", m.n.Add(1)), Expiry: time.Now().Add(time.Hour)}, nil
}

// TestRefusedTokenNotHandedOutAgain: a Token call that reads the bucket
// while Invalidate is dropping the token Zoom refused (the bucket still
// holds it) must not hand that token out again, nor keep it for the next
// caller: a call retried after a 401 would be refused a second time and
// pause the fleet for a token that a new one would have replaced.
func TestRefusedTokenNotHandedOutAgain(t *testing.T) {
	t.Parallel()
	kv := &gatedKV{KeyValue: setup(t), reached: make(chan struct{}), release: make(chan struct{})}
	ts, err := fleet.NewTokenSource(kv, &countingMinter{}, fleet.TokenConfig{Secret: "secret", Holder: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testenv.Ctx(t)
	refused, err := ts.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}

	kv.armed.Store(true)
	invalidated := make(chan error, 1)
	go func() { invalidated <- ts.Invalidate(ctx, refused) }()
	<-kv.reached // Invalidate dropped its copy and read the bucket, not yet written it

	during, err := ts.Token(ctx)
	if err != nil {
		t.Fatalf("Token while the refused token is dropped: %v", err)
	}
	if during.AccessToken == refused.AccessToken {
		t.Errorf("Token handed out %s, which Zoom had refused, while it was being dropped", refused.AccessToken)
	}
	close(kv.release)
	if err := <-invalidated; err != nil {
		t.Fatalf("Invalidate: %v", err)
	}
	after, err := ts.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.AccessToken == refused.AccessToken {
		t.Errorf("Token after Invalidate returned %s, which Zoom had refused", refused.AccessToken)
	}
}
