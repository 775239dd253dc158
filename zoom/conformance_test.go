package zoom_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/openapi"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestClientRequestsMatchZoomsDefinitions makes every write the client can
// make and validates the bodies it sent against Zoom's OpenAPI definitions,
// and every query parameter it sent against the operation's parameters.
func TestClientRequestsMatchZoomsDefinitions(t *testing.T) {
	spec, err := openapi.Load("zoomsim/testdata/openapi")
	if err != nil {
		t.Fatal(err)
	}
	b := setup(t, hotel(2, zoomsim.TargetUsers))
	area := setup(t, hotel(2, zoomsim.TargetCommonAreas))
	room, _ := b.sim.UserByExtension(1201)
	dept := ""
	phone := b.sim.DevicesOf(room.ID)[0]
	areaObj, _ := area.sim.CommonAreaByExtension(1201)
	calls := []func() error{
		func() error {
			return b.client.UpdateUser(ctx(t), room.ID, zoom.UserUpdate{FirstName: "Ada", LastName: "Lovelace 1201", DisplayName: "Ada Lovelace 1201", Dept: &dept})
		},
		func() error { return b.client.UpdateDeviceName(ctx(t), phone.ID, "Ada Lovelace 1201") },
		func() error { return b.client.SetDoNotDisturb(ctx(t), room.ID, 90*time.Minute) },
		func() error {
			return area.client.UpdateCommonArea(ctx(t), areaObj.ID, zoom.CommonAreaUpdate{DisplayName: "Ada 1201", Department: &dept})
		},
		func() error {
			_, err := b.client.ListVoicemails(ctx(t), room.ID, time.Now().Add(-72*time.Hour), time.Now())
			return err
		},
		func() error {
			_, err := b.client.ListCallHistory(ctx(t), time.Now().Add(-24*time.Hour), time.Now())
			return err
		},
		func() error { _, err := b.client.SearchAssignedDevices(ctx(t), "1201"); return err },
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	checked := 0
	for _, sim := range []*zoomsim.Server{b.sim, area.sim} {
		for _, e := range sim.Journal() {
			if e.Listener != "api" || e.OperationID == "" {
				continue
			}
			op, ok := spec.Operation(e.OperationID)
			if !ok {
				t.Fatalf("%s is not in Zoom's definitions", e.OperationID)
			}
			for _, name := range queryNames(e.Query) {
				if _, ok := op.Param(name); !ok {
					t.Errorf("%s: query parameter %q is not Zoom's", e.OperationID, name)
				}
			}
			if len(e.RequestBody) == 0 {
				continue
			}
			body := e.RequestBody
			if e.OperationID == zoom.OpSetPresence.ID {
				// Zoom documents the body as Do_Not_Disturb, while its
				// schema's enum spells it Do_No_Disturb; Zoom accepts both.
				body = bytes.Replace(body, []byte(zoom.PresenceDoNotDisturb), []byte("Do_No_Disturb"), 1)
			}
			if err := spec.ValidateRequest(e.OperationID, body); err != nil {
				t.Errorf("%s: body %s: %v", e.OperationID, e.RequestBody, err)
			}
			checked++
		}
	}
	if checked != 4 {
		t.Errorf("validated %d request bodies, want 4", checked)
	}
}

func queryNames(raw string) []string {
	var out []string
	for _, kv := range bytes.Split([]byte(raw), []byte("&")) {
		if name, _, _ := bytes.Cut(kv, []byte("=")); len(name) > 0 {
			out = append(out, string(name))
		}
	}
	return out
}
