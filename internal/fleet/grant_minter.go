package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/seal"
	"github.com/pbxlink/pbxlink/zoom"
)

// Refresher trades a refresh token for a new grant; *zoom.AuthCode is one.
type Refresher interface {
	Refresh(ctx context.Context, refreshToken string) (*zoom.Grant, error)
}

// GrantConfig configures a GrantMinter.
type GrantConfig struct {
	// Zoom refreshes the grant (a *zoom.AuthCode). Required.
	Zoom Refresher
	// Secret is the client secret: the grant is sealed under a key
	// derived from it. Required.
	Secret string
	// Holder names this replica in the refresh marker. Required.
	Holder string
	// RefreshTimeout is how long the other replicas leave a refresh in
	// progress to its replica before they take over (it died). The
	// refresh request itself gets half of it. Default one minute.
	RefreshTimeout time.Duration
	// Poll is how often a replica waiting for another's refresh looks
	// again. Default 50 ms.
	Poll time.Duration
	// Now is the clock of the marker and RefreshedAt. Default time.Now.
	Now func() time.Time
}

// WithDefaults returns a copy of c with every unset field at its default.
func (c GrantConfig) WithDefaults() GrantConfig {
	if c.RefreshTimeout <= 0 {
		c.RefreshTimeout = time.Minute
	}
	if c.Poll <= 0 {
		c.Poll = 50 * time.Millisecond
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func (c GrantConfig) validate() error {
	var errs []error
	if c.Zoom == nil {
		errs = append(errs, errors.New("fleet: GrantConfig.Zoom is required"))
	}
	if c.Secret == "" {
		errs = append(errs, errors.New("fleet: GrantConfig.Secret is required"))
	}
	if c.Holder == "" {
		errs = append(errs, errors.New("fleet: GrantConfig.Holder is required"))
	}
	return errors.Join(errs...)
}

// GrantMinter is the fleet's Minter for the account-level OAuth app: each
// Mint refreshes the stored grant and returns the new access token. Zoom
// rotates the refresh token on every use, so:
//   - one replica refreshes at a time: it first marks the grant (a
//     compare-and-set on its revision); the others wait for its result and
//     use the access token it stored instead of refreshing with a refresh
//     token that is about to die;
//   - the new refresh token is stored (compare-and-set again) before the
//     access token is handed out; one that could not be stored is kept in
//     memory and stored by the next Mint before anything else;
//   - a newer authorisation (pbxlink authorize) or an erasure (a
//     de-authorization) found at that point wins: the result of the old
//     grant is dropped, never written over them.
//
// Use it under a TokenSource, which shares the access token and mints
// once for the fleet; the grant's own marker still holds if a TokenSource's
// minting marker times out.
type GrantMinter struct {
	kv  jetstream.KeyValue
	cfg GrantConfig
	box *seal.Box

	mu      sync.Mutex
	pending *pendingGrant
}

// pendingGrant is a refreshed grant not yet stored.
type pendingGrant struct {
	grant *zoom.Grant
	from  string // the refresh token it was refreshed with
	info  GrantInfo
}

// NewGrantMinter returns the minter of the grant stored in kv (the
// pbxlink-fleet bucket).
func NewGrantMinter(kv jetstream.KeyValue, cfg GrantConfig) (*GrantMinter, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	box, err := grantBox(cfg.Secret)
	if err != nil {
		return nil, err
	}
	return &GrantMinter{kv: kv, cfg: cfg, box: box}, nil
}

// Mint refreshes the grant and returns the new access token, or the one
// another replica's refresh stored while this one waited. Errors: ErrNoGrant
// and ErrGrantSealed (zoom.ErrAccount); a refused refresh token,
// zoom.ErrGrantRevoked (zoom.ErrAccount); a failure to reach Zoom,
// zoom.ErrRetryable; a failure to read or write the bucket as such.
func (m *GrantMinter) Mint(ctx context.Context) (*zoom.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pending != nil {
		t, err := m.storePending(ctx)
		if err != nil || t != nil {
			return t, err
		}
	}
	var waitedFor string // the refresh token seen while another replica refreshed
	for {
		st, rev, err := readGrant(ctx, m.kv)
		if err != nil {
			return nil, err
		}
		sg, err := openGrant(m.box, st.Sealed)
		if err != nil {
			return nil, err
		}
		now := m.cfg.Now()
		if waitedFor != "" && sg.RefreshToken != waitedFor && sg.AccessToken != "" && now.Add(time.Minute).Before(sg.Expiry) {
			// Another replica refreshed while this one waited: its
			// access token is brand new.
			return sg.token(), nil
		}
		if st.RefreshingBy != "" && st.RefreshingBy != m.cfg.Holder && now.Before(st.RefreshingUntil) {
			waitedFor = sg.RefreshToken
			if err := sleep(ctx, m.cfg.Poll); err != nil {
				return nil, err
			}
			continue
		}
		tookOver := st.RefreshingBy != "" && st.RefreshingBy != m.cfg.Holder
		marked := st
		marked.RefreshingBy, marked.RefreshingUntil = m.cfg.Holder, now.Add(m.cfg.RefreshTimeout)
		rev, err = m.update(ctx, marked, rev)
		if broker.IsConflict(err) {
			continue // someone else marked or replaced it first: look again
		}
		if err != nil {
			return nil, err
		}
		t, err := m.refresh(ctx, st, sg, rev, tookOver)
		if errors.Is(err, errRotatedMeanwhile) {
			waitedFor = sg.RefreshToken // use what replaced it
			continue
		}
		return t, err
	}
}

// errRotatedMeanwhile: Zoom refused the refresh token because another
// replica (or a new authorisation) replaced it meanwhile; read the grant
// again.
var errRotatedMeanwhile = errors.New("fleet: the refresh token was replaced meanwhile")

// refresh uses the refresh token while holding the marker at rev.
func (m *GrantMinter) refresh(ctx context.Context, st storedGrant, sg sealedGrant, rev uint64, tookOver bool) (*zoom.Token, error) {
	rctx, cancel := context.WithTimeout(ctx, m.cfg.RefreshTimeout/2)
	g, err := m.cfg.Zoom.Refresh(rctx, sg.RefreshToken)
	cancel()
	if err != nil {
		// Free the refresh token for the next attempt, here or elsewhere.
		// The mark goes, a dead replica's included: the next refusal is
		// then no take-over's, and ends in ErrGrantRevoked.
		free := st
		free.RefreshingBy, free.RefreshingUntil = "", time.Time{}
		_, _ = m.update(context.WithoutCancel(ctx), free, rev)
		if !errors.Is(err, zoom.ErrGrantRevoked) {
			return nil, err
		}
		if now, _, rerr := readGrant(ctx, m.kv); rerr == nil {
			if cur, oerr := openGrant(m.box, now.Sealed); oerr == nil && cur.RefreshToken != sg.RefreshToken {
				return nil, errRotatedMeanwhile
			}
		}
		if tookOver {
			// The replica whose marker expired may have used the token
			// and may still store its result: not the grant's end yet.
			return nil, fmt.Errorf("fleet: refresh refused after taking over from %s, whose result may still come: %w (%v)", st.RefreshingBy, zoom.ErrRetryable, err)
		}
		return nil, err
	}
	info := st.GrantInfo
	info.RefreshedAt, info.RefreshedBy = m.cfg.Now(), m.cfg.Holder
	info.Refreshes++
	m.pending = &pendingGrant{grant: g, from: sg.RefreshToken, info: info}
	// Store it even if the caller gives up now: the old token is dead.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.cfg.RefreshTimeout/2)
	defer cancel()
	t, err := m.storePending(sctx)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, fmt.Errorf("fleet: the refreshed grant was not stored: %w", ErrNoGrant)
	}
	return t, nil
}

// storePending stores the pending grant over the one it was refreshed from
// and returns its access token. It returns nil and no error when the
// pending grant was dropped because the bucket holds a newer authorisation
// (the caller then reads that one), and ErrNoGrant when the grant was
// erased meanwhile. On a bucket failure the grant stays pending.
func (m *GrantMinter) storePending(ctx context.Context) (*zoom.Token, error) {
	p := m.pending
	sealed, err := sealGrant(m.box, p.grant)
	if err != nil {
		return nil, err
	}
	for {
		st, rev, err := readGrant(ctx, m.kv)
		if errors.Is(err, ErrNoGrant) {
			m.pending = nil // erased (de-authorized): never bring it back
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("fleet: storing the refreshed grant: %w", err)
		}
		cur, err := openGrant(m.box, st.Sealed)
		switch {
		case err == nil && cur.RefreshToken == p.grant.RefreshToken:
			m.pending = nil // stored already (an answer lost on the way)
			tok := p.grant.Token
			return &tok, nil
		case err != nil || cur.RefreshToken != p.from:
			m.pending = nil // a newer authorisation replaced the grant
			return nil, nil
		}
		_, err = m.update(ctx, storedGrant{GrantInfo: p.info, Sealed: sealed}, rev)
		if broker.IsConflict(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("fleet: storing the refreshed grant: %w", err)
		}
		m.pending = nil
		tok := p.grant.Token
		return &tok, nil
	}
}

func (m *GrantMinter) update(ctx context.Context, st storedGrant, rev uint64) (uint64, error) {
	data, err := json.Marshal(st)
	if err != nil {
		return 0, err
	}
	return m.kv.Update(ctx, GrantKey, data, rev)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
