package fias

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Charset is the character set of the records' text: OPERA's IFC sends
// Latin-1 (ISO 8859-1) or UTF-8, as it is set up.
type Charset string

// The character sets a link can use.
const (
	Latin1 Charset = "latin1"
	UTF8   Charset = "utf-8"
)

// ParseCharset accepts the usual spellings: latin1, latin-1, iso-8859-1,
// utf8, utf-8 (any case).
func ParseCharset(s string) (Charset, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "latin1", "latin-1", "iso-8859-1", "iso8859-1":
		return Latin1, nil
	case "utf8", "utf-8":
		return UTF8, nil
	}
	return "", fmt.Errorf("unknown character set %q: want latin1 or utf-8", s)
}

// Decode turns a record's bytes into text. Bytes that are not valid UTF-8
// in a UTF-8 link become U+FFFD.
func (c Charset) Decode(b []byte) string {
	if c == Latin1 {
		s, _ := charmap.ISO8859_1.NewDecoder().Bytes(b)
		return string(s)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// Encode turns text into a record's bytes. A character that Latin-1 cannot
// hold becomes '?'.
func (c Charset) Encode(s string) []byte {
	if c != Latin1 {
		return []byte(s)
	}
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if b, ok := charmap.ISO8859_1.EncodeRune(r); ok && r != utf8.RuneError {
			out = append(out, b)
		} else {
			out = append(out, '?')
		}
	}
	return out
}

// Frame returns r framed for the wire: STX, the data in charset c, ETX.
func (c Charset) Frame(r Record) []byte {
	data := c.Encode(r.String())
	out := make([]byte, 0, len(data)+2)
	out = append(out, STX)
	out = append(out, data...)
	return append(out, ETX)
}
