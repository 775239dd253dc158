package schemas

import (
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func sampleCall() Call {
	start := time.Date(2026, 11, 23, 18, 1, 2, 0, time.UTC)
	return Call{
		CallHistoryID: "20261123-abc", CallID: "7440321987654321001", Extension: "1203",
		Direction: "outbound", Start: start, Answer: start.Add(7 * time.Second), End: start.Add(219 * time.Second),
		DurationSeconds: 212, OtherNumber: "+15550200417", OtherName: "Taxi Central", Result: "answered",
	}
}

func TestCallRoundTrip(t *testing.T) {
	b, err := MarshalCall(NewCallEvent(sampleCall()))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := ParseCall(CallSubject("1203"), b)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Data != sampleCall() || ev.ID != "20261123-abc" || ev.Type != CallEventType || !ev.Time.Equal(sampleCall().End) {
		t.Errorf("round trip: %+v", ev)
	}
}

// TestCallUnanswered: a call nobody answered has no answer member.
func TestCallUnanswered(t *testing.T) {
	c := sampleCall()
	c.Answer, c.Result, c.Direction = time.Time{}, "no_answer", "inbound"
	b, err := MarshalCall(NewCallEvent(c))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"answer"`) {
		t.Errorf("an unanswered call carries answer: %s", b)
	}
}

func TestCallRefused(t *testing.T) {
	good, _ := MarshalCall(NewCallEvent(sampleCall()))
	for name, tc := range map[string]struct {
		subject string
		edit    func(m map[string]any)
	}{
		"wrong subject":      {CallSubject("1204"), func(map[string]any) {}},
		"unknown member":     {CallSubject("1203"), func(m map[string]any) { m["data"].(map[string]any)["guest"] = "x" }},
		"bad direction":      {CallSubject("1203"), func(m map[string]any) { m["data"].(map[string]any)["direction"] = "sideways" }},
		"no result":          {CallSubject("1203"), func(m map[string]any) { delete(m["data"].(map[string]any), "result") }},
		"leading zero":       {CallSubject("01203"), func(m map[string]any) { m["subject"] = "01203" }},
		"id differs":         {CallSubject("1203"), func(m map[string]any) { m["id"] = "other" }},
		"event type":         {CallSubject("1203"), func(m map[string]any) { m["type"] = "pbxlink.checkin" }},
		"negative duration":  {CallSubject("1203"), func(m map[string]any) { m["data"].(map[string]any)["duration_seconds"] = -1 }},
		"control characters": {CallSubject("1203"), func(m map[string]any) { m["data"].(map[string]any)["other_name"] = "a\nb" }},
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			_ = json.Unmarshal(good, &m)
			tc.edit(m)
			b, _ := json.Marshal(m)
			if _, err := ParseCall(tc.subject, b); !errors.Is(err, ErrInvalidCall) {
				t.Errorf("ParseCall = %v, want ErrInvalidCall", err)
			}
		})
	}
}

// TestAsyncAPICallExample: the call channel's example is a valid record on
// its channel's address, and the operations exist.
func TestAsyncAPICallExample(t *testing.T) {
	b, err := fs.ReadFile(Files(), "asyncapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Channels map[string]struct {
			Address string
		}
		Operations map[string]struct{ Action string }
		Components struct {
			Messages map[string]struct {
				Examples []struct {
					Headers map[string]string
					Payload map[string]any
				}
			}
		}
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Channels["calls"].Address; got != CallSubjectPrefix+"{extension}" {
		t.Errorf("calls channel address %q", got)
	}
	if doc.Operations["sendCall"].Action != "send" || doc.Operations["receiveCall"].Action != "receive" {
		t.Errorf("call operations: %+v", doc.Operations)
	}
	ex := doc.Components.Messages["call"].Examples
	if len(ex) != 1 {
		t.Fatalf("%d call examples", len(ex))
	}
	body, _ := json.Marshal(ex[0].Payload)
	ev, err := ParseCall(CallSubject("1203"), body)
	if err != nil {
		t.Fatal(err)
	}
	if ex[0].Headers[HeaderMsgID] != ev.ID {
		t.Errorf("example Nats-Msg-Id %q, id %q", ex[0].Headers[HeaderMsgID], ev.ID)
	}
}
