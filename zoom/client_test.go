package zoom_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// bundle is what most client tests need: a running simulator and a client
// configured for it.
type bundle struct {
	sim    *zoomsim.Server
	client *zoom.Client
	cfg    zoom.Config
}

// setup starts a simulator with cfg (a small hotel by default) and a client
// with Zoom's pro limits for it; adjust edits the client's config.
func setup(t *testing.T, cfg zoomsim.Config, adjust ...func(*zoom.Config)) *bundle {
	t.Helper()
	sim := testenv.StartSim(t, cfg)
	// Nothing may go to the real Zoom: api_url must come from the token.
	zc := testenv.ZoomConfig(sim)
	for _, f := range adjust {
		f(&zc)
	}
	c, err := zoom.New(zc)
	if err != nil {
		t.Fatal(err)
	}
	return &bundle{sim: sim, client: c, cfg: zc}
}

// hotel is a simulated account whose app may call every operation.
func hotel(rooms int, target zoomsim.Target) zoomsim.Config {
	return zoomsim.Config{Scopes: append(zoomsim.AllScopes(), zoomsim.OperationScopes()...), Seed: &zoomsim.Seed{Rooms: rooms, FirstExtension: 1201, Target: target, PhonesPerRoom: 1, VoicemailsPerRoom: 2, CallRecords: 5}}
}

// ctx is a bounded context for one call; t may be nil in table helpers.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	if t != nil {
		t.Cleanup(cancel)
	} else {
		time.AfterFunc(30*time.Second, cancel)
	}
	return c
}

