package schemas

import (
	"embed"
	"io/fs"
)

//go:embed *.schema.json asyncapi.yaml
var files embed.FS

// Files returns the embedded contract documents: envelope.schema.json, one
// <type>.schema.json per event type, common.schema.json (definitions they
// share) and asyncapi.yaml, all at the root of the file system. A server
// can publish them for integrators as they are.
func Files() fs.FS { return files }

// SchemaFile returns the name, within [Files], of the JSON Schema of the
// data of events of type t: "checkin.schema.json".
func SchemaFile(t Type) string { return string(t) + ".schema.json" }

// EnvelopeSchemaFile is the name, within [Files], of the JSON Schema of the
// CloudEvents envelope.
const EnvelopeSchemaFile = "envelope.schema.json"
