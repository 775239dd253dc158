package zoomsim_test

import (
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

func getPresence(t *testing.T, e *env, userID string) string {
	t.Helper()
	var p struct{ Status string }
	want200(t, e.call("GET", "/users/"+userID+"/presence_status", nil), &p)
	return p.Status
}

func TestPresenceOnceAMinute(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now})
	u, _ := e.sim.UserByExtension(1202)
	path := "/users/" + u.ID + "/presence_status"
	if got := getPresence(t, e, u.ID); got != "Available" {
		t.Fatalf("initial presence %q", got)
	}
	want204(t, e.call("PUT", path, map[string]any{"status": "Do_Not_Disturb", "duration": 60}))
	if got := getPresence(t, e, u.ID); got != "Do_Not_Disturb" {
		t.Fatalf("presence %q after DND", got)
	}
	p, _ := e.sim.Presence(u.ID)
	if !p.ChangedAt.Equal(fixedNow) || !p.DNDUntil.Equal(fixedNow.Add(time.Hour)) {
		t.Fatalf("presence %+v", p)
	}

	clock.Advance(45 * time.Second)
	r := e.call("PUT", path, map[string]any{"status": "Available"})
	z := wantErr(t, r, 429, 429)
	if z.Message != "Too many requests submitted to update the presence status of this user. Please wait..." {
		t.Fatalf("message %q", z.Message)
	}
	if got := r.header.Get("Retry-After"); got != "15" {
		t.Fatalf("Retry-After %q, want 15", got)
	}
	if got := getPresence(t, e, u.ID); got != "Do_Not_Disturb" {
		t.Fatalf("refused change applied: %q", got)
	}
	// Another user is not affected.
	other, _ := e.sim.UserByExtension(1203)
	want204(t, e.call("PUT", "/users/"+other.ID+"/presence_status", map[string]any{"status": "Away"}))

	clock.Advance(15 * time.Second)
	want204(t, e.call("PUT", path, map[string]any{"status": "Available"}))
	if got := getPresence(t, e, u.ID); got != "Available" {
		t.Fatalf("presence %q", got)
	}
}

func TestPresenceAnswer5301(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now, PresenceAnswer: zoomsim.PresenceAnswer5301})
	u, _ := e.sim.UserByExtension(1201)
	path := "/users/" + u.ID + "/presence_status"
	want204(t, e.call("PUT", path, map[string]any{"status": "Away"}))
	z := wantErr(t, e.call("PUT", path, map[string]any{"status": "Available"}), 400, 5301)
	if z.Message != "Request to update the presence status of this user failed." {
		t.Fatalf("message %q", z.Message)
	}
}

func TestPresenceDNDSpellingsAndDuration(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now, PresenceInterval: time.Nanosecond})
	u, _ := e.sim.UserByExtension(1204)
	path := "/users/" + u.ID + "/presence_status"

	want204(t, e.call("PUT", path, map[string]any{"status": "Do_No_Disturb"}))
	p, _ := e.sim.Presence(u.ID)
	if p.Status != "Do_Not_Disturb" || !p.DNDUntil.Equal(fixedNow.Add(20*time.Minute)) {
		t.Fatalf("misspelled DND with default duration: %+v", p)
	}
	clock.Advance(20 * time.Minute)
	if got := getPresence(t, e, u.ID); got != "Available" {
		t.Fatalf("presence after DND ran out: %q", got)
	}

	for _, tt := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"status": "Do_Not_Disturb", "duration": 0}, "duration"},
		{map[string]any{"status": "Do_Not_Disturb", "duration": 1441}, "duration"},
		{map[string]any{"status": "Available", "duration": 5}, "duration"},
		{map[string]any{"status": "Offline"}, "status"},
		{map[string]any{"duration": 5}, "status"},
		{map[string]any{"status": "Busy", "until": "later"}, "until"},
	} {
		clock.Advance(time.Minute)
		z := wantErr(t, e.call("PUT", path, tt.body), 400, 300)
		if len(z.Errors) != 1 || z.Errors[0].Field != tt.field {
			t.Errorf("%v: errors %+v, want field %s", tt.body, z.Errors, tt.field)
		}
	}
	want204(t, e.call("PUT", path, map[string]any{"status": "Do_Not_Disturb", "duration": 1440}))
	wantErr(t, e.call("PUT", "/users/ghost/presence_status", map[string]any{"status": "Away"}), 404, 1001)
	wantErr(t, e.call("GET", "/users/ghost/presence_status", nil), 404, 1001)
}

func TestPresence429WithoutHeaders(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now, OmitRateLimitHeaders: true})
	u, _ := e.sim.UserByExtension(1201)
	path := "/users/" + u.ID + "/presence_status"
	want204(t, e.call("PUT", path, map[string]any{"status": "Away"}))
	r := e.call("PUT", path, map[string]any{"status": "Available"})
	wantErr(t, r, 429, 429)
	if r.header.Get("Retry-After") != "" {
		t.Fatalf("Retry-After %q sent although omitted", r.header.Get("Retry-After"))
	}
}
