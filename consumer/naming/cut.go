package naming

import "unicode"

// fit joins ps into a name of at most limit runes. It shortens the values
// first (shortenValues); if they are all gone and the name is still too long
// it replaces the template's literals by a space each, the longest first; and
// if even the extension alone is too long, it cuts the extension. ps is left
// as it is.
func fit(ps []piece, limit int) string {
	n := normLen(ps)
	if n <= limit {
		return join(ps)
	}
	var own [16]piece
	ps = append(own[:0], ps...)
	if shortenValues(ps, n-limit) {
		return join(ps)
	}
	for normLen(ps) > limit {
		longest, core := -1, 0
		for i, p := range ps {
			if _, _, c := p.spaces(); p.kind == litPiece && c > core {
				longest, core = i, c
			}
		}
		if longest < 0 {
			// Only the extension is left, and it is longer than limit.
			for _, p := range ps {
				if p.kind == extPiece {
					s, _ := cutRunes(p.s, limit, false)
					return s
				}
			}
			return ""
		}
		ps[longest] = piece{s: " ", n: 1, kind: litPiece}
	}
	return join(ps)
}

// shortenValues cuts the values in ps so that their name is at least excess
// runes shorter, and reports whether that was possible; if it was not, it
// empties every value.
//
// It lowers the longest values first, like water finding its level: every
// value keeps min(its length, c) runes for the highest level c that saves
// enough, and a few of the values at the level keep one rune more so that the
// saving is exactly excess. Cutting a value never shortens the joined name
// by less than the runes it removes (a value has no space at either end, and
// an emptied value may only let two spaces collapse), so the name then fits.
func shortenValues(ps []piece, excess int) bool {
	total, longest := 0, 0
	for _, p := range ps {
		if p.kind == valPiece {
			total += p.n
			longest = max(longest, p.n)
		}
	}
	if total < excess {
		for i := range ps {
			if ps[i].kind == valPiece {
				ps[i] = piece{kind: valPiece}
			}
		}
		return false
	}
	saving := func(c int) int {
		s := 0
		for _, p := range ps {
			if p.kind == valPiece && p.n > c {
				s += p.n - c
			}
		}
		return s
	}
	// The highest level c in [0, longest] with saving(c) >= excess.
	lo, hi := 0, longest
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if saving(mid) >= excess {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	level, spare := lo, saving(lo)-excess
	for i, p := range ps {
		if p.kind != valPiece || p.n <= level {
			continue
		}
		keep := level
		if spare > 0 {
			keep++
			spare--
		}
		s, n := cutRunes(p.s, keep, true)
		ps[i] = piece{s: s, n: n, kind: valPiece}
	}
	return true
}

// cutRunes returns the longest prefix of s of at most n runes, without a
// space at its end, and its length in runes. With whole, the prefix also ends
// at a character boundary (see boundary), so that a cut does not strip a
// letter of its accent or break an emoji, unless that leaves nothing of s;
// otherwise, and without whole, it ends at any rune boundary.
func cutRunes(s string, n int, whole bool) (string, int) {
	count := 0
	end, endN := 0, 0 // the latest place to cut so far
	prev, ris := rune(-1), 0
	for i, r := range s {
		if i > 0 && (!whole || boundary(prev, r, ris)) {
			end, endN = i, count
		}
		if count == n { // s is longer than n runes
			if end == 0 {
				end, endN = i, n
			}
			if end > 0 && s[end-1] == ' ' {
				end--
				endN--
			}
			return s[:end], endN
		}
		if isRegionalIndicator(r) {
			ris++
		} else {
			ris = 0
		}
		prev = r
		count++
	}
	return s, count
}

// boundary reports whether a cut between the runes prev and r keeps whole
// characters: r does not attach to prev as a combining mark, variation
// selector, emoji modifier or tag, neither is a zero width joiner, and r is
// not the second half of a flag (regional indicator pair); ris counts the
// regional indicators that end with prev. This approximates the grapheme
// cluster boundaries of Unicode TR 29 closely enough for names, with the
// standard library only.
func boundary(prev, r rune, ris int) bool {
	switch {
	case r < 0x300 && prev < 0x300:
		return true
	case unicode.Is(unicode.M, r):
		return false
	case r == zwj || prev == zwj:
		return false
	case r >= 0x1f3fb && r <= 0x1f3ff: // emoji skin tone modifiers
		return false
	case r >= 0xe0020 && r <= 0xe007f: // tags (subdivision flags)
		return false
	case isRegionalIndicator(r) && ris%2 == 1:
		return false
	}
	return true
}

// zwj is the zero width joiner, which glues emoji into one.
const zwj = 0x200d

// isRegionalIndicator reports whether r is one of the letters of which
// pairs make flags.
func isRegionalIndicator(r rune) bool { return r >= 0x1f1e6 && r <= 0x1f1ff }
