// Package openapi loads Zoom's published OpenAPI 3.0 definitions and checks
// request and response bodies against the schemas of their operations. The
// Zoom simulator's conformance tests use it to prove that the simulator
// answers in Zoom's shapes, and the client's tests can use it to prove that
// the client sends them.
//
// OpenAPI 3.0 schema objects are a dialect of JSON Schema; Load converts them
// to JSON Schema 2020-12 (dropping example, x-* and discriminator, turning
// nullable into a type union, rewriting local $refs) before compiling them
// with github.com/santhosh-tekuri/jsonschema/v6.
//
// Validation is stricter than the OpenAPI text in one way: an object may not
// carry a property its schema does not list. Zoom's definitions list every
// field, so an unlisted one is a typo or an invention on our side.
package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Spec is a set of loaded OpenAPI documents, indexed by operationId.
type Spec struct {
	ops map[string]*Operation
}

// Operation is one operation of a loaded document.
type Operation struct {
	// ID is the operationId.
	ID string
	// Method is the HTTP method in upper case; Path the path template.
	Method, Path string
	// File is the document the operation came from (base name).
	File string
	// RateLimitLabel is the "Rate Limit Label" of the description as written
	// (LIGHT, MEDIUM, HEAVY, RESOURCE-INTENSIVE), "" when absent.
	RateLimitLabel string
	// GranularScopes are the scopes listed in x-extensions.x-granular-scopes.
	GranularScopes []string
	// Parameters are the operation's query and path parameters.
	Parameters []Parameter

	request   *jsonschema.Schema
	responses map[int]*jsonschema.Schema // nil value: documented without body
	errors    []DocumentedError
}

// Parameter is one query or path parameter of an operation.
type Parameter struct {
	Name, In string
	Required bool
	// Type is the schema type ("string", "integer", "array", ...).
	Type string
	// Enum lists the allowed values, if the schema restricts them.
	Enum []any
	// Maximum is the schema's maximum, when it has one.
	Maximum *float64
	// Default is the schema's default, when it has one.
	Default any
}

// Param returns the named parameter.
func (o *Operation) Param(name string) (Parameter, bool) {
	for _, p := range o.Parameters {
		if p.Name == name {
			return p, true
		}
	}
	return Parameter{}, false
}

// HasRequestBody reports whether the operation documents a JSON request body.
func (o *Operation) HasRequestBody() bool { return o.request != nil }

// Statuses lists the documented success statuses (2xx), sorted.
func (o *Operation) Statuses() []int {
	var out []int
	for s := range o.responses {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

var labelRE = regexp.MustCompile("\\*\\*\\[Rate Limit Label\\]\\([^)]*\\):\\*\\*\\s*`([A-Za-z-]+)`")

// Load reads every *.json file in dir as an OpenAPI 3.0 document and compiles
// the JSON request and success-response schemas of every operation.
func Load(dir string) (*Spec, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("openapi: no *.json documents in %s", dir)
	}
	s := &Spec{ops: map[string]*Operation{}}
	for _, f := range files {
		if err := s.loadFile(f); err != nil {
			return nil, fmt.Errorf("openapi: %s: %w", filepath.Base(f), err)
		}
	}
	return s, nil
}

// document is the part of an OpenAPI document that Load reads.
type document struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]any `json:"schemas"`
	} `json:"components"`
}

