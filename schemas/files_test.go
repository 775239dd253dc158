package schemas

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestFilesEmbedded checks that every schema file of the package is
// embedded, and nothing else.
func TestFilesEmbedded(t *testing.T) {
	onDisk, err := filepath.Glob("*.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := fs.Glob(Files(), "*.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(onDisk, embedded) {
		t.Errorf("on disk %v, embedded %v", onDisk, embedded)
	}
	for _, name := range append([]string{EnvelopeSchemaFile, "common.schema.json", "asyncapi.yaml"}, dataFiles()...) {
		if _, err := fs.Stat(Files(), name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func dataFiles() []string {
	var names []string
	for _, typ := range Types() {
		names = append(names, SchemaFile(typ))
	}
	return names
}

func TestSchemasCompile(t *testing.T) {
	s := schemas()
	if s.envelope == nil {
		t.Fatal("no envelope schema")
	}
	for _, typ := range Types() {
		if s.data[typ] == nil {
			t.Errorf("no schema for %s", typ)
		}
	}
	if _, err := (embedLoader{}).Load("https://example.com/x.json"); err == nil {
		t.Error("the loader loads from outside the embedded files")
	}
	if _, err := (embedLoader{}).Load(schemaBase + "missing.schema.json"); err == nil {
		t.Error("the loader loads a missing file")
	}
}

// TestSchemaRules checks the rules every schema file keeps: draft 2020-12,
// unknown members refused, every string bounded.
func TestSchemaRules(t *testing.T) {
	names, _ := fs.Glob(Files(), "*.schema.json")
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			if doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
				t.Errorf("$schema = %v", doc["$schema"])
			}
			walkSchema(t, name, doc)
		})
	}
}

// walkSchema checks every subschema of v.
func walkSchema(t *testing.T, where string, v any) {
	switch v := v.(type) {
	case map[string]any:
		// The envelope's data is checked against the type's schema.
		if v["type"] == "object" && where != EnvelopeSchemaFile+"/properties/data" {
			if _, ok := v["additionalProperties"]; !ok {
				t.Errorf("%s: an object schema without additionalProperties", where)
			}
		}
		if v["type"] == "string" {
			_, max := v["maxLength"]
			if !max && v["pattern"] != "^[1-9][0-9]{0,14}$" {
				t.Errorf("%s: a string schema without maxLength", where)
			}
		}
		for k, sub := range v {
			walkSchema(t, where+"/"+k, sub)
		}
	case []any:
		for _, sub := range v {
			walkSchema(t, where+"/[]", sub)
		}
	}
}
