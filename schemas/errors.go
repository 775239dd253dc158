package schemas

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalidEvent matches, with [errors.Is], every error that says an event
// breaks the contract: such an event is dead-lettered at once by the worker
// and refused at the source by the producer. The error itself is a
// [*ValidationError].
var ErrInvalidEvent = errors.New("invalid event")

// FieldNATSSubject is the [ValidationError.Field] of an error about the NATS
// subject an event was published on, rather than about a member of its body.
const FieldNATSSubject = "(nats subject)"

// ValidationError says why an event breaks the contract. It names the field
// and the rule, never the field's value: guest names are personal data and
// the error text ends up in the Pbxlink-Error header of dead letters and in
// logs. Its text is a single line without control characters.
type ValidationError struct {
	// Field is the dotted path of the offending member of the event, such as
	// "data.guest.first", "specversion" or "subject"; [FieldNATSSubject] for
	// the NATS subject; empty for the event as a whole (not JSON, oversized).
	Field string
	// Rule is the rule that failed, such as "required", "maxLength 256" or
	// "must equal subject token 1203".
	Rule string
	// Message says what is wrong in a few words.
	Message string
}

// Error returns "invalid event: <field>: <rule>: <message>".
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(ErrInvalidEvent.Error())
	for _, part := range []string{e.Field, e.Rule, e.Message} {
		if part != "" {
			b.WriteString(": ")
			b.WriteString(part)
		}
	}
	return b.String()
}

// Is reports whether target is [ErrInvalidEvent], so that
// errors.Is(err, ErrInvalidEvent) holds for every validation error.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidEvent }

// invalid returns a *ValidationError.
func invalid(field, rule, message string) *ValidationError {
	return &ValidationError{Field: field, Rule: rule, Message: message}
}

// maxNameRunes bounds a property name or token quoted in an error.
const maxNameRunes = 64

// quoteName returns s quoted for an error message: Go-escaped (so without
// control characters) and cut to maxNameRunes runes. It is for names
// (property names, type tokens), never for values.
func quoteName(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if utf8.RuneCountInString(s) > maxNameRunes {
		r := []rune(s)
		s = string(r[:maxNameRunes]) + "…"
	}
	return strconv.Quote(s)
}

// fieldName returns a property name as it appears in a Field path: as is
// when it is a plain identifier, else quoted.
func fieldName(s string) string {
	if s == "" || len(s) > maxNameRunes {
		return quoteName(s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return quoteName(s)
		}
	}
	return s
}

// joinField appends name to the dotted path parent.
func joinField(parent, name string) string {
	if parent == "" {
		return fieldName(name)
	}
	return parent + "." + fieldName(name)
}
