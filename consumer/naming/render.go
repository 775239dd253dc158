package naming

import (
	"strings"
	"unicode/utf8"
)

// piece is a segment of a template with its value filled in, the unit that
// rendering joins and cutting shortens. Its text is clean: single spaces
// only, and values have none at either end.
type piece struct {
	s    string
	n    int // runes in s
	kind pieceKind
}

// pieceKind tells how a piece may be shortened.
type pieceKind uint8

const (
	litPiece pieceKind = iota // template text: dropped as a whole, last
	valPiece                  // a value other than the extension: cut first
	extPiece                  // the extension: never cut (unless it alone exceeds the limit)
)

// Full renders the full name for v, at most limit runes long (Zoom: 128 for
// a user's display_name, 255 for a desk phone's, ...).
//
// The result is valid UTF-8, non-empty, has single spaces only and none at
// either end, and holds the extension uncut as a word of its own. When the
// name is longer than limit, the values other than the extension are cut, on
// character boundaries, taking from the longest first so that every part of
// the name keeps a share; only when they are all gone is the template's
// literal text dropped, the longest literal first. The extension itself is
// cut only when it alone is longer than limit, which never happens with Zoom
// extensions (at most 15 digits, against limits of 64 and more).
//
// Full panics if limit < 1. An empty v.Extension breaks the guarantees that
// name it: the result may then be empty.
func (t *Template) Full(v Vars, limit int) string {
	checkLimit(limit)
	var buf [16]piece
	return fit(t.pieces(&v, buf[:0]), limit)
}

// checkLimit panics when limit cannot hold any name: a programming error.
func checkLimit(limit int) {
	if limit < 1 {
		panic("naming: limit must be at least 1")
	}
}

// pieces appends the template's segments, filled in from v and cleaned, to
// buf.
func (t *Template) pieces(v *Vars, buf []piece) []piece {
	for _, sg := range t.segs {
		if sg.v == literalSeg {
			buf = append(buf, piece{s: sg.text, n: sg.n, kind: litPiece})
			continue
		}
		s := clean(v.value(sg.v), true)
		kind := valPiece
		if sg.v == varExtension {
			kind = extPiece
		}
		buf = append(buf, piece{s: s, n: utf8.RuneCountInString(s), kind: kind})
	}
	return buf
}

// spaces tells whether p starts and ends with a space, and how many runes it
// has between them.
func (p piece) spaces() (lead, trail bool, core int) {
	if p.s == "" {
		return false, false, 0
	}
	lead, trail = p.s[0] == ' ', p.s[len(p.s)-1] == ' '
	core = p.n
	if lead {
		core--
	}
	if trail && core > 0 {
		core--
	}
	return lead, trail, core
}

// normLen is the length in runes of join(ps).
func normLen(ps []piece) int {
	n := 0
	space := false // a space is due before the next visible rune
	for _, p := range ps {
		lead, trail, core := p.spaces()
		if core == 0 {
			space = space || lead
			continue
		}
		if (space || lead) && n > 0 {
			n++
		}
		n += core
		space = trail
	}
	return n
}

// join concatenates ps with runs of spaces collapsed to one and none at
// either end.
func join(ps []piece) string {
	size := 0
	for _, p := range ps {
		size += len(p.s)
	}
	var b strings.Builder
	b.Grow(size)
	space := false
	for _, p := range ps {
		lead, trail, core := p.spaces()
		if core == 0 {
			space = space || lead
			continue
		}
		s := p.s
		if lead {
			s = s[1:]
		}
		if trail {
			s = s[:len(s)-1]
		}
		if (space || lead) && b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
		space = trail
	}
	return b.String()
}
