package schemas

// Payload is the typed data of an event: [CheckIn], [GuestChange],
// [CheckOut], [DND], [ClearMessages] or [Extension], as values. [Parse]
// returns one in [Decoded.Payload]; a type switch on it tells the event
// types apart. The interface is sealed: only this package's types implement
// it.
type Payload interface {
	// Type returns the event type whose data this is.
	Type() Type
	isPayload()
}
