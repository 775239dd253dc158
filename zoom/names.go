package zoom

// Zoom's limits on Chinese characters in a user's names (PATCH /users):
// first_name and last_name hold at most five, display_name at most ten.
// Longer names are refused with 400 code 300.
const (
	MaxChineseFirstLast   = 5
	MaxChineseDisplayName = 10
)

// ChineseCharacters counts the runes of s in the CJK Unified Ideographs
// blocks (the main block, extension A, and extensions B and later), which
// is what Zoom's limits count.
func ChineseCharacters(s string) int {
	n := 0
	for _, r := range s {
		if IsChineseCharacter(r) {
			n++
		}
	}
	return n
}

// IsChineseCharacter reports whether r is a CJK Unified Ideograph.
func IsChineseCharacter(r rune) bool {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF: // CJK Unified Ideographs
		return true
	case r >= 0x3400 && r <= 0x4DBF: // extension A
		return true
	case r >= 0x20000 && r <= 0x323AF: // extensions B to H
		return true
	}
	return false
}
