package consumer_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

func ptr[T any](v T) *T { return &v }

// TestStayOnUsers runs a whole stay on a room that is a Zoom user: the
// user's names and desk phone follow the guest, do-not-disturb goes on and
// off, and at check-out nothing of the guest is left.
func TestStayOnUsers(t *testing.T) {
	t.Parallel()
	b := setup(t, quickPresence)
	b.start()
	room := b.user(1203)
	phone := b.sim.DevicesOf(room.ID)[0]
	expect := func(step, first, last, display string) {
		t.Helper()
		b.eventually(step, func() (bool, string) {
			u := b.user(1203)
			d, _ := b.sim.Device(phone.ID)
			got := fmt.Sprintf("%q %q %q phone %q", u.FirstName, u.LastName, u.DisplayName, d.DisplayName)
			return u.FirstName == first && u.LastName == last && u.DisplayName == display && d.DisplayName == display, got
		})
	}
	p := b.prod
	must[any](t)(p.CheckIn(b.ctx(), "1203", schemas.CheckIn{Guest: schemas.Guest{First: "Ada", Last: "Lovelace", VIP: "VIP"}}))
	expect("check-in", "VIP Ada", "Lovelace 1203", "VIP Ada Lovelace 1203")

	must[any](t)(p.GuestChange(b.ctx(), "1203", schemas.GuestChange{Guest: &schemas.GuestPatch{Last: ptr("Byron"), VIP: ptr("")}}))
	expect("guest change", "Ada", "Byron 1203", "Ada Byron 1203")

	must[any](t)(p.DND(b.ctx(), "1203", true))
	b.eventually("do-not-disturb on", func() (bool, string) {
		pr, _ := b.sim.Presence(room.ID)
		return pr.Status == zoom.PresenceDoNotDisturb, pr.Status
	})

	out := must[*producer.Result](t)(p.CheckOut(b.ctx(), "1203", schemas.CheckOut{}))
	expect("check-out", "1203", "1203", "1203")
	b.eventually("do-not-disturb off", func() (bool, string) {
		pr, _ := b.sim.Presence(room.ID)
		return pr.Status == zoom.PresenceAvailable, pr.Status
	})
	b.finishedAt(out)
	if dl := b.deadLetters(); len(dl) != 0 {
		t.Fatalf("dead letters: %s", dl[0].Header.Get(schemas.HeaderError))
	}
}

// TestStayOnCommonAreas runs a stay on a room that is a common area: its
// display name and desk phone follow the guest; do-not-disturb does not
// apply and costs no call.
func TestStayOnCommonAreas(t *testing.T) {
	t.Parallel()
	b := setup(t, options{sim: func(c *zoomsim.Config) { c.Seed.Target = zoomsim.TargetCommonAreas }})
	b.start()
	area, _ := b.sim.CommonAreaByExtension(1202)
	phone := b.sim.DevicesOf(area.ID)[0]
	expect := func(step, display string) {
		t.Helper()
		b.eventually(step, func() (bool, string) {
			a, _ := b.sim.CommonAreaByExtension(1202)
			d, _ := b.sim.Device(phone.ID)
			return a.DisplayName == display && d.DisplayName == display, fmt.Sprintf("%q phone %q", a.DisplayName, d.DisplayName)
		})
	}
	must[any](t)(b.prod.CheckIn(b.ctx(), "1202", schemas.CheckIn{Guest: schemas.Guest{First: "Grace", Last: "Hopper"}}))
	expect("check-in", "Grace Hopper 1202")
	must[any](t)(b.prod.DND(b.ctx(), "1202", true))
	out := must[*producer.Result](t)(b.prod.CheckOut(b.ctx(), "1202", schemas.CheckOut{}))
	expect("check-out", "1202")
	b.finishedAt(out)
	if n := b.zoomCalls(zoom.OpSetPresence); n != 0 {
		t.Fatalf("%d presence calls for a common area", n)
	}
	if dl := b.deadLetters(); len(dl) != 0 {
		t.Fatalf("dead letters: %s", dl[0].Header.Get(schemas.HeaderError))
	}
}

// quickPresence shortens Zoom's one-presence-change-a-minute rule to a
// second, in the simulator and the client alike.
var quickPresence = options{
	sim:  func(c *zoomsim.Config) { c.PresenceInterval = time.Second },
	zoom: func(c *zoom.Config) { c.PresenceInterval = time.Second },
}

// TestPresenceRuleKeepsTheFinalState: do-not-disturb toggled faster than
// Zoom allows ends in the state the last event asked for, without a 429.
func TestPresenceRuleKeepsTheFinalState(t *testing.T) {
	t.Parallel()
	b := setup(t, quickPresence)
	b.start()
	room := b.user(1204)
	var last *producer.Result
	for _, on := range []bool{true, false, true} {
		last = must[*producer.Result](t)(b.prod.DND(b.ctx(), "1204", on))
	}
	b.finishedAt(last)
	if pr, _ := b.sim.Presence(room.ID); pr.Status != zoom.PresenceDoNotDisturb {
		t.Fatalf("presence %q, want the last event's Do_Not_Disturb", pr.Status)
	}
	if n := b.zoomCalls(zoom.OpSetPresence); n != 3 {
		t.Errorf("%d presence calls, want 3", n)
	}
	if st := b.sim.Stats().Family(zoom.FamilyMain); st.RateLimited != 0 {
		t.Errorf("%d 429s: the rule must be waited out, not broken", st.RateLimited)
	}
}
