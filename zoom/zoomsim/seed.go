package zoomsim

import (
	"fmt"
	"time"
)

// Target says which Zoom objects carry the room extensions.
type Target string

const (
	// TargetUsers makes every room a Zoom user with a Zoom Phone extension.
	TargetUsers Target = "users"
	// TargetCommonAreas makes every room a Zoom Phone common area.
	TargetCommonAreas Target = "common_areas"
)

// Seed describes a generated hotel. Room i (from 0) has extension
// FirstExtension+i and is either a Zoom user (email room<ext>@hotel.example,
// first_name "Room", last_name "<ext>", display_name "Room <ext>") or a common
// area (display_name "Room <ext>"), with its desk phones assigned to it.
// Every ID derives from the account ID and the object's extension and index,
// so two simulators with the same settings hold the same IDs.
type Seed struct {
	// Rooms is the number of rooms; 0 makes an account without rooms.
	Rooms int
	// FirstExtension is the first room's extension. Default 1201.
	FirstExtension int
	// Target is TargetUsers (default) or TargetCommonAreas.
	Target Target
	// PhonesPerRoom is the number of desk phones per room. Default 1.
	PhonesPerRoom int
	// VoicemailsPerRoom is the number of unread voicemails each room user
	// starts with, dated in the last hours. Common areas have no voicemail.
	VoicemailsPerRoom int
	// CallRecords is the number of call history records, spread over the
	// rooms and the last 20 hours.
	CallRecords int
	// Staff is the number of staff users without a room (email
	// staff<n>@hotel.example, extension 9000+n, n from 1).
	Staff int
	// Site is the Zoom Phone site's name. Default "Main".
	Site string
	// RoomsNotSignedIn makes every room user one signed in to no Zoom
	// client (User.NotSignedIn), as a room with only a desk phone is:
	// presence changes get 400 code 5301. Default false, so that presence
	// works as in a hotel whose room users run a Zoom client.
	RoomsNotSignedIn bool
}

// DefaultSeed is the hotel of a simulator configured with neither Seed nor
// SeedFile: 10 room users from 1201, one phone and one voicemail each, 20
// call records and 2 staff users.
func DefaultSeed() Seed {
	return Seed{Rooms: 10, FirstExtension: 1201, Target: TargetUsers, PhonesPerRoom: 1, VoicemailsPerRoom: 1, CallRecords: 20, Staff: 2, Site: "Main"}
}

// WithDefaults returns a copy of s with unset fields at their defaults.
func (s Seed) WithDefaults() Seed {
	if s.FirstExtension == 0 {
		s.FirstExtension = 1201
	}
	if s.Target == "" {
		s.Target = TargetUsers
	}
	if s.PhonesPerRoom == 0 {
		s.PhonesPerRoom = 1
	}
	if s.Site == "" {
		s.Site = "Main"
	}
	return s
}

const staffFirstExtension = 9000

func (s Seed) validate() error {
	switch {
	case s.Rooms < 0 || s.Rooms > 100000:
		return fmt.Errorf("zoomsim: Seed.Rooms %d: want 0 to 100000", s.Rooms)
	case s.FirstExtension < 1:
		return fmt.Errorf("zoomsim: Seed.FirstExtension %d: want a positive number", s.FirstExtension)
	case s.Target != TargetUsers && s.Target != TargetCommonAreas:
		return fmt.Errorf("zoomsim: Seed.Target %q: want %q or %q", s.Target, TargetUsers, TargetCommonAreas)
	case s.PhonesPerRoom < 0 || s.PhonesPerRoom > 10:
		return fmt.Errorf("zoomsim: Seed.PhonesPerRoom %d: want 0 to 10", s.PhonesPerRoom)
	case s.VoicemailsPerRoom < 0 || s.VoicemailsPerRoom > 1000:
		return fmt.Errorf("zoomsim: Seed.VoicemailsPerRoom %d: want 0 to 1000", s.VoicemailsPerRoom)
	case s.CallRecords < 0 || s.CallRecords > 1000000:
		return fmt.Errorf("zoomsim: Seed.CallRecords %d: want 0 to 1000000", s.CallRecords)
	case s.Staff < 0 || s.Staff > 1000:
		return fmt.Errorf("zoomsim: Seed.Staff %d: want 0 to 1000", s.Staff)
	}
	last := s.FirstExtension + s.Rooms - 1
	if s.Staff > 0 && s.Rooms > 0 && s.FirstExtension <= staffFirstExtension+s.Staff && last > staffFirstExtension {
		return fmt.Errorf("zoomsim: Seed.FirstExtension %d: rooms %d-%d overlap the staff extensions %d-%d",
			s.FirstExtension, s.FirstExtension, last, staffFirstExtension+1, staffFirstExtension+s.Staff)
	}
	return nil
}

// seededRoom is what the generated call history needs of a room.
type seededRoom struct {
	ownerID, extensionID, name, extension string
}

