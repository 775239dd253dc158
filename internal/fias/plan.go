package fias

import (
	"slices"

	"github.com/pbxlink/pbxlink/schemas"
)

// action is one event a record causes, on the extension of Room.
type action struct {
	Room string
	Type schemas.Type
	Data schemas.Payload
}

// planner turns the PMS's records into events, keeping State up to date.
// It is pure: no I/O, so that a record redone after a crash yields the
// same events from the same state.
type planner struct {
	vip VIPMode
}

// FallbackLast is the last name a check-in gets when the PMS names no one
// (a resync's GI may carry only the reservation): the contract's check-in
// needs a name.
const FallbackLast = "Guest"

// plan applies data record r to s and returns its events in order.
func (p planner) plan(s *State, r Record) []action {
	room := fieldText(r.Value("RN"))
	switch r.ID {
	case "DS":
		s.Resync = &Resync{Named: map[string][]string{}}
		return nil
	case "DE":
		return p.endResync(s)
	}
	if room == "" {
		return nil
	}
	switch r.ID {
	case "GI":
		return p.checkIn(s, room, r)
	case "GO":
		return p.checkOut(s, room, r)
	case "GC":
		if old := fieldText(r.Value("RO")); old != "" && old != room {
			return p.move(s, old, room, r)
		}
		return p.change(s, room, r)
	case "RE":
		if dn, ok := r.Get("DN"); ok {
			on := dn == "Y"
			rm := s.room(room)
			rm.DND = on
			s.tidy(room)
			return []action{{room, schemas.TypeDND, schemas.DND{On: on}}}
		}
	}
	return nil
}

// name records, during a resync, that the PMS named room (and res in it).
func (s *State) name(room, res string, vacant bool) {
	if s.Resync == nil {
		return
	}
	named := s.Resync.Named[room]
	if named == nil {
		named = []string{}
	}
	if vacant {
		named = []string{}
	} else if !slices.Contains(named, res) {
		named = append(named, res)
	}
	s.Resync.Named[room] = named
}

func (p planner) checkIn(s *State, room string, r Record) []action {
	patch := patchOf(r, p.vip)
	res := fieldText(r.Value("G#"))
	s.name(room, res, false)
	rm := s.room(room)
	if i := rm.find(res); i >= 0 {
		// Known guest: a GI with SF changes the fields present, a plain
		// GI sets every field.
		g := Guest{Reservation: res}
		if r.Has("SF") {
			g = rm.Guests[i]
		}
		g = patch.apply(g)
		rm.Guests[i] = g
		if i == 0 {
			return []action{fullChange(room, g)}
		}
		return nil
	}
	g := patch.apply(Guest{Reservation: res})
	switch {
	case len(rm.Guests) == 0:
		rm.Guests = []Guest{g}
		return []action{checkInAction(room, g)}
	case r.Value("GS") == "Y":
		rm.Guests = append(rm.Guests, g)
		return nil
	default:
		// Not a sharer, yet the room is occupied: the departure of the
		// guests before was missed. The new guest replaces them.
		rm.Guests = []Guest{g}
		return []action{checkInAction(room, g)}
	}
}

func (p planner) checkOut(s *State, room string, r Record) []action {
	res := fieldText(r.Value("G#"))
	rm := s.room(room)
	defer s.tidy(room)
	if res == "" || r.Has("SF") {
		// A room-based GO, or a resync's GO: the room is vacant.
		s.name(room, "", true)
		return vacate(rm, room)
	}
	i := rm.find(res)
	if i < 0 {
		// The check-in of this guest never reached pbxlink.
		s.Diverged = true
		return nil
	}
	return leave(rm, room, i)
}

// vacate empties rm: a check-out when anyone was in it.
func vacate(rm *Room, room string) []action {
	if len(rm.Guests) == 0 {
		return nil
	}
	rm.Guests, rm.DND = nil, false
	return []action{{room, schemas.TypeCheckOut, schemas.CheckOut{Mailbox: &schemas.Mailbox{RoomID: room}}}}
}

// leave takes guest i out of rm: the last one out checks the room out; when
// the guest the extension showed leaves a sharer behind, it shows the
// sharer.
func leave(rm *Room, room string, i int) []action {
	rm.Guests = slices.Delete(rm.Guests, i, i+1)
	switch {
	case len(rm.Guests) == 0:
		rm.DND = false
		return []action{{room, schemas.TypeCheckOut, schemas.CheckOut{Mailbox: &schemas.Mailbox{RoomID: room}}}}
	case i == 0:
		return []action{fullChange(room, rm.Guests[0])}
	}
	return nil
}