func TestUsersAndPhoneUsers(t *testing.T) {
	b := setup(t, hotel(250, zoomsim.TargetUsers)) // more than one page of phone users
	phoneUsers, err := b.client.ListPhoneUsers(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(phoneUsers) != 250 {
		t.Fatalf("ListPhoneUsers: %d users, want 250", len(phoneUsers))
	}
	if got := countOps(b.sim, zoom.OpListPhoneUsers.ID); got != 3 {
		t.Errorf("ListPhoneUsers made %d calls, want 3 pages of 100", got)
	}
	users, err := b.client.ListUsers(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(users) < 250 || countOps(b.sim, zoom.OpListUsers.ID) != 1 {
		t.Fatalf("ListUsers: %d users in %d calls, want ≥250 in one page of 2000", len(users), countOps(b.sim, zoom.OpListUsers.ID))
	}
	byID := map[string]zoom.User{}
	for _, u := range users {
		byID[u.ID] = u
	}
	var room zoom.PhoneUser
	for _, pu := range phoneUsers {
		if pu.ExtensionNumber == 1203 {
			room = pu
		}
	}
	if _, ok := byID[room.ID]; !ok || room.ID == "" {
		t.Fatalf("phone user of 1203 (%+v) has no Zoom user of the same id", room)
	}
	found, err := b.client.SearchPhoneUsers(ctx(t), "1203")
	if err != nil || len(found) == 0 || found[0].ID != room.ID {
		t.Fatalf("SearchPhoneUsers(1203) = %+v, %v", found, err)
	}
	if pu, err := b.client.GetPhoneUser(ctx(t), room.ID); err != nil || pu.ExtensionNumber != 1203 {
		t.Fatalf("GetPhoneUser = %+v, %v", pu, err)
	}

	dept := "Checked in 2026-11-23"
	upd := zoom.UserUpdate{FirstName: "VIP Ada", LastName: "Lovelace 1203", DisplayName: "VIP Ada Lovelace 1203", Dept: &dept}
	if err := b.client.UpdateUser(ctx(t), room.ID, upd); err != nil {
		t.Fatal(err)
	}
	u, err := b.client.GetUser(ctx(t), room.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.FirstName != "VIP Ada" || u.LastName != "Lovelace 1203" || u.DisplayName != "VIP Ada Lovelace 1203" || u.Dept != dept {
		t.Fatalf("after UpdateUser: %+v", u)
	}
	if last := lastEntry(b.sim, zoom.OpUpdateUser.ID); last.Status != http.StatusNoContent {
		t.Errorf("PATCH user answered %d, want 204", last.Status)
	}
}

func TestCommonAreasAndDevices(t *testing.T) {
	b := setup(t, hotel(120, zoomsim.TargetCommonAreas))
	areas, err := b.client.ListCommonAreas(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(areas) != 120 || countOps(b.sim, zoom.OpListCommonAreas.ID) != 2 {
		t.Fatalf("ListCommonAreas: %d in %d calls, want 120 in 2", len(areas), countOps(b.sim, zoom.OpListCommonAreas.ID))
	}
	a := areas[5]
	dept := "Grand Hotel"
	if err := b.client.UpdateCommonArea(ctx(t), a.ID, zoom.CommonAreaUpdate{DisplayName: "Ada Lovelace " + ext(a), Department: &dept}); err != nil {
		t.Fatal(err)
	}
	got, err := b.client.GetCommonArea(ctx(t), a.ID)
	if err != nil || got.DisplayName != "Ada Lovelace "+ext(a) {
		t.Fatalf("GetCommonArea = %+v, %v", got, err)
	}
	if s, _ := b.sim.CommonArea(a.ID); s.Department != dept {
		t.Fatalf("department in Zoom = %q, want %q", s.Department, dept)
	}

	devices, err := b.client.ListAssignedDevices(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(devices) != 120 {
		t.Fatalf("ListAssignedDevices: %d, want 120", len(devices))
	}
	var mine zoom.Device
	for _, d := range devices {
		if d.Assignee != nil && d.Assignee.ExtensionNumber == a.ExtensionNumber {
			mine = d
		}
	}
	if mine.ID == "" || mine.Assignee.ExtensionType != zoom.AssigneeCommonArea {
		t.Fatalf("no common-area phone for %d in %+v", a.ExtensionNumber, devices[:2])
	}
	if err := b.client.UpdateDeviceName(ctx(t), mine.ID, "Ada Lovelace "+ext(a)); err != nil {
		t.Fatal(err)
	}
	if d, err := b.client.GetDevice(ctx(t), mine.ID); err != nil || d.DisplayName != "Ada Lovelace "+ext(a) {
		t.Fatalf("GetDevice = %+v, %v", d, err)
	}
	found, err := b.client.SearchAssignedDevices(ctx(t), ext(a))
	if err != nil || len(found) != 1 || found[0].ID != mine.ID {
		t.Fatalf("SearchAssignedDevices(%s) = %+v, %v", ext(a), found, err)
	}
}

func TestPresenceVoicemailAndCallHistory(t *testing.T) {
	now := time.Now()
	clock := testenv.NewClock(now)
	cfg := hotel(3, zoomsim.TargetUsers)
	cfg.Now = clock.Now
	b := setup(t, cfg, func(c *zoom.Config) { c.Now = clock.Now })
	room, _ := b.sim.UserByExtension(1202)

	if err := b.client.SetDoNotDisturb(ctx(t), room.ID, 8*time.Hour); err != nil {
		t.Fatal(err)
	}
	if st, err := b.client.GetPresence(ctx(t), room.ID); err != nil || st != zoom.PresenceDoNotDisturb {
		t.Fatalf("GetPresence = %q, %v", st, err)
	}
	// Zoom allows one presence change a minute: the client refuses the
	// second itself, without a call, and says when it may go.
	calls := countOps(b.sim, zoom.OpSetPresence.ID)
	err := b.client.SetAvailable(ctx(t), room.ID)
	at, limited := zoom.RetryAt(err)
	if !errors.Is(err, zoom.ErrRateLimited) || !limited || at.Sub(clock.Now()) != time.Minute {
		t.Fatalf("second change within the minute: %v (retry at %v)", err, at)
	}
	if countOps(b.sim, zoom.OpSetPresence.ID) != calls {
		t.Fatal("the refused change reached Zoom")
	}
	clock.Advance(61 * time.Second)
	if err := b.client.SetAvailable(ctx(t), room.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ := b.sim.Presence(room.ID); p.Status != zoom.PresenceAvailable {
		t.Fatalf("presence in Zoom = %+v", p)
	}

	vms, err := b.client.ListVoicemails(ctx(t), room.ID, time.Time{}, time.Time{})
	if err != nil || len(vms) != 2 {
		t.Fatalf("ListVoicemails = %d, %v; want 2", len(vms), err)
	}
	for _, vm := range vms {
		if err := b.client.DeleteVoicemail(ctx(t), vm.ID); err != nil {
			t.Fatal(err)
		}
	}
	if left := b.sim.Voicemails(room.ID); len(left) != 0 {
		t.Fatalf("%d voicemails left", len(left))
	}
	err = b.client.DeleteVoicemail(ctx(t), vms[0].ID)
	if !errors.Is(err, zoom.ErrNotFound) || !errors.Is(err, zoom.ErrPermanent) {
		t.Fatalf("deleting a deleted voicemail: %v", err)
	}

	calls2, err := b.client.ListCallHistory(ctx(t), now.Add(-48*time.Hour), now)
	if err != nil || len(calls2) != 5 {
		t.Fatalf("ListCallHistory = %d, %v; want 5", len(calls2), err)
	}
	if calls2[0].CallHistoryUUID == "" || calls2[0].StartTime == "" {
		t.Fatalf("call record without id or start: %+v", calls2[0])
	}
}

func ext(a zoom.CommonArea) string { return strconv.FormatInt(a.ExtensionNumber, 10) }

func countOps(sim *zoomsim.Server, opID string) int {
	n := 0
	for _, e := range sim.Journal() {
		if e.OperationID == opID {
			n++
		}
	}
	return n
}

func lastEntry(sim *zoomsim.Server, opID string) zoomsim.Entry {
	var last zoomsim.Entry
	for _, e := range sim.Journal() {
		if e.OperationID == opID {
			last = e
		}
	}
	return last
}
