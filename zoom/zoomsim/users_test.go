package zoomsim_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

type userList struct {
	NextPageToken string `json:"next_page_token"`
	PageSize      int    `json:"page_size"`
	TotalRecords  int    `json:"total_records"`
	Users         []struct {
		ID          string `json:"id"`
		Email       string `json:"email"`
		FirstName   string `json:"first_name"`
		LastName    string `json:"last_name"`
		DisplayName string `json:"display_name"`
		Dept        string `json:"dept"`
		Type        int    `json:"type"`
		Status      string `json:"status"`
	} `json:"users"`
}

func TestListUsersPagination(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 7, Staff: 1}})
	var seen []string
	token := ""
	for pages := 0; ; pages++ {
		q := url.Values{"page_size": {"3"}}
		if token != "" {
			q.Set("next_page_token", token)
		}
		var l userList
		want200(t, e.call("GET", "/users?"+q.Encode(), nil), &l)
		if l.TotalRecords != 8 || l.PageSize != 3 {
			t.Fatalf("total %d page_size %d", l.TotalRecords, l.PageSize)
		}
		for _, u := range l.Users {
			seen = append(seen, u.Email)
		}
		token = l.NextPageToken
		if token == "" {
			if pages != 2 {
				t.Fatalf("%d pages, want 3", pages+1)
			}
			break
		}
	}
	if len(seen) != 8 || seen[0] != "room1201@hotel.example" || seen[7] != "staff1@hotel.example" {
		t.Fatalf("users %v", seen)
	}
}

func TestListUsersStatusFilter(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 3}})
	if err := e.sim.UpdateUser("room1202@hotel.example", func(u *zoomsim.User) { u.Status = "inactive" }); err != nil {
		t.Fatal(err)
	}
	for status, want := range map[string]int{"": 2, "active": 2, "inactive": 1, "pending": 0} {
		var l userList
		want200(t, e.call("GET", "/users?status="+status, nil), &l)
		if len(l.Users) != want || l.TotalRecords != want {
			t.Errorf("status %q: %d users, want %d", status, len(l.Users), want)
		}
	}
	wantErr(t, e.call("GET", "/users?status=bogus", nil), 400, 300)
}

func TestPageSizeLimits(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 2}})
	for _, path := range []string{"/users?page_size=2001", "/users?page_size=0", "/users?page_size=x", "/phone/users?page_size=101",
		"/phone/devices?type=assigned&page_size=301", "/phone/common_areas?page_size=101"} {
		z := wantErr(t, e.call("GET", path, nil), 400, 300)
		if len(z.Errors) != 1 || z.Errors[0].Field != "page_size" {
			t.Errorf("%s: errors %+v", path, z.Errors)
		}
	}
	var l userList
	want200(t, e.call("GET", "/users?page_size=2000", nil), &l)
	if l.PageSize != 2000 {
		t.Fatalf("page_size %d", l.PageSize)
	}

	c := newEnv(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 2}, ClampPageSize: true})
	want200(t, c.call("GET", "/users?page_size=5000", nil), &l)
	if l.PageSize != 2000 {
		t.Fatalf("clamped page_size %d, want 2000", l.PageSize)
	}
}

func TestPageTokenErrors(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 4}, Now: clock.Now})
	var l userList
	want200(t, e.call("GET", "/users?page_size=2", nil), &l)
	if l.NextPageToken == "" {
		t.Fatal("no next_page_token")
	}
	z := wantErr(t, e.call("GET", "/users?next_page_token=unknown", nil), 400, 300)
	if z.Message != "The next page token is invalid or expired." {
		t.Fatalf("message %q", z.Message)
	}
	// A Phone API list refuses it with code 400, and a token is bound to its
	// operation.
	wantErr(t, e.call("GET", "/phone/users?next_page_token="+l.NextPageToken, nil), 400, 400)
	// Valid (and reusable) until it expires after 15 minutes.
	clock.Advance(14 * time.Minute)
	want200(t, e.call("GET", "/users?page_size=2&next_page_token="+l.NextPageToken, nil), nil)
	want200(t, e.call("GET", "/users?page_size=2&next_page_token="+l.NextPageToken, nil), nil)
	clock.Advance(61 * time.Second)
	wantErr(t, e.call("GET", "/users?page_size=2&next_page_token="+l.NextPageToken, nil), 400, 300)
}

func TestGetUser(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel()})
	u, ok := e.sim.UserByExtension(1203)
	if !ok {
		t.Fatal("no user at 1203")
	}
	for _, ref := range []string{u.ID, u.Email, strings.ToUpper(u.Email), url.PathEscape(u.Email)} {
		var got struct {
			ID, Email, FirstName, LastName, DisplayName string
			Type                                        int
			AccountID                                   string `json:"account_id"`
		}
		want200(t, e.call("GET", "/users/"+ref, nil), &got)
		if got.ID != u.ID || got.Type != 1 || got.AccountID != "sim-account" {
			t.Fatalf("%s: got %+v", ref, got)
		}
	}
	z := wantErr(t, e.call("GET", "/users/nobody@hotel.example", nil), 404, 1001)
	if z.Message != "User does not exist: nobody@hotel.example." {
		t.Fatalf("message %q", z.Message)
	}
}

