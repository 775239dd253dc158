// Package callrecord is pbxlink's call accounting: it reads Zoom's account
// call history and keeps every finished call of a room.
//
// Three parts, each with its own Config:
//   - the [Poller]: one replica of the fleet at a time (a lease in the
//     pbxlink-fleet bucket) reads the call history on an interval, from a
//     watermark kept in the same bucket, with an overlap so that records
//     Zoom lists late are not missed, and within a share of the account's
//     daily cap of Heavy calls;
//   - the stream PBXLINK_CALLS, where each call is published once as a
//     pbxlink.call CloudEvent on pbxlink.call.<extension>, with
//     Nats-Msg-Id = Zoom's call_history_uuid;
//   - the [Sink]: the durable consumer pbxlink-calldb, which stores the
//     records in a [Store] (SQLite in the data directory, or PostgreSQL for
//     a fleet), purges them after the retention, and says in a metric when
//     none has arrived for too long.
//
// Exactly once: a call is skipped when the poll state lists it as already
// published (the records of the overlap are kept there with the
// watermark), and a call published again after a crash between the publish
// and the state's update is dropped by the stream's duplicate window; the
// store's primary key makes a redelivery harmless too.
package callrecord
