package naming

import "testing"

func TestClean(t *testing.T) {
	tests := []struct {
		in   string
		trim bool
		want string
	}{
		{"Ada", true, "Ada"},
		{"", true, ""},
		{"  Ada\t\tLovelace \n", true, "Ada Lovelace"},
		{"Ada\u00a0\u00a0Lovelace", true, "Ada Lovelace"},                          // NBSP
		{"Ada\u2003\u3000Lovelace", true, "Ada Lovelace"},                          // em space, ideographic space
		{"Ada\r\n\u0085\u2028Lovelace", true, "Ada Lovelace"},                      // CRLF, NEL, line separator
		{"A\x00da", true, "Ada"},                                                   // NUL
		{"A\x1b[31mda\x7f\u0080\u009f", true, "A[31mda"},                           // ESC, DEL, C1
		{"Ada \x00 Lovelace", true, "Ada Lovelace"},                                // dropping does not split a run of spaces
		{"\u202eecalevoL\u202c \u2066Ada\u2069", true, "ecalevoL Ada"},             // bidi override, isolate
		{"Ada\u200bLove\u2060lace\ufeff", true, "AdaLovelace"},                     // zero width space, word joiner, BOM
		{"\xffAda\xc3", true, "Ada"},                                               // invalid UTF-8
		{"\ufffd", true, "\ufffd"},                                                 // a real replacement character stays
		{"\u200f\u05e9\u05dc\u05d5\u05dd", true, "\u200f\u05e9\u05dc\u05d5\u05dd"}, // RLM stays
		{"👨\u200d👩\u200d👧", true, "👨\u200d👩\u200d👧"},                               // ZWJ stays
		{"\u0627\u0644\u0639\u0631\u0628\u064a\u0629", true, "\u0627\u0644\u0639\u0631\u0628\u064a\u0629"},
		{" \t ", true, ""},
		{" a  b\t", false, " a b "},
		{"\t", false, " "},
		{"a\x00 \x00b", false, "a b"},
	}
	for _, tt := range tests {
		if got := clean(tt.in, tt.trim); got != tt.want {
			t.Errorf("clean(%q, %v) = %q, want %q", tt.in, tt.trim, got, tt.want)
		}
		if got := clean(tt.want, tt.trim); got != tt.want {
			t.Errorf("clean is not idempotent on %q: %q", tt.want, got)
		}
	}
}

func TestCleanDoesNotAllocateWhenClean(t *testing.T) {
	s := "Ada Lovelace-Byron 山田"
	if n := testing.AllocsPerRun(100, func() { _ = clean(s, true) }); n != 0 {
		t.Errorf("clean of clean text allocates %v times", n)
	}
}
