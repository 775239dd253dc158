package pms

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Traffic makes random but plausible guest traffic over a set of rooms:
// arrivals into empty rooms, sharers, name changes, moves, departures and
// do-not-disturb.
type Traffic struct {
	S     *Server
	Rooms []string
	Rand  *rand.Rand
	next  int
}

var (
	lasts  = []string{"Lovelace", "Müller", "Dupont", "Rossi", "Tanaka", "García", "Smith", "Øvergaard"}
	firsts = []string{"Ada", "Jörg", "Claire", "Luca", "Yuki", "Inés", "John", ""}
	langs  = []string{"EA", "GE", "FR", "IT", "JA", "SP"}
)

func (t *Traffic) guest() Guest {
	t.next++
	r := t.Rand
	vip := "0"
	if r.IntN(5) == 0 {
		vip = fmt.Sprint(1 + r.IntN(3))
	}
	return Guest{Reservation: fmt.Sprint(100000 + t.next), Last: lasts[r.IntN(len(lasts))], First: firsts[r.IntN(len(firsts))],
		Title: []string{"", "Dr", "Mr", "Ms"}[r.IntN(4)], VIP: vip, Language: langs[r.IntN(len(langs))]}
}

// Step makes one random change and returns what it did.
func (t *Traffic) Step() string {
	r := t.Rand
	occupied := t.S.Occupied()
	var vacant []string
	for _, room := range t.Rooms {
		if !slices.Contains(occupied, room) {
			vacant = append(vacant, room)
		}
	}
	pick := func(rs []string) string { return rs[r.IntN(len(rs))] }
	for {
		switch k := r.IntN(100); {
		case k < 30 && len(vacant) > 0:
			room := pick(vacant)
			t.S.CheckIn(room, t.guest())
			return "checkin " + room
		case k < 38 && len(occupied) > 0:
			room := pick(occupied)
			t.S.CheckIn(room, t.guest())
			return "sharer " + room
		case k < 50 && len(occupied) > 0:
			room := pick(occupied)
			g := t.S.View()[room][0]
			_ = t.S.Change(room, g.Reservation, lasts[r.IntN(len(lasts))], firsts[r.IntN(len(firsts))])
			return "change " + room
		case k < 62 && len(occupied) > 0:
			from := pick(occupied)
			gs := t.S.View()[from]
			g := gs[r.IntN(len(gs))]
			to := pick(t.Rooms)
			if to == from {
				continue
			}
			_ = t.S.Move(g.Reservation, from, to)
			return "move " + from + "→" + to
		case k < 90 && len(occupied) > 0:
			room := pick(occupied)
			gs := t.S.View()[room]
			_ = t.S.CheckOut(room, gs[r.IntN(len(gs))].Reservation)
			return "checkout " + room
		case k >= 90 && len(occupied) > 0:
			room := pick(occupied)
			t.S.SetDND(room, r.IntN(2) == 0)
			return "dnd " + room
		case len(occupied) == 0 && len(vacant) == 0:
			return ""
		}
	}
}
