package schemas

import (
	"errors"
	"fmt"
	"strings"
)

// Type is an event type: the last token of an event's NATS subject and,
// prefixed with [EventTypePrefix], the CloudEvents type attribute.
type Type string

// The event types of the contract.
const (
	// TypeCheckIn is a check-in: the extension shows the guest's name; data is a [CheckIn].
	TypeCheckIn Type = "checkin"
	// TypeGuest is a change of the stay's guest data; data is a [GuestChange].
	TypeGuest Type = "guest"
	// TypeCheckOut is a check-out: no guest data is left; data is a [CheckOut].
	TypeCheckOut Type = "checkout"
	// TypeDND switches presence do-not-disturb on or off; data is a [DND].
	TypeDND Type = "dnd"
	// TypeClearMessages deletes all of the extension's voicemail; data is [ClearMessages].
	TypeClearMessages Type = "clearmessages"
	// TypeExtension is a plain change of a non-guest extension's names and
	// department; data is an [Extension].
	TypeExtension Type = "extension"
)

// EventTypePrefix prefixes a [Type] in the CloudEvents type attribute:
// "pbxlink.checkin".
const EventTypePrefix = "pbxlink."

// ErrUnknownType is returned by [ParseType] and [ParseEventType] for a name
// that is not one of the contract's types.
var ErrUnknownType = errors.New("schemas: unknown event type")

// Types returns every event type, in the contract's order. The slice is new
// on every call, so callers may keep or change it.
func Types() []Type {
	return []Type{TypeCheckIn, TypeGuest, TypeCheckOut, TypeDND, TypeClearMessages, TypeExtension}
}

// ParseType returns the Type named s ("checkin"), or an error matching
// [ErrUnknownType].
func ParseType(s string) (Type, error) {
	t := Type(s)
	if !t.Valid() {
		return "", fmt.Errorf("%w %s (known: %s)", ErrUnknownType, quoteName(s), typeList(""))
	}
	return t, nil
}

// ParseEventType returns the Type of a CloudEvents type attribute
// ("pbxlink.checkin"), or an error matching [ErrUnknownType].
func ParseEventType(s string) (Type, error) {
	name, ok := strings.CutPrefix(s, EventTypePrefix)
	t := Type(name)
	if !ok || !t.Valid() {
		return "", fmt.Errorf("%w %s (known: %s)", ErrUnknownType, quoteName(s), typeList(EventTypePrefix))
	}
	return t, nil
}

// Valid reports whether t is one of the contract's types.
func (t Type) Valid() bool {
	switch t {
	case TypeCheckIn, TypeGuest, TypeCheckOut, TypeDND, TypeClearMessages, TypeExtension:
		return true
	}
	return false
}

// String returns the type's name, as in the NATS subject.
func (t Type) String() string { return string(t) }

// EventType returns the CloudEvents type attribute of t: "pbxlink.checkin".
func (t Type) EventType() string { return EventTypePrefix + string(t) }

// typeList lists the known types, each with prefix, for error messages.
func typeList(prefix string) string {
	names := make([]string, 0, 6)
	for _, t := range Types() {
		names = append(names, prefix+string(t))
	}
	return strings.Join(names, ", ")
}
