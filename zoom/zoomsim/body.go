package zoomsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/mail"
	"slices"
	"unicode/utf8"
)

// kind is the JSON type a body field must have.
type kind int

const (
	kString kind = iota
	kInt
	kBool
	kObject
	kArray
)

// rule is what one request-body field must satisfy, taken from the
// operation's requestBody schema. Lengths count characters (runes), as Zoom
// does.
type rule struct {
	kind               kind
	minRunes, maxRunes int      // strings; 0 means no bound
	strs               []string // allowed string values
	ints               []int64  // allowed integer values
	minInt, maxInt     int64    // integer range when maxInt > 0
	email              bool
	maxItems           int // arrays; 0 means no bound
}

// fields is a decoded, validated request body.
type fields map[string]json.RawMessage

// decodeBody parses a JSON object body and checks every field against its
// rule. A body that is not a JSON object is errBadJSON; unknown fields and
// fields that break their rule are named in one errValidation.
func decodeBody(body []byte, rules map[string]rule) (fields, *apiError) {
	var f fields
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&f); err != nil || f == nil || dec.More() {
		return nil, errBadJSON()
	}
	var bad []string
	for name, raw := range f {
		r, ok := rules[name]
		if !ok || !r.check(raw) {
			bad = append(bad, name)
		}
	}
	if len(bad) > 0 {
		return nil, errValidation(bad...)
	}
	return f, nil
}

func (r rule) check(raw json.RawMessage) bool {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return false // Zoom's schemas have no nullable fields
	}
	switch r.kind {
	case kString:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return false
		}
		n := utf8.RuneCountInString(s)
		if (r.maxRunes > 0 && n > r.maxRunes) || n < r.minRunes {
			return false
		}
		if len(r.strs) > 0 && !slices.Contains(r.strs, s) {
			return false
		}
		if r.email {
			if _, err := mail.ParseAddress(s); err != nil {
				return false
			}
		}
		return true
	case kInt:
		var n int64
		if json.Unmarshal(raw, &n) != nil {
			return false
		}
		if len(r.ints) > 0 && !slices.Contains(r.ints, n) {
			return false
		}
		return r.maxInt == 0 || (n >= r.minInt && n <= r.maxInt)
	case kBool:
		var b bool
		return json.Unmarshal(raw, &b) == nil
	case kObject:
		var m map[string]json.RawMessage
		return json.Unmarshal(raw, &m) == nil
	case kArray:
		var a []json.RawMessage
		if json.Unmarshal(raw, &a) != nil {
			return false
		}
		return r.maxItems == 0 || len(a) <= r.maxItems
	}
	return false
}

// str returns a string field that decodeBody checked.
func (f fields) str(name string) (string, bool) {
	raw, ok := f[name]
	if !ok {
		return "", false
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s, true
}

// int returns an integer field that decodeBody checked.
func (f fields) int(name string) (int64, bool) {
	raw, ok := f[name]
	if !ok {
		return 0, false
	}
	var n int64
	_ = json.Unmarshal(raw, &n)
	return n, true
}

// strictUnmarshal decodes one JSON value into v, refusing unknown fields and
// trailing data.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}
