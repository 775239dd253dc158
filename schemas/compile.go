package schemas

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaBase is the URL the embedded schema files are compiled under;
// relative $refs between them resolve against it.
const schemaBase = "file:///pbxlink/schemas/"

// compiled holds the compiled schemas.
type compiled struct {
	envelope *jsonschema.Schema
	data     map[Type]*jsonschema.Schema
}

// schemas compiles the embedded schemas once, on first use. They are part
// of the binary and covered by tests, so a failure is a programming error
// and panics, as regexp.MustCompile does.
var schemas = sync.OnceValue(func() compiled {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(embedLoader{})
	out := compiled{envelope: c.MustCompile(schemaBase + EnvelopeSchemaFile), data: map[Type]*jsonschema.Schema{}}
	for _, t := range Types() {
		out.data[t] = c.MustCompile(schemaBase + SchemaFile(t))
	}
	return out
})

// embedLoader loads schema files from the embedded files, and nothing else.
type embedLoader struct{}

// Load implements jsonschema.URLLoader.
func (embedLoader) Load(url string) (any, error) {
	name, ok := strings.CutPrefix(url, schemaBase)
	if !ok {
		return nil, fmt.Errorf("schemas: %s is not an embedded schema", url)
	}
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}
