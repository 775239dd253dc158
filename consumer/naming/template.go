// Package naming turns a stay's guest and room data into the names that Zoom
// Phone shows for the room's extension, following the operator's template
// (PBXLINK_NAME_TEMPLATE, by default Default).
//
// A template is parsed once into literal text and variables. Rendering inserts
// the cleaned values verbatim, so guest text such as "${extension}" is shown as
// typed and never expanded. Every rendered name fits the Zoom field it is
// meant for, is valid UTF-8, free of control characters and of extra spaces,
// and carries the room's extension uncut as a word of its own: when a name is
// too long the guest and room values are shortened first (the longest first),
// then the template's literal text is dropped.
//
// Lengths are counted in runes (Unicode code points), as the maxLength limits
// of Zoom's API schema are (JSON Schema counts code points).
package naming

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Default is the contract's default template (PBXLINK_NAME_TEMPLATE): the
// guest's VIP mark, first and last name, then the extension. At check-out no
// guest field is left and it renders the extension alone.
const Default = "${vip} ${first} ${last} ${extension}"

// Parse guarantees that a name with every value empty and a 15-digit
// extension (the longest E.164 number) fits into 64 runes, Zoom's limit for a
// first or last name. So at any limit of 64 or more, Full and Split never
// need to drop the template's literal text, and the extension is never cut.
const (
	maxExtensionRunes = 15
	minFieldRunes     = 64
)

// Vars are the values a template may use, one field per variable. Values may
// hold any text (a PMS sends what the front desk typed): they are cleaned
// before use, and never interpreted as a template. Extension is the one value
// that must be set; the others may be empty.
type Vars struct {
	VIP         string // ${vip}: the guest's VIP mark, e.g. "VIP"
	First       string // ${first}: the guest's first name
	Last        string // ${last}: the guest's last name
	Title       string // ${title}: the guest's title, e.g. "Dr"
	Language    string // ${language}: the guest's language, e.g. "en"
	Reservation string // ${reservation}: the PMS reservation number
	Extension   string // ${extension}: the room's extension number
	RoomID      string // ${room_id}: the mailbox's room id
	Tenant      string // ${tenant}: the hotel
	Site        string // ${site}: the hotel's site
}

// varID identifies a template variable; it indexes varNames.
type varID uint8

const (
	varVIP varID = iota
	varFirst
	varLast
	varTitle
	varLanguage
	varReservation
	varExtension
	varRoomID
	varTenant
	varSite
	numVars
	// literalSeg marks a segment that is literal text.
	literalSeg = numVars
)

// varNames are the variables' names as a template spells them, in the
// contract's order.
var varNames = [numVars]string{"vip", "first", "last", "title", "language", "reservation", "extension", "room_id", "tenant", "site"}

// value is the raw value of variable id.
func (v *Vars) value(id varID) string {
	switch id {
	case varVIP:
		return v.VIP
	case varFirst:
		return v.First
	case varLast:
		return v.Last
	case varTitle:
		return v.Title
	case varLanguage:
		return v.Language
	case varReservation:
		return v.Reservation
	case varExtension:
		return v.Extension
	case varRoomID:
		return v.RoomID
	case varTenant:
		return v.Tenant
	case varSite:
		return v.Site
	}
	return ""
}

// Template is a parsed name template: literal text and variables, in order.
// It is immutable and safe for concurrent use. Make one with Parse or
// MustParse; the zero Template renders nothing.
type Template struct {
	segs []segment
	src  string // the canonical text, see String
	last int    // index in segs of the first ${last}, -1 when there is none
}

// segment is a piece of a template: a variable, or literal text (cleaned,
// with runs of whitespace as one space) when v is literalSeg.
type segment struct {
	v    varID
	text string
	n    int // runes in text
	off  int // byte offset in the template as given, for Parse's errors
}

// ParseError is the error Parse returns: what is wrong with a template and
// where, so that an operator can fix PBXLINK_NAME_TEMPLATE from the message
// alone.
type ParseError struct {
	Template string // the template as given
	Pos      int    // 1-based character (rune) position of the problem; 0 when it concerns the whole template
	Problem  string // what is wrong
}

// Error describes the problem and its position. It does not repeat the
// template, which the caller usually quotes already (naming the setting).
func (e *ParseError) Error() string {
	if e.Pos > 0 {
		return fmt.Sprintf("name template, character %d: %s", e.Pos, e.Problem)
	}
	return "name template: " + e.Problem
}

