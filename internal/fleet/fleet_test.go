package fleet_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// setup starts an embedded JetStream server and returns the fleet bucket.
func setup(t *testing.T) jetstream.KeyValue {
	t.Helper()
	srv, err := broker.StartEmbedded(broker.EmbeddedConfig{Listen: "127.0.0.1:-1", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	nc, err := broker.Connect(broker.ConnectConfig{URL: srv.ClientURL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	kv, err := js.CreateOrUpdateKeyValue(context.Background(), broker.FleetBucketConfig(broker.Topology{}))
	if err != nil {
		t.Fatal(err)
	}
	return kv
}

func startSim(t *testing.T, cfg zoomsim.Config) *zoomsim.Server {
	t.Helper()
	if cfg.Seed == nil {
		cfg.Seed = &zoomsim.Seed{Rooms: 3, FirstExtension: 1201}
	}
	sim, err := zoomsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// replica is one worker's view of Zoom: its own client, the shared limiter
// and token.
func replica(t *testing.T, kv jetstream.KeyValue, sim *zoomsim.Server, name string, limits map[zoom.Bucket]zoom.Limit) *zoom.Client {
	t.Helper()
	sc := sim.Config()
	minter := zoom.NewS2S(zoom.S2SConfig{URL: sim.OAuthURL(), AccountID: sc.AccountID, ClientID: sc.ClientID, ClientSecret: sc.ClientSecret})
	tokens, err := fleet.NewTokenSource(kv, minter, fleet.TokenConfig{Secret: sc.ClientSecret, Holder: name})
	if err != nil {
		t.Fatal(err)
	}
	c, err := zoom.New(zoom.Config{URL: sim.OAuthURL(), DefaultAPIURL: "http://127.0.0.1:1", TokenSource: tokens,
		Limiter: fleet.NewLimiter(kv, zoom.LimiterConfig{Limits: limits})})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestFleetRateLimit: three replicas, each with 8 goroutines calling as
// fast as they can, share one limit: no one-second window at Zoom above it,
// no 429, and together close to the limit.
func TestFleetRateLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("several seconds at the limit")
	}
	const perReplica, limit = 150, 50
	main := zoom.Bucket{Family: zoom.FamilyMain, Category: zoom.Medium}
	light := zoom.Bucket{Family: zoom.FamilyMain, Category: zoom.Light}
	kv := setup(t)
	sim := startSim(t, zoomsim.Config{Limits: map[zoom.Bucket]zoom.Limit{
		main: {Count: limit, Per: time.Second}, light: {Count: limit, Per: time.Second}}})
	room, _ := sim.UserByExtension(1201)
	var wg sync.WaitGroup
	var clients []*zoom.Client
	for _, name := range []string{"a", "b", "c"} {
		c := replica(t, kv, sim, name, map[zoom.Bucket]zoom.Limit{main: {Count: limit, Per: time.Second}})
		clients = append(clients, c)
	}
	start := time.Now()
	for _, c := range clients {
		work := make(chan struct{}, perReplica)
		for range perReplica {
			work <- struct{}{}
		}
		close(work)
		for range 8 {
			wg.Go(func() {
				for range work {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					_, err := c.GetUser(ctx, room.ID)
					cancel()
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	st := sim.Stats()
	fam := st.Family(zoom.FamilyMain)
	rate := float64(fam.Accepted) / elapsed.Seconds()
	t.Logf("%d calls in %v: %.1f/s (%.0f%% of %d/s), busiest second %d, 429s %d, tokens %d",
		fam.Accepted, elapsed.Round(time.Millisecond), rate, 100*rate/limit, limit, fam.MaxPerSecond, fam.RateLimited, st.TokensIssued)
	if fam.Accepted != 3*perReplica || fam.RateLimited != 0 {
		t.Errorf("%d accepted, %d 429s; want %d and 0", fam.Accepted, fam.RateLimited, 3*perReplica)
	}
	if fam.MaxPerSecond > limit {
		t.Errorf("busiest second held %d calls, above the fleet's limit %d", fam.MaxPerSecond, limit)
	}
	if rate < 0.9*limit {
		t.Errorf("the fleet drew %.1f/s, below 90%% of %d/s", rate, limit)
	}
	if st.TokensIssued != 1 {
		t.Errorf("%d tokens minted for three replicas, want 1", st.TokensIssued)
	}
}

// TestFleetBackoff: a 429 seen by one replica holds every replica.
func TestFleetBackoff(t *testing.T) {
	kv := setup(t)
	b := zoom.Bucket{Family: zoom.FamilyPhone, Category: zoom.Medium}
	one := fleet.NewLimiter(kv, zoom.LimiterConfig{})
	other := fleet.NewLimiter(kv, zoom.LimiterConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := other.Wait(ctx, b); err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(400 * time.Millisecond)
	if err := one.Backoff(ctx, b, until); err != nil {
		t.Fatal(err)
	}
	if err := other.Wait(ctx, b); err != nil {
		t.Fatal(err)
	}
	if now := time.Now(); now.Before(until) {
		t.Fatalf("the other replica went %v before the fleet's backoff ended", until.Sub(now))
	}
}

// TestSharedTokenInStrictMode: where a new token invalidates the older
// ones, three replicas share one token and see no 401; after Zoom revokes
// it, one replacement serves all.
func TestSharedTokenInStrictMode(t *testing.T) {
	kv := setup(t)
	sim := startSim(t, zoomsim.Config{TokenMode: zoomsim.TokenModeLatestOnly, Unlimited: true})
	var clients []*zoom.Client
	for _, name := range []string{"a", "b", "c"} {
		clients = append(clients, replica(t, kv, sim, name, nil))
	}
	round := func() {
		var wg sync.WaitGroup
		for _, c := range clients {
			for range 5 {
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					if _, err := c.ListUsers(ctx); err != nil {
						t.Error(err)
					}
				})
			}
		}
		wg.Wait()
	}
	round()
	st := sim.Stats()
	if st.TokensIssued != 1 || st.Family(zoom.FamilyMain).Unauthorized != 0 {
		t.Fatalf("tokens %d, 401s %d; want 1 and 0", st.TokensIssued, st.Family(zoom.FamilyMain).Unauthorized)
	}
	sim.RevokeTokens()
	round()
	st = sim.Stats()
	// Each of the 15 calls in flight may meet the revoked token once; one
	// new token serves them all.
	if st.TokensIssued != 2 || st.Family(zoom.FamilyMain).Unauthorized > 15 {
		t.Fatalf("after revocation: tokens %d, 401s %d; want 2 and at most one per call", st.TokensIssued, st.Family(zoom.FamilyMain).Unauthorized)
	}

	// The token is sealed: the bucket never holds it in clear.
	e, err := kv.Get(context.Background(), "zoom.token")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(e.Value(), []byte("access_token")) || bytes.Contains(e.Value(), []byte("sim-")) {
		t.Fatalf("the bucket holds the token in clear: %s", e.Value())
	}
}
