package callrecord

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/zoom"
)

// CallHistory is what the poller needs of Zoom; *zoom.Client has it.
type CallHistory interface {
	CallHistoryPages(ctx context.Context, w zoom.CallHistoryWindow, page func(entries []zoom.CallHistoryEntry, more bool) error) (int, error)
}

// Rooms says which extensions are rooms; the worker's directory has it.
type Rooms interface {
	Has(ext string) bool
}

// Defaults of the poller.
const (
	DefaultInterval   = 5 * time.Minute
	DefaultOverlap    = 15 * time.Minute
	DefaultDailyShare = 0.1
	DefaultLeaseTTL   = 30 * time.Second
	// DefaultFirstLookback is how far back a fleet's very first poll
	// reads: Zoom's own default span of the call history.
	DefaultFirstLookback = 24 * time.Hour
)

// LeaseKey is the poller's lease in the fleet bucket (see package lease):
// the replica holding it reads Zoom's call history.
const LeaseKey = "callrecords.lease"

// maxWindow is the longest look back: Zoom serves one month at a time.
const maxWindow = 30 * 24 * time.Hour

// catchUpWindow is the longest window of one read. A poller that is behind
// (the first read, a long outage) catches up in windows this long, each
// finished (and the watermark moved) before the next, so that a daily share
// that runs out part way never makes it read the same records again.
const catchUpWindow = 6 * time.Hour

// PollerConfig configures a [Poller].
type PollerConfig struct {
	// JetStream publishes the records (required).
	JetStream jetstream.JetStream
	// Fleet is the pbxlink-fleet bucket: the lease and the poll state
	// (required).
	Fleet jetstream.KeyValue
	// Zoom reads the call history (required).
	Zoom CallHistory
	// Rooms are the extensions whose calls are published; required unless
	// AllExtensions.
	Rooms Rooms
	// AllExtensions publishes the calls of every extension, not only the
	// rooms'.
	AllExtensions bool
	// Interval between reads. Default DefaultInterval.
	Interval time.Duration
	// Overlap: each read starts this long before the last one ended, for
	// records that Zoom lists late. Default DefaultOverlap.
	Overlap time.Duration
	// DailyCap is the account's daily cap of Heavy (and Resource-intensive)
	// Phone API calls: 15,000 on Pro, 30,000 on Business. Default 15,000.
	DailyCap int
	// DailyShare is the share (above 0, at most 1) of DailyCap the poller
	// may use; the rest stays with the account's other apps. Default
	// DefaultDailyShare.
	DailyShare float64
	// Retention is the stream's maximum age. Default DefaultRetention.
	Retention time.Duration
	// Replicas of the stream. Default 1.
	Replicas int
	// LeaseTTL is how long the lease lasts unrenewed; the holder renews
	// it every third of it, and another replica takes over within
	// LeaseTTL plus a third once the holder died. Default DefaultLeaseTTL.
	LeaseTTL time.Duration
	// FirstLookback is where the fleet's first read starts, back from now.
	// Default DefaultFirstLookback.
	FirstLookback time.Duration
	// Holder names this replica in the lease. Default a random id.
	Holder string
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Paused, if set, says whether the fleet's Zoom work is paused (Zoom
	// refused the account's credentials, the app was de-authorized): a
	// non-nil error, the reason, skips a due read without calling Zoom,
	// counted as polls{outcome="paused"}; the poller keeps its lease and
	// reads at its first check after the pause is lifted. The worker's
	// (*consumer.Worker).Paused has this signature.
	Paused func(ctx context.Context) error
	// Metrics, if set, receives the poller's metrics.
	Metrics *Metrics
	// OnError hears errors the poller goes on after (a failed read, a lost
	// lease); the library does not log.
	OnError func(error)
}

// ErrConfig is matched by every configuration error.
var ErrConfig = errors.New("callrecord: invalid config")

// WithDefaults fills the zero fields.
func (c PollerConfig) WithDefaults() PollerConfig {
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Overlap == 0 {
		c.Overlap = DefaultOverlap
	}
	if c.DailyCap == 0 {
		c.DailyCap = 15000
	}
	if c.DailyShare == 0 {
		c.DailyShare = DefaultDailyShare
	}
	if c.Retention == 0 {
		c.Retention = DefaultRetention
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	if c.FirstLookback == 0 {
		c.FirstLookback = DefaultFirstLookback
	}
	if c.Holder == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		c.Holder = hex.EncodeToString(b[:])
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
	if c.OnError == nil {
		c.OnError = func(error) {}
	}
	return c
}

// Budget is the Heavy requests a day the poller may make.
func (c PollerConfig) Budget() int { return int(math.Floor(c.DailyShare * float64(c.DailyCap))) }

func (c PollerConfig) validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrConfig, field, fmt.Sprintf(format, args...))
	}
	switch {
	case c.JetStream == nil:
		return bad("JetStream", "required")
	case c.Fleet == nil:
		return bad("Fleet", "required")
	case c.Zoom == nil:
		return bad("Zoom", "required")
	case c.Rooms == nil && !c.AllExtensions:
		return bad("Rooms", "required unless AllExtensions")
	case c.Interval < time.Second:
		return bad("Interval", "%v: at least a second", c.Interval)
	case c.Overlap < 0 || c.Overlap > 24*time.Hour:
		return bad("Overlap", "%v: 0 to 24h", c.Overlap)
	case c.DailyCap < 1:
		return bad("DailyCap", "%d: must be positive", c.DailyCap)
	case c.DailyShare <= 0 || c.DailyShare > 1 || math.IsNaN(c.DailyShare):
		return bad("DailyShare", "%v: above 0, at most 1", c.DailyShare)
	case c.LeaseTTL < 300*time.Millisecond:
		return bad("LeaseTTL", "%v: at least 300ms", c.LeaseTTL)
	case c.FirstLookback <= 0 || c.FirstLookback > maxWindow:
		return bad("FirstLookback", "%v: above 0, at most 30 days", c.FirstLookback)
	}
	if perDay := int(24 * time.Hour / c.Interval); perDay > c.Budget() {
		return bad("DailyShare", "%v of the daily cap %d is %d requests a day, fewer than the %d reads a day of the interval %v: raise the share or the interval",
			c.DailyShare, c.DailyCap, c.Budget(), perDay, c.Interval)
	}
	return nil
}
