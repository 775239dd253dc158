package lease

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// DefaultTTL is how long a lease lasts unrenewed when Config.TTL is zero.
const DefaultTTL = 30 * time.Second

// MinTTL is the shortest TTL a lease accepts: below it a renewal cannot
// reliably make it through NATS in time.
const MinTTL = 100 * time.Millisecond

// SkewUnbounded, as Config.ClockSkew, trusts no clock but the contender's
// own: a record's Until is never taken as proof that it expired.
const SkewUnbounded time.Duration = -1

// ErrConfig is matched (errors.Is) by every configuration error of New.
var ErrConfig = errors.New("lease: invalid config")

// Config configures a [Lease].
type Config struct {
	// KV is the bucket holding the lease key (required); pbxlink uses the
	// fleet bucket.
	KV jetstream.KeyValue
	// Key is the lease's key (required).
	Key string
	// Holder names this replica in the record (required). A record naming
	// the same holder counts as this replica's own: a restart under the
	// same name takes it back at once.
	Holder string
	// TTL is how long the lease lasts unrenewed. Default DefaultTTL; at
	// least MinTTL.
	TTL time.Duration
	// RenewEvery is Keep's renewal period, and Acquire waits half of it
	// between tries. Default TTL/5; above 0 and below TTL/2 (the holder
	// gives the lease up when no renewal succeeded for TTL/2).
	RenewEvery time.Duration
	// ClockSkew is how far apart the replicas' clocks may be: a record
	// whose Until lies more than this in the past, on this replica's
	// clock, has expired. Default 0 (clocks kept in step, as by NTP).
	// SkewUnbounded ignores Until: a record expires only once this replica
	// has seen it unchanged for a whole TTL, so a contender that just
	// started waits a TTL, however long its holder has been dead.
	ClockSkew time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// OnLost, if set, hears every hold that ended other than by Release:
	// another holder wrote the key, or no renewal succeeded for TTL/2. The
	// error wraps ErrLost. It is called without the lease's lock held.
	OnLost func(error)
}

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	if c.RenewEvery == 0 {
		c.RenewEvery = c.TTL / 5
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func (c Config) validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrConfig, field, fmt.Sprintf(format, args...))
	}
	switch {
	case c.KV == nil:
		return bad("KV", "required")
	case c.Key == "":
		return bad("Key", "required")
	case c.Holder == "":
		return bad("Holder", "required: this replica's name in the lease")
	case c.TTL < MinTTL:
		return bad("TTL", "%v: at least %v", c.TTL, MinTTL)
	case c.RenewEvery <= 0 || c.RenewEvery >= c.TTL/2:
		return bad("RenewEvery", "%v: above 0 and below half the TTL %v", c.RenewEvery, c.TTL)
	case c.ClockSkew < 0 && c.ClockSkew != SkewUnbounded:
		return bad("ClockSkew", "%v: 0 or more, or SkewUnbounded", c.ClockSkew)
	}
	return nil
}
