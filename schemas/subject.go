package schemas

import "strings"

// subjectRoot is the first token of every pbxlink subject.
const subjectRoot = "pbxlink."

// MaxExtensionDigits is the most digits an extension number may have.
const MaxExtensionDigits = 15

// ValidExtension reports whether ext is an extension number as the contract
// allows it and as Zoom shows it: 1 to [MaxExtensionDigits] ASCII digits,
// no leading zero. "0123" and "123" would otherwise be two order domains
// (two lanes, two state records) for the same Zoom user.
func ValidExtension(ext string) bool {
	if len(ext) == 0 || len(ext) > MaxExtensionDigits || ext[0] == '0' {
		return false
	}
	for i := 0; i < len(ext); i++ {
		if ext[i] < '0' || ext[i] > '9' {
			return false
		}
	}
	return true
}

// EventSubject returns the NATS subject of an event of type t for extension
// ext: pbxlink.ext.<ext>.<t>. It does not check its arguments; see
// [ValidExtension] and [Type.Valid].
func EventSubject(ext string, t Type) string {
	return SubjectPrefix + ext + "." + string(t)
}

// ParseSubject splits an event subject pbxlink.ext.<extension>.<type> into
// its extension and type. An error is a [*ValidationError] whose Field is
// [FieldNATSSubject].
func ParseSubject(subject string) (ext string, t Type, err error) {
	rest, ok := strings.CutPrefix(subject, SubjectPrefix)
	ext, name, _ := strings.Cut(rest, ".")
	if !ok || strings.Count(rest, ".") != 1 {
		return "", "", invalid(FieldNATSSubject, "pbxlink.ext.<extension>.<type>", "not an event subject")
	}
	if !ValidExtension(ext) {
		return "", "", invalid(FieldNATSSubject, ruleExtension, "the extension token must be 1 to 15 digits, no leading zero")
	}
	t = Type(name)
	if !t.Valid() {
		return "", "", invalid(FieldNATSSubject, "enum", "unknown type token; one of "+typeList(""))
	}
	return ext, t, nil
}

// DLQSubject returns the dead-letter subject of an event received on
// eventSubject: pbxlink.ext.<extension>.<type> becomes
// pbxlink.dlq.ext.<extension>.<type>. The tokens are kept as they are,
// valid or not, so that an event refused because of its subject is still
// dead-lettered under its own name. A subject outside pbxlink. is put under
// pbxlink.dlq. whole; an empty one becomes pbxlink.dlq.invalid.
func DLQSubject(eventSubject string) string {
	if eventSubject == "" {
		return DLQSubjectPrefix + "invalid"
	}
	if rest, ok := strings.CutPrefix(eventSubject, subjectRoot); ok && rest != "" {
		return DLQSubjectPrefix + rest
	}
	return DLQSubjectPrefix + eventSubject
}
