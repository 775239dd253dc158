package producer

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/pbxlink/pbxlink/schemas"
)

// Defaults of [Config].
const (
	// DefaultMaxElapsed is how long a publish is retried by default.
	DefaultMaxElapsed = 30 * time.Second
	// DefaultTimeout is how long one publish attempt waits for the stream's
	// acknowledgement by default.
	DefaultTimeout = 5 * time.Second
	// DefaultInitialInterval is the first wait between attempts by default.
	DefaultInitialInterval = 100 * time.Millisecond
	// DefaultMaxInterval is the longest wait between attempts by default.
	DefaultMaxInterval = 5 * time.Second
	// FallbackSource is the default [Config.Source] when the host name is
	// unknown or not usable in a URI reference.
	FallbackSource = "pms/unknown"
)

// ErrInvalidConfig matches, with [errors.Is], every error of [New] about
// its arguments; the error text names the bad field.
var ErrInvalidConfig = errors.New("producer: invalid config")

// Config configures a [Producer]. The zero value is usable: every zero field
// takes its documented default in [Config.WithDefaults].
type Config struct {
	// Source is the CloudEvents source of every event: who published it,
	// such as "pms/opera-grand-hotel"; a URI reference of at most 256
	// characters. Default: "pms/" followed by the host name, or
	// [FallbackSource] when that is not available.
	Source string

	// MaxElapsed bounds the time spent retrying a publish that failed for a
	// transient reason, counted from the first attempt. Zero means
	// [DefaultMaxElapsed]; a negative value disables retries (one attempt).
	MaxElapsed time.Duration

	// InitialInterval is the first wait between two attempts; the wait
	// grows exponentially, with jitter, up to MaxInterval. Defaults:
	// [DefaultInitialInterval] and [DefaultMaxInterval].
	InitialInterval time.Duration
	// MaxInterval is the longest wait between two attempts.
	MaxInterval time.Duration

	// Timeout bounds one publish attempt, from sending the event to the
	// stream's acknowledgement. Default: [DefaultTimeout].
	Timeout time.Duration

	// Now returns the time of events published without [WithTime].
	// Default: time.Now. Tests set it to get fixed times.
	Now func() time.Time

	// NewID returns the id of events published without [WithID]; ids must
	// be unique per event, since the stream drops a second event with the
	// same id as a duplicate. Default: "pbxlink-<UTC time>-<20 random hex
	// digits>", as [NewID] returns.
	NewID func() string
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Source == "" {
		c.Source = defaultSource()
	}
	if c.MaxElapsed == 0 {
		c.MaxElapsed = DefaultMaxElapsed
	}
	if c.InitialInterval == 0 {
		c.InitialInterval = DefaultInitialInterval
	}
	if c.MaxInterval == 0 {
		c.MaxInterval = max(DefaultMaxInterval, c.InitialInterval)
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.NewID == nil {
		c.NewID = NewID
	}
	return c
}

// validate checks a Config with defaults applied and names the first bad
// field.
func (c Config) validate() error {
	if err := checkSource(c.Source); err != nil {
		return fmt.Errorf("%w: Source: %s", ErrInvalidConfig, err)
	}
	switch {
	case c.InitialInterval < 0:
		return fmt.Errorf("%w: InitialInterval: must not be negative", ErrInvalidConfig)
	case c.MaxInterval < c.InitialInterval:
		return fmt.Errorf("%w: MaxInterval: must be at least InitialInterval (%s)", ErrInvalidConfig, c.InitialInterval)
	case c.Timeout < 0:
		return fmt.Errorf("%w: Timeout: must not be negative", ErrInvalidConfig)
	}
	return nil
}

// checkSource reports whether source passes the contract's rules for the
// CloudEvents source, by validating a probe event that carries it.
func checkSource(source string) error {
	ev, err := schemas.NewEvent("1", schemas.TypeClearMessages, nil)
	if err != nil {
		return err
	}
	ev.ID, ev.Source, ev.Time = "probe", source, time.Unix(0, 0)
	var ve *schemas.ValidationError
	if err := schemas.Validate(ev); errors.As(err, &ve) {
		return fmt.Errorf("%s: %s", ve.Rule, ve.Message)
	} else if err != nil {
		return err
	}
	return nil
}

// defaultSource returns "pms/<host name>", or FallbackSource.
func defaultSource() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		return FallbackSource
	}
	if src := "pms/" + host; checkSource(src) == nil {
		return src
	}
	return FallbackSource
}
