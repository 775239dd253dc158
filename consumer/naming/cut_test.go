package naming

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFullCut(t *testing.T) {
	long := "Wolfeschlegelsteinhausenbergerdorff" // 35 runes
	tests := []struct {
		name  string
		tmpl  string
		v     Vars
		limit int
		want  string
	}{
		{"fits exactly", Default, checkin, 21, "VIP Ada Lovelace 1203"},
		{"every part keeps a share", Default, Vars{First: "Maximiliane", Last: long, Extension: "1203"}, 20, "Maximil Wolfesc 1203"},
		{"longest first", Default, Vars{First: "Ada", Last: long, Extension: "1203"}, 30, "Ada Wolfeschlegelsteinhau 1203"},
		{"spare runes go to the first values", Default, Vars{VIP: "VIP", First: "Maximiliane", Last: long, Extension: "1203"}, 25, "VIP Maximili Wolfesc 1203"},
		{"no trailing space after a cut", Default, Vars{First: "Ada Maria", Last: long, Extension: "1203"}, 14, "Ada Wolf 1203"},
		{"CJK", Default, Vars{First: "太郎", Last: "山田花子山田花子山田花子", Extension: "1203"}, 12, "太郎 山田花子 1203"},
		{"Arabic", Default, Vars{First: "محمد", Last: "عبدالرحمن", Extension: "1203"}, 13, "محمد عبد 1203"},
		{"combining mark stays with its letter", Default, Vars{First: "Zoe\u0308 Zoe\u0308", Extension: "1203"}, 12, "Zoe\u0308 Zo 1203"},
		{"whole emoji", Default, Vars{First: "🇩🇪🇫🇷", Last: "👍🏽👍🏽", Extension: "1203"}, 11, "🇩🇪 👍🏽 1203"},
		{"ZWJ sequence", Default, Vars{First: "👩\u200d💻👩\u200d💻", Extension: "1203"}, 8, "👩\u200d💻 1203"},
		{"a lone cluster is cut at a rune rather than lost", Default, Vars{First: "👨\u200d👩\u200d👧", Extension: "1203"}, 8, "👨\u200d👩 1203"},
		{"values emptied", Default, checkin, 5, "1203"},
		{"extension never cut", Default, checkin, 4, "1203"},
		{"literal kept while values go", "Zimmer ${extension} ${last}", checkin, 11, "Zimmer 1203"},
		{"values before literals", "Zimmer ${extension} ${last}", checkin, 13, "Zimmer 1203 L"},
		{"literal dropped last", "Zimmer ${extension} ${last}", checkin, 8, "1203"},
		{"longest literal dropped first", "Zimmer-Nr. ${extension} (${last})", checkin, 11, "1203 ()"},
		{"extension alone too long", Default, Vars{First: "Ada", Extension: "123456789"}, 4, "1234"},
	}
	for _, tt := range tests {
		got := MustParse(tt.tmpl).Full(tt.v, tt.limit)
		if got != tt.want {
			t.Errorf("%s: Full(limit %d) = %q, want %q", tt.name, tt.limit, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > tt.limit {
			t.Errorf("%s: %q has %d runes, limit %d", tt.name, got, n, tt.limit)
		}
	}
}

// TestFullFitsZoomFields fills every variable far beyond Zoom's limits and
// checks that each limit holds the extension and a share of every value.
func TestFullFitsZoomFields(t *testing.T) {
	tp := MustParse("${title} ${first} ${last} ${extension} ${vip}")
	v := Vars{Title: strings.Repeat("T", 300), First: strings.Repeat("F", 300), Last: strings.Repeat("L", 300), VIP: "VIP", Extension: "123456789012345"}
	for _, limit := range []int{64, 128, 255} {
		got := tp.Full(v, limit)
		if n := utf8.RuneCountInString(got); n != limit {
			t.Errorf("limit %d: %d runes: %q", limit, n, got)
		}
		for _, part := range []string{"T", "F", "L", " 123456789012345 VIP"} {
			if !strings.Contains(got, part) {
				t.Errorf("limit %d: %q lost %q", limit, got, part)
			}
		}
	}
}

func TestCutRunes(t *testing.T) {
	tests := []struct {
		s     string
		n     int
		whole bool
		want  string
	}{
		{"Lovelace", 8, true, "Lovelace"},
		{"Lovelace", 9, true, "Lovelace"},
		{"Lovelace", 4, true, "Love"},
		{"Lovelace", 0, true, ""},
		{"Ada Lovelace", 4, true, "Ada"},
		{"山田花子", 2, true, "山田"},
		{"Rene\u0301e", 4, true, "Ren"},
		{"Rene\u0301e", 5, true, "Rene\u0301"},
		{"Rene\u0301e", 5, false, "Rene\u0301"},
		{"Rene\u0301e", 4, false, "Rene"},
		{"e\u0301\u0301\u0301", 2, true, "e\u0301"},
		{"🇩🇪🇫🇷", 3, true, "🇩🇪"},
		{"🇩🇪🇫🇷", 3, false, "🇩🇪🇫"},
		{"👍🏽x", 1, true, "👍"},
		{"❤\ufe0fx", 1, true, "❤"},
		{"क्षत्रिय", 3, true, "क्ष"},
	}
	for _, tt := range tests {
		got, n := cutRunes(tt.s, tt.n, tt.whole)
		if got != tt.want || n != utf8.RuneCountInString(got) {
			t.Errorf("cutRunes(%q, %d, %v) = %q, %d; want %q", tt.s, tt.n, tt.whole, got, n, tt.want)
		}
	}
}
