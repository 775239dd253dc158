package fias

import (
	"reflect"
	"testing"

	"github.com/pbxlink/pbxlink/schemas"
)

func rec(t *testing.T, s string) Record {
	t.Helper()
	r, err := ParseRecord(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// kinds renders actions as "room:type".
func kinds(acts []action) []string {
	out := []string{}
	for _, a := range acts {
		out = append(out, a.Room+":"+string(a.Type))
	}
	return out
}

func run(t *testing.T, s *State, p planner, records ...string) []string {
	t.Helper()
	var out []string
	for _, r := range records {
		out = append(out, kinds(p.plan(s, rec(t, r)))...)
	}
	return out
}

// TestPlanSharers: a sharer into an occupied room changes nothing shown;
// the first guest leaving shows the sharer; the last one out checks the
// room out.
func TestPlanSharers(t *testing.T) {
	s, p := &State{}, planner{vip: VIPMarker}
	got := run(t, s, p,
		"GI|RN2781|G#12345|GNGuest, Mr.|GLEA|GV3|GSN|",
		"GI|RN2781|G#12381|GNSharer|GFDr|GLGE|GV0|GSY|",
		"GO|RN2781|G#12345|GSY|",
	)
	if want := []string{"2781:checkin", "2781:guest"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	g := s.Rooms["2781"].Guests
	if len(g) != 1 || g[0].Last != "Sharer" || g[0].Language != "de" || g[0].VIP != "" {
		t.Fatalf("room after the first guest left: %+v", g)
	}
	acts := p.plan(s, rec(t, "GI|RN2781|G#12381|GNSharer|GFDr|GLGE|GV0|GSY|"))
	_ = acts // a resent GI of a guest already in: a full change, no check-in
	if got := run(t, s, p, "GO|RN2781|G#12381|GSN|"); !reflect.DeepEqual(got, []string{"2781:checkout"}) {
		t.Fatalf("last guest out: %v", got)
	}
	if len(s.Rooms) != 0 {
		t.Fatalf("rooms left: %+v", s.Rooms)
	}
}

// TestPlanMoves: a move out of a room left empty checks it out and checks
// the new room in; a move that leaves a sharer behind shows the sharer in
// the old room; a move into an occupied room makes the guest a sharer.
func TestPlanMoves(t *testing.T) {
	s, p := &State{}, planner{vip: VIPMarker}
	run(t, s, p, "GI|RN2781|G#1|GNOne|GSN|", "GI|RN2781|G#2|GNTwo|GSY|", "GI|RN500|G#3|GNThree|GSN|")
	if got := run(t, s, p, "GC|RN9327|GSN|G#1|GNOne|RO2781|GSY|"); !reflect.DeepEqual(got, []string{"2781:guest", "9327:checkin"}) {
		t.Fatalf("move leaving a sharer: %v", got)
	}
	if got := run(t, s, p, "GC|RN9327|GSN|G#2|RO2781|GSN|"); !reflect.DeepEqual(got, []string{"2781:checkout"}) {
		t.Fatalf("move into an occupied room: %v", got)
	}
	if n := len(s.Rooms["9327"].Guests); n != 2 {
		t.Fatalf("room 9327 has %d guests, want 2", n)
	}
	acts := p.plan(s, rec(t, "GC|RN501|GSN|G#3|GTDr|RO500|GSN|"))
	if got := kinds(acts); !reflect.DeepEqual(got, []string{"500:checkout", "501:checkin"}) {
		t.Fatalf("plain move: %v", got)
	}
	if in := acts[1].Data.(schemas.CheckIn); in.Guest.Last != "Three" || in.Guest.Title != "Dr" || in.Guest.Reservation != "3" {
		t.Fatalf("moved guest %+v: the name moves with the guest, the GC's fields apply", in.Guest)
	}
}

// TestPlanChangeOnlyFieldsPresent: a GC changes only the fields it carries.
func TestPlanChangeOnlyFieldsPresent(t *testing.T) {
	s, p := &State{}, planner{vip: VIPMarker}
	run(t, s, p, "GI|RN1|G#7|GNLovelace|GFAda|GV2|GLEA|")
	acts := p.plan(s, rec(t, "GC|RN1|G#7|GNByron|"))
	gc := acts[0].Data.(schemas.GuestChange)
	if gc.Guest.Last == nil || *gc.Guest.Last != "Byron" || gc.Guest.First != nil || gc.Guest.VIP != nil {
		t.Fatalf("guest change %+v: want the last name only", gc.Guest)
	}
	if g := s.Rooms["1"].Guests[0]; g.First != "Ada" || g.VIP != "VIP" || g.Language != "en" {
		t.Fatalf("state %+v", g)
	}
}

// TestPlanResyncVacatesUnnamed: after DS … DE, rooms and guests the PMS did
// not name are gone, and rooms it named are as it says.
func TestPlanResyncVacatesUnnamed(t *testing.T) {
	s, p := &State{}, planner{vip: VIPMarker}
	run(t, s, p, "GI|RN1|G#1|GNA|", "GI|RN2|G#2|GNB|", "GI|RN2|G#3|GNC|GSY|", "GI|RN3|G#4|GND|")
	got := run(t, s, p,
		"DS|DA261130|TI101010|",
		"GI|RN2|G#3|GNC|GSN|SF|",
		"GI|RN4|G#5|GNE|GSN|SF|",
		"GI|RN3|G#4|GNDee|GSN|SF|",
		"DE|DA261130|TI101011|",
	)
	want := []string{"4:checkin", "3:guest", "1:checkout", "2:guest"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if s.Resync != nil || len(s.Rooms) != 3 || s.Rooms["2"].Guests[0].Last != "C" || len(s.Rooms["2"].Guests) != 1 {
		t.Fatalf("state after the swap: %+v", s.Rooms)
	}
}

// TestPlanDivergence: a check-out of a guest pbxlink never saw marks the
// state diverged (a swap is due), and changes nothing.
func TestPlanDivergence(t *testing.T) {
	s, p := &State{}, planner{vip: VIPMarker}
	if got := run(t, s, p, "GO|RN1|G#9|GSN|", "RE|RN1|DNY|"); !reflect.DeepEqual(got, []string{"1:dnd"}) {
		t.Fatalf("events %v", got)
	}
	if !s.Diverged {
		t.Fatal("not diverged")
	}
}

// TestResendFilter: the new connection's records that repeat exactly the
// end of the history are dropped; a run that stops matching is applied,
// held records first.
func TestResendFilter(t *testing.T) {
	hist := []string{"a", "b", "c", "d"}
	f := newResendFilter(hist)
	var applied []string
	dropped := 0
	for _, d := range []string{"c", "d", "e"} {
		out, n := f.offer(Record{ID: "GI"}, d)
		dropped += n
		for _, h := range out {
			applied = append(applied, h.digest)
		}
	}
	if dropped != 2 || !reflect.DeepEqual(applied, []string{"e"}) {
		t.Fatalf("resend c,d then e: dropped %d, applied %v", dropped, applied)
	}
	f = newResendFilter(hist)
	applied, dropped = nil, 0
	for _, d := range []string{"b", "c", "x"} {
		out, n := f.offer(Record{ID: "GI"}, d)
		dropped += n
		for _, h := range out {
			applied = append(applied, h.digest)
		}
	}
	if dropped != 0 || !reflect.DeepEqual(applied, []string{"b", "c", "x"}) {
		t.Fatalf("b,c,x is not the end of the history: dropped %d, applied %v", dropped, applied)
	}
	f = newResendFilter(hist)
	if out, _ := f.offer(Record{}, "c"); out != nil {
		t.Fatal("held record applied too early")
	}
	if out := f.flush(); len(out) != 1 {
		t.Fatalf("flush at an LS: %v", out)
	}
}

func TestRooms(t *testing.T) {
	id := Rooms{}
	if ext, err := id.Extension("0101"); err != nil || ext != "101" {
		t.Fatalf("identity: %q %v", ext, err)
	}
	if _, err := id.Extension("12A"); err == nil {
		t.Fatal("a room with letters got an extension")
	}
	pre := Rooms{Prefix: "2", Table: map[string]string{"12A": "3120"}}
	if ext, _ := pre.Extension("101"); ext != "2101" {
		t.Fatalf("prefix: %q", ext)
	}
	if ext, _ := pre.Extension("12A"); ext != "3120" {
		t.Fatalf("table: %q", ext)
	}
	if r, ok := pre.Room("2101"); !ok || r != "101" {
		t.Fatalf("back from 2101: %q %v", r, ok)
	}
	if r, ok := pre.Room("3120"); !ok || r != "12A" {
		t.Fatalf("back from 3120: %q %v", r, ok)
	}
	if _, ok := pre.Room("999"); ok {
		t.Fatal("999 is no room's")
	}
	if _, err := ParseRoomTable("101=0101"); err == nil {
		t.Fatal("an extension with a leading zero accepted")
	}
}
