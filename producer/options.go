package producer

import "time"

// PublishOption changes one publish call.
type PublishOption func(*publishOptions)

// publishOptions holds what PublishOptions set.
type publishOptions struct {
	id string
	at time.Time
}

// WithID sets the event id instead of [Config.NewID]. Use the PMS's own
// identifier of the change, so that resending the same change is dropped
// by the stream as a duplicate. For [Producer.Move] the two events get
// id+"-checkout" and id+"-checkin".
func WithID(id string) PublishOption {
	return func(o *publishOptions) { o.id = id }
}

// WithTime sets the event time instead of [Config.Now]: when the change
// happened in the PMS. The worker orders the events of an extension by it.
func WithTime(t time.Time) PublishOption {
	return func(o *publishOptions) { o.at = t }
}

// applyOptions returns the options set by opts.
func applyOptions(opts []PublishOption) publishOptions {
	var o publishOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}
