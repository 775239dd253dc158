package fias

import (
	"errors"
	"fmt"
	"strings"
)

// Framing bytes of a FIAS record on the wire.
const (
	STX = 0x02 // starts a record
	ETX = 0x03 // ends a record
)

// ErrBadRecord matches, with errors.Is, every error of [ParseRecord].
var ErrBadRecord = errors.New("fias: bad record")

// Field is one field of a record: a two-character id and its value.
type Field struct {
	ID    string
	Value string
}

// Record is one FIAS record: its two-character id (GI, LS, PS …) and its
// fields in the order they came. A field id may repeat (GC carries GS
// twice: after RN and after RO).
type Record struct {
	ID     string
	Fields []Field
}

// NewRecord returns a record with id and the fields given as id, value
// pairs; an odd trailing id gets an empty value (the SF flag has none).
func NewRecord(id string, kv ...string) Record {
	r := Record{ID: id}
	for i := 0; i < len(kv); i += 2 {
		f := Field{ID: kv[i]}
		if i+1 < len(kv) {
			f.Value = kv[i+1]
		}
		r.Fields = append(r.Fields, f)
	}
	return r
}

// Get returns the value of the first field with id, and whether there is one.
func (r Record) Get(id string) (string, bool) {
	for _, f := range r.Fields {
		if f.ID == id {
			return f.Value, true
		}
	}
	return "", false
}

// Value returns the value of the first field with id, "" when absent.
func (r Record) Value(id string) string {
	v, _ := r.Get(id)
	return v
}

// Has says whether the record has a field with id.
func (r Record) Has(id string) bool {
	_, ok := r.Get(id)
	return ok
}

// String is the record's data as sent between STX and ETX:
// "GI|RN101|G#123|".
func (r Record) String() string {
	var b strings.Builder
	b.WriteString(r.ID)
	b.WriteByte('|')
	for _, f := range r.Fields {
		b.WriteString(f.ID)
		b.WriteString(f.Value)
		b.WriteByte('|')
	}
	return b.String()
}

// validID says whether id is a record or field id: two printable ASCII
// characters, not the separator.
func validID(id string) bool {
	if len(id) != 2 {
		return false
	}
	for i := 0; i < 2; i++ {
		if c := id[i]; c < 0x20 || c > 0x7e || c == '|' {
			return false
		}
	}
	return true
}

// ParseRecord parses a record's data, without STX and ETX, already decoded
// to text. The record id comes first; each later non-empty part between
// separators is a field: its first two characters are its id, the rest its
// value. A trailing separator is optional. Values keep every character but
// the separator; a field id or record id that is not two printable ASCII
// characters is an error that matches [ErrBadRecord].
func ParseRecord(data string) (Record, error) {
	parts := strings.Split(data, "|")
	r := Record{ID: parts[0]}
	if !validID(r.ID) {
		return Record{}, fmt.Errorf("%w: record id %q is not two characters", ErrBadRecord, r.ID)
	}
	for _, p := range parts[1:] {
		if p == "" {
			continue
		}
		if len(p) < 2 || !validID(p[:2]) {
			return Record{}, fmt.Errorf("%w: %s: field %q has no two-character id", ErrBadRecord, r.ID, p)
		}
		r.Fields = append(r.Fields, Field{ID: p[:2], Value: p[2:]})
	}
	return r, nil
}

// Valid says whether r can be sent: a valid record id, valid field ids,
// and no separator or framing byte in any value.
func (r Record) Valid() error {
	if !validID(r.ID) {
		return fmt.Errorf("%w: record id %q is not two characters", ErrBadRecord, r.ID)
	}
	for _, f := range r.Fields {
		if !validID(f.ID) {
			return fmt.Errorf("%w: %s: field id %q is not two characters", ErrBadRecord, r.ID, f.ID)
		}
		if strings.ContainsAny(f.Value, "|\x02\x03") {
			return fmt.Errorf("%w: %s: field %s holds a separator or framing byte", ErrBadRecord, r.ID, f.ID)
		}
	}
	return nil
}
