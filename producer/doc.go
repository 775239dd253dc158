// Package producer is the library a PMS integrator uses to publish pbxlink
// events to NATS JetStream.
//
// A [Producer] has one method per event type ([Producer.CheckIn],
// [Producer.GuestChange], [Producer.CheckOut], [Producer.DND],
// [Producer.ClearMessages], [Producer.Extension]), [Producer.Move] for a
// room move, and [Producer.Publish] for any type. Each call builds a
// CloudEvents 1.0 event, checks it against the contract's schemas (package
// schemas) so that a bad event is refused at the source with the same
// field-naming error the worker would dead-letter it with, publishes it on
// pbxlink.ext.<extension>.<type> with the event id as Nats-Msg-Id, and waits
// for the stream's acknowledgement.
//
// Publishing retries transient failures (no stream responding yet, time-outs,
// JetStream temporarily unavailable) with exponential back-off, up to
// [Config.MaxElapsed]. Every attempt carries the same event id, so the
// stream keeps one copy even when an acknowledgement was lost; resending an
// event with [WithID] and the same id is safe within the stream's duplicate
// window, too. Validation errors and permanent server errors are never
// retried.
//
// The package never logs; every failure is returned.
package producer
