package producer

import (
	"fmt"
)

// PublishError is returned when an event that passed validation could not
// be published: a permanent error, or transient ones until
// [Config.MaxElapsed] ran out or the context ended. Err is the cause; when
// the context ended after a failed attempt, it wraps both the context's
// error and the last attempt's, so errors.Is matches either.
type PublishError struct {
	// Subject is the NATS subject of the event.
	Subject string
	// ID is the event id, which a retry by the caller should keep so that
	// the stream drops the event if an attempt did store it.
	ID string
	// Attempts is how many times the event was sent.
	Attempts int
	// Err is the cause.
	Err error
}

// Error returns the subject, id, attempts and cause on one line.
func (e *PublishError) Error() string {
	return fmt.Sprintf("producer: publish %s (id %q) failed after %d attempt(s): %v", e.Subject, e.ID, e.Attempts, e.Err)
}

// Unwrap returns the cause.
func (e *PublishError) Unwrap() error { return e.Err }
