package zoomsim

import (
	"slices"
	"sync"
	"time"
)

// token is an issued access token. The token string itself is only a map
// key: it is never logged, journaled or exposed by inspection; Serial stands
// for it there.
type token struct {
	serial  int
	expires time.Time
	scopes  []string // sorted
	// user is the consenting admin's user ID for a token of the
	// authorization-code app (GET /users/me answers it); empty for a
	// Server-to-Server token.
	user string
}

func (t *token) has(scope string) bool {
	_, ok := slices.BinarySearch(t.scopes, scope)
	return ok
}

// tokenStore holds the valid access tokens of the app.
type tokenStore struct {
	mu    sync.Mutex
	valid map[string]*token
	// expired remembers tokens that ran out (not revoked ones), so that a
	// call with one can be told "Access token is expired.".
	expired map[string]struct{}
	serial  int
}

func newTokenStore() *tokenStore {
	return &tokenStore{valid: map[string]*token{}, expired: map[string]struct{}{}}
}

// mint issues a Server-to-Server token. latestOnly invalidates every
// earlier token first.
func (s *tokenStore) mint(now time.Time, ttl time.Duration, scopes []string, latestOnly bool) (string, *token) {
	return s.mintFor(now, ttl, scopes, latestOnly, "")
}

// mintFor issues a token on behalf of user ("" for Server-to-Server).
func (s *tokenStore) mintFor(now time.Time, ttl time.Duration, scopes []string, latestOnly bool, user string) (string, *token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if latestOnly {
		clear(s.valid)
	}
	for v, t := range s.valid {
		if !now.Before(t.expires) {
			delete(s.valid, v)
			s.expired[v] = struct{}{}
		}
	}
	s.serial++
	sc := slices.Clone(scopes)
	slices.Sort(sc)
	t := &token{serial: s.serial, expires: now.Add(ttl), scopes: slices.Compact(sc), user: user}
	v := randomToken(48)
	s.valid[v] = t
	return v, t
}

// check returns the token if it is valid at now; otherwise nil and whether
// it is one that expired.
func (s *tokenStore) check(v string, now time.Time) (*token, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.valid[v]
	if !ok {
		_, expired := s.expired[v]
		return nil, expired
	}
	if !now.Before(t.expires) {
		delete(s.valid, v)
		s.expired[v] = struct{}{}
		return nil, true
	}
	return t, false
}

// revokeAll invalidates every issued token.
func (s *tokenStore) revokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.valid)
	clear(s.expired)
}

// revokeGranted invalidates every token of the authorization-code app.
func (s *tokenStore) revokeGranted() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for v, t := range s.valid {
		if t.user != "" {
			delete(s.valid, v)
		}
	}
}

// issued is the number of tokens minted so far.
func (s *tokenStore) issued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.serial
}