// Parse parses a name template: text in which ${name} stands for a variable
// of Vars (vip, first, last, title, language, reservation, extension, room_id,
// tenant, site). "${" always opens a variable; any other "$" is literal text.
// Runs of whitespace in the text count as one space, and whitespace at either
// end is dropped.
//
// Parse refuses, with the problem and its position, a template that is empty,
// has an unterminated "${", an empty or unknown variable name, a control or
// invisible formatting character, or invalid UTF-8; one without ${extension}
// or with it twice (the extension must be in every name, once), or with
// ${extension} glued to a letter, digit, mark or another variable (it must
// stay a word of its own); and one whose literal text is so long that a
// 15-digit extension no longer fits into 64 runes.
func Parse(s string) (*Template, error) {
	fail := func(byteOff int, format string, args ...any) (*Template, error) {
		pos := 0
		if byteOff >= 0 {
			pos = utf8.RuneCountInString(s[:byteOff]) + 1
		}
		return nil, &ParseError{Template: s, Pos: pos, Problem: fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(s) == "" {
		return fail(-1, "empty template; it needs at least ${extension}")
	}

	t := &Template{}
	addLiteral := func(off int, text string) {
		if i := strings.IndexFunc(text, notSpace); i > 0 {
			off += i // point errors at the literal's text, not the space before it
		}
		if text = clean(text, false); text != "" {
			t.segs = append(t.segs, segment{v: literalSeg, text: text, off: off})
		}
	}
	extOff := -1
	litStart := 0
	for i := 0; i < len(s); {
		if s[i] == '$' && i+1 < len(s) && s[i+1] == '{' {
			end := i + 2
			for end < len(s) && s[end] != '}' && s[end] != '$' {
				end++
			}
			if end == len(s) || s[end] != '}' {
				return fail(i, `unterminated "${": a variable is written ${name}`)
			}
			name := s[i+2 : end]
			id := lookup(name)
			switch {
			case name == "":
				return fail(i, `empty variable name "${}"; the known variables are %s`, knownVars())
			case id == literalSeg:
				return fail(i, "unknown variable %s; the known variables are %s", s[i:end+1], knownVars())
			case id == varExtension && extOff >= 0:
				return fail(i, "${extension} appears a second time; it may appear only once")
			case id == varExtension:
				extOff = i
			}
			addLiteral(litStart, s[litStart:i])
			t.segs = append(t.segs, segment{v: id, off: i})
			i = end + 1
			litStart = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return fail(i, "invalid UTF-8")
		case dropped(r):
			return fail(i, "control or invisible formatting character %U", r)
		}
		i += size
	}
	addLiteral(litStart, s[litStart:])
	if extOff < 0 {
		return fail(-1, "no ${extension}; the extension must always be in the name")
	}
	t.trimEdges()

	if glued := t.gluedToExtension(); glued != "" {
		return fail(extOff, "${extension} is glued to %s; put a space or punctuation between them so that the extension stays a word of its own", glued)
	}
	if n := t.emptyLen(); n > minFieldRunes {
		var longest *segment
		for i := range t.segs {
			if sg := &t.segs[i]; sg.v == literalSeg && (longest == nil || sg.n > longest.n) {
				longest = sg
			}
		}
		return fail(longest.off, "literal text too long: with no guest data and a %d-digit extension the name takes %d characters, more than the %d that Zoom allows in a first or last name (the longest literal starts here)",
			maxExtensionRunes, n, minFieldRunes)
	}
	t.src = t.canonical()
	return t, nil
}

// MustParse is Parse for templates fixed in the program (such as Default):
// it panics when s does not parse.
func MustParse(s string) *Template {
	t, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return t
}

// String returns the template in canonical form: runs of whitespace as one
// space, none at either end. Parsing it yields the same template.
func (t *Template) String() string { return t.src }

// lookup returns the variable called name, or literalSeg if there is none.
func lookup(name string) varID {
	for id, n := range varNames {
		if n == name {
			return varID(id)
		}
	}
	return literalSeg
}

// knownVars lists the variables for error messages.
func knownVars() string {
	var b strings.Builder
	for i, n := range varNames {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("${" + n + "}")
	}
	return b.String()
}

// trimEdges drops the whitespace at both ends of the template's literal text,
// counts the literals' runes and finds ${last}.
func (t *Template) trimEdges() {
	if first := &t.segs[0]; first.v == literalSeg {
		first.text = strings.TrimPrefix(first.text, " ")
	}
	if last := &t.segs[len(t.segs)-1]; last.v == literalSeg {
		last.text = strings.TrimSuffix(last.text, " ")
	}
	kept := t.segs[:0]
	t.last = -1
	for _, sg := range t.segs {
		if sg.v == literalSeg {
			if sg.text == "" {
				continue
			}
			sg.n = utf8.RuneCountInString(sg.text)
		}
		if sg.v == varLast && t.last < 0 {
			t.last = len(kept)
		}
		kept = append(kept, sg)
	}
	t.segs = kept
}

// gluedToExtension describes what touches ${extension} without a space or
// punctuation in between ("" when nothing does): another variable, or a
// letter, digit or mark of the literal text next to it.
func (t *Template) gluedToExtension() string {
	for i, sg := range t.segs {
		if sg.v != varExtension {
			continue
		}
		if i > 0 {
			prev := t.segs[i-1]
			if prev.v != literalSeg {
				return "${" + varNames[prev.v] + "}"
			}
			if r, _ := utf8.DecodeLastRuneInString(prev.text); !separates(r) {
				return fmt.Sprintf("%q", string(r))
			}
		}
		if i+1 < len(t.segs) {
			next := t.segs[i+1]
			if next.v != literalSeg {
				return "${" + varNames[next.v] + "}"
			}
			if r, _ := utf8.DecodeRuneInString(next.text); !separates(r) {
				return fmt.Sprintf("%q", string(r))
			}
		}
	}
	return ""
}

// separates reports whether r, next to the extension, keeps it a word of its
// own: a space, punctuation or a symbol, not a letter, digit or mark.
func separates(r rune) bool {
	return r == ' ' || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// notSpace reports whether r is not whitespace.
func notSpace(r rune) bool { return !unicode.IsSpace(r) }

// emptyLen is the length of the template's name with every value empty and a
// 15-digit extension.
func (t *Template) emptyLen() int {
	var buf [16]piece
	ps := t.pieces(&Vars{}, buf[:0])
	for i := range ps {
		if ps[i].kind == extPiece {
			ps[i] = piece{s: strings.Repeat("9", maxExtensionRunes), n: maxExtensionRunes, kind: extPiece}
		}
	}
	return normLen(ps)
}

// canonical is the template's text: literals as cleaned, variables as ${name}.
func (t *Template) canonical() string {
	var b strings.Builder
	for _, sg := range t.segs {
		if sg.v == literalSeg {
			b.WriteString(sg.text)
		} else {
			b.WriteString("${" + varNames[sg.v] + "}")
		}
	}
	return b.String()
}
