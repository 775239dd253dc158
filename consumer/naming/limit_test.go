package naming

import (
	"testing"
	"unicode/utf8"

	"github.com/pbxlink/pbxlink/zoom"
)

// TestChineseLimits: names stay within Zoom's Chinese-character limits, the
// values lose characters evenly, and the extension stays whole.
func TestChineseLimits(t *testing.T) {
	tp := MustParse(Default)
	tests := []struct {
		name        string
		v           Vars
		first, last string
		display     string
	}{
		{"fits", Vars{First: "娜娜", Last: "欧阳", Extension: "1203"}, "娜娜", "欧阳 1203", "娜娜 欧阳 1203"},
		{"long last name", Vars{First: "Ada", Last: "欧阳娜娜娜娜娜", Extension: "1203"}, "Ada", "欧阳娜娜娜 1203", "Ada 欧阳娜娜娜娜娜 1203"},
		{"both long", Vars{VIP: "贵宾", First: "司马相如如如如", Last: "欧阳娜娜娜娜娜", Extension: "1203"},
			"贵宾 司马相", "欧阳娜娜娜 1203", "贵宾 司马相如 欧阳娜娜 1203"},
		{"mixed scripts", Vars{First: "Li 娜娜娜娜娜娜 Wei", Last: "X", Extension: "7"}, "Li 娜娜娜娜娜", "X 7", "Li 娜娜娜娜娜娜 Wei X 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, last := tp.SplitIn(tt.v, UserName)
			display := tp.FullIn(tt.v, UserDisplayName)
			if first != tt.first || last != tt.last || display != tt.display {
				t.Errorf("got %q, %q, %q; want %q, %q, %q", first, last, display, tt.first, tt.last, tt.display)
			}
			for _, c := range []struct {
				s   string
				max int
			}{{first, 5}, {last, 5}, {display, 10}} {
				if n := zoom.ChineseCharacters(c.s); n > c.max {
					t.Errorf("%q holds %d Chinese characters, more than %d", c.s, n, c.max)
				}
			}
		})
	}
	// Template text in Chinese is dropped only when the values alone cannot
	// make room.
	zh := MustParse("房间号码 ${extension} ${first} ${last}")
	got := zh.FullIn(Vars{First: "欧阳娜娜", Last: "司马相如", Extension: "1203"}, Limit{Runes: 128, Chinese: 6})
	if got != "房间号码 1203 欧 司" {
		t.Errorf("FullIn = %q", got)
	}
	if got := zh.FullIn(Vars{Extension: "1203"}, Limit{Runes: 128, Chinese: 2}); got != "1203" {
		t.Errorf("literal over the limit: %q, want the extension alone", got)
	}
	// No Chinese limit: FullIn is Full.
	v := Vars{First: "欧阳娜娜娜娜娜娜娜娜娜娜", Extension: "1"}
	if a, b := tp.FullIn(v, Limit{Runes: 20}), tp.Full(v, 20); a != b || utf8.RuneCountInString(a) > 20 {
		t.Errorf("FullIn without a Chinese limit %q, Full %q", a, b)
	}
}

// fuzzChineseLimit maps any int to a Chinese limit from 1 to 12.
func fuzzChineseLimit(n int) int {
	if n < 0 {
		n = -(n + 1)
	}
	return 1 + n%12
}

// checkChinese checks a name against a Chinese limit, and that the
// extension is still there when it could be.
func checkChinese(t *testing.T, what, name string, l Limit) {
	t.Helper()
	if n := zoom.ChineseCharacters(name); n > l.Chinese {
		t.Fatalf("%s %q holds %d Chinese characters, limit %d", what, name, n, l.Chinese)
	}
}

func fuzzChineseSeeds(f *testing.F) {
	f.Add(Default, "贵宾", "司马相如如如如", "欧阳娜娜娜娜娜", "", "1203", "", 64, 4)
	f.Add("房间号码 ${extension} ${first} ${last}", "", "欧阳娜娜", "司马相如", "博士", "1203", "总部", 128, 1)
	f.Add("${last}${first} ${extension}", "VIP", "𠀀𠀁𠀂", "㐀㐁㐂㐃", "", "99", "x", 9, 2)
	f.Add(Default, "", "", "", "", "12欧阳", "", 20, 0)
}

func FuzzFullIn(f *testing.F) {
	fuzzChineseSeeds(f)
	f.Fuzz(func(t *testing.T, tmpl, vip, first, last, title, ext, other string, limit, chinese int) {
		tp, v := fuzzTemplate(tmpl), fuzzVars(vip, first, last, title, ext, other)
		l := Limit{Runes: fuzzLimit(limit), Chinese: fuzzChineseLimit(chinese)}
		name := tp.FullIn(v, l)
		cext := refClean(ext)
		checkName(t, "FullIn", name, l.Runes, cext != "" && zoom.ChineseCharacters(cext) < len(cext))
		checkChinese(t, "FullIn", name, l)
		if zoom.ChineseCharacters(cext) == 0 {
			checkExtension(t, cext, l.Runes, name)
		}
		if want := tp.Full(v, l.Runes); zoom.ChineseCharacters(want) <= l.Chinese && name != want {
			t.Fatalf("FullIn = %q, want Full's %q when it is within the limit", name, want)
		}
	})
}

func FuzzSplitIn(f *testing.F) {
	fuzzChineseSeeds(f)
	f.Fuzz(func(t *testing.T, tmpl, vip, first, last, title, ext, other string, limit, chinese int) {
		tp, v := fuzzTemplate(tmpl), fuzzVars(vip, first, last, title, ext, other)
		l := Limit{Runes: fuzzLimit(limit), Chinese: fuzzChineseLimit(chinese)}
		fn, ln := tp.SplitIn(v, l)
		cext := refClean(ext)
		for _, s := range []string{fn, ln} {
			checkName(t, "SplitIn", s, l.Runes, false)
			checkChinese(t, "SplitIn", s, l)
		}
		if zoom.ChineseCharacters(cext) == 0 {
			checkExtension(t, cext, l.Runes, fn, ln)
		}
	})
}
