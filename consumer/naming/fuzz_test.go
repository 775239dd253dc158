package naming

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The fuzzers check the package's promises against simple reference code:
// refClean and refRender say what a name is when nothing needs cutting.

// refClean is clean(s, true) written the obvious way.
func refClean(s string) string {
	var kept []rune
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if (r != utf8.RuneError || size > 1) && !dropped(r) {
			kept = append(kept, r)
		}
	}
	return strings.Join(strings.FieldsFunc(string(kept), unicode.IsSpace), " ")
}

// refRender renders segs with nothing cut: their text and cleaned values,
// concatenated, with runs of whitespace as one space and none at the ends.
func refRender(segs []segment, v Vars) string {
	var b strings.Builder
	for _, sg := range segs {
		if sg.v == literalSeg {
			b.WriteString(sg.text)
		} else {
			b.WriteString(refClean(v.value(sg.v)))
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// hasWord reports whether w occurs in s as a word of its own: with a space,
// punctuation, a symbol or the end of s on either side.
func hasWord(s, w string) bool {
	for from := 0; from <= len(s); {
		i := strings.Index(s[from:], w)
		if i < 0 {
			return false
		}
		i += from
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(w):])
		if (i == 0 || separates(before)) && (i+len(w) == len(s) || separates(after)) {
			return true
		}
		from = i + 1
	}
	return false
}

// checkName checks what every rendered name promises; nonEmpty when the
// extension is set.
func checkName(t *testing.T, what, name string, limit int, nonEmpty bool) {
	t.Helper()
	if !utf8.ValidString(name) {
		t.Fatalf("%s %q is not valid UTF-8", what, name)
	}
	if n := utf8.RuneCountInString(name); n > limit {
		t.Fatalf("%s %q has %d runes, limit %d", what, name, n, limit)
	}
	if strings.HasPrefix(name, " ") || strings.HasSuffix(name, " ") || strings.Contains(name, "  ") {
		t.Fatalf("%s %q has spaces at an end or two in a row", what, name)
	}
	for _, r := range name {
		if unicode.IsControl(r) || dropped(r) || unicode.IsSpace(r) && r != ' ' {
			t.Fatalf("%s %q holds %U", what, name, r)
		}
	}
	if nonEmpty && name == "" {
		t.Fatalf("%s is empty", what)
	}
}

// checkExtension checks that one of names holds ext uncut, as a word of its
// own, or, when ext alone exceeds limit, is as much of ext as fits.
func checkExtension(t *testing.T, ext string, limit int, names ...string) {
	t.Helper()
	if ext == "" {
		return
	}
	for _, name := range names {
		if utf8.RuneCountInString(ext) <= limit && hasWord(name, ext) ||
			utf8.RuneCountInString(ext) > limit && strings.HasPrefix(ext, name) {
			return
		}
	}
	t.Fatalf("%q: no extension %q (limit %d)", names, ext, limit)
}

// fuzzTemplate parses s, or falls back to one of a few templates that cover
// the shapes the package must handle.
func fuzzTemplate(s string) *Template {
	if tp, err := Parse(s); err == nil {
		return tp
	}
	shapes := []string{Default, "${last}, ${first} (${extension})", "${first}${last} ${extension}",
		"${extension} ${title} ${first} ${last}", "Zimmer-Nr. ${extension}: ${vip} ${first} ${last} ${site}"}
	return MustParse(shapes[len(s)%len(shapes)])
}

// fuzzLimit maps any int to a limit from 1 to 300.
func fuzzLimit(n int) int {
	if n < 0 {
		n = -(n + 1)
	}
	return 1 + n%300
}

func fuzzVars(vip, first, last, title, ext, other string) Vars {
	return Vars{VIP: vip, First: first, Last: last, Title: title, Language: other, Reservation: other,
		Extension: ext, RoomID: other, Tenant: other, Site: other}
}

// fuzzSeeds adds the interesting cases to both name fuzzers.
func fuzzSeeds(f *testing.F) {
	f.Add(Default, "VIP", "Ada", "Lovelace", "Dr", "1203", "Main", 64)
	f.Add(Default, "", "", "", "", "1203", "", 64)
	f.Add(Default, "", "${extension}", "$${last}", "${title}", "1203", "${site}", 128)
	f.Add("${last}, ${first} (${extension})", "VIP", "Zoe\u0308\u0301", "山田花子山田花子", "", "123456789012345", "x", 17)
	f.Add("${first}${last} ${extension}", "👩\u200d💻", "🇩🇪🇫🇷", "محمد عبدالرحمن", "\u202e", " 12\t03 ", "\x00\xff", 9)
	f.Add("Room ${extension}: ${title} ${last}", strings.Repeat("x", 300), "a\u00a0\u00a0b", "\n\n", "Dr", "1203", "", 3)
	f.Add(Default, "V", "A", "L", "", "1203", "", 1)
}

func FuzzFull(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, tmpl, vip, first, last, title, ext, other string, limit int) {
		tp, v, limit := fuzzTemplate(tmpl), fuzzVars(vip, first, last, title, ext, other), fuzzLimit(limit)
		name := tp.Full(v, limit)
		cext := refClean(ext)
		checkName(t, "Full", name, limit, cext != "")
		checkExtension(t, cext, limit, name)
		// Nothing to cut: the name is the reference rendering, so every value
		// is in it verbatim, never expanded.
		if want := refRender(tp.segs, v); utf8.RuneCountInString(want) <= limit && name != want {
			t.Fatalf("Full = %q, want %q", name, want)
		}
		if again := tp.Full(v, limit); again != name {
			t.Fatalf("Full is not deterministic: %q, then %q", name, again)
		}
	})
}

