package zoomsim_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

type phoneUserList struct {
	NextPageToken string `json:"next_page_token"`
	TotalRecords  int    `json:"total_records"`
	Users         []struct {
		ID              string `json:"id"`
		Email           string `json:"email"`
		Name            string `json:"name"`
		ExtensionNumber int64  `json:"extension_number"`
		ExtensionID     string `json:"extension_id"`
		Site            struct{ ID, Name string }
		Status          string `json:"status"`
	} `json:"users"`
}

func TestPhoneUsers(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel()})
	if _, err := e.sim.AddUser(zoomsim.User{Email: "manager@hotel.example", FirstName: "No", LastName: "Phone"}); err != nil {
		t.Fatal(err)
	}
	var l phoneUserList
	want200(t, e.call("GET", "/phone/users?page_size=100", nil), &l)
	if l.TotalRecords != 7 || len(l.Users) != 7 {
		t.Fatalf("%d phone users, want 7 (5 rooms, 2 staff)", len(l.Users))
	}
	first := l.Users[0]
	if first.ExtensionNumber != 1201 || first.Name != "Room 1201" || first.Site.Name != "Main" || first.Status != "activate" || first.ExtensionID == "" {
		t.Fatalf("first phone user %+v", first)
	}
	for kw, want := range map[string]int{"1203": 1, "ROOM": 5, "staff2@": 1, "120": 5, "nobody": 0} {
		var k phoneUserList
		want200(t, e.call("GET", "/phone/users?keyword="+url.QueryEscape(kw), nil), &k)
		if len(k.Users) != want {
			t.Errorf("keyword %q: %d users, want %d", kw, len(k.Users), want)
		}
	}
	var one struct {
		ID              string `json:"id"`
		ExtensionNumber int64  `json:"extension_number"`
		Email           string `json:"email"`
	}
	want200(t, e.call("GET", "/phone/users/"+first.Email, nil), &one)
	if one.ID != first.ID || one.ExtensionNumber != 1201 {
		t.Fatalf("phone user %+v", one)
	}
	wantErr(t, e.call("GET", "/phone/users/manager@hotel.example", nil), 404, 1001)
	wantErr(t, e.call("GET", "/phone/users/ghost", nil), 404, 1001)
	wantErr(t, e.call("GET", "/phone/users?status=sleeping", nil), 400, 300)
}

type deviceList struct {
	NextPageToken string `json:"next_page_token"`
	TotalRecords  int    `json:"total_records"`
	Devices       []struct {
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
		Assignee    *struct {
			ID              string `json:"id"`
			Name            string `json:"name"`
			ExtensionNumber int64  `json:"extension_number"`
			ExtensionType   string `json:"extension_type"`
		} `json:"assignee"`
		Assignees []struct {
			ID string `json:"id"`
		} `json:"assignees"`
	} `json:"devices"`
}

func TestDevices(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 3, PhonesPerRoom: 2}, BannedWords: []string{"badword"}})
	spare, err := e.sim.AddDevice(zoomsim.Device{DisplayName: "Spare"})
	if err != nil {
		t.Fatal(err)
	}
	z := wantErr(t, e.call("GET", "/phone/devices", nil), 400, 300)
	if len(z.Errors) != 1 || z.Errors[0].Field != "type" {
		t.Fatalf("missing type: %+v", z)
	}
	wantErr(t, e.call("GET", "/phone/devices?type=all", nil), 400, 300)

	list := func(query string) deviceList {
		t.Helper()
		var l deviceList
		want200(t, e.call("GET", "/phone/devices?"+query, nil), &l)
		return l
	}
	l := list("type=assigned&page_size=300")
	if len(l.Devices) != 6 || l.TotalRecords != 6 {
		t.Fatalf("%d assigned devices, want 6", len(l.Devices))
	}
	d0 := l.Devices[0]
	u, _ := e.sim.UserByExtension(1201)
	if d0.Assignee == nil || d0.Assignee.ID != u.ID || d0.Assignee.ExtensionNumber != 1201 || d0.Assignee.ExtensionType != "user" ||
		d0.Assignee.Name != "Room 1201" || len(d0.Assignees) != 1 || d0.DisplayName != "Room 1201" || l.Devices[1].DisplayName != "Room 1201 (2)" {
		t.Fatalf("first devices %+v %+v", d0, l.Devices[1])
	}
	l = list("type=unassigned")
	if len(l.Devices) != 1 || l.Devices[0].ID != spare.ID || l.Devices[0].Assignee != nil {
		t.Fatalf("unassigned %+v", l.Devices)
	}
	l = list("type=assigned&keyword=1202")
	if len(l.Devices) != 2 {
		t.Fatalf("keyword 1202: %d devices", len(l.Devices))
	}
	l = list("type=assigned&assignee_type=commonArea")
	if len(l.Devices) != 0 {
		t.Fatalf("commonArea filter: %d devices", len(l.Devices))
	}

	path := "/phone/devices/" + d0.ID
	want200(t, e.call("GET", path, nil), nil)
	z = wantErr(t, e.call("GET", "/phone/devices/ghost", nil), 400, 400)
	if z.Message != "Device does not exist in the system." {
		t.Fatalf("message %q", z.Message)
	}

	name := strings.Repeat("ü", 255)
	want204(t, e.call("PATCH", path, map[string]string{"display_name": name}))
	if d, _ := e.sim.Device(d0.ID); d.DisplayName != name {
		t.Fatalf("display_name not applied")
	}
	wantErr(t, e.call("PATCH", path, map[string]string{"display_name": name + "ü"}), 400, 300)
	wantErr(t, e.call("PATCH", path, map[string]string{"name": "x"}), 400, 300)
	wantErr(t, e.call("PATCH", path, map[string]string{"display_name": "a BadWord b"}), 400, 300)
	wantErr(t, e.call("PATCH", "/phone/devices/ghost", map[string]string{"display_name": "x"}), 400, 300)

	other, _ := e.sim.UserByExtension(1203)
	want204(t, e.call("PATCH", "/phone/devices/"+spare.ID, map[string]string{"assigned_to": other.Email}))
	if got := e.sim.DevicesOf(other.ID); len(got) != 3 {
		t.Fatalf("user 1203 has %d devices after assignment, want 3", len(got))
	}
	wantErr(t, e.call("PATCH", "/phone/devices/"+spare.ID, map[string]string{"assigned_to": "ghost@hotel.example"}), 404, 1001)
}