func TestUpdateUser(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), BannedWords: []string{"darn"}})
	u, _ := e.sim.UserByExtension(1201)
	path := "/users/" + u.ID
	long := func(n int) string { return strings.Repeat("é", n) } // 2 bytes, 1 character

	tests := []struct {
		name   string
		body   any
		status int
		code   int
		fields []string
		check  func(zoomsim.User) bool
	}{
		{name: "names and dept", body: map[string]string{"first_name": "Ada", "last_name": "Lovelace", "display_name": "VIP Ada Lovelace 1201", "dept": "Checked in"}, status: 204,
			check: func(u zoomsim.User) bool {
				return u.FirstName == "Ada" && u.LastName == "Lovelace" && u.DisplayName == "VIP Ada Lovelace 1201" && u.Dept == "Checked in"
			}},
		{name: "empty display_name is derived", body: map[string]string{"first_name": "Grace", "last_name": "Hopper", "display_name": ""}, status: 204,
			check: func(u zoomsim.User) bool { return u.DisplayName == "Grace Hopper" }},
		{name: "absent display_name is kept", body: map[string]string{"first_name": "Alan"}, status: 204,
			check: func(u zoomsim.User) bool { return u.FirstName == "Alan" && u.DisplayName == "Grace Hopper" }},
		{name: "64 characters", body: map[string]string{"first_name": long(64), "last_name": long(64), "display_name": long(128)}, status: 204,
			check: func(u zoomsim.User) bool { return u.FirstName == long(64) }},
		{name: "first_name 65 characters", body: map[string]string{"first_name": long(65)}, status: 400, code: 300, fields: []string{"first_name"}},
		{name: "last_name 65 characters", body: map[string]string{"last_name": long(65)}, status: 400, code: 300, fields: []string{"last_name"}},
		{name: "display_name 129 characters", body: map[string]string{"display_name": long(129)}, status: 400, code: 300, fields: []string{"display_name"}},
		{name: "unknown fields", body: map[string]any{"first_name": "A", "nickname": "x", "vip": true}, status: 400, code: 300, fields: []string{"nickname", "vip"}},
		{name: "wrong type", body: map[string]any{"first_name": 12}, status: 400, code: 300, fields: []string{"first_name"}},
		{name: "null", body: `{"dept":null}`, status: 400, code: 300, fields: []string{"dept"}},
		{name: "type enum", body: map[string]any{"type": 3}, status: 400, code: 300, fields: []string{"type"}},
		{name: "manager email", body: map[string]any{"manager": "nope"}, status: 400, code: 300, fields: []string{"manager"}},
		{name: "malformed JSON", body: `{"first_name":`, status: 400, code: 300},
		{name: "empty body", body: ``, status: 400, code: 300},
		{name: "array body", body: `[]`, status: 400, code: 300},
		{name: "banned word", body: map[string]string{"last_name": "Darnley"}, status: 400, code: 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := e.sim.User(u.ID)
			r := e.call("PATCH", path, tt.body)
			after, _ := e.sim.User(u.ID)
			if tt.status == 204 {
				want204(t, r)
				if !tt.check(after) {
					t.Fatalf("user after PATCH: %+v", after)
				}
				return
			}
			z := wantErr(t, r, tt.status, tt.code)
			var got []string
			for _, f := range z.Errors {
				got = append(got, f.Field)
				if f.Message != "Invalid field." {
					t.Errorf("field message %q", f.Message)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.fields) && tt.fields != nil {
				t.Fatalf("fields %v, want %v (%s)", got, tt.fields, r.body)
			}
			if tt.fields != nil && z.Message != "Validation Failed." {
				t.Fatalf("message %q", z.Message)
			}
			if before != after {
				t.Fatalf("refused PATCH changed the user: %+v", after)
			}
		})
	}
	z := wantErr(t, e.call("PATCH", path, map[string]string{"first_name": "darn it"}), 400, 300)
	if z.Message != "Your request could not be completed because the name contains an invalid word: darn it" {
		t.Fatalf("banned word message %q", z.Message)
	}
	wantErr(t, e.call("PATCH", "/users/ghost", map[string]string{"first_name": "A"}), 404, 1001)
}

func TestUpdateUserDeriveWhenAbsent(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), DeriveDisplayNameWhenAbsent: true})
	u, _ := e.sim.UserByExtension(1201)
	want204(t, e.call("PATCH", "/users/"+u.ID, map[string]string{"first_name": "Ada", "last_name": "Lovelace"}))
	if got, _ := e.sim.User(u.ID); got.DisplayName != "Ada Lovelace" {
		t.Fatalf("display_name %q", got.DisplayName)
	}
}
