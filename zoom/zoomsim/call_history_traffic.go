package zoomsim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// CallTraffic describes the calls of a hotel over a span of time, for
// [Server.SimulateCalls]: what a Zoom account's call history holds after a
// real day. Calls are spread over the day as a hotel's are (few at night,
// most in the morning and the evening), and mixed as a hotel's are:
//   - inbound from outside to a room: answered, missed (no_answer), or
//     ending in voicemail;
//   - outbound from a room to outside: answered, no_answer, busy, or
//     canceled by the caller;
//   - internal between a room and the front desk (staff extensions), both
//     ways;
//   - internal from one room to another, which Zoom lists once per room
//     (two entries, one call_id).
type CallTraffic struct {
	// From and To bound the start times of the calls. To defaults to the
	// server's now, From to 24 hours before To.
	From, To time.Time
	// CallsPerRoomPerDay is the average number of calls a room makes or
	// receives in a day. Default 4.
	CallsPerRoomPerDay float64
	// Seed makes the traffic repeatable; the same seed and account give the
	// same calls.
	Seed uint64
}

// SimulateCalls adds the calls of traffic to the account's call history
// and returns them, oldest first. Rooms are the users and common areas with
// an extension below the staff range (9000); the staff users, at 9000 and
// above, are the front desk. An account without rooms gets no calls.
func (s *Server) SimulateCalls(traffic CallTraffic) ([]CallRecord, error) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	if traffic.To.IsZero() {
		traffic.To = s.now()
	}
	if traffic.From.IsZero() {
		traffic.From = traffic.To.Add(-24 * time.Hour)
	}
	if traffic.CallsPerRoomPerDay <= 0 {
		traffic.CallsPerRoomPerDay = 4
	}
	if !traffic.From.Before(traffic.To) {
		return nil, fmt.Errorf("call traffic: From %v is not before To %v", traffic.From, traffic.To)
	}
	rooms, staff := s.acct.parties()
	if len(rooms) == 0 {
		return nil, nil
	}
	g := trafficGen{rnd: rand.New(rand.NewPCG(traffic.Seed, 0x9e3779b97f4a7c15)), rooms: rooms, staff: staff}
	days := traffic.To.Sub(traffic.From).Hours() / 24
	n := int(math.Round(float64(len(rooms)) * traffic.CallsPerRoomPerDay * days))
	var out []CallRecord
	for range n {
		start := g.startTime(traffic.From, traffic.To)
		for _, c := range g.call(start) {
			rec, err := s.acct.addCallRecord(c)
			if err != nil {
				return out, err
			}
			out = append(out, rec)
		}
	}
	slices.SortStableFunc(out, func(x, y CallRecord) int { return x.StartTime.Compare(y.StartTime) })
	return out, nil
}

// party is one extension of the account as a call shows it.
type party struct {
	ext, id, name, extType string
}

// parties lists the rooms and the staff. a.mu must be held.
func (a *account) parties() (rooms, staff []party) {
	for _, u := range a.users {
		if u.ExtensionNumber == 0 {
			continue
		}
		p := party{ext: itoa(u.ExtensionNumber), id: u.ExtensionID, name: u.DisplayName, extType: "user"}
		if u.ExtensionNumber >= staffFirstExtension {
			staff = append(staff, p)
		} else {
			rooms = append(rooms, p)
		}
	}
	for _, ca := range a.commonAreas {
		if ca.ExtensionNumber != 0 && ca.ExtensionNumber < staffFirstExtension {
			rooms = append(rooms, party{ext: itoa(ca.ExtensionNumber), id: ca.ExtensionID, name: ca.DisplayName, extType: "common_area"})
		}
	}
	return rooms, staff
}

type trafficGen struct {
	rnd          *rand.Rand
	rooms, staff []party
}

// hourWeight is how busy each hour of the day is (UTC hours stand for the
// hotel's): quiet at night, peaks at breakfast and in the evening.
var hourWeight = [24]float64{1, 0.5, 0.3, 0.3, 0.3, 0.5, 2, 5, 8, 7, 6, 5, 5, 5, 4, 4, 5, 6, 8, 9, 8, 6, 4, 2}

// startTime draws a start in [from, to) by the hours' weights.
func (g *trafficGen) startTime(from, to time.Time) time.Time {
	for {
		t := from.Add(time.Duration(g.rnd.Int64N(int64(to.Sub(from)))))
		if g.rnd.Float64()*9 < hourWeight[t.UTC().Hour()] {
			return t.Truncate(time.Second)
		}
	}
}

// callID is a Zoom call id: 19 digits.
func (g *trafficGen) callID() string { return fmt.Sprintf("74%017d", g.rnd.Int64N(1e17)) }

// outside is a phone number outside the account.
func (g *trafficGen) outside() string { return fmt.Sprintf("+1555%07d", g.rnd.IntN(10_000_000)) }

