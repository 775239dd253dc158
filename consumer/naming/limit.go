package naming

import (
	"strings"
	"unicode/utf8"

	"github.com/pbxlink/pbxlink/zoom"
)

// Limit is what a Zoom name field holds: at most Runes runes, of which at
// most Chinese are Chinese characters (CJK Unified Ideographs, as
// zoom.ChineseCharacters counts them); Chinese 0 means no such limit.
type Limit struct {
	Runes, Chinese int
}

// The limits of the names pbxlink writes. Zoom refuses (400 code 300) a
// user's first_name or last_name with more than five Chinese characters and
// a display_name with more than ten.
var (
	UserName        = Limit{Runes: 64, Chinese: zoom.MaxChineseFirstLast}
	UserDisplayName = Limit{Runes: 128, Chinese: zoom.MaxChineseDisplayName}
)

// FullIn is Full within l: the name also holds at most l.Chinese Chinese
// characters. Values lose their Chinese characters first, evenly (each keeps
// the longest prefix within its share), then literals of the template that
// hold Chinese characters are dropped, the one with the most first. The
// extension (digits) stays whole. FullIn panics if l.Runes < 1.
func (t *Template) FullIn(v Vars, l Limit) string {
	checkLimit(l.Runes)
	var buf [16]piece
	return fitIn(t.pieces(&v, buf[:0]), l)
}

// SplitIn is Split within l: each of first and last also holds at most
// l.Chinese Chinese characters, cut as FullIn cuts. SplitIn panics if
// l.Runes < 1.
func (t *Template) SplitIn(v Vars, l Limit) (first, last string) {
	checkLimit(l.Runes)
	return t.split(v, l)
}

// fitIn joins ps into a name within l; ps is left as it is.
// The name Full would give is kept when it is within l.Chinese: the
// Chinese limit cuts only names that need it.
func fitIn(ps []piece, l Limit) string {
	name := fit(ps, l.Runes)
	if l.Chinese <= 0 || zoom.ChineseCharacters(name) <= l.Chinese {
		return name
	}
	var own [16]piece
	ps = append(own[:0], ps...)
	limitChinese(ps, l.Chinese)
	return fit(ps, l.Runes)
}

// limitChinese cuts ps so that they hold at most limit Chinese characters.
// Like shortenValues it levels the values: each keeps the longest prefix
// with min(its count, c) Chinese characters for the highest level c that is
// within the budget left by the literals and the extension, and a few at
// the level keep one more so that the budget is used. When the literals and
// the extension alone exceed limit, every value loses its Chinese characters
// and literals holding any are replaced by a space, the most Chinese first;
// an extension that still exceeds limit (never a Zoom extension: digits) is
// cut to its longest prefix within it.
func limitChinese(ps []piece, limit int) {
	var counts [16]int
	fixed := 0
	cnt := counts[:0]
	for _, p := range ps {
		c := zoom.ChineseCharacters(p.s)
		cnt = append(cnt, c)
		if p.kind != valPiece {
			fixed += c
		}
	}
	budget := max(limit-fixed, 0)
	total, most := 0, 0
	for i, p := range ps {
		if p.kind == valPiece {
			total += cnt[i]
			most = max(most, cnt[i])
		}
	}
	if total > budget {
		kept := func(c int) int {
			s := 0
			for i, p := range ps {
				if p.kind == valPiece {
					s += min(cnt[i], c)
				}
			}
			return s
		}
		lo, hi := 0, most
		for lo < hi { // the highest c with kept(c) <= budget
			mid := (lo + hi + 1) / 2
			if kept(mid) <= budget {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		spare := budget - kept(lo)
		for i, p := range ps {
			if p.kind != valPiece || cnt[i] <= lo {
				continue
			}
			keep := lo
			if spare > 0 {
				keep++
				spare--
			}
			s, n := cutChinese(p.s, keep)
			ps[i] = piece{s: s, n: n, kind: valPiece}
		}
	}
	for over := fixed - limit; over > 0; {
		most, at := 0, -1
		for i, p := range ps {
			if p.kind == litPiece && cnt[i] > most {
				most, at = cnt[i], i
			}
		}
		if at < 0 {
			for i, p := range ps {
				if p.kind == extPiece && cnt[i] > 0 {
					keep := max(0, cnt[i]-over)
					s, n := cutChinese(p.s, keep)
					ps[i] = piece{s: s, n: n, kind: extPiece}
					over -= cnt[i] - keep
					cnt[i] = keep
				}
			}
			return
		}
		ps[at] = piece{s: " ", n: 1, kind: litPiece}
		over -= most
		cnt[at] = 0
	}
}

// cutChinese returns the longest prefix of s with at most k Chinese
// characters, without a space at its end, and its length in runes. A
// Chinese character is a base character, so the cut before it keeps whole
// characters.
func cutChinese(s string, k int) (string, int) {
	seen := 0
	for i, r := range s {
		if zoom.IsChineseCharacter(r) {
			if seen == k {
				p := strings.TrimRight(s[:i], " ")
				return p, utf8.RuneCountInString(p)
			}
			seen++
		}
	}
	return s, utf8.RuneCountInString(s)
}