// build creates the seeded account's objects in a.
func (s Seed) build(a *account, now time.Time) error {
	now = now.UTC().Truncate(time.Second)
	site := Site{ID: a.ids.id("site", s.Site), Name: s.Site}
	a.sites = append(a.sites, site)
	rooms := make([]seededRoom, 0, s.Rooms)
	for i := range s.Rooms {
		r, err := s.buildRoom(a, i, site, now)
		if err != nil {
			return err
		}
		rooms = append(rooms, r)
	}
	for n := 1; n <= s.Staff; n++ {
		if _, err := a.addUser(User{
			Email: fmt.Sprintf("staff%d@hotel.example", n), FirstName: "Staff", LastName: fmt.Sprint(n),
			DisplayName: fmt.Sprintf("Staff %d", n), Dept: "Front Office", Type: 2,
			ExtensionNumber: int64(staffFirstExtension + n), SiteID: site.ID, CreatedAt: now,
		}, now); err != nil {
			return err
		}
	}
	if len(rooms) == 0 {
		return nil
	}
	for n := range s.CallRecords {
		start := now.Add(-20 * time.Hour).Add(time.Duration(n) * 20 * time.Hour / time.Duration(s.CallRecords))
		if _, err := a.addCallRecord(seedCall(n, rooms[n%len(rooms)], extTypeOf(s.Target), start, site)); err != nil {
			return err
		}
	}
	return nil
}

// buildRoom creates room i: its user or common area, desk phones and
// voicemail.
func (s Seed) buildRoom(a *account, i int, site Site, now time.Time) (seededRoom, error) {
	ext := int64(s.FirstExtension + i)
	r := seededRoom{name: fmt.Sprintf("Room %d", ext), extension: fmt.Sprint(ext)}
	if s.Target == TargetUsers {
		u, err := a.addUser(User{
			Email:     fmt.Sprintf("room%d@hotel.example", ext),
			FirstName: "Room", LastName: r.extension, DisplayName: r.name,
			ExtensionNumber: ext, SiteID: site.ID, CreatedAt: now, NotSignedIn: s.RoomsNotSignedIn,
		}, now)
		if err != nil {
			return r, err
		}
		r.ownerID, r.extensionID = u.ID, u.ExtensionID
	} else {
		ca, err := a.addCommonArea(CommonArea{DisplayName: r.name, ExtensionNumber: ext, SiteID: site.ID})
		if err != nil {
			return r, err
		}
		r.ownerID, r.extensionID = ca.ID, ca.ExtensionID
	}
	for p := range s.PhonesPerRoom {
		name := r.name
		if p > 0 {
			name = fmt.Sprintf("%s (%d)", r.name, p+1)
		}
		if _, err := a.addDevice(Device{DisplayName: name, AssigneeID: r.ownerID, SiteID: site.ID}); err != nil {
			return r, err
		}
	}
	if s.Target != TargetUsers {
		return r, nil // common areas have no voicemail
	}
	for v := range s.VoicemailsPerRoom {
		if _, err := a.addVoicemail(Voicemail{
			OwnerID:    r.ownerID,
			CallerName: fmt.Sprintf("Caller %d", v+1), CallerNumber: fmt.Sprintf("+1555010%04d", (i*7+v)%10000),
			DateTime: now.Add(-time.Duration(v+1) * time.Hour), Duration: 10 + (i+v)%50,
		}); err != nil {
			return r, err
		}
	}
	return r, nil
}

// seedCall is generated call n of a room: even calls come in from outside
// (every fifth of them ends in voicemail), odd calls go out.
func seedCall(n int, r seededRoom, extType string, start time.Time, site Site) CallRecord {
	c := CallRecord{
		StartTime: start, Duration: 30 + n%300, CallType: "general", ConnectType: "external", CallResult: "answered",
		SiteID: site.ID, SiteName: site.Name, RecordingStatus: "non_recorded",
	}
	outside := fmt.Sprintf("+155502%05d", n%100000)
	if n%2 == 0 {
		c.Direction = "inbound"
		c.CallerName, c.CallerDIDNumber, c.CallerNumberType = fmt.Sprintf("Caller %d", n+1), outside, "external_pstn"
		c.CalleeName, c.CalleeExtNumber, c.CalleeExtID, c.CalleeExtType, c.CalleeNumberType = r.name, r.extension, r.extensionID, extType, "zoom_pstn"
		if n%5 == 4 {
			c.CallResult = "voicemail"
		}
	} else {
		c.Direction = "outbound"
		c.CallerName, c.CallerExtNumber, c.CallerExtID, c.CallerExtType, c.CallerNumberType = r.name, r.extension, r.extensionID, extType, "zoom_pstn"
		c.CalleeName, c.CalleeDIDNumber, c.CalleeNumberType = "External", outside, "external_pstn"
	}
	if c.CallResult == "answered" {
		c.AnswerTime = start.Add(5 * time.Second)
	}
	c.EndTime = start.Add(time.Duration(c.Duration)*time.Second + 5*time.Second)
	return c
}

func extTypeOf(t Target) string {
	if t == TargetCommonAreas {
		return "common_area"
	}
	return "user"
}
