// Package app is pbxlink's composition root: the one place that puts a
// worker replica together from its parts, for pbxlink run, pbxlink demo,
// pbxlink bench and pbxlink reconcile alike.
//
// Open connects to NATS (or starts the embedded JetStream server in the
// data directory, which it locks), provisions the streams, the consumer and
// the buckets once, and builds the metrics registry, the fleet's Zoom
// client (fleet clock, shared token, fleet rate limiter) and the worker.
// Start serves /livez, /readyz and /metrics, starts the worker and then
// what runs beside it: the call-record poller and database sink, Zoom's
// webhook, and the watch of the run-time debug switch. Stop stops them in
// the reverse order, the worker softly within its context and then hard,
// and waits for every goroutine it started; Close closes NATS. Run is
// Start, the wait for the context to end, and Stop with the shutdown grace.
//
// Errors about a setting are *FlagError values that name the setting by
// the flag of pbxlink run (--nats-listen); the command adds the variable.
package app
