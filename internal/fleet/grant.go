package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/seal"
	"github.com/pbxlink/pbxlink/zoom"
)

// GrantKey holds the account-level OAuth app's grant in the pbxlink-fleet
// bucket: the refresh token and the latest access token, sealed under a key
// derived from the client secret, with what an operator may read in clear
// (the authorised account and admin, when it was last refreshed).
const GrantKey = "zoom.grant"

// grantPurpose separates the grant's sealing key from the token's.
const grantPurpose = "pbxlink fleet grant"

// ErrNoGrant: no grant is stored (pbxlink authorize has not run on this
// NATS, or a de-authorization erased it). It matches zoom.ErrAccount: no
// Zoom work can be done until an admin authorises the app.
var ErrNoGrant = fmt.Errorf("fleet: no Zoom OAuth grant in %s (run pbxlink authorize): %w", GrantKey, zoom.ErrAccount)

// ErrGrantSealed: the stored grant does not open with this client secret
// (the secret was rotated, or the value was planted). It matches
// zoom.ErrAccount: authorise the app again.
var ErrGrantSealed = fmt.Errorf("fleet: the grant in %s does not open with this client secret (rotated secret? run pbxlink authorize): %w", GrantKey, zoom.ErrAccount)

// GrantInfo is what a stored grant says in clear: whom Zoom authorised and
// when it was last refreshed. pbxlink status shows it without the secret.
type GrantInfo struct {
	// AccountID is the authorised Zoom account (GET /users/me's
	// account_id).
	AccountID string `json:"account_id"`
	// UserID, UserEmail and UserName are the admin who authorised the app.
	UserID    string `json:"user_id,omitempty"`
	UserEmail string `json:"user_email,omitempty"`
	UserName  string `json:"user_name,omitempty"`
	// AuthorizedAt is when the code was exchanged.
	AuthorizedAt time.Time `json:"authorized_at"`
	// RefreshedAt is the last refresh; zero before the first.
	RefreshedAt time.Time `json:"refreshed_at,omitzero"`
	// Refreshes counts the refreshes since the authorisation.
	Refreshes uint64 `json:"refreshes"`
	// RefreshedBy is the replica that refreshed last.
	RefreshedBy string `json:"refreshed_by,omitempty"`
}

// storedGrant is the bucket's value.
type storedGrant struct {
	GrantInfo
	// Sealed is the AES-GCM sealed sealedGrant.
	Sealed []byte `json:"sealed"`
	// RefreshingBy and RefreshingUntil mark a refresh in progress: only
	// that replica may use the refresh token until then.
	RefreshingBy    string    `json:"refreshing_by,omitempty"`
	RefreshingUntil time.Time `json:"refreshing_until,omitzero"`
}

// sealedGrant is the secret part.
type sealedGrant struct {
	RefreshToken string    `json:"refresh_token"`
	AccessToken  string    `json:"access_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	APIURL       string    `json:"api_url,omitempty"`
	Scope        string    `json:"scope,omitempty"`
}

func (s sealedGrant) token() *zoom.Token {
	return &zoom.Token{AccessToken: s.AccessToken, Expiry: s.Expiry, APIURL: s.APIURL, Scope: s.Scope}
}

func grantBox(secret string) (*seal.Box, error) {
	return seal.New(secret, grantPurpose)
}

func sealGrant(box *seal.Box, g *zoom.Grant) ([]byte, error) {
	plain, err := json.Marshal(sealedGrant{RefreshToken: g.RefreshToken, AccessToken: g.Token.AccessToken,
		Expiry: g.Token.Expiry, APIURL: g.Token.APIURL, Scope: g.Token.Scope})
	if err != nil {
		return nil, err
	}
	return box.Seal(plain, []byte(GrantKey))
}

func openGrant(box *seal.Box, sealed []byte) (sealedGrant, error) {
	plain, err := box.Open(sealed, []byte(GrantKey))
	if err != nil {
		return sealedGrant{}, ErrGrantSealed
	}
	var sg sealedGrant
	if json.Unmarshal(plain, &sg) != nil || sg.RefreshToken == "" {
		return sealedGrant{}, ErrGrantSealed
	}
	return sg, nil
}

// SaveGrant stores a new authorisation (pbxlink authorize): g sealed under
// secret, with info in clear. It replaces any grant stored before, and a
// refresh in progress of the old grant then keeps its result to itself.
func SaveGrant(ctx context.Context, kv jetstream.KeyValue, secret string, g *zoom.Grant, info GrantInfo) error {
	if g == nil || g.RefreshToken == "" {
		return errors.New("fleet: SaveGrant: the grant has no refresh token")
	}
	box, err := grantBox(secret)
	if err != nil {
		return fmt.Errorf("fleet: SaveGrant: %w", err)
	}
	sealed, err := sealGrant(box, g)
	if err != nil {
		return err
	}
	data, err := json.Marshal(storedGrant{GrantInfo: info, Sealed: sealed})
	if err != nil {
		return err
	}
	if _, err := kv.Put(ctx, GrantKey, data); err != nil {
		return fmt.Errorf("fleet: storing %s: %w", GrantKey, err)
	}
	return nil
}

// LoadGrant returns the stored grant's clear part; ErrNoGrant when none is
// stored. It needs no secret.
func LoadGrant(ctx context.Context, kv jetstream.KeyValue) (GrantInfo, error) {
	st, _, err := readGrant(ctx, kv)
	return st.GrantInfo, err
}

// HasGrant reports whether a grant is stored: the composition root's
// choice between the OAuth app and Server-to-Server.
func HasGrant(ctx context.Context, kv jetstream.KeyValue) (bool, error) {
	_, err := LoadGrant(ctx, kv)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNoGrant):
		return false, nil
	}
	return false, err
}

// EraseGrant removes the stored grant and the fleet's access token, with
// every revision (a de-authorization: the app may no longer act for the
// account). It reports whether a grant was there.
func EraseGrant(ctx context.Context, kv jetstream.KeyValue) (bool, error) {
	_, err := kv.Get(ctx, GrantKey)
	had := err == nil
	if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, fmt.Errorf("fleet: reading %s: %w", GrantKey, err)
	}
	for _, k := range []string{GrantKey, tokenKey} {
		if err := kv.Purge(ctx, k); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return had, fmt.Errorf("fleet: purging %s: %w", k, err)
		}
	}
	return had, nil
}

// readGrant returns the stored grant and its revision; ErrNoGrant when
// there is none (or only a purge marker).
func readGrant(ctx context.Context, kv jetstream.KeyValue) (storedGrant, uint64, error) {
	e, err := kv.Get(ctx, GrantKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return storedGrant{}, 0, ErrNoGrant
	}
	if err != nil {
		return storedGrant{}, 0, fmt.Errorf("fleet: reading %s: %w", GrantKey, err)
	}
	var st storedGrant
	if err := json.Unmarshal(e.Value(), &st); err != nil || len(st.Sealed) == 0 {
		return storedGrant{}, 0, ErrGrantSealed
	}
	return st, e.Revision(), nil
}
