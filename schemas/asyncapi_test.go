package schemas

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
)

// The AsyncAPI document is YAML, and the module has no YAML library. These
// tests read it line by line: they know mapping keys by their indentation,
// skip block scalars, and check every $ref, the channels and operations of
// every type, the dead-letter headers and the examples.

// asyncapiDoc is what the line reader gathers.
type asyncapiDoc struct {
	paths    map[string]bool   // every mapping key, as a slash-separated path
	refs     []string          // every $ref value
	values   map[string]string // scalar value of each path
	payloads []string          // example payloads written as one-line JSON
}

func readAsyncAPI(t *testing.T) asyncapiDoc {
	t.Helper()
	b, err := fs.ReadFile(Files(), "asyncapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsRune(b, '\t') {
		t.Error("asyncapi.yaml contains a tab")
	}
	doc := asyncapiDoc{paths: map[string]bool{}, values: map[string]string{}}
	type level struct {
		indent int
		key    string
	}
	var stack []level
	blockIndent := -1 // indentation of the key that opened a block scalar
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if blockIndent >= 0 {
			if indent > blockIndent {
				continue
			}
			blockIndent = -1
		}
		item := strings.HasPrefix(trimmed, "- ")
		if item {
			trimmed = strings.TrimPrefix(trimmed, "- ")
			indent += 2
		}
		key, value, ok := strings.Cut(trimmed, ":")
		if !ok || strings.ContainsAny(key, " {\"'") {
			if !item {
				t.Errorf("line %d: not a mapping entry nor a list item: %q", n, line)
			}
			continue
		}
		value = strings.TrimSpace(value)
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		if item {
			// A mapping inside a list item: keep it apart from its parent's keys.
			stack = append(stack, level{indent - 1, "[]"})
		}
		stack = append(stack, level{indent, key})
		var parts []string
		for _, l := range stack {
			parts = append(parts, l.key)
		}
		path := strings.Join(parts, "/")
		doc.paths[path] = true
		doc.values[path] = strings.Trim(value, `'"`)
		switch {
		case key == "$ref":
			doc.refs = append(doc.refs, strings.Trim(value, `'"`))
		case value == "|" || value == ">":
			blockIndent = indent
		case key == "payload" && strings.HasPrefix(value, "{"):
			doc.payloads = append(doc.payloads, value)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestAsyncAPIRefs(t *testing.T) {
	doc := readAsyncAPI(t)
	if doc.values["asyncapi"] != "3.0.0" {
		t.Errorf("asyncapi version %q", doc.values["asyncapi"])
	}
	if len(doc.refs) == 0 {
		t.Fatal("no $ref found")
	}
	for _, ref := range doc.refs {
		file, pointer, _ := strings.Cut(ref, "#")
		if file == "" {
			if !doc.paths[strings.TrimPrefix(pointer, "/")] {
				t.Errorf("$ref %s: no such key", ref)
			}
			continue
		}
		b, err := fs.ReadFile(Files(), strings.TrimPrefix(file, "./"))
		if err != nil {
			t.Errorf("$ref %s: %v", ref, err)
			continue
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("$ref %s: %v", ref, err)
			continue
		}
		for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
			if tok == "" {
				continue
			}
			m, ok := v.(map[string]any)
			if v, ok = m[tok]; !ok {
				t.Errorf("$ref %s: no member %q", ref, tok)
				break
			}
		}
	}
}

func TestAsyncAPICoversContract(t *testing.T) {
	doc := readAsyncAPI(t)
	referenced := map[string]bool{}
	for _, ref := range doc.refs {
		file, _, _ := strings.Cut(ref, "#")
		referenced[strings.TrimPrefix(file, "./")] = true
	}
	for _, typ := range Types() {
		name := string(typ)
		if got := doc.values["channels/"+name+"/address"]; got != "pbxlink.ext.{extension}."+name {
			t.Errorf("channel %s address %q", name, got)
		}
		op := strings.ToUpper(name[:1]) + name[1:]
		for _, key := range []string{"operations/send" + op, "operations/receive" + op, "components/messages/" + name + "/headers"} {
			if !doc.paths[key] {
				t.Errorf("missing %s", key)
			}
		}
		if doc.values["operations/send"+op+"/action"] != "send" || doc.values["operations/receive"+op+"/action"] != "receive" {
			t.Errorf("operations of %s have the wrong actions", name)
		}
		if !referenced[SchemaFile(typ)] {
			t.Errorf("%s is not referenced", SchemaFile(typ))
		}
	}
	if !referenced[EnvelopeSchemaFile] {
		t.Errorf("%s is not referenced", EnvelopeSchemaFile)
	}
	if got := doc.values["channels/deadLetters/address"]; got != "pbxlink.dlq.ext.{extension}.{type}" {
		t.Errorf("dead-letter address %q", got)
	}
	for _, h := range []string{HeaderError, HeaderAttempts, HeaderOriginalSubject, HeaderOriginalSeq} {
		if !doc.paths["components/schemas/deadLetterHeaders/properties/"+h] {
			t.Errorf("dead-letter header %s missing", h)
		}
	}
	for _, h := range []string{HeaderMsgID, HeaderContentType} {
		if !doc.paths["components/schemas/eventHeaders/properties/"+h] {
			t.Errorf("event header %s missing", h)
		}
	}
}

// TestAsyncAPIExamples checks that every example event is one Parse accepts.
func TestAsyncAPIExamples(t *testing.T) {
	doc := readAsyncAPI(t)
	if len(doc.payloads) != len(Types()) {
		t.Errorf("%d example payloads, want one per type", len(doc.payloads))
	}
	for _, p := range doc.payloads {
		var ev struct{ Type, Subject string }
		if err := json.Unmarshal([]byte(p), &ev); err != nil {
			t.Errorf("example %s: %v", p, err)
			continue
		}
		typ, err := ParseEventType(ev.Type)
		if err != nil {
			t.Errorf("example %s: %v", p, err)
			continue
		}
		if _, err := Parse(EventSubject(ev.Subject, typ), []byte(p)); err != nil {
			t.Errorf("example %s: %v", p, err)
		}
	}
}
