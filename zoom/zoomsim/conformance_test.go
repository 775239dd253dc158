package zoomsim_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/openapi"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// specOnce loads Zoom's definitions once for every test.
var specOnce = sync.OnceValues(func() (*openapi.Spec, error) { return openapi.Load("testdata/openapi") })

func loadSpec(t *testing.T) *openapi.Spec {
	t.Helper()
	spec, err := specOnce()
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// TestOperationsMatchOpenAPI checks zoom.Operations() against Zoom's
// definitions: the method and path exist under the operation's ID, the
// category is the "Rate Limit Label", the scope is one of the granular
// scopes, and MaxPageSize is page_size's maximum.
func TestOperationsMatchOpenAPI(t *testing.T) {
	spec := loadSpec(t)
	for _, op := range zoom.Operations() {
		t.Run(op.ID, func(t *testing.T) {
			so, ok := spec.Find(op.Method, op.Path)
			if !ok {
				t.Fatalf("%s %s is not in Zoom's definitions", op.Method, op.Path)
			}
			if so.ID != op.ID {
				t.Errorf("operationId %q, table says %q", so.ID, op.ID)
			}
			if !strings.EqualFold(so.RateLimitLabel, string(op.Category)) {
				t.Errorf("Rate Limit Label %q, table says %q", so.RateLimitLabel, op.Category)
			}
			if !slices.Contains(so.GranularScopes, op.Scope) {
				t.Errorf("scope %q not among the granular scopes %v", op.Scope, so.GranularScopes)
			}
			wantFamily := zoom.FamilyMain
			if strings.HasPrefix(op.Path, "/phone/") {
				wantFamily = zoom.FamilyPhone
			}
			if op.Family != wantFamily {
				t.Errorf("family %s, want %s", op.Family, wantFamily)
			}
			p, hasPageSize := so.Param("page_size")
			max := zoom.MaxPageSize(op.ID)
			listed := max > 0
			switch {
			case hasPageSize != listed:
				t.Errorf("page_size parameter %v, MaxPageSize entry %v", hasPageSize, listed)
			case hasPageSize && (p.Maximum == nil || int(*p.Maximum) != max):
				t.Errorf("page_size maximum %v, MaxPageSize %d", p.Maximum, max)
			}
		})
	}
}

// conformanceCase is one request of the conformance test.
type conformanceCase struct {
	op     zoom.Operation
	method string
	path   string
	body   any
}

// TestConformance exercises every operation of zoom.Operations() and checks
// each request body the test sends and each answer the simulator gives
// against the operation's schemas in Zoom's OpenAPI definitions (unknown
// properties refused).
func TestConformance(t *testing.T) {
	spec := loadSpec(t)
	e := newEnv(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 4, PhonesPerRoom: 2, VoicemailsPerRoom: 3, CallRecords: 12, Staff: 1}, Unlimited: true})
	s := e.sim
	ca, err := s.AddCommonArea(zoomsim.CommonArea{DisplayName: "Lobby", ExtensionNumber: 800, Department: "Front office", CostCenter: "FO", AreaCode: "408"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDevice(zoomsim.Device{DisplayName: "Lobby phone", AssigneeID: ca.ID}); err != nil {
		t.Fatal(err)
	}
	spare, err := s.AddDevice(zoomsim.Device{DisplayName: "Spare"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateUser("room1202@hotel.example", func(u *zoomsim.User) { u.Status = "inactive"; u.Dept = "Housekeeping"; u.Timezone = "Europe/Berlin" }); err != nil {
		t.Fatal(err)
	}
	st := s.State()
	u := st.Users[0]
	vms := st.VoicemailsOf(u.ID)
	call := st.CallHistory[0]
	dev := s.DevicesOf(u.ID)[0]

	cases := []conformanceCase{
		{zoom.OpListUsers, "GET", "/users?page_size=2", nil},
		{zoom.OpListUsers, "GET", "/users?status=inactive", nil},
		{zoom.OpListUsers, "GET", "/users?page_size=2000", nil},
		{zoom.OpGetUser, "GET", "/users/" + u.ID, nil},
		{zoom.OpUpdateUser, "PATCH", "/users/" + u.ID, map[string]any{"first_name": "Ada", "last_name": "Lovelace", "display_name": "VIP Ada Lovelace 1201", "dept": "Checked in"}},
		{zoom.OpUpdateUser, "PATCH", "/users/" + u.Email, map[string]any{"display_name": "", "job_title": "Guest", "manager": "frontdesk@hotel.example", "type": 1}},
		{zoom.OpGetUser, "GET", "/users/" + u.Email, nil},
		{zoom.OpGetPresence, "GET", "/users/" + u.ID + "/presence_status", nil},
		{zoom.OpSetPresence, "PUT", "/users/" + u.ID + "/presence_status", map[string]any{"status": "Do_No_Disturb", "duration": 60}},
		{zoom.OpGetPresence, "GET", "/users/" + u.ID + "/presence_status", nil},
		{zoom.OpSetPresence, "PUT", "/users/" + st.Users[1].ID + "/presence_status", map[string]any{"status": "Available"}},
		{zoom.OpListPhoneUsers, "GET", "/phone/users?page_size=2", nil},
		{zoom.OpListPhoneUsers, "GET", "/phone/users?keyword=1203", nil},
		{zoom.OpGetPhoneUser, "GET", "/phone/users/" + u.ID, nil},
		{zoom.OpListDevices, "GET", "/phone/devices?type=assigned&page_size=3", nil},
		{zoom.OpListDevices, "GET", "/phone/devices?type=unassigned", nil},
		{zoom.OpListDevices, "GET", "/phone/devices?type=assigned&assignee_type=commonArea", nil},
		{zoom.OpGetDevice, "GET", "/phone/devices/" + dev.ID, nil},
		{zoom.OpGetDevice, "GET", "/phone/devices/" + spare.ID, nil},
		{zoom.OpUpdateDevice, "PATCH", "/phone/devices/" + dev.ID, map[string]any{"display_name": "VIP Ada Lovelace 1201"}},
		{zoom.OpListCommonAreas, "GET", "/phone/common_areas", nil},
		{zoom.OpGetCommonArea, "GET", "/phone/common_areas/" + ca.ID, nil},
		{zoom.OpUpdateCommonArea, "PATCH", "/phone/common_areas/" + ca.ID, map[string]any{"display_name": "Lobby bar", "department": "F&B", "cost_center": "FB"}},
		{zoom.OpListVoicemails, "GET", "/phone/users/" + u.ID + "/voice_mails?page_size=2", nil},
		{zoom.OpListVoicemails, "GET", "/phone/users/" + u.ID + "/voice_mails?from=" + time.Now().UTC().AddDate(0, -1, 0).Format(time.DateOnly) + "&to=" + time.Now().UTC().Format(time.DateOnly) + "&status=unread", nil},
		{zoom.OpGetVoicemail, "GET", "/phone/voice_mails/" + vms[0].ID, nil},
		{zoom.OpDeleteVoicemail, "DELETE", "/phone/voice_mails/" + vms[1].ID, nil},
		{zoom.OpListCallHistory, "GET", "/phone/call_history?page_size=5", nil},
		{zoom.OpListCallHistory, "GET", "/phone/call_history?from=" + time.Now().UTC().AddDate(0, 0, -30).Format("2006-01-02T15:04:05Z") + "&to=" + time.Now().UTC().Format("2006-01-02T15:04:05Z") + "&directions=inbound&time_type=end_time", nil},
		{zoom.OpUserCallHistory, "GET", "/phone/users/" + u.ID + "/call_history", nil},
		{zoom.OpGetCallHistoryItem, "GET", "/phone/call_history/" + call.UUID, nil},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		t.Run(c.op.ID+" "+c.method+" "+c.path, func(t *testing.T) {
			var body []byte
			if c.body != nil {
				body, err = json.Marshal(c.body)
				if err != nil {
					t.Fatal(err)
				}
				if err := spec.ValidateRequest(c.op.ID, body); err != nil {
					t.Fatalf("request body: %v", err)
				}
			}
			r := e.call(c.method, c.path, body)
			if r.status < 200 || r.status > 299 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if err := spec.ValidateResponse(c.op.ID, r.status, r.body); err != nil {
				t.Fatalf("%v\nbody: %s", err, r.body)
			}
			if len(r.body) > 0 && !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
				t.Fatalf("Content-Type %q", r.header.Get("Content-Type"))
			}
			covered[c.op.ID] = true
		})
	}
	for _, op := range zoom.Operations() {
		if !covered[op.ID] {
			t.Errorf("operation %s not exercised", op.ID)
		}
	}

	// Every page of a listing conforms too.
	next := ""
	for pages := 0; pages < 10; pages++ {
		q := url.Values{"page_size": {"1"}}
		if next != "" {
			q.Set("next_page_token", next)
		}
		r := e.call("GET", "/phone/devices?type=assigned&"+q.Encode(), nil)
		if err := spec.ValidateResponse(zoom.OpListDevices.ID, r.status, r.body); err != nil {
			t.Fatal(err)
		}
		var l struct {
			NextPageToken string `json:"next_page_token"`
		}
		r.decode(t, &l)
		if next = l.NextPageToken; next == "" {
			break
		}
	}
}

// TestSpecRefusesNonConformingBodies makes sure the conformance test can
// fail: the validator refuses what Zoom's schemas refuse.
func TestSpecRefusesNonConformingBodies(t *testing.T) {
	spec := loadSpec(t)
	for _, tt := range []struct {
		op, body string
	}{
		{zoom.OpUpdateUser.ID, `{"first_name":"` + strings.Repeat("x", 65) + `"}`},
		{zoom.OpUpdateUser.ID, `{"nickname":"x"}`},
		{zoom.OpUpdateDevice.ID, `{"display_name":` + `"` + strings.Repeat("x", 256) + `"}`},
		{zoom.OpSetPresence.ID, `{"status":"Do_No_Disturb","duration":0}`},
		{zoom.OpSetPresence.ID, `{"status":"Do_Not_Disturb","duration":60}`},
	} {
		if err := spec.ValidateRequest(tt.op, []byte(tt.body)); err == nil {
			t.Errorf("%s %s accepted", tt.op, tt.body)
		}
	}
	for _, tt := range []struct {
		op     string
		status int
		body   string
	}{
		{zoom.OpGetPhoneUser.ID, 200, `{"id":"x","extension_number":"1201"}`},
		{zoom.OpGetUser.ID, 200, `{"id":"x"}`},
		{zoom.OpGetUser.ID, 200, `{"id":"x","type":1,"guest":true}`},
		{zoom.OpUpdateUser.ID, 204, `{}`},
		{zoom.OpUpdateUser.ID, 200, ``},
		{zoom.OpGetPresence.ID, 200, `{"status":"Offline"}`},
	} {
		if err := spec.ValidateResponse(tt.op, tt.status, []byte(tt.body)); err == nil {
			t.Errorf("%s %d %s accepted", tt.op, tt.status, tt.body)
		}
	}
}

// TestConformanceOfRefusals drives the simulator into each refusal that
// pbxlink must handle and checks every answer against the error codes and
// messages that Zoom's definitions document for the operation (or Zoom's
// general errors).
func TestConformanceOfRefusals(t *testing.T) {
	spec := loadSpec(t)
	clock := testenv.NewClock(fixedNow)
	seed := smallHotel()
	seed.RoomsNotSignedIn = true
	e := newEnv(t, zoomsim.Config{Seed: seed, Now: clock.Now, TokenTTL: time.Hour, ExpiredToken400: true, PhoneDailyShared: 1})
	room, _ := e.sim.UserByExtension(1201)
	staff, _ := e.sim.UserByExtension(9001)
	check := func(name string, op zoom.Operation, r resp, status int) {
		t.Helper()
		if r.status != status {
			t.Errorf("%s: status %d, want %d: %s", name, r.status, status, r.body)
			return
		}
		if err := spec.ValidateError(op.ID, r.status, r.body); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	presence := func(u zoomsim.User) resp {
		return e.call("PUT", "/users/"+u.ID+"/presence_status", map[string]any{"status": "Available"})
	}
	check("presence of a user not signed in", zoom.OpSetPresence, presence(room), 400)
	want204(t, presence(staff))
	check("second presence change within a minute", zoom.OpSetPresence, presence(staff), 429)
	check("banned word", zoom.OpUpdateUser, e.call("PATCH", "/users/"+room.ID, map[string]string{"last_name": "Banned"}), 400)
	check("six Chinese characters", zoom.OpUpdateUser, e.call("PATCH", "/users/"+room.ID, map[string]string{"first_name": "欧阳娜娜娜娜"}), 400)
	check("user not found", zoom.OpGetUser, e.call("GET", "/users/nobody", nil), 404)
	want200(t, e.call("GET", "/phone/call_history", nil), nil)
	check("daily cap", zoom.OpListCallHistory, e.call("GET", "/phone/call_history", nil), 429)

	clock.Advance(2 * time.Hour)
	check("expired token", zoom.OpListUsers, e.call("GET", "/users", nil), 400)
	e.token = e.mustToken()
	check("unknown token", zoom.OpGetUser, doAPI(t, e.sim.APIURL()+"/v2/users/"+room.ID, "GET", "never-issued", nil), 401)

	e.sim.SetAppActivated(false)
	check("app deactivated", zoom.OpGetUser, e.call("GET", "/users/"+room.ID, nil), 401)
	e.sim.SetAppActivated(true)
	e.token = e.mustToken()

	if err := e.sim.SetFaults(zoomsim.Faults{AccountDeleted: true}); err != nil {
		t.Fatal(err)
	}
	check("account deleted", zoom.OpDeleteVoicemail, e.call("DELETE", "/phone/voice_mails/x", nil), 401)
}