var outsideNames = []string{"", "", "Taxi Central", "Pizza Roma", "City Hospital", "Airport Shuttle", "Ada Lovelace", "Grace Hopper", "Alan Turing"}

// call makes the entries of one call that starts at start.
func (g *trafficGen) call(start time.Time) []CallRecord {
	room := g.rooms[g.rnd.IntN(len(g.rooms))]
	x := g.rnd.Float64()
	switch {
	case x < 0.40:
		return []CallRecord{g.external(start, room, true)}
	case x < 0.75:
		return []CallRecord{g.external(start, room, false)}
	case x < 0.92 && len(g.staff) > 0:
		desk := g.staff[g.rnd.IntN(len(g.staff))]
		if g.rnd.IntN(2) == 0 {
			return []CallRecord{g.internal(start, room, desk, "outbound", g.callID())}
		}
		return []CallRecord{g.internal(start, desk, room, "inbound", g.callID())}
	default:
		other := g.rooms[g.rnd.IntN(len(g.rooms))]
		if other.ext == room.ext {
			return []CallRecord{g.external(start, room, true)}
		}
		// Zoom lists a call between two extensions once per side: the
		// caller's outbound entry and the callee's inbound one.
		out := g.internal(start, room, other, "outbound", g.callID())
		in := g.internal(start, room, other, "inbound", out.CallID)
		in.CallResult, in.AnswerTime, in.EndTime, in.Duration = out.CallResult, out.AnswerTime, out.EndTime, out.Duration
		return []CallRecord{out, in}
	}
}

// external is a call between a room and a number outside.
func (g *trafficGen) external(start time.Time, room party, inbound bool) CallRecord {
	c := CallRecord{StartTime: start, CallID: g.callID(), ConnectType: "external", CallType: "general", RecordingStatus: "non_recorded"}
	name := outsideNames[g.rnd.IntN(len(outsideNames))]
	number := g.outside()
	x := g.rnd.Float64()
	if inbound {
		c.Direction = "inbound"
		c.CallerName, c.CallerDIDNumber, c.CallerNumberType = name, number, "external_pstn"
		c.CalleeName, c.CalleeExtNumber, c.CalleeExtID, c.CalleeExtType, c.CalleeNumberType = room.name, room.ext, room.id, room.extType, "zoom_pstn"
		switch {
		case x < 0.70:
			c.CallResult = "answered"
		case x < 0.85:
			c.CallResult = "no_answer"
		default:
			c.CallResult = "voicemail"
		}
	} else {
		c.Direction = "outbound"
		c.CallerName, c.CallerExtNumber, c.CallerExtID, c.CallerExtType, c.CallerNumberType = room.name, room.ext, room.id, room.extType, "zoom_pstn"
		c.CalleeName, c.CalleeDIDNumber, c.CalleeNumberType = name, number, "external_pstn"
		switch {
		case x < 0.80:
			c.CallResult = "answered"
		case x < 0.90:
			c.CallResult = "no_answer"
		case x < 0.95:
			c.CallResult = "busy"
		default:
			c.CallResult = "canceled"
		}
	}
	g.timing(&c)
	return c
}

// internal is a call from one extension to another, listed for the side
// that direction names (outbound: the caller's entry). The two entries of
// one call share callID.
func (g *trafficGen) internal(start time.Time, from, to party, direction, callID string) CallRecord {
	c := CallRecord{
		StartTime: start, ConnectType: "internal", CallType: "general", Direction: direction, CallID: callID,
		RecordingStatus: "non_recorded",
		CallerName:      from.name, CallerExtNumber: from.ext, CallerExtID: from.id, CallerExtType: from.extType,
		CalleeName: to.name, CalleeExtNumber: to.ext, CalleeExtID: to.id, CalleeExtType: to.extType,
	}
	if g.rnd.Float64() < 0.85 {
		c.CallResult = "answered"
	} else {
		c.CallResult = "no_answer"
	}
	g.timing(&c)
	return c
}

// timing sets the answer and end times and the duration (the time talked,
// or spent leaving a voicemail): ringing a few seconds, or 30 for a call
// nobody answered; an answered call lasts half a minute to twenty minutes,
// a voicemail up to a minute.
func (g *trafficGen) timing(c *CallRecord) {
	ring := time.Duration(3+g.rnd.IntN(20)) * time.Second
	var talk time.Duration
	switch c.CallResult {
	case "answered":
		c.AnswerTime = c.StartTime.Add(ring)
		talk = time.Duration(30+int(g.rnd.ExpFloat64()*180)%1200) * time.Second
	case "voicemail":
		talk = time.Duration(10+g.rnd.IntN(50)) * time.Second
	case "no_answer":
		ring = 30 * time.Second
	}
	c.EndTime = c.StartTime.Add(ring + talk)
	c.Duration = int(talk / time.Second)
}