type rawOperation struct {
	OperationID string `json:"operationId"`
	Description string `json:"description"`
	Parameters  []struct {
		Name     string         `json:"name"`
		In       string         `json:"in"`
		Required bool           `json:"required"`
		Schema   map[string]any `json:"schema"`
	} `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema any `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Description string `json:"description"`
		Content     map[string]struct {
			Schema any `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
	Extensions struct {
		GranularScopes []string `json:"x-granular-scopes"`
	} `json:"x-extensions"`
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func (s *Spec) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	defs := map[string]any{}
	for name, sch := range doc.Components.Schemas {
		defs[name] = convert(sch)
	}
	base := filepath.Base(path)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "int64", Validate: validateInt64})
	c.RegisterFormat(&jsonschema.Format{Name: "int32", Validate: validateInt32})
	compile := func(name string, sch any) (*jsonschema.Schema, error) {
		root, ok := strictify(convert(sch), false).(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: schema is not an object", name)
		}
		if len(defs) > 0 {
			root["$defs"] = defs
		}
		url := "mem:///" + base + "/" + name
		if err := c.AddResource(url, root); err != nil {
			return nil, err
		}
		return c.Compile(url)
	}
	for p, item := range doc.Paths {
		for _, m := range methods {
			raw, ok := item[m]
			if !ok {
				continue
			}
			var ro rawOperation
			d := json.NewDecoder(bytes.NewReader(raw))
			d.UseNumber()
			if err := d.Decode(&ro); err != nil {
				return fmt.Errorf("%s %s: %w", m, p, err)
			}
			op := &Operation{
				ID: ro.OperationID, Method: strings.ToUpper(m), Path: p, File: base,
				GranularScopes: ro.Extensions.GranularScopes,
				responses:      map[int]*jsonschema.Schema{},
			}
			if mm := labelRE.FindStringSubmatch(ro.Description); mm != nil {
				op.RateLimitLabel = mm[1]
			}
			for _, prm := range ro.Parameters {
				op.Parameters = append(op.Parameters, newParameter(prm.Name, prm.In, prm.Required, prm.Schema))
			}
			if ro.RequestBody != nil {
				if ct, ok := ro.RequestBody.Content["application/json"]; ok && ct.Schema != nil {
					if op.request, err = compile(op.ID+"/request", ct.Schema); err != nil {
						return fmt.Errorf("%s request: %w", op.ID, err)
					}
				}
			}
			for code, resp := range ro.Responses {
				status, err := strconv.Atoi(code)
				if err == nil && status >= 300 {
					op.errors = append(op.errors, parseErrors(status, resp.Description)...)
				}
				if err != nil || status < 200 || status > 299 {
					continue
				}
				op.responses[status] = nil
				if ct, ok := resp.Content["application/json"]; ok && ct.Schema != nil {
					if op.responses[status], err = compile(op.ID+"/response/"+code, ct.Schema); err != nil {
						return fmt.Errorf("%s response %s: %w", op.ID, code, err)
					}
				}
			}
			if _, dup := s.ops[op.ID]; dup {
				return fmt.Errorf("operationId %q defined twice", op.ID)
			}
			s.ops[op.ID] = op
		}
	}
	return nil
}

func newParameter(name, in string, required bool, sch map[string]any) Parameter {
	p := Parameter{Name: name, In: in, Required: required}
	if t, ok := sch["type"].(string); ok {
		p.Type = t
	}
	if e, ok := sch["enum"].([]any); ok {
		p.Enum = e
	}
	if n, ok := sch["maximum"].(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			p.Maximum = &f
		}
	}
	p.Default = sch["default"]
	return p
}

// Operation returns the operation with the given operationId.
func (s *Spec) Operation(id string) (*Operation, bool) {
	op, ok := s.ops[id]
	return op, ok
}

// Operations lists every loaded operation, sorted by ID.
func (s *Spec) Operations() []*Operation {
	out := make([]*Operation, 0, len(s.ops))
	for _, op := range s.ops {
		out = append(out, op)
	}
	slices.SortFunc(out, func(a, b *Operation) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Find returns the operation with this method and path template.
func (s *Spec) Find(method, path string) (*Operation, bool) {
	for _, op := range s.ops {
		if op.Method == strings.ToUpper(method) && op.Path == path {
			return op, true
		}
	}
	return nil, false
}

// ErrUnknownOperation is returned for an operationId that no document defines.
var ErrUnknownOperation = errors.New("openapi: unknown operation")

// ValidateRequest checks a JSON request body against the operation's
// requestBody schema. An operation without a request body accepts only an
// empty body.
func (s *Spec) ValidateRequest(opID string, body []byte) error {
	op, ok := s.ops[opID]
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownOperation, opID)
	}
	if op.request == nil {
		if len(bytes.TrimSpace(body)) != 0 {
			return fmt.Errorf("openapi: %s takes no request body, got %d bytes", opID, len(body))
		}
		return nil
	}
	return validate(op.request, opID+" request", body)
}

// ValidateResponse checks a success response against the operation's
// response schema for that status: the status must be documented, a status
// documented without content must come with an empty body, and a JSON body
// must match the schema.
func (s *Spec) ValidateResponse(opID string, status int, body []byte) error {
	op, ok := s.ops[opID]
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownOperation, opID)
	}
	sch, ok := op.responses[status]
	if !ok {
		return fmt.Errorf("openapi: %s does not document a %d response (documented: %v)", opID, status, op.Statuses())
	}
	if sch == nil {
		if len(bytes.TrimSpace(body)) != 0 {
			return fmt.Errorf("openapi: %s %d has no content, got %d bytes", opID, status, len(body))
		}
		return nil
	}
	return validate(sch, fmt.Sprintf("%s response %d", opID, status), body)
}

func validate(sch *jsonschema.Schema, what string, body []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("openapi: %s: not JSON: %w", what, err)
	}
	if err := sch.Validate(v); err != nil {
		// unevaluatedProperties false reports an unlisted property as a
		// "false schema"; say what it means.
		msg := strings.ReplaceAll(err.Error(), "false schema", "property not in the schema")
		return fmt.Errorf("openapi: %s: %s", what, msg)
	}
	return nil
}

func validateInt64(v any) error {
	n, ok := v.(json.Number)
	if !ok {
		return nil
	}
	if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
		return fmt.Errorf("%s is not an int64", n)
	}
	return nil
}

func validateInt32(v any) error {
	n, ok := v.(json.Number)
	if !ok {
		return nil
	}
	if _, err := strconv.ParseInt(n.String(), 10, 32); err != nil {
		return fmt.Errorf("%s is not an int32", n)
	}
	return nil
}
