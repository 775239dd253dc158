// Package seal protects what pbxlink's replicas share through NATS (the
// fleet's Zoom token, the directory snapshot) with a key that only holders
// of the Zoom app's client secret can derive: a NATS user without it can
// neither read a sealed value nor plant one that a replica would accept.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// ErrOpen is returned for a sealed value that does not open: forged,
// altered, sealed for another purpose or under another secret (a rotated
// client secret), or not sealed at all.
var ErrOpen = errors.New("seal: value does not open (forged, altered or sealed under another secret)")

// Box seals and opens values with AES-256-GCM under a key derived with
// HKDF-SHA256 from a secret and a purpose. Boxes of different purposes
// cannot open each other's values.
type Box struct{ aead cipher.AEAD }

// New derives the box of one purpose (the HKDF salt, e.g. "pbxlink fleet
// token") from secret. The secret must not be empty.
func New(secret, purpose string) (*Box, error) {
	if secret == "" {
		return nil, errors.New("seal: the secret is empty")
	}
	key, err := hkdf.Key(sha256.New, []byte(secret), []byte(purpose), "aes-256-gcm", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts and authenticates plain, binding it to ad (which must be
// given again to open it; e.g. the key the value is stored under). The
// result is the random nonce followed by the ciphertext.
func (b *Box) Seal(plain, ad []byte) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return b.aead.Seal(nonce, nonce, plain, ad), nil
}

// Open checks and decrypts a value Seal made with the same ad; ErrOpen
// when it does not open.
func (b *Box) Open(sealed, ad []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrOpen
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], ad)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
