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

// tokenKey holds the fleet's Zoom access token, sealed, or a marker saying
// that a replica is minting one.
const tokenKey = "zoom.token"

// Minter mints a new token; *zoom.S2S is one.
type Minter interface {
	Mint(ctx context.Context) (*zoom.Token, error)
}

// TokenConfig configures a TokenSource.
type TokenConfig struct {
	// Secret seals the token in the bucket: the client secret, which every
	// replica has and a NATS user without the Zoom app's credentials does
	// not. Required.
	Secret string
	// Holder names this replica in the minting marker.
	Holder string
	// RefreshBefore is how long before expiry a token is replaced.
	// Default one minute.
	RefreshBefore time.Duration
	// MintTimeout is how long other replicas wait for a replica that
	// said it is minting before they mint themselves. Default 30 s.
	MintTimeout time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// TokenSource is a zoom.TokenSource shared by the fleet: one replica mints,
// the others use its token. Where Zoom lets a new token invalidate the older
// ones, replicas that each minted their own would knock each other out;
// sharing one token avoids that storm of 401s.
type TokenSource struct {
	kv   jetstream.KeyValue
	mint Minter
	cfg  TokenConfig
	box  *seal.Box

	mu      sync.Mutex
	tok     *zoom.Token // this process's copy
	refused string      // the access token Zoom last refused: never kept or handed out again
}

// storedToken is the bucket's value.
type storedToken struct {
	// Sealed is the AES-GCM sealed JSON of the token (nonce first).
	Sealed []byte `json:"sealed,omitempty"`
	// Expiry is the token's, in clear, so that waiters need not unseal.
	Expiry time.Time `json:"expiry,omitzero"`
	// MintingBy and MintingUntil mark a mint in progress.
	MintingBy    string    `json:"minting_by,omitempty"`
	MintingUntil time.Time `json:"minting_until,omitzero"`
}

type tokenJSON struct {
	AccessToken string    `json:"access_token"`
	Expiry      time.Time `json:"expiry"`
	APIURL      string    `json:"api_url,omitempty"`
	Scope       string    `json:"scope,omitempty"`
}

// NewTokenSource returns a shared token source.
func NewTokenSource(kv jetstream.KeyValue, mint Minter, cfg TokenConfig) (*TokenSource, error) {
	if cfg.Secret == "" {
		return nil, errors.New("fleet: TokenConfig.Secret is required")
	}
	if cfg.RefreshBefore <= 0 {
		cfg.RefreshBefore = time.Minute
	}
	if cfg.MintTimeout <= 0 {
		cfg.MintTimeout = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	box, err := seal.New(cfg.Secret, "pbxlink fleet token")
	if err != nil {
		return nil, err
	}
	return &TokenSource{kv: kv, mint: mint, cfg: cfg, box: box}, nil
}

func (s *TokenSource) fresh(t *zoom.Token) bool {
	return t != nil && s.cfg.Now().Add(s.cfg.RefreshBefore).Before(t.Expiry)
}

// Token returns the fleet's token: this process's copy, the bucket's, or a
// new one that this replica mints and shares.
func (s *TokenSource) Token(ctx context.Context) (*zoom.Token, error) {
	s.mu.Lock()
	t := s.tok
	s.mu.Unlock()
	if s.fresh(t) {
		return t, nil
	}
	for {
		e, err := s.kv.Get(ctx, tokenKey)
		var st storedToken
		var rev uint64
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return nil, fmt.Errorf("fleet token: %w", err)
		default:
			rev = e.Revision()
			_ = json.Unmarshal(e.Value(), &st)
		}
		// The bucket may still hold a token that Invalidate is dropping.
		if t, ok := s.open(st); ok && s.fresh(t) && s.keepUnlessRefused(t) {
			return t, nil
		}
		now := s.cfg.Now()
		if st.MintingBy != "" && now.Before(st.MintingUntil) {
			if err := zoom.SleepUntil(ctx, now.Add(50*time.Millisecond), now); err != nil {
				return nil, err
			}
			continue
		}
		marker := storedToken{MintingBy: s.cfg.Holder, MintingUntil: now.Add(s.cfg.MintTimeout)}
		rev, err = s.put(ctx, marker, rev)
		if broker.IsConflict(err) {
			continue // another replica got there first
		}
		if err != nil {
			return nil, fmt.Errorf("fleet token: %w", err)
		}
		return s.mintAndShare(ctx, rev)
	}
}

// mintAndShare mints a token while holding the marker at rev, then stores
// it for the fleet.
func (s *TokenSource) mintAndShare(ctx context.Context, rev uint64) (*zoom.Token, error) {
	t, err := s.mint.Mint(ctx)
	if err != nil {
		// Let the next caller, here or elsewhere, try at once.
		_, _ = s.put(context.WithoutCancel(ctx), storedToken{}, rev)
		return nil, err
	}
	sealed, err := s.seal(t)
	if err != nil {
		return nil, err
	}
	if _, err := s.put(ctx, storedToken{Sealed: sealed, Expiry: t.Expiry}, rev); err != nil && !broker.IsConflict(err) {
		return nil, fmt.Errorf("fleet token: share: %w", err)
	}
	s.keep(t)
	return t, nil
}

// Invalidate drops t, here and, if it is still the fleet's token, in the
// bucket, so that the next Token mints a new one. A replica whose token was
// replaced by another's simply picks up the new one.
// An error means the bucket could not be read or written; a conflict (another
// replica replaced the token meanwhile) is not one.
func (s *TokenSource) Invalidate(ctx context.Context, t *zoom.Token) error {
	if t == nil {
		return nil
	}
	s.mu.Lock()
	s.refused = t.AccessToken
	if s.tok != nil && s.tok.AccessToken == t.AccessToken {
		s.tok = nil
	}
	s.mu.Unlock()
	e, err := s.kv.Get(ctx, tokenKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("fleet token: invalidate: %w", err)
	}
	var st storedToken
	_ = json.Unmarshal(e.Value(), &st)
	if cur, ok := s.open(st); ok && cur.AccessToken == t.AccessToken {
		if _, err := s.put(ctx, storedToken{}, e.Revision()); err != nil && !broker.IsConflict(err) {
			return fmt.Errorf("fleet token: invalidate: %w", err)
		}
	}
	return nil
}

// keepUnlessRefused keeps t as this process's copy, unless Zoom refused it
// (Invalidate): a Token call that read the bucket while Invalidate was
// dropping t would otherwise bring it back.
func (s *TokenSource) keepUnlessRefused(t *zoom.Token) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.AccessToken == s.refused {
		return false
	}
	s.tok = t
	return true
}

