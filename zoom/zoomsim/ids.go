package zoomsim

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// idGen derives object IDs from the account ID, a kind and a key, so that a
// simulator with the same settings (and the same sequence of additions)
// holds the same IDs. The shapes imitate Zoom's: 22 base64url characters for
// users, devices, common areas, extensions and sites; 32 hex digits for
// voicemails; a date and a UUID for call history.
type idGen struct {
	account string
	seq     map[string]int
}

func newIDGen(account string) *idGen { return &idGen{account: account, seq: map[string]int{}} }

func (g *idGen) sum(kind, key string) [32]byte {
	return sha256.Sum256([]byte(g.account + "\x00" + kind + "\x00" + key))
}

// id is a Zoom-style 22-character ID.
func (g *idGen) id(kind, key string) string {
	s := g.sum(kind, key)
	return base64.RawURLEncoding.EncodeToString(s[:])[:22]
}

// next is the key of the kind's next object without a natural key.
func (g *idGen) next(kind string) string {
	g.seq[kind]++
	return fmt.Sprintf("#%d", g.seq[kind])
}

// hex32 is a 32-digit hex ID (voicemails).
func (g *idGen) hex32(kind, key string) string {
	s := g.sum(kind, key)
	return hex.EncodeToString(s[:16])
}

// uuid is a dated UUID, the shape of call_history_uuid.
func (g *idGen) uuid(kind, key, date string) string {
	s := g.sum(kind, key)
	h := hex.EncodeToString(s[:16])
	return fmt.Sprintf("%s-%s-%s-%s-%s-%s", date, h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

// digits is a 19-digit decimal ID (call IDs).
func (g *idGen) digits(kind, key string) string {
	s := g.sum(kind, key)
	return fmt.Sprint(7000000000000000000 + binary.BigEndian.Uint64(s[:8])%1000000000000000000)
}

// mac is a MAC address in Zoom's form (12 lower-case hex digits).
func (g *idGen) mac(kind, key string) string {
	s := g.sum(kind, key)
	return "805ec0" + hex.EncodeToString(s[:3])
}

// randomToken is an unguessable opaque string: access tokens, page tokens
// and tracking IDs, which must not depend on the seed.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