func (p planner) change(s *State, room string, r Record) []action {
	patch := patchOf(r, p.vip)
	res := fieldText(r.Value("G#"))
	rm := s.room(room)
	if i := rm.find(res); i >= 0 {
		rm.Guests[i] = patch.apply(rm.Guests[i])
		if i == 0 {
			return patchAction(room, patch)
		}
		return nil
	}
	s.Diverged = true
	g := patch.apply(Guest{Reservation: res})
	if len(rm.Guests) == 0 {
		rm.Guests = []Guest{g}
		return []action{checkInAction(room, g)}
	}
	rm.Guests = append(rm.Guests, g)
	return nil
}

// move is a GC with RO: the guest leaves room old (a check-out when it is
// left empty) and comes into room (a check-in when it was empty).
func (p planner) move(s *State, old, room string, r Record) []action {
	patch := patchOf(r, p.vip)
	res := fieldText(r.Value("G#"))
	var acts []action
	from := s.room(old)
	g := Guest{Reservation: res}
	if i := from.find(res); i >= 0 {
		g = from.Guests[i]
		acts = append(acts, leave(from, old, i)...)
	} else {
		s.Diverged = true
	}
	s.tidy(old)
	g = patch.apply(g)
	to := s.room(room)
	if i := to.find(res); i >= 0 {
		to.Guests[i] = g
		if i == 0 {
			acts = append(acts, fullChange(room, g))
		}
		return acts
	}
	to.Guests = append(to.Guests, g)
	if len(to.Guests) == 1 {
		acts = append(acts, checkInAction(room, g))
	}
	return acts
}

// endResync: every room the PMS did not name is vacant, and every guest it
// did not name in a room it named has left.
func (p planner) endResync(s *State) []action {
	if s.Resync == nil {
		return nil
	}
	named := s.Resync.Named
	s.Resync = nil
	var acts []action
	rooms := make([]string, 0, len(s.Rooms))
	for n := range s.Rooms {
		rooms = append(rooms, n)
	}
	slices.Sort(rooms)
	for _, n := range rooms {
		rm := s.Rooms[n]
		names, ok := named[n]
		if !ok {
			acts = append(acts, vacate(rm, n)...)
			s.tidy(n)
			continue
		}
		for i := len(rm.Guests) - 1; i >= 0; i-- {
			if !slices.Contains(names, rm.Guests[i].Reservation) {
				acts = append(acts, leave(rm, n, i)...)
			}
		}
		s.tidy(n)
	}
	return compact(acts)
}

// compact keeps, of several guest changes of one room in a row, the last.
func compact(acts []action) []action {
	out := acts[:0]
	for _, a := range acts {
		if k := len(out) - 1; k >= 0 && a.Type == schemas.TypeGuest && out[k].Type == schemas.TypeGuest && out[k].Room == a.Room {
			out[k] = a
			continue
		}
		out = append(out, a)
	}
	return out
}

func schemaGuest(g Guest) schemas.Guest {
	sg := schemas.Guest{First: g.First, Last: g.Last, Title: g.Title, VIP: g.VIP, Language: g.Language, Reservation: g.Reservation}
	if fieldText(sg.First) == "" && fieldText(sg.Last) == "" {
		sg.Last = FallbackLast
	}
	return sg
}

func checkInAction(room string, g Guest) action {
	return action{room, schemas.TypeCheckIn, schemas.CheckIn{Guest: schemaGuest(g), Mailbox: &schemas.Mailbox{RoomID: room}}}
}

// fullChange is a guest change that sets every guest field: the extension
// shows another guest (or the same one, all of whose fields a GI set).
func fullChange(room string, g Guest) action {
	sg := schemaGuest(g)
	return action{room, schemas.TypeGuest, schemas.GuestChange{Guest: &schemas.GuestPatch{
		First: &sg.First, Last: &sg.Last, Title: &sg.Title, VIP: &sg.VIP, Language: &sg.Language, Reservation: &sg.Reservation,
	}}}
}

// patchAction is a guest change of the fields a GC carried; none when it
// carried none.
func patchAction(room string, p guestPatch) []action {
	if p.empty() {
		return nil
	}
	return []action{{room, schemas.TypeGuest, schemas.GuestChange{Guest: &schemas.GuestPatch{
		First: p.First, Last: p.Last, Title: p.Title, VIP: p.VIP, Language: p.Language, Reservation: p.Reservation,
	}}}}
}
