package naming

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	long := strings.Repeat("Maximiliane-", 7) // 84 runes
	tests := []struct {
		name        string
		tmpl        string
		v           Vars
		limit       int
		first, last string
	}{
		{"check-in", Default, checkin, 64, "VIP Ada", "Lovelace 1203"},
		{"no VIP", Default, Vars{First: "Ada", Last: "Lovelace", Extension: "1203"}, 64, "Ada", "Lovelace 1203"},
		{"no last name", Default, Vars{VIP: "VIP", First: "Ada", Extension: "1203"}, 64, "VIP Ada", "1203"},
		{"no first name", Default, Vars{Last: "Lovelace", Extension: "1203"}, 64, "Lovelace", "1203"},
		{"no first name, last of three words", Default, Vars{Last: "van der Berg", Extension: "1203"}, 64, "van der Berg", "1203"},
		{"check-out: one word", Default, checkout, 64, "1203", "1203"},
		{"one word with punctuation", "(${extension})", checkout, 64, "(1203)", "(1203)"},
		{"template without ${last}", "${first} ${extension}", checkin, 64, "Ada", "1203"},
		{"${last} glued to ${first}", "${first}${last} ${extension}", checkin, 64, "AdaLovelace", "1203"},
		{"family name first", "${last}${first} ${extension}", Vars{First: "太郎", Last: "山田", Extension: "1203"}, 64, "山田太郎", "1203"},
		{"${last} first", "${last}, ${first} (${extension})", checkin, 64, "Lovelace, Ada", "(1203)"},
		{"extension in the first name", "${extension} ${first} ${last}", checkin, 64, "1203 Ada", "Lovelace"},
		{"last space, past a trailing one", "${first} ${extension} (room) ${last}", Vars{First: "Ada", Extension: "1203"}, 64, "Ada 1203", "(room)"},
		{"extension alone on its side", "${first} ${extension} ${last}", Vars{First: "Ada", Extension: "1203"}, 64, "Ada", "1203"},
		{"first side too long", Default, Vars{First: long, Last: "Lovelace", Extension: "1203"}, 64, long[:64], "Lovelace 1203"},
		{"last side too long", Default, Vars{First: "Ada", Last: long, Extension: "1203"}, 64, "Ada", long[:59] + " 1203"},
		{"no first name, too long", Default, Vars{Last: long + " " + long, Extension: "1203"}, 64, long[:64], "1203"},
		{"tiny limit", Default, checkin, 4, "VI A", "1203"},
		{"tiny limit: a side that would come out empty is not used", "${vip} ${title} ${first} ${first} ${first} ${first} ${last} ${extension}", checkin, 4, "V", "1203"},
	}
	for _, tt := range tests {
		tp := MustParse(tt.tmpl)
		first, last := tp.Split(tt.v, tt.limit)
		if first != tt.first || last != tt.last {
			t.Errorf("%s: Split = %q, %q; want %q, %q", tt.name, first, last, tt.first, tt.last)
		}
		if first == "" || last == "" || utf8.RuneCountInString(first) > tt.limit || utf8.RuneCountInString(last) > tt.limit {
			t.Errorf("%s: Split = %q, %q: empty or over %d", tt.name, first, last, tt.limit)
		}
		if first != last && !strings.Contains(first, "1203") && !strings.Contains(last, "1203") {
			t.Errorf("%s: Split = %q, %q lost the extension", tt.name, first, last)
		}
		full := tp.Full(tt.v, 2*tt.limit+1)
		fits := utf8.RuneCountInString(first) < tt.limit && utf8.RuneCountInString(last) < tt.limit
		if fits && first != last && first+" "+last != full {
			t.Errorf("%s: %q + %q is not the full name %q", tt.name, first, last, full)
		}
	}
}

// TestSplitHugeValues makes sure that no input makes rendering slow: values
// of a megabyte with many spaces, at limits that force every fallback.
func TestSplitHugeValues(t *testing.T) {
	huge := strings.Repeat("ab ", 1<<16)
	tp := MustParse("${vip} ${title} ${first} ${first} ${first} ${first} ${last} ${extension}")
	v := Vars{VIP: huge, Title: huge, First: huge, Last: huge, Extension: "1203"}
	start := time.Now()
	for _, limit := range []int{1, 4, 5, 64} {
		first, last := tp.Split(v, limit)
		if first == "" || last == "" || utf8.RuneCountInString(first) > limit || utf8.RuneCountInString(last) > limit {
			t.Errorf("limit %d: Split = %q, %q", limit, first, last)
		}
		if full := tp.Full(v, limit); utf8.RuneCountInString(full) > limit {
			t.Errorf("limit %d: Full = %q", limit, full)
		}
	}
	if d := time.Since(start); d > 10*time.Second { // quadratic work would take minutes
		t.Errorf("took %v", d)
	}
}
