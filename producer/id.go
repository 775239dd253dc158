package producer

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// NewID returns a new event id, "pbxlink-<UTC time>-<20 random hex digits>"
// such as "pbxlink-20261123T140500Z-3f9a0c1d2e4b5a6978c0". The 80 random bits
// make ids unique; the time makes them readable in the stream. It is the
// default [Config.NewID].
func NewID() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails; it crashes the program instead.
	return "pbxlink-" + time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
