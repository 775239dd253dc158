package schemas

// NATS names of the contract. The worker creates the streams, the consumer
// and the bucket; publishers and operators refer to them by these names.
const (
	// StreamEvents is the stream that keeps every event (file storage,
	// limits retention, so that history can be replayed).
	StreamEvents = "PBXLINK_EVENTS"
	// StreamEventsSubjects is the subject filter of [StreamEvents]:
	// pbxlink.ext.<extension>.<type>.
	StreamEventsSubjects = "pbxlink.ext.*.*"
	// ConsumerWorker is the durable pull consumer on [StreamEvents] shared by
	// every worker replica.
	ConsumerWorker = "pbxlink-worker"

	// StreamDLQ is the dead-letter stream. A dead event keeps its original
	// body, on the subject [DLQSubject] returns, with the Pbxlink-* headers.
	StreamDLQ = "PBXLINK_DLQ"
	// StreamDLQSubjects is the subject filter of [StreamDLQ].
	StreamDLQSubjects = "pbxlink.dlq.>"

	// BucketConfig is the KV bucket of run-time settings shared by every
	// replica.
	BucketConfig = "pbxlink-config"
	// KeyDebug is the key in [BucketConfig] whose value "true" or "false"
	// switches Zoom packet logging on every replica.
	KeyDebug = "debug"
)

// Prefixes of the event and dead-letter subjects.
const (
	// SubjectPrefix starts every event subject: pbxlink.ext.<extension>.<type>.
	SubjectPrefix = "pbxlink.ext."
	// DLQSubjectPrefix starts every dead-letter subject.
	DLQSubjectPrefix = "pbxlink.dlq."
)

// Headers of the contract.
const (
	// HeaderMsgID carries the event id, so that JetStream drops a resent
	// event within the stream's duplicate window.
	HeaderMsgID = "Nats-Msg-Id"
	// HeaderContentType carries [ContentTypeCloudEvents] on every event.
	HeaderContentType = "Content-Type"

	// HeaderError says, in words, why an event was dead-lettered.
	HeaderError = "Pbxlink-Error"
	// HeaderAttempts is the number of delivery attempts before the event was
	// dead-lettered.
	HeaderAttempts = "Pbxlink-Attempts"
	// HeaderOriginalSubject is the subject the dead event was published on.
	HeaderOriginalSubject = "Pbxlink-Original-Subject"
	// HeaderOriginalSeq is the dead event's sequence in [StreamEvents].
	HeaderOriginalSeq = "Pbxlink-Original-Seq"
)

// Content types and versions of the event format.
const (
	// ContentTypeCloudEvents is the Content-Type header of an event message:
	// a CloudEvent in structured JSON mode.
	ContentTypeCloudEvents = "application/cloudevents+json"
	// DataContentTypeJSON is the only datacontenttype an event may declare.
	DataContentTypeJSON = "application/json"
	// SpecVersion is the CloudEvents specversion of every event.
	SpecVersion = "1.0"
)
