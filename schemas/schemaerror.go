package schemas

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// ruleExtension is the rule an extension number follows.
const ruleExtension = "1 to 15 digits, no leading zero"

// patternRules names the patterns of the schema files, so that errors say
// what the pattern means rather than quoting it.
var patternRules = map[string]struct{ rule, message string }{
	`^[^\x00-\x1F\x7F]*$`: {"no control characters", "must not contain control characters"},
	`^[1-9][0-9]{0,14}$`:  {ruleExtension, "must be an extension number"},
	`\S`:                  {"not blank", "must not be empty or blank"},
}

// combinatorRules names the anyOf and oneOf keywords of the schema files,
// by the location of the schema that holds them relative to schemaBase.
var combinatorRules = map[string]struct{ rule, message string }{
	"checkin.schema.json#/properties/guest": {"first or last required", "a check-in needs a first or last name that is not blank"},
}

// fromSchemaError turns an error of jsonschema's Validate into one
// *ValidationError: the first, by field, of the failures it holds, so that
// the reason is the same for the same event every time. prefix is the path
// of the validated value within the event ("" or "data"). The text names
// fields and rules, never values.
func fromSchemaError(err error, prefix string) *ValidationError {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return invalid(prefix, "schema", "does not match its schema")
	}
	var leaves []*ValidationError
	collectLeaves(ve, prefix, &leaves)
	if len(leaves) == 0 {
		return invalid(fieldPath(prefix, ve.InstanceLocation), "schema", "does not match its schema")
	}
	return slices.MinFunc(leaves, func(a, b *ValidationError) int {
		return cmp.Or(strings.Compare(a.Field, b.Field), strings.Compare(a.Rule, b.Rule), strings.Compare(a.Message, b.Message))
	})
}

// collectLeaves appends to out one *ValidationError per elementary failure
// in e's tree.
func collectLeaves(e *jsonschema.ValidationError, prefix string, out *[]*ValidationError) {
	field := fieldPath(prefix, e.InstanceLocation)
	add := func(field, rule, message string) { *out = append(*out, invalid(field, rule, message)) }
	switch k := e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		if len(e.Causes) == 0 {
			add(field, "schema", "does not match its schema")
		}
		for _, c := range e.Causes {
			collectLeaves(c, prefix, out)
		}
	case *kind.AnyOf, *kind.OneOf:
		loc, _ := strings.CutPrefix(e.SchemaURL, schemaBase)
		if r, ok := combinatorRules[loc]; ok {
			add(field, r.rule, r.message)
		} else {
			add(field, strings.Join(k.KeywordPath(), "/"), "matches none of the alternatives")
		}
	case *kind.PropertyNames:
		add(joinField(field, k.Property), "propertyNames", "not a CloudEvents attribute name (a-z, 0-9, at most 20 characters)")
	case *kind.Required:
		for _, m := range k.Missing {
			add(joinField(field, m), "required", "missing")
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			add(joinField(field, p), "additionalProperties false", "unknown property")
		}
	case *kind.Type:
		add(field, "type "+strings.Join(k.Want, " or "), "got "+k.Got)
	case *kind.Const:
		add(field, "const "+display(k.Want), "must be "+display(k.Want))
	case *kind.Enum:
		want := make([]string, 0, len(k.Want))
		for _, w := range k.Want {
			want = append(want, display(w))
		}
		add(field, "enum", "must be one of "+strings.Join(want, ", "))
	case *kind.Format:
		add(field, "format "+k.Want, "not a valid "+k.Want)
	case *kind.MinLength:
		add(field, fmt.Sprintf("minLength %d", k.Want), fmt.Sprintf("got %d characters", k.Got))
	case *kind.MaxLength:
		add(field, fmt.Sprintf("maxLength %d", k.Want), fmt.Sprintf("got %d characters", k.Got))
	case *kind.Pattern:
		if r, ok := patternRules[k.Want]; ok {
			add(field, r.rule, r.message)
		} else {
			add(field, "pattern "+quoteName(k.Want), "does not match")
		}
	case *kind.MinProperties:
		add(field, fmt.Sprintf("minProperties %d", k.Want), fmt.Sprintf("needs at least %d member(s)", k.Want))
	case *kind.MaxProperties:
		add(field, fmt.Sprintf("maxProperties %d", k.Want), fmt.Sprintf("has %d members", k.Got))
	case *kind.FalseSchema:
		add(field, "false", "not allowed")
	default:
		add(field, strings.Join(e.ErrorKind.KeywordPath(), "/"), "failed")
	}
}

// fieldPath returns the dotted path of an instance location below prefix.
func fieldPath(prefix string, loc []string) string {
	field := prefix
	for _, tok := range loc {
		field = joinField(field, tok)
	}
	return field
}

// display formats a schema constant (never an instance value) for a rule.
func display(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case nil:
		return "null"
	default:
		return fmt.Sprint(v)
	}
}
