package zoomsim_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

func newSim(t *testing.T, cfg zoomsim.Config) *zoomsim.Server {
	t.Helper()
	s, err := zoomsim.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSeedHotel(t *testing.T) {
	s := newSim(t, zoomsim.Config{Now: fixedClock, Seed: &zoomsim.Seed{Rooms: 3, FirstExtension: 1200, PhonesPerRoom: 2, VoicemailsPerRoom: 1, CallRecords: 4, Staff: 1, Site: "Tower"}})
	st := s.State()
	if len(st.Users) != 4 || len(st.Devices) != 6 || len(st.Voicemails) != 3 || len(st.CallHistory) != 4 || len(st.Sites) != 1 || st.Sites[0].Name != "Tower" {
		t.Fatalf("state %+v", st)
	}
	u, ok := s.UserByExtension(1200)
	if !ok || u.Email != "room1200@hotel.example" || u.FirstName != "Room" || u.LastName != "1200" || u.DisplayName != "Room 1200" ||
		u.Presence != "Available" || u.SiteID != st.Sites[0].ID || u.ExtensionID == "" {
		t.Fatalf("room user %+v", u)
	}
	if devs := s.DevicesOf(u.ID); len(devs) != 2 {
		t.Fatalf("room 1200 has %d phones", len(devs))
	}
	if vms := s.Voicemails(u.ID); len(vms) != 1 || vms[0].Status != "unread" {
		t.Fatalf("voicemails %+v", vms)
	}
	if staff, ok := s.UserByExtension(9001); !ok || staff.Email != "staff1@hotel.example" {
		t.Fatalf("staff %+v", staff)
	}

	// The same settings give the same IDs; another account gives others.
	again := newSim(t, zoomsim.Config{Now: fixedClock, Seed: &zoomsim.Seed{Rooms: 3, FirstExtension: 1200, PhonesPerRoom: 2, VoicemailsPerRoom: 1, CallRecords: 4, Staff: 1, Site: "Tower"}})
	if !reflect.DeepEqual(st, again.State()) {
		t.Fatal("same seed, different state")
	}
	other := newSim(t, zoomsim.Config{Now: fixedClock, AccountID: "other", Seed: &zoomsim.Seed{Rooms: 1, FirstExtension: 1200}})
	if o, _ := other.UserByExtension(1200); o.ID == u.ID {
		t.Fatal("IDs do not depend on the account")
	}
}

func fixedClock() time.Time { return fixedNow }

func TestSeedCommonAreas(t *testing.T) {
	s := newSim(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 2, FirstExtension: 500, Target: zoomsim.TargetCommonAreas}})
	ca, ok := s.CommonAreaByExtension(501)
	if !ok || ca.DisplayName != "Room 501" || len(ca.DeskPhones) != 1 {
		t.Fatalf("common area %+v", ca)
	}
	if _, ok := s.UserByExtension(501); ok {
		t.Fatal("a common-area room is also a user")
	}
}

func TestDefaultSeed(t *testing.T) {
	s := newSim(t, zoomsim.Config{})
	st := s.State()
	d := zoomsim.DefaultSeed()
	if len(st.Users) != d.Rooms+d.Staff || len(st.CallHistory) != d.CallRecords {
		t.Fatalf("default hotel: %d users, %d calls", len(st.Users), len(st.CallHistory))
	}
}

func TestSeedFileExample(t *testing.T) {
	s := newSim(t, zoomsim.Config{SeedFile: "testdata/seed.json", Now: fixedClock})
	st := s.State()
	if len(st.Sites) != 2 || len(st.Users) != 4 || len(st.CommonAreas) != 2 || len(st.Devices) != 5 || len(st.Voicemails) != 2 || len(st.CallHistory) != 1 {
		t.Fatalf("state from the example: %+v", st)
	}
	suite, _ := s.UserByExtension(102)
	if suite.DisplayName != "Suite 102" || suite.Presence != "Away" || len(s.DevicesOf(suite.ID)) != 2 {
		t.Fatalf("suite %+v", suite)
	}
	fd, _ := s.User("frontdesk@hotel.example")
	if fd.ID != "frontDeskUserId0000000" || fd.SiteID != "annexSiteId0000000000A" || len(s.Voicemails(fd.ID)) != 1 {
		t.Fatalf("front desk %+v", fd)
	}
	if lobby, _ := s.CommonAreaByExtension(800); len(lobby.DeskPhones) != 1 {
		t.Fatalf("lobby %+v", lobby)
	}

	// A saved state seeds an identical simulator.
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	again := newSim(t, zoomsim.Config{SeedFile: path, Now: fixedClock})
	if !reflect.DeepEqual(st, again.State()) {
		t.Fatalf("round trip differs:\n%+v\n%+v", st, again.State())
	}
}

func TestSeedFileErrors(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"unknown field":    `{"users":[{"email":"a@b.c","nickname":"x"}]}`,
		"duplicate ext":    `{"users":[{"email":"a@b.c","extension_number":1},{"email":"b@b.c","extension_number":1}]}`,
		"bad assignee":     `{"devices":[{"assignee_id":"nobody"}]}`,
		"voicemail for CA": `{"common_areas":[{"extension_number":5}],"voicemails":[{"owner_id":"5","date_time":"2026-01-01T00:00:00Z"}]}`,
		"unknown site":     `{"users":[{"email":"a@b.c","extension_number":1,"site_id":"x"}]}`,
		"not JSON":         `{`,
	} {
		path := filepath.Join(dir, "seed.json")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := zoomsim.New(zoomsim.Config{SeedFile: path}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := zoomsim.New(zoomsim.Config{SeedFile: filepath.Join(dir, "missing.json")}); err == nil {
		t.Error("missing seed file accepted")
	}
}
