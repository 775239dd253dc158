package naming

import (
	"strings"
	"unicode/utf8"
)

// Split renders the first and last name of a Zoom user (first_name and
// last_name, Zoom: at most 64 runes each) for v. Both are non-empty, at most
// limit runes, clean like Full's result, and the extension is in one of them,
// uncut.
//
// The name is split where the template has ${last}: first is what the
// template renders before ${last}, last is ${last} and everything after it
// (by default "VIP Ada" and "Lovelace 1203"). That split is used when both
// sides are non-empty and the full name has whitespace between them; then
// first + " " + last == Full(v, 2*limit+1) whenever both sides fit in limit.
//
// Otherwise (a guest with no first name, a checked-out room, a template
// without ${last} or with ${last} glued to the text before it) the full name
// is split at its last space outside the extension: "Lovelace 1203" gives
// "Lovelace" and "1203", and again first + " " + last is the full name when
// both fit.
//
// A name of a single word, such as a checked-out room's "1203" with the
// default template, cannot be split: first and last are then both that word
// (Full(v, limit)), the only choice with neither empty. Zoom derives a
// user's display_name from first_name + " " + last_name only when it is not
// given, so callers always send display_name = Full(v, 128) with them.
//
// A side that is too long is cut like Full cuts a name, on its own: its
// values first, the extension never. Split panics if limit < 1.
func (t *Template) Split(v Vars, limit int) (first, last string) {
	checkLimit(limit)
	return t.split(v, Limit{Runes: limit})
}

// split is Split and SplitIn.
func (t *Template) split(v Vars, limit Limit) (first, last string) {
	var buf [16]piece
	ps := t.pieces(&v, buf[:0])

	if k := t.last; k > 0 {
		a, b := normLen(ps[:k]), normLen(ps[k:])
		if a > 0 && b > 0 && normLen(ps) == a+1+b {
			if first, last, ok := fitBoth(ps[:k], ps[k:], limit); ok {
				return first, last
			}
		}
	}
	// The full name's last space with text on both sides. Should a tiny limit
	// empty a side, the next candidate is in an earlier piece, which bounds
	// the work by the number of pieces, however many spaces a value has.
	var sbuf [17]piece
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].kind == extPiece {
			continue
		}
		for end := len(ps[i].s); ; {
			j := strings.LastIndexByte(ps[i].s[:end], ' ')
			if j < 0 {
				break
			}
			end = j
			a, b := splitAt(ps, i, j, sbuf[:0])
			if normLen(a) == 0 || normLen(b) == 0 {
				continue // a space at the edge of a piece, with no text beyond it
			}
			if first, last, ok := fitBoth(a, b, limit); ok {
				return first, last
			}
			break
		}
	}
	word := fitIn(ps, limit)
	return word, word
}

// fitBoth fits the two sides of a split into limit each and reports whether
// neither came out empty (which only a tiny limit can cause).
func fitBoth(a, b []piece, limit Limit) (first, last string, ok bool) {
	first, last = fitIn(a, limit), fitIn(b, limit)
	return first, last, first != "" && last != ""
}

// splitAt splits ps at the space at byte j of piece i, which it drops, into
// the pieces before it and the pieces after it, appended to buf.
func splitAt(ps []piece, i, j int, buf []piece) (before, after []piece) {
	p := ps[i]
	buf = append(buf, ps[:i]...)
	buf = append(buf, piece{s: p.s[:j], n: utf8.RuneCountInString(p.s[:j]), kind: p.kind})
	k := len(buf)
	buf = append(buf, piece{s: p.s[j+1:], n: utf8.RuneCountInString(p.s[j+1:]), kind: p.kind})
	buf = append(buf, ps[i+1:]...)
	return buf[:k], buf[k:]
}
