package zoomsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// LoadSeedFile reads a seed file: the JSON form of State, as GET /_sim/state
// prints it, so a saved state seeds another simulator. Unknown fields are
// refused (they are typos). Objects are created in the order sites, users,
// common_areas, devices, voicemails, call_history; within each, in file order
// (which is the order of list answers). Fields that may be left out:
//
//   - every "id" (derived from the account ID and the object, as for Seed;
//     a call record's "call_history_uuid" and "call_id" likewise);
//   - a user's "display_name" (first and last name), "type" (1), "status"
//     ("active"), "presence_status" ("Available"), "site_id" (the first
//     site), "extension_id" and "phone_user_id"; a user without
//     "extension_number" has no Zoom Phone;
//   - a device's "mac_address", "device_type", "status" ("online"),
//     "display_name"; its "assignee_id" may be a user or common area ID, an
//     email or an extension number, or absent (unassigned);
//   - a voicemail's "status" ("unread"); its "owner_id" may be a user ID, an
//     email or an extension number; "date_time" is required;
//   - a common area's "desk_phones" is ignored (devices name their assignee).
//
// An example is zoom/zoomsim/testdata/seed.json.
func LoadSeedFile(path string) (State, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return State{}, fmt.Errorf("zoomsim: seed file: %w", err)
	}
	var st State
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return State{}, fmt.Errorf("zoomsim: seed file %s: %w", path, err)
	}
	return st, nil
}

// build creates the state's objects in a (an account without objects).
func (st State) build(a *account, now time.Time) error {
	for _, s := range st.Sites {
		if s.Name == "" {
			return fmt.Errorf("site %q has no name", s.ID)
		}
		if s.ID == "" {
			s.ID = a.ids.id("site", s.Name)
		}
		if _, dup := a.site(s.ID); dup {
			return fmt.Errorf("site %s: %w: ID exists", s.ID, errConflict)
		}
		a.sites = append(a.sites, s)
	}
	siteOK := func(id string) error {
		if _, ok := a.site(id); id != "" && !ok {
			return fmt.Errorf("unknown site_id %q", id)
		}
		return nil
	}
	for i, u := range st.Users {
		if err := siteOK(u.SiteID); err != nil {
			return fmt.Errorf("users[%d]: %w", i, err)
		}
		if _, err := a.addUser(u, now); err != nil {
			return fmt.Errorf("users[%d]: %w", i, err)
		}
	}
	for i, c := range st.CommonAreas {
		if err := siteOK(c.SiteID); err != nil {
			return fmt.Errorf("common_areas[%d]: %w", i, err)
		}
		if _, err := a.addCommonArea(c); err != nil {
			return fmt.Errorf("common_areas[%d]: %w", i, err)
		}
	}
	for i, d := range st.Devices {
		if err := siteOK(d.SiteID); err != nil {
			return fmt.Errorf("devices[%d]: %w", i, err)
		}
		if _, err := a.addDevice(d); err != nil {
			return fmt.Errorf("devices[%d]: %w", i, err)
		}
	}
	for i, v := range st.Voicemails {
		if _, err := a.addVoicemail(v); err != nil {
			return fmt.Errorf("voicemails[%d]: %w", i, err)
		}
	}
	for i, c := range st.CallHistory {
		if _, err := a.addCallRecord(c); err != nil {
			return fmt.Errorf("call_history[%d]: %w", i, err)
		}
	}
	return nil
}