func FuzzSplit(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, tmpl, vip, first, last, title, ext, other string, limit int) {
		tp, v, limit := fuzzTemplate(tmpl), fuzzVars(vip, first, last, title, ext, other), fuzzLimit(limit)
		fn, ln := tp.Split(v, limit)
		cext := refClean(ext)
		checkName(t, "first", fn, limit, cext != "")
		checkName(t, "last", ln, limit, cext != "")
		checkExtension(t, cext, limit, fn, ln)
		full := refRender(tp.segs, v)
		// The template split: both sides non-empty, whitespace between them,
		// both fit: then they are the names, and together the full name.
		if k := tp.last; k > 0 {
			a, b := refRender(tp.segs[:k], v), refRender(tp.segs[k:], v)
			if a != "" && b != "" && full == a+" "+b && utf8.RuneCountInString(a) <= limit && utf8.RuneCountInString(b) <= limit {
				if fn != a || ln != b {
					t.Fatalf("Split = %q, %q; want the template split %q, %q", fn, ln, a, b)
				}
				if got := tp.Full(v, 2*limit+1); fn+" "+ln != got {
					t.Fatalf("Split = %q, %q, but Full = %q", fn, ln, got)
				}
			}
		}
		// A name that fits whole is split at a space, or is one word.
		if cext != "" && !strings.Contains(cext, " ") && utf8.RuneCountInString(full) <= limit {
			if strings.Contains(full, " ") && fn+" "+ln != full || !strings.Contains(full, " ") && (fn != full || ln != full) {
				t.Fatalf("Split = %q, %q of the full name %q", fn, ln, full)
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{Default, "", "${", "${}", "$${extension}", "${extension}${last}", "Room${extension}",
		"  ${first}\t${last}\n(${extension}) ", "${last}, ${first} [${extension}]", "\u202e${extension}", "x\xff${extension}",
		strings.Repeat("x", 48) + " ${extension}", "${first} ${foo} ${extension}", "$ {extension} ${extension}"} {
		f.Add(s)
	}
	ext := strings.Repeat("9", maxExtensionRunes)
	f.Fuzz(func(t *testing.T, s string) {
		tp, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Template != s || pe.Pos < 0 || pe.Pos > utf8.RuneCountInString(s) || pe.Problem == "" {
				t.Fatalf("Parse(%q) = %#v", s, err)
			}
			return
		}
		again, err := Parse(tp.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, tp.String(), err)
		}
		if again.String() != tp.String() || len(again.segs) != len(tp.segs) || again.last != tp.last {
			t.Fatalf("Parse(%q) does not round-trip: %q, then %q", s, tp.String(), again.String())
		}
		for i := range tp.segs {
			if a, b := tp.segs[i], again.segs[i]; a.v != b.v || a.text != b.text || a.n != b.n {
				t.Fatalf("Parse(%q) does not round-trip: segment %d is %+v, then %+v", s, i, a, b)
			}
		}
		// With no guest data a 15-digit extension fits 64 runes, literals and all.
		v := Vars{Extension: ext}
		if name, want := tp.Full(v, minFieldRunes), refRender(tp.segs, v); name != want || !hasWord(name, ext) {
			t.Fatalf("%q.Full(15 digits, 64) = %q, want %q", tp.String(), name, want)
		}
	})
}
