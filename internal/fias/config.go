package fias

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ErrInvalidConfig matches, with errors.Is, every error of [New] about its
// Config; the text names the bad field.
var ErrInvalidConfig = errors.New("fias: invalid config")

// Defaults of [Config].
const (
	DefaultVersion   = "1.0"
	DefaultListenLS  = 3 * time.Second
	DefaultKeepAlive = 20 * time.Second
	DefaultAnswer    = 15 * time.Second
	DefaultLeaseTTL  = 6 * time.Second
	DefaultDRAfter   = time.Hour
)

// Config configures a [Service].
type Config struct {
	// Address is the PMS interface's TCP address, host:port. Required.
	Address string
	// Link names the link: the events' source is "fias/<Link>", its state
	// and lease keys carry it. Letters, digits, '-' and '_'. Default "pms".
	Link string
	// Charset of the records. Default Latin1.
	Charset Charset
	// Version is the V# pbxlink announces in LD. Default DefaultVersion.
	Version string
	// Rooms maps room numbers to extensions.
	Rooms Rooms
	// VIP says how GV codes become the vip field. Default VIPMarker.
	VIP VIPMode
	// Location is the time zone of the postings' DA/TI. Default time.Local.
	Location *time.Location

	// JetStream publishes the events and holds the state. Required.
	JetStream jetstream.JetStream
	// Replicas of the bucket pbxlink-fias. Default 1.
	Replicas int
	// Holder names this replica in the lease. Required.
	Holder string
	// LeaseTTL: another replica takes the link over this long after its
	// holder stopped renewing. Default DefaultLeaseTTL.
	LeaseTTL time.Duration

	// ListenLS is how long to wait for the PMS's LS before sending one.
	ListenLS time.Duration
	// KeepAlive is the interval of pbxlink's LA while the link is idle.
	KeepAlive time.Duration
	// AnswerTimeout bounds the wait for the PMS's LA or PA; past it the
	// link is taken as dead and reconnected.
	AnswerTimeout time.Duration
	// MinBackoff and MaxBackoff bound the reconnection back-off. Defaults
	// 500 ms and 30 s.
	MinBackoff, MaxBackoff time.Duration
	// DRAfter is the least time between two database swaps that pbxlink
	// asks for because the two sides diverged. Default DefaultDRAfter.
	DRAfter time.Duration

	// Postings, when not nil, is where call charges come from.
	Postings PostingSource
	// Metrics, when not nil, receives the link's metrics.
	Metrics *Metrics
	// Logger receives what an operator needs; guest data only at debug.
	// Default: discard.
	Logger *slog.Logger
}

var linkName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// WithDefaults returns c with every zero field at its default.
func (c Config) WithDefaults() Config {
	if c.Link == "" {
		c.Link = "pms"
	}
	if c.Charset == "" {
		c.Charset = Latin1
	}
	if c.Version == "" {
		c.Version = DefaultVersion
	}
	if c.VIP == "" {
		c.VIP = VIPMarker
	}
	if c.Location == nil {
		c.Location = time.Local
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	if c.ListenLS == 0 {
		c.ListenLS = DefaultListenLS
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = DefaultKeepAlive
	}
	if c.AnswerTimeout == 0 {
		c.AnswerTimeout = DefaultAnswer
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = 500 * time.Millisecond
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.DRAfter == 0 {
		c.DRAfter = DefaultDRAfter
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

// ConfigError is a bad field of a [Config]; it matches ErrInvalidConfig.
type ConfigError struct {
	Field string
	Msg   string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrInvalidConfig, e.Field, e.Msg)
}
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Validate checks c, after [Config.WithDefaults], but for JetStream, which
// a command connects only once its settings are right. An error is a
// *ConfigError naming the field.
func (c Config) Validate() error {
	bad := func(field, format string, a ...any) error {
		return &ConfigError{Field: field, Msg: fmt.Sprintf(format, a...)}
	}
	switch {
	case c.Address == "":
		return bad("Address", "required: the PMS interface's host:port")
	case !linkName.MatchString(c.Link):
		return bad("Link", "%q: want 1 to 64 letters, digits, '-' or '_'", c.Link)
	case c.Charset != Latin1 && c.Charset != UTF8:
		return bad("Charset", "%q: want latin1 or utf-8", c.Charset)
	case c.Version == "" || len(c.Version) > 10:
		return bad("Version", "%q: want 1 to 10 characters", c.Version)
	case c.VIP != VIPMarker && c.VIP != VIPRaw:
		return bad("VIP", "%q: want marker or raw", c.VIP)
	case c.Holder == "":
		return bad("Holder", "required: this replica's name in the lease")
	case c.LeaseTTL < 100*time.Millisecond:
		return bad("LeaseTTL", "%s: want at least 100ms", c.LeaseTTL)
	case c.ListenLS < 0, c.KeepAlive <= 0, c.AnswerTimeout <= 0:
		return bad("KeepAlive", "ListenLS, KeepAlive and AnswerTimeout must be positive")
	case c.MinBackoff <= 0 || c.MaxBackoff < c.MinBackoff:
		return bad("MaxBackoff", "want 0 < MinBackoff <= MaxBackoff")
	}
	if err := (Record{ID: "LD", Fields: []Field{{"V#", c.Version}}}).Valid(); err != nil {
		return bad("Version", "%v", err)
	}
	if err := c.Rooms.validate(); err != nil {
		return bad("Rooms", "%v", err)
	}
	return nil
}
