package fias

import (
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/schemas"
)

// TestParseCall: a pbxlink.call record as the call-records feature writes
// it becomes a posting when it is an answered outgoing external call, keyed
// by Zoom's call-history id; inbound, internal and unanswered calls are not
// charged.
func TestParseCall(t *testing.T) {
	start := time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)
	base := schemas.Call{CallHistoryID: "hist-1", CallID: "call-1", Extension: "101", Direction: "outbound",
		Start: start, End: start.Add(225 * time.Second), DurationSeconds: 225, OtherNumber: "+4989123", Result: "answered"}
	body := func(c schemas.Call) []byte {
		b, err := schemas.MarshalCall(schemas.NewCallEvent(c))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	p, ok, err := parseCall(schemas.CallSubject("101"), body(base))
	if err != nil || !ok {
		t.Fatalf("outgoing call: %v %v", ok, err)
	}
	if p.ID != "hist-1" || p.Extension != "101" || p.Dialled != "+4989123" || p.Duration != 225*time.Second || !p.Start.Equal(start) {
		t.Fatalf("posting %+v", p)
	}
	for name, edit := range map[string]func(*schemas.Call){
		"inbound":    func(c *schemas.Call) { c.Direction = "inbound" },
		"internal":   func(c *schemas.Call) { c.Internal = true },
		"unanswered": func(c *schemas.Call) { c.DurationSeconds = 0; c.End = c.Start },
	} {
		c := base
		edit(&c)
		if _, ok, err := parseCall(schemas.CallSubject("101"), body(c)); ok || err != nil {
			t.Errorf("%s call: posted %v, err %v; want skipped", name, ok, err)
		}
	}
	if _, _, err := parseCall(schemas.CallSubject("102"), body(base)); err == nil {
		t.Error("a record on another extension's subject was accepted")
	}
}
