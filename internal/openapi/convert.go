package openapi

import "strings"

// convert turns an OpenAPI 3.0 schema object into JSON Schema 2020-12: it
// drops the keywords JSON Schema does not know (example, discriminator, xml,
// externalDocs, x-*), turns nullable into a type union, makes the boolean
// exclusiveMinimum/exclusiveMaximum of OpenAPI 3.0 numeric and points local
// references at $defs. It returns a new value and leaves its argument alone.
func convert(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			switch {
			case k == "example" || k == "discriminator" || k == "xml" || k == "externalDocs" || k == "nullable":
				continue
			case strings.HasPrefix(k, "x-"):
				continue
			case k == "$ref":
				if s, ok := val.(string); ok {
					out[k] = strings.Replace(s, "#/components/schemas/", "#/$defs/", 1)
					continue
				}
			case k == "properties" || k == "patternProperties" || k == "$defs" || k == "definitions":
				// Keys of these maps are names, not keywords: keep them all.
				if m, ok := val.(map[string]any); ok {
					props := make(map[string]any, len(m))
					for name, sch := range m {
						props[name] = convert(sch)
					}
					out[k] = props
					continue
				}
			}
			out[k] = convert(val)
		}
		if nullable, _ := v["nullable"].(bool); nullable {
			if t, ok := out["type"].(string); ok {
				out["type"] = []any{t, "null"}
			}
			if e, ok := out["enum"].([]any); ok {
				out["enum"] = append(e, nil)
			}
		}
		for _, pair := range [][2]string{{"exclusiveMaximum", "maximum"}, {"exclusiveMinimum", "minimum"}} {
			if b, ok := out[pair[0]].(bool); ok {
				delete(out, pair[0])
				if b {
					if bound, ok := out[pair[1]]; ok {
						out[pair[0]] = bound
						delete(out, pair[1])
					}
				}
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = convert(x)
		}
		return out
	default:
		return v
	}
}

// strictify forbids properties that a schema does not list: every object
// schema with properties, and every allOf/oneOf/anyOf composition, gets
// unevaluatedProperties false. The direct branches of a composition do not
// (they would refuse each other's properties); the composition checks them.
// It changes v in place and returns it.
func strictify(v any, branch bool) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	composite := false
	for _, k := range []string{"allOf", "oneOf", "anyOf"} {
		if list, ok := m[k].([]any); ok {
			composite = true
			for _, b := range list {
				strictify(b, true)
			}
		}
	}
	if props, ok := m["properties"].(map[string]any); ok {
		for _, p := range props {
			strictify(p, false)
		}
		if !branch {
			m["unevaluatedProperties"] = false
		}
	}
	if composite && !branch {
		m["unevaluatedProperties"] = false
	}
	if items, ok := m["items"]; ok {
		strictify(items, false)
	}
	if ap, ok := m["additionalProperties"].(map[string]any); ok {
		strictify(ap, false)
	}
	return m
}