func (s *TokenSource) keep(t *zoom.Token) {
	s.mu.Lock()
	s.tok = t
	s.mu.Unlock()
}

func (s *TokenSource) put(ctx context.Context, st storedToken, rev uint64) (uint64, error) {
	data, _ := json.Marshal(st)
	if rev == 0 {
		return s.kv.Create(ctx, tokenKey, data)
	}
	return s.kv.Update(ctx, tokenKey, data, rev)
}

func (s *TokenSource) seal(t *zoom.Token) ([]byte, error) {
	plain, _ := json.Marshal(tokenJSON{AccessToken: t.AccessToken, Expiry: t.Expiry, APIURL: t.APIURL, Scope: t.Scope})
	return s.box.Seal(plain, []byte(tokenKey))
}

// open unseals a stored token; false when there is none or it was sealed
// with another secret (a rotated client secret: mint anew).
func (s *TokenSource) open(st storedToken) (*zoom.Token, bool) {
	plain, err := s.box.Open(st.Sealed, []byte(tokenKey))
	if err != nil {
		return nil, false
	}
	var tj tokenJSON
	if json.Unmarshal(plain, &tj) != nil || tj.AccessToken == "" {
		return nil, false
	}
	return &zoom.Token{AccessToken: tj.AccessToken, Expiry: tj.Expiry, APIURL: tj.APIURL, Scope: tj.Scope}, true
}
