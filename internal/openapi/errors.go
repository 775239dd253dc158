package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// DocumentedError is one error answer that an operation's description
// lists: Zoom's "**Error Code:** `N`" entries under an HTTP status.
type DocumentedError struct {
	Status int
	Code   int
	// Messages are the texts documented for the code, with placeholders
	// such as {userId} or $userId.
	Messages []string
}

// GeneralErrors are the answers Zoom documents for every API call on its
// errors page (developers.zoom.us/docs/api/errors) rather than per
// operation. A Code of 0 accepts any code and message under that status.
var GeneralErrors = []DocumentedError{
	{Status: 401, Code: 124, Messages: []string{"Invalid access token."}},
	{Status: 400, Code: 4711, Messages: []string{"Invalid access token, does not contain scopes:[{scopes}]."}},
	{Status: 400, Code: 300, Messages: []string{"Validation Failed."}},
	{Status: 429},
	{Status: 500},
	{Status: 503},
}

var (
	errorCodeRE   = regexp.MustCompile("\\*\\*Error Code:\\*\\*\\s*`(\\d+)`")
	placeholderRE = regexp.MustCompile(`\{[^}]*\}|\$[A-Za-z_]\w*`)
)

// parseErrors reads the "**Error Code:**" entries of an error response's
// description.
func parseErrors(status int, desc string) []DocumentedError {
	locs := errorCodeRE.FindAllStringSubmatchIndex(desc, -1)
	var out []DocumentedError
	for i, l := range locs {
		code, _ := strconv.Atoi(desc[l[2]:l[3]])
		end := len(desc)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		text := strings.ReplaceAll(desc[l[1]:end], "<br>", "\n")
		de := DocumentedError{Status: status, Code: code}
		for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
			line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "* "))
			if line != "" {
				de.Messages = append(de.Messages, line)
			}
		}
		out = append(out, de)
	}
	if len(out) == 0 {
		out = append(out, DocumentedError{Status: status}) // documented without codes
	}
	return out
}

// messageMatches reports whether msg is the documented text doc, its
// placeholders standing for any text; case and a final period do not
// matter.
func messageMatches(doc, msg string) bool {
	doc = strings.TrimSuffix(strings.TrimSpace(doc), ".")
	msg = strings.TrimSuffix(strings.TrimSpace(msg), ".")
	parts := placeholderRE.Split(doc, -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re, err := regexp.Compile("(?is)^" + strings.Join(parts, ".+") + "$")
	return err == nil && re.MatchString(msg)
}

// errorBody is Zoom's error answer.
type errorBody struct {
	Code    *int    `json:"code"`
	Message *string `json:"message"`
	Errors  []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// Errors lists the error answers the operation documents, by status.
func (o *Operation) Errors() []DocumentedError { return slices.Clone(o.errors) }

// ValidateError checks an error answer of an operation: the body is Zoom's
// {"code","message"[,"errors"]} and nothing else, and the status, code and
// message are among what the operation documents, or among GeneralErrors.
// A status documented without codes accepts any code and message.
func (s *Spec) ValidateError(opID string, status int, body []byte) error {
	op, ok := s.ops[opID]
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownOperation, opID)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var b errorBody
	if err := dec.Decode(&b); err != nil {
		return fmt.Errorf("openapi: %s error %d: not Zoom's error body: %v", opID, status, err)
	}
	if b.Code == nil || b.Message == nil {
		return fmt.Errorf("openapi: %s error %d: body lacks code or message: %s", opID, status, body)
	}
	for _, f := range b.Errors {
		if f.Field == "" || f.Message == "" {
			return fmt.Errorf("openapi: %s error %d: an errors entry lacks field or message: %s", opID, status, body)
		}
	}
	documented := false
	for _, de := range append(slices.Clone(op.errors), GeneralErrors...) {
		if de.Status != status {
			continue
		}
		documented = true
		if de.Code == 0 {
			return nil
		}
		if de.Code != *b.Code {
			continue
		}
		for _, m := range de.Messages {
			if messageMatches(m, *b.Message) {
				return nil
			}
		}
	}
	if !documented {
		return fmt.Errorf("openapi: %s does not document HTTP %d", opID, status)
	}
	return fmt.Errorf("openapi: %s does not document HTTP %d code %d %q", opID, status, *b.Code, *b.Message)
}
