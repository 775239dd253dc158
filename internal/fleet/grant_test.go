package fleet_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

const grantRedirect = "http://127.0.0.1:8765/oauth/callback"

// grantEnv is a simulator with the OAuth app authorised and the grant
// stored in the fleet bucket.
type grantEnv struct {
	sim   *zoomsim.Server
	kv    jetstream.KeyValue
	clock *testenv.Clock
	app   *zoom.AuthCode
}

func newGrantEnv(t *testing.T) *grantEnv {
	t.Helper()
	clock := testenv.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	e := &grantEnv{clock: clock, kv: setup(t)}
	e.sim = startSim(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 2, FirstExtension: 1201, Staff: 1}, Now: clock.Now, Unlimited: true})
	app, err := zoom.NewAuthCode(zoom.AuthCodeConfig{URL: e.sim.OAuthURL(), ClientID: "sim-client", ClientSecret: "sim-secret", RedirectURI: grantRedirect, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.app = app
	e.authorize(t)
	return e
}

// authorize runs the admin's consent and stores the new grant.
func (e *grantEnv) authorize(t *testing.T) *zoom.Grant {
	t.Helper()
	g := testenv.Consent(t, e.app)
	info := fleet.GrantInfo{AccountID: "sim-account", UserEmail: "staff1@hotel.example", UserName: "Staff 1", AuthorizedAt: e.clock.Now()}
	if err := fleet.SaveGrant(context.Background(), e.kv, "sim-secret", g, info); err != nil {
		t.Fatal(err)
	}
	return g
}

func (e *grantEnv) minter(t *testing.T, holder string, z fleet.Refresher) *fleet.GrantMinter {
	t.Helper()
	if z == nil {
		z = e.app
	}
	m, err := fleet.NewGrantMinter(e.kv, fleet.GrantConfig{Zoom: z, Secret: "sim-secret", Holder: holder, Now: e.clock.Now, Poll: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// works checks a token against Zoom: GET /users/me answers the admin.
func (e *grantEnv) works(t *testing.T, tok *zoom.Token) {
	t.Helper()
	c, err := zoom.New(zoom.Config{URL: e.sim.OAuthURL(), TokenSource: zoom.StaticToken{T: tok}, Limiter: zoom.Unlimited{}, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if me, err := c.Me(context.Background()); err != nil || me.AccountID != "sim-account" {
		t.Fatalf("the access token does not work: %+v %v", me, err)
	}
}

// TestGrantRotationRace: three replicas, each a TokenSource over its own
// GrantMinter and one bucket, with eight goroutines each asking for tokens
// (and dropping some as refused) across five hours of a fake clock: Zoom
// never sees a rotated-out refresh token, every token handed out works, and
// the grant still works at the end.
func TestGrantRotationRace(t *testing.T) {
	e := newGrantEnv(t)
	ctx := context.Background()
	var sources []*fleet.TokenSource
	for i := range 3 {
		holder := string(rune('a'+i)) + "/replica"
		// The clock jumps 20 minutes at a time: a refresh marker shorter
		// than that would look abandoned after a jump, which is the
		// take-over case that has tests of its own. The TokenSource's
		// 30-second minting marker does run out on jumps, so replicas do
		// mint at once and the grant's marker alone keeps them apart.
		m, err := fleet.NewGrantMinter(e.kv, fleet.GrantConfig{Zoom: e.app, Secret: "sim-secret", Holder: holder, Now: e.clock.Now,
			Poll: 5 * time.Millisecond, RefreshTimeout: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		ts, err := fleet.NewTokenSource(e.kv, m, fleet.TokenConfig{Secret: "sim-secret", Holder: holder, Now: e.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, ts)
	}
	var (
		wg       sync.WaitGroup
		stop     atomic.Bool
		calls    atomic.Int64
		mu       sync.Mutex
		failures []error
		seen     = map[string]bool{}
	)
	for r, ts := range sources {
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; !stop.Load(); n++ {
					tok, err := ts.Token(ctx)
					calls.Add(1)
					if err != nil {
						mu.Lock()
						failures = append(failures, err)
						mu.Unlock()
						return
					}
					mu.Lock()
					check := !seen[tok.AccessToken]
					seen[tok.AccessToken] = true
					mu.Unlock()
					if check {
						e.works(t, tok)
					}
					if (n+r+g)%97 == 0 { // Zoom refused it: the fleet mints anew
						if err := ts.Invalidate(ctx, tok); err != nil {
							t.Error(err)
						}
					}
				}
			}()
		}
	}
	for range 15 { // five hours in steps of 20 minutes: five expiries
		time.Sleep(40 * time.Millisecond)
		e.clock.Advance(20 * time.Minute)
	}
	time.Sleep(40 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d Token calls failed, first: %v", len(failures), failures[0])
	}
	st := e.sim.OAuthStats()
	if st.RefusedRefreshes != 0 {
		t.Fatalf("Zoom refused %d refreshes (a replica used a rotated-out refresh token); %+v", st.RefusedRefreshes, st)
	}
	if st.Refreshes < 5 {
		t.Fatalf("%d refreshes across five expiries", st.Refreshes)
	}
	info, err := fleet.LoadGrant(ctx, e.kv)
	if err != nil || info.Refreshes != uint64(st.Refreshes) || info.AccountID != "sim-account" || !info.RefreshedAt.After(info.AuthorizedAt) {
		t.Fatalf("stored grant %+v (%v), Zoom counted %d refreshes", info, err, st.Refreshes)
	}
	tok, err := e.minter(t, "late/replica", nil).Mint(ctx) // a fourth replica, later
	if err != nil {
		t.Fatalf("the grant no longer works: %v", err)
	}
	e.works(t, tok)
	t.Logf("%d Token calls, %d refreshes, %d distinct tokens", calls.Load(), st.Refreshes+1, len(seen))
}

// TestGrantMintersRace: three minters of one grant, four goroutines each,
// minting at once (no TokenSource in front): one refreshes at a time, the
// others take the token it stored; Zoom refuses nothing.
func TestGrantMintersRace(t *testing.T) {
	e := newGrantEnv(t)
	ctx := context.Background()
	var minters []*fleet.GrantMinter
	for i := range 3 {
		minters = append(minters, e.minter(t, string(rune('a'+i)), nil))
	}
	for round := range 5 {
		var wg sync.WaitGroup
		errs := make(chan error, 12)
		for _, m := range minters {
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tok, err := m.Mint(ctx)
					if err == nil && tok.AccessToken == "" {
						err = errors.New("empty access token")
					}
					errs <- err
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		e.clock.Advance(time.Hour)
	}
	if st := e.sim.OAuthStats(); st.RefusedRefreshes != 0 || st.Refreshes == 0 {
		t.Fatalf("OAuthStats %+v", st)
	}
}

// slowZoom holds a refresh until released, for races on purpose.
type slowZoom struct {
	app     fleet.Refresher
	entered chan struct{}
	release chan struct{}
}

func (s *slowZoom) Refresh(ctx context.Context, rt string) (*zoom.Grant, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.app.Refresh(ctx, rt)
}

// TestGrantTakeoverLosesNothing: a replica stalls in its refresh beyond the
// marker's time; another takes over and refreshes. The stalled one's
// refresh token is then refused: it reads the grant again and hands out the
// access token the other stored, and the grant still works.
func TestGrantTakeoverLosesNothing(t *testing.T) {
	e := newGrantEnv(t)
	ctx := context.Background()
	slow := &slowZoom{app: e.app, entered: make(chan struct{}), release: make(chan struct{})}
	stalled := e.minter(t, "stalled", slow)
	type result struct {
		tok *zoom.Token
		err error
	}
	done := make(chan result, 1)
	go func() {
		tok, err := stalled.Mint(ctx)
		done <- result{tok, err}
	}()
	<-slow.entered
	e.clock.Advance(2 * time.Minute) // the stalled replica's marker runs out
	other, err := e.minter(t, "other", nil).Mint(ctx)
	if err != nil {
		t.Fatalf("take-over: %v", err)
	}
	close(slow.release)
	r := <-done
	if r.err != nil {
		t.Fatalf("the stalled replica: %v", r.err)
	}
	if r.tok.AccessToken != other.AccessToken {
		t.Fatal("the stalled replica did not take the token the other stored")
	}
	if st := e.sim.OAuthStats(); st.RefusedRefreshes != 1 || st.Refreshes != 1 {
		t.Fatalf("OAuthStats %+v: want the stalled refresh refused once and one refresh", st)
	}
	tok, err := e.minter(t, "later", nil).Mint(ctx)
	if err != nil {
		t.Fatalf("the grant no longer works: %v", err)
	}
	e.works(t, tok)
}

// TestGrantTakeoverRefusedIsRetryable: the other order: the stalled
// replica's refresh reaches Zoom first, so the replica that took over is
// refused. That is retryable, not the grant's end, and the stalled replica
// still stores its result over the other's marker.
func TestGrantTakeoverRefusedIsRetryable(t *testing.T) {
	e := newGrantEnv(t)
	ctx := context.Background()
	gate := make(chan struct{})
	first := &slowZoom{app: e.app, entered: make(chan struct{}, 1), release: gate}
	held := &holdingKV{KeyValue: e.kv, hold: make(chan struct{})}
	stalled, err := fleet.NewGrantMinter(held, fleet.GrantConfig{Zoom: first, Secret: "sim-secret", Holder: "stalled", Now: e.clock.Now, Poll: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := stalled.Mint(ctx)
		done <- err
	}()
	<-first.entered
	e.clock.Advance(2 * time.Minute)
	// The stalled refresh reaches Zoom (and rotates the token) but its
	// answer is not stored yet while the other replica takes over.
	var once sync.Once
	late := &hookZoom{app: e.app, before: func() {
		once.Do(func() {
			close(gate)
			for e.sim.OAuthStats().Refreshes == 0 {
				time.Sleep(time.Millisecond)
			}
		})
	}}
	_, err = e.minter(t, "other", late).Mint(ctx)
	if !errors.Is(err, zoom.ErrRetryable) || errors.Is(err, zoom.ErrAccount) {
		t.Fatalf("refused after a take-over: %v, want retryable and not the account's", err)
	}
	close(held.hold) // now the stalled replica stores its result
	if err := <-done; err != nil {
		t.Fatalf("the stalled replica: %v", err)
	}
	tok, err := e.minter(t, "later", nil).Mint(ctx)
	if err != nil {
		t.Fatalf("the grant no longer works: %v", err)
	}
	e.works(t, tok)
}

// hookZoom runs before ahead of each refresh.
type hookZoom struct {
	app    fleet.Refresher
	before func()
}

func (h *hookZoom) Refresh(ctx context.Context, rt string) (*zoom.Grant, error) {
	h.before()
	return h.app.Refresh(ctx, rt)
}

// failingKV fails the write that would store a refreshed grant, once.
type failingKV struct {
	jetstream.KeyValue
	fail atomic.Bool
}

func (f *failingKV) Update(ctx context.Context, key string, value []byte, rev uint64) (uint64, error) {
	if key == fleet.GrantKey && f.fail.Load() && !containsMarker(value) {
		f.fail.Store(false)
		return 0, errors.New("nats: timeout")
	}
	return f.KeyValue.Update(ctx, key, value, rev)
}

func containsMarker(v []byte) bool { return bytes.Contains(v, []byte(`"refreshing_by"`)) }

// holdingKV holds the write that stores a refreshed grant until hold
// closes.
type holdingKV struct {
	jetstream.KeyValue
	hold chan struct{}
}

func (h *holdingKV) Update(ctx context.Context, key string, value []byte, rev uint64) (uint64, error) {
	if key == fleet.GrantKey && !containsMarker(value) {
		<-h.hold
	}
	return h.KeyValue.Update(ctx, key, value, rev)
}

// TestGrantKeptWhenTheBucketFails: the refreshed grant cannot be stored
// (NATS times out): no access token is handed out, and the next Mint
// stores the refreshed grant first, so the rotated refresh token is not
// lost and Zoom refuses nothing.
func TestGrantKeptWhenTheBucketFails(t *testing.T) {
	e := newGrantEnv(t)
	ctx := context.Background()
	fkv := &failingKV{KeyValue: e.kv}
	fkv.fail.Store(true)
	m, err := fleet.NewGrantMinter(fkv, fleet.GrantConfig{Zoom: e.app, Secret: "sim-secret", Holder: "a", Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Mint(ctx); err == nil {
		t.Fatal("Mint handed out a token whose refresh token was not stored")
	}
	tok, err := m.Mint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.works(t, tok)
	if st := e.sim.OAuthStats(); st.Refreshes != 1 || st.RefusedRefreshes != 0 {
		t.Fatalf("OAuthStats %+v: want the one refresh kept", st)
	}
	if _, err := e.minter(t, "b", nil).Mint(ctx); err != nil {
		t.Fatalf("the grant no longer works: %v", err)
	}
}

// TestGrantRevokedAndReplaced: a de-authorized app's refresh is refused as
// ErrGrantRevoked (the account's failure) and the stored grant stays for
// the operator to see; a new authorisation replaces it and works; an
// erasure removes it; another client secret cannot open it.
func TestGrantRevokedAndReplaced(t *testing.T) {
	e := newGrantEnv(t)
	ctx := context.Background()
	m := e.minter(t, "a", nil)
	e.sim.Deauthorize()
	_, err := m.Mint(ctx)
	if !errors.Is(err, zoom.ErrGrantRevoked) || !errors.Is(err, zoom.ErrAccount) {
		t.Fatalf("after de-authorization: %v, want ErrGrantRevoked", err)
	}
	if ok, err := fleet.HasGrant(ctx, e.kv); !ok || err != nil {
		t.Fatalf("HasGrant = %v, %v after a refusal", ok, err)
	}
	e.clock.Advance(time.Minute)
	e.authorize(t)
	tok, err := m.Mint(ctx)
	if err != nil {
		t.Fatalf("after authorising again: %v", err)
	}
	e.works(t, tok)
	other, err := fleet.NewGrantMinter(e.kv, fleet.GrantConfig{Zoom: e.app, Secret: "rotated-secret", Holder: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Mint(ctx); !errors.Is(err, fleet.ErrGrantSealed) || !errors.Is(err, zoom.ErrAccount) {
		t.Fatalf("another secret: %v, want ErrGrantSealed", err)
	}
	had, err := fleet.EraseGrant(ctx, e.kv)
	if !had || err != nil {
		t.Fatalf("EraseGrant = %v, %v", had, err)
	}
	if _, err := m.Mint(ctx); !errors.Is(err, fleet.ErrNoGrant) || !errors.Is(err, zoom.ErrAccount) {
		t.Fatalf("after erasure: %v, want ErrNoGrant", err)
	}
	if ok, err := fleet.HasGrant(ctx, e.kv); ok || err != nil {
		t.Fatalf("HasGrant = %v, %v after erasure", ok, err)
	}
	if _, err := fleet.NewGrantMinter(e.kv, fleet.GrantConfig{Secret: "s"}); err == nil {
		t.Fatal("a GrantConfig without Zoom and Holder was accepted")
	}
}

// TestGrantDeadRefresherEndsInRevoked: a replica died after using the
// refresh token and before storing the new one, leaving its mark. The next
// replica waits the mark out, takes over and is refused: retryable once (the
// dead one might still store), then, with no result stored, the grant's end
// (ErrGrantRevoked), not an endless retry.
func TestGrantDeadRefresherEndsInRevoked(t *testing.T) {
	e := newGrantEnv(t)
	ctx := context.Background()
	dying := &slowZoom{app: e.app, entered: make(chan struct{}, 1), release: make(chan struct{})}
	dead, err := fleet.NewGrantMinter(&holdingKV{KeyValue: e.kv, hold: make(chan struct{})}, fleet.GrantConfig{Zoom: dying, Secret: "sim-secret", Holder: "dead", Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _, _ = dead.Mint(dctx) }() // refreshes, then never stores
	<-dying.entered
	close(dying.release)
	for e.sim.OAuthStats().Refreshes == 0 {
		time.Sleep(time.Millisecond)
	}
	e.clock.Advance(2 * time.Minute)
	m := e.minter(t, "next", nil)
	if _, err := m.Mint(ctx); !errors.Is(err, zoom.ErrRetryable) {
		t.Fatalf("first attempt after the take-over: %v, want retryable", err)
	}
	if _, err := m.Mint(ctx); !errors.Is(err, zoom.ErrGrantRevoked) {
		t.Fatalf("second attempt: %v, want ErrGrantRevoked", err)
	}
}
