package producer

import (
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Producer publishes pbxlink events. It is safe for concurrent use; events
// published concurrently on one extension have no defined order, so publish
// the events of one extension from one goroutine, one after the other.
type Producer struct {
	js  jetstream.JetStream
	cfg Config
}

// New returns a Producer that publishes through js with cfg, after
// [Config.WithDefaults]. An error matches [ErrInvalidConfig] and names the
// bad field. New does not contact the server: the stream may appear later,
// and publishing waits for it within [Config.MaxElapsed].
func New(js jetstream.JetStream, cfg Config) (*Producer, error) {
	if js == nil {
		return nil, fmt.Errorf("%w: js: must not be nil", ErrInvalidConfig)
	}
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Producer{js: js, cfg: cfg}, nil
}
