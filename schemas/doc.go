// Package schemas is pbxlink's wire contract: the NATS names, the event
// types, the JSON Schemas of the CloudEvents envelope and of each type's
// data, and the Go types that both sides of the wire use.
//
// A PMS (through package producer or any other client) publishes one
// CloudEvents 1.0 event in structured JSON on pbxlink.ext.<extension>.<type>;
// the pbxlink worker calls [Parse] on every message it receives. Parse
// checks the event against the embedded JSON Schemas and against its NATS
// subject, and decodes its data into the type's Go struct. Every bad event
// yields a [*ValidationError] that names the field and the rule that failed,
// never the value, so that the worker can dead-letter it with that reason
// without copying a guest's name into headers or logs.
//
// The producing side builds an event with [NewEvent] and encodes it with
// [Marshal], which runs the same checks as Parse: an event that Marshal
// accepts is one that Parse accepts.
//
// The schema files and the AsyncAPI document that describes the channels are
// embedded and available through [Files].
package schemas
