package openapi

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadZoomDefinitions(t *testing.T) {
	s, err := Load("../../zoom/zoomsim/testdata/openapi")
	if err != nil {
		t.Fatal(err)
	}
	op, ok := s.Operation("userUpdate")
	if !ok || op.Method != "PATCH" || op.Path != "/users/{userId}" || op.RateLimitLabel != "LIGHT" ||
		!op.HasRequestBody() || len(op.Statuses()) != 1 || op.Statuses()[0] != 204 {
		t.Fatalf("userUpdate %+v", op)
	}
	if p, ok := s.Operations()[0], len(s.Operations()) == 19; !ok || p.ID != "accountCallHistory" {
		t.Fatalf("%d operations, first %s", len(s.Operations()), p.ID)
	}
	if err := s.ValidateRequest("nope", nil); !errors.Is(err, ErrUnknownOperation) {
		t.Fatalf("unknown operation: %v", err)
	}
	if err := s.ValidateRequest("users", []byte(`{}`)); err == nil {
		t.Fatal("body accepted by an operation without request body")
	}
	err = s.ValidateResponse("user", 200, []byte(`{"id":"a","type":1,"guest":true}`))
	if err == nil || !strings.Contains(err.Error(), "property not in the schema") {
		t.Fatalf("unlisted property: %v", err)
	}
	if err := s.ValidateResponse("user", 200, []byte(`{"id":"a","type":1,"first_name":"Ada"}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.ValidateResponse("listPhoneUsers", 200, []byte(`{"users":[{"extension_number":12345678901234567890}]}`)); err == nil {
		t.Fatal("extension_number beyond int64 accepted")
	}
	if err := s.ValidateResponse("user", 404, []byte(`{}`)); err == nil {
		t.Fatal("undocumented status accepted")
	}
}

// TestConversion covers the OpenAPI 3.0 features that Zoom's current files
// do not use: nullable, boolean exclusive bounds, component references.
func TestConversion(t *testing.T) {
	doc := map[string]any{
		"openapi": "3.0.0",
		"paths": map[string]any{
			"/things/{id}": map[string]any{
				"put": map[string]any{
					"operationId":  "putThing",
					"description":  "**[Rate Limit Label](https://x):** `HEAVY`",
					"x-extensions": map[string]any{"x-granular-scopes": []string{"thing:write"}},
					"requestBody": map[string]any{"content": map[string]any{"application/json": map[string]any{
						"schema": map[string]any{"$ref": "#/components/schemas/Thing"},
					}}},
					"responses": map[string]any{"204": map[string]any{"description": "done"}},
				},
			},
		},
		"components": map[string]any{"schemas": map[string]any{
			"Thing": map[string]any{
				"type": "object",
				"properties": map[string]any{
					"name":  map[string]any{"type": "string", "nullable": true, "example": "x", "x-note": "y"},
					"count": map[string]any{"type": "integer", "maximum": 10, "exclusiveMaximum": true},
				},
			},
		}},
	}
	data, _ := json.Marshal(doc)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "things.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	op, _ := s.Operation("putThing")
	if op.RateLimitLabel != "HEAVY" || op.GranularScopes[0] != "thing:write" {
		t.Fatalf("operation %+v", op)
	}
	for body, ok := range map[string]bool{
		`{"name":null,"count":9}`: true,
		`{"name":"a"}`:            true,
		`{"count":10}`:            false,
		`{"name":1}`:              false,
	} {
		if err := s.ValidateRequest("putThing", []byte(body)); (err == nil) != ok {
			t.Errorf("%s: %v", body, err)
		}
	}
	if err := s.ValidateResponse("putThing", 204, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.ValidateResponse("putThing", 204, []byte(`{}`)); err == nil {
		t.Fatal("body on a 204 accepted")
	}
	if _, err := Load(t.TempDir()); err == nil {
		t.Fatal("empty directory accepted")
	}
}

// TestValidateError checks error answers against the codes and messages
// that the operations' descriptions document, and Zoom's general errors.
func TestValidateError(t *testing.T) {
	spec, err := Load("../../zoom/zoomsim/testdata/openapi")
	if err != nil {
		t.Fatal(err)
	}
	ok := []struct {
		op     string
		status int
		body   string
	}{
		{"updatePresenceStatus", 400, `{"code":5301,"message":"Request to update the presence status of this user failed."}`},
		{"updatePresenceStatus", 429, `{"code":429,"message":"Too many requests submitted to update the presence status of this user. Please wait..."}`},
		{"users", 400, `{"code":124,"message":"Access token is expired."}`},
		{"users", 401, `{"code":124,"message":"Invalid access token."}`},
		{"deleteVoicemail", 401, `{"code":124,"message":"Account does not exist: abc."}`},
		{"userUpdate", 400, `{"code":300,"message":"Your request could not be completed because the name contains an invalid word: Bad Name"}`},
		{"userUpdate", 400, `{"code":300,"message":"Validation Failed.","errors":[{"field":"first_name","message":"Invalid field."}]}`},
		{"user", 404, `{"code":1001,"message":"User does not exist: u1."}`},
		{"getACommonArea", 400, `{"code":400,"message":"Common area does not exist: ca1."}`},
	}
	for _, tt := range ok {
		if err := spec.ValidateError(tt.op, tt.status, []byte(tt.body)); err != nil {
			t.Errorf("%s %d %s: %v", tt.op, tt.status, tt.body, err)
		}
	}
	bad := []struct {
		op     string
		status int
		body   string
	}{
		{"updatePresenceStatus", 400, `{"code":5302,"message":"Request to update the presence status of this user failed."}`},
		{"updatePresenceStatus", 400, `{"code":5301,"message":"Something else."}`},
		{"updatePresenceStatus", 400, `{"code":5301,"message":"Request to update the presence status of this user failed.","extra":1}`},
		{"updatePresenceStatus", 400, `{"message":"no code"}`},
		{"user", 401, `{"code":124,"message":"Access token is expired."}`},
		{"getACommonArea", 409, `{"code":409,"message":"Conflict."}`},
		{"nosuch", 400, `{"code":1,"message":"x"}`},
	}
	for _, tt := range bad {
		if err := spec.ValidateError(tt.op, tt.status, []byte(tt.body)); err == nil {
			t.Errorf("%s %d %s accepted", tt.op, tt.status, tt.body)
		}
	}
}