type commonAreaList struct {
	NextPageToken string `json:"next_page_token"`
	CommonAreas   []struct {
		ID              string `json:"id"`
		DisplayName     string `json:"display_name"`
		ExtensionNumber int64  `json:"extension_number"`
		DeskPhones      []struct {
			ID          string `json:"id"`
			DisplayName string `json:"display_name"`
		} `json:"desk_phones"`
	} `json:"common_areas"`
}

func TestCommonAreas(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 4, FirstExtension: 300, Target: zoomsim.TargetCommonAreas, VoicemailsPerRoom: 3}})
	if len(e.sim.State().Voicemails) != 0 {
		t.Fatal("common areas got voicemail")
	}
	var l commonAreaList
	want200(t, e.call("GET", "/phone/common_areas?page_size=3", nil), &l)
	if len(l.CommonAreas) != 3 || l.NextPageToken == "" {
		t.Fatalf("first page %+v", l)
	}
	ca := l.CommonAreas[0]
	if ca.ExtensionNumber != 300 || ca.DisplayName != "Room 300" || len(ca.DeskPhones) != 1 || ca.DeskPhones[0].DisplayName != "Room 300" {
		t.Fatalf("common area %+v", ca)
	}
	want200(t, e.call("GET", "/phone/common_areas?page_size=3&next_page_token="+l.NextPageToken, nil), &l)
	if len(l.CommonAreas) != 1 || l.NextPageToken != "" || l.CommonAreas[0].ExtensionNumber != 303 {
		t.Fatalf("second page %+v", l)
	}
	var devs deviceList
	want200(t, e.call("GET", "/phone/devices?type=assigned&assignee_type=commonArea", nil), &devs)
	if len(devs.Devices) != 4 || devs.Devices[0].Assignee.ExtensionType != "commonArea" {
		t.Fatalf("common-area devices %+v", devs.Devices)
	}

	path := "/phone/common_areas/" + ca.ID
	want204(t, e.call("PATCH", path, map[string]any{"display_name": "Ada Lovelace 300", "department": "Checked in 2026-03-02", "cost_center": "Rooms"}))
	var got struct {
		DisplayName, Department, CostCenter string
		ExtensionNumber                     int64 `json:"extension_number"`
	}
	var raw map[string]any
	r := e.call("GET", path, nil)
	want200(t, r, &raw)
	r.decode(t, &got)
	if raw["display_name"] != "Ada Lovelace 300" || raw["department"] != "Checked in 2026-03-02" || raw["cost_center"] != "Rooms" {
		t.Fatalf("common area after PATCH %v", raw)
	}
	if c, _ := e.sim.CommonAreaByExtension(300); c.DisplayName != "Ada Lovelace 300" || len(c.DeskPhones) != 1 {
		t.Fatalf("inspected %+v", c)
	}
	want204(t, e.call("PATCH", path, map[string]any{"department": "F&B <bar>"}))
	if r := e.call("GET", path, nil); !strings.Contains(string(r.body), `"department":"F&B <bar>"`) {
		t.Fatalf("answer escapes like encoding/json, not like Zoom: %s", r.body)
	}
	z := wantErr(t, e.call("GET", "/phone/common_areas/ghost", nil), 400, 400)
	if z.Message != "Common area does not exist: ghost." {
		t.Fatalf("message %q", z.Message)
	}
	wantErr(t, e.call("PATCH", "/phone/common_areas/ghost", map[string]any{"display_name": "x"}), 400, 404)
	wantErr(t, e.call("PATCH", path, map[string]any{"extension_number": 301}), 400, 409)
	wantErr(t, e.call("PATCH", path, map[string]any{"colour": "red"}), 400, 300)
	wantErr(t, e.call("PATCH", path, map[string]any{"site_id": "nowhere"}), 400, 300)
	want204(t, e.call("PATCH", path, map[string]any{"extension_number": 399}))
	if _, ok := e.sim.CommonAreaByExtension(399); !ok {
		t.Fatal("extension change not applied")
	}
}
