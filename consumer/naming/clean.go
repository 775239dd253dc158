package naming

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// clean makes text fit for a name: it removes invalid UTF-8, control
// characters and invisible characters that hide or reorder text (see
// dropped), and turns every run of Unicode whitespace (spaces, NBSP, tabs,
// newlines, ...) into one ASCII space. With trim it also removes the space at
// either end (values); without, one space is kept there (literal text, which
// joins other text). Text that is clean already is returned as is, without
// allocating.
func clean(s string, trim bool) string {
	if isClean(s, trim) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is due before the next visible rune
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1, dropped(r):
		case unicode.IsSpace(r):
			space = true
		default:
			if space && (b.Len() > 0 || !trim) {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
	}
	if space && !trim {
		b.WriteByte(' ')
	}
	return b.String()
}

// isClean reports whether clean(s, trim) is s.
func isClean(s string, trim bool) bool {
	if trim && s != "" && (s[0] == ' ' || s[len(s)-1] == ' ') {
		return false
	}
	space := false // the previous rune was a space
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ' && space, c < ' ', c == 0x7f:
				return false
			}
			space = c == ' '
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || dropped(r) || unicode.IsSpace(r) {
			return false
		}
		space = false
		i += size
	}
	return true
}

// dropped reports whether clean removes r: a control character that is not
// whitespace (C0, DEL, C1), or an invisible character that can hide text or
// reorder it on screen, so that a guest name could disguise the extension:
// zero width space, word joiner, byte order mark, and the bidirectional
// embeddings, overrides and isolates. Marks that only set a direction
// (U+200E, U+200F) and the joiners that emoji and many scripts need (U+200C,
// U+200D) are kept.
func dropped(r rune) bool {
	switch {
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return !unicode.IsSpace(r)
	case r < 0x200b:
		return false
	case r == 0x200b, r == 0x2060, r == 0xfeff:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
