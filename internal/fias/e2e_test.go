package fias_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/fias"
	"github.com/pbxlink/pbxlink/internal/fias/pms"
)

// TestEndToEndHotelDay: the PMS simulator drives 200 rooms through a day
// of arrivals, sharers, changes, moves, departures and do-not-disturb,
// with broken links and a PMS-initiated swap, against three link replicas
// of which the holder is killed halfway. The events in PBXLINK_EVENTS,
// applied in order, leave every room exactly as the PMS's final view, and
// none of them makes sense only as a record applied twice or lost.
func TestEndToEndHotelDay(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end hotel day: skipped with -short")
	}
	ns := startNATS(t)
	p := startPMS(t, pms.Config{Batch: 25, Noise: true})
	reps := map[string]*replica{}
	for _, n := range []string{"r1", "r2", "r3"} {
		reps[n] = startReplica(t, ns, n, func(c *fias.Config) { c.Address = p.Addr(); c.Charset = fias.Latin1 })
	}
	holder := func() string {
		for n, r := range reps {
			if st := r.svc.Status(); st.Holder && st.Up {
				return n
			}
		}
		return ""
	}
	waitFor(t, 10*time.Second, "a link holder", func() bool { return holder() != "" })
	tr := &pms.Traffic{S: p, Rooms: rooms(200), Rand: rand.New(rand.NewPCG(7, 11))}
	for range 200 { // the morning: the hotel fills
		p.CheckIn(tr.Rooms[tr.Rand.IntN(200)], pms.Guest{Reservation: itoa(900000 + tr.Rand.IntN(1e5)), Last: "Early", VIP: "0", Language: "EA"})
	}
	const steps = 1200
	var killedAt time.Time
	for i := range steps {
		tr.Step()
		switch i {
		case 300, 800:
			p.Drop()
		case 500:
			p.Swap()
		case 600:
			dead := holder()
			if dead == "" {
				waitFor(t, 10*time.Second, "a link holder", func() bool { dead = holder(); return dead != "" })
			}
			killedAt = time.Now()
			reps[dead].kill()
			delete(reps, dead)
			t.Logf("killed %s", dead)
		}
		if i%50 == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor(t, 15*time.Second, "a new link holder", func() bool { return holder() != "" })
	t.Logf("new holder %s, %s after the kill", holder(), time.Since(killedAt).Round(time.Millisecond))
	waitDelivered(t, p, 60*time.Second)
	_, js := connect(t, ns)
	views, problems, n := fold(t, js)
	for _, pr := range problems {
		t.Error(pr)
	}
	compareView(t, p, views)
	dnd := p.DND()
	for room, v := range views {
		if v.Occupied && v.DND != dnd[room] {
			t.Errorf("room %s: dnd %v in the events, %v in the PMS", room, v.DND, dnd[room])
		}
	}
	t.Logf("%d events for %d occupied rooms; PMS %+v", n, len(p.View()), p.Stats())
}
