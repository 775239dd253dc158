// Package broker is pbxlink's side of NATS: an embedded JetStream server for
// single-host deployments and tests, the connection to an external one with
// its authentication, and the idempotent creation of the streams, consumer
// and key-value buckets that the contract names.
package broker
