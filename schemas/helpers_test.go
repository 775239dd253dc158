package schemas

import (
	"encoding/json"
	"maps"
	"testing"
)

// testSubject is the NATS subject of the events that body builds.
const testSubject = "pbxlink.ext.1203.checkin"

// body returns a valid checkin event for extension 1203, changed by edit:
// a key mapped to nil is removed, any other value replaces the member.
func body(t testing.TB, edit map[string]any) []byte {
	t.Helper()
	ev := map[string]any{
		"specversion":     "1.0",
		"id":              "opera-20261123-000481",
		"source":          "pms/opera-grand-hotel",
		"type":            "pbxlink.checkin",
		"time":            "2026-11-23T14:05:00Z",
		"subject":         "1203",
		"datacontenttype": "application/json",
		"data": map[string]any{
			"guest":   map[string]any{"first": "Ada", "last": "Lovelace", "title": "Dr", "vip": "VIP", "language": "en", "reservation": "778812"},
			"mailbox": map[string]any{"description": "Lovelace party", "room_id": "1203"},
			"tenant":  "Grand Hotel",
			"site":    "Main",
		},
	}
	maps.Copy(ev, edit)
	for k, v := range edit {
		if v == nil {
			delete(ev, k)
		}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// typed returns an edit for body that makes the event one of type typ with
// the given data.
func typed(typ string, data any) map[string]any {
	return map[string]any{"type": "pbxlink." + typ, "data": data}
}

// obj is shorthand for a JSON object in tables.
type obj = map[string]any
