package naming

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, canonical string
		last          int // index of ${last} among the segments, -1 for none
	}{
		{Default, Default, 4},
		{"${extension}", "${extension}", -1},
		{"  ${first}\t\t${last}  (${extension})\n", "${first} ${last} (${extension})", 2},
		{"Room\u00a0${extension}", "Room ${extension}", -1},
		{"$${extension}", "$${extension}", -1},
		{"$ ${extension} costs $5 {x} }", "$ ${extension} costs $5 {x} }", -1},
		{"${last}, ${first} [${extension}]", "${last}, ${first} [${extension}]", 0},
		{"${extension}·${first}", "${extension}·${first}", -1},
		{"${last}${first} ${extension}", "${last}${first} ${extension}", 0},
		{"${title} ${first} ${last} ${language} ${reservation} ${extension} ${room_id} ${tenant} ${site} ${vip}",
			"${title} ${first} ${last} ${language} ${reservation} ${extension} ${room_id} ${tenant} ${site} ${vip}", 4},
		{strings.Repeat("x", 48) + " ${extension}", strings.Repeat("x", 48) + " ${extension}", -1},
		{"${first} ${first} ${extension}", "${first} ${first} ${extension}", -1},
	}
	for _, tt := range tests {
		tp, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := tp.String(); got != tt.canonical {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.canonical)
		}
		if tp.last != tt.last {
			t.Errorf("Parse(%q): ${last} at segment %d, want %d", tt.in, tp.last, tt.last)
		}
		again, err := Parse(tp.String())
		if err != nil || again.String() != tp.String() {
			t.Errorf("Parse(%q) does not round-trip: %v, %v", tp.String(), again, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		pos  int
		want []string // in the message
	}{
		{"", 0, []string{"empty template"}},
		{" \t\n", 0, []string{"empty template"}},
		{"${vip} ${foo} ${extension}", 8, []string{"unknown variable ${foo}", "${vip}", "${room_id}", "${site}"}},
		{"${First} ${extension}", 1, []string{"unknown variable ${First}"}},
		{"Größe ${foo} ${extension}", 7, []string{"unknown variable ${foo}"}},
		{"${extension} ${first", 14, []string{`unterminated "${"`}},
		{"${first ${extension}", 1, []string{`unterminated "${"`}},
		{"${extension} $", 0, nil}, // a lone "$" is literal: no error
		{"${extension} ${}", 14, []string{`empty variable name "${}"`, "${extension}"}},
		{"${first} ${last}", 0, []string{"no ${extension}", "must always be in the name"}},
		{"Room", 0, []string{"no ${extension}"}},
		{"${extension} ${extension}", 14, []string{"${extension} appears a second time"}},
		{"Room${extension}", 5, []string{`${extension} is glued to "m"`, "word of its own"}},
		{"${extension}x", 1, []string{`glued to "x"`}},
		{"${extension}7 ${first}", 1, []string{`glued to "7"`}},
		{"${extension}\u0301", 1, []string{`glued to`}},
		{"${first}${extension}", 9, []string{"glued to ${first}"}},
		{"${extension}${last}", 1, []string{"glued to ${last}"}},
		{"Zimmer\x00 ${extension}", 7, []string{"control or invisible formatting character U+0000"}},
		{"\u202e${extension}", 1, []string{"U+202E"}},
		{"Zimmer \xff${extension}", 8, []string{"invalid UTF-8"}},
		{strings.Repeat("x", 49) + " ${extension}", 1, []string{"literal text too long", "15-digit extension", "65 characters", "64"}},
		{"${first} " + strings.Repeat("a", 20) + " ${last} " + strings.Repeat("b", 30) + " ${extension}", 39, []string{"literal text too long", "67 characters"}},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if tt.want == nil {
			if err != nil {
				t.Errorf("Parse(%q): %v", tt.in, err)
			}
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want a *ParseError", tt.in, err)
			continue
		}
		if pe.Pos != tt.pos || pe.Template != tt.in {
			t.Errorf("Parse(%q): error at %d in %q, want at %d", tt.in, pe.Pos, pe.Template, tt.pos)
		}
		msg := err.Error()
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("Parse(%q) error %q does not say %q", tt.in, msg, w)
			}
		}
		if tt.pos > 0 && !strings.Contains(msg, "character ") {
			t.Errorf("Parse(%q) error %q does not give the position", tt.in, msg)
		}
	}
}

func TestMustParse(t *testing.T) {
	if got := MustParse(Default).String(); got != Default {
		t.Errorf("MustParse(Default) = %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParse of a bad template did not panic")
		}
	}()
	MustParse("${first}")
}

func TestZeroTemplate(t *testing.T) {
	var tp Template
	if got := tp.Full(Vars{Extension: "1203"}, 64); got != "" {
		t.Errorf("zero Template rendered %q", got)
	}
}
