package fias_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/fias"
	"github.com/pbxlink/pbxlink/internal/fias/pms"
)

func rooms(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = itoa(101 + i)
	}
	return out
}

func itoa(i int) string {
	const digits = "0123456789"
	s := ""
	for ; i > 0; i /= 10 {
		s = string(digits[i%10]) + s
	}
	return s
}

// TestHandshakeEveryLS: pbxlink answers the PMS's first LS and every
// alive-check LS after it with LD, its LR set and LA, and the records in
// between are applied.
func TestHandshakeEveryLS(t *testing.T) {
	ns := startNATS(t)
	p := startPMS(t, pms.Config{Batch: 2, Noise: true})
	startReplica(t, ns, "a", func(c *fias.Config) { c.Address = p.Addr() })
	for i, room := range []string{"101", "102", "103", "104", "105"} {
		p.CheckIn(room, pms.Guest{Reservation: itoa(500 + i), Last: "Doe"})
	}
	waitDelivered(t, p, 10*time.Second)
	st := p.Stats()
	if st.AliveChecks < 3 {
		t.Fatalf("alive checks = %d, want at least 3 (batches of 2)", st.AliveChecks)
	}
	got := p.LinkRecords()
	if len(got) != len(fias.LinkRecords) {
		t.Fatalf("LR set = %v, want %v", got, fias.LinkRecords)
	}
	for i := range got {
		if got[i].String() != fias.LinkRecords[i].String() {
			t.Errorf("LR %d = %s, want %s", i, got[i], fias.LinkRecords[i])
		}
	}
	_, js := connect(t, ns)
	views, problems, _ := fold(t, js)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	compareView(t, p, views)
}

// TestTakeoverNoLossNoDup: the link holder dies in the middle of the
// traffic; another replica takes over within seconds, and the events
// leave every room as the PMS has it, with no record lost or applied
// twice, though the PMS resends what was not confirmed.
func TestTakeoverNoLossNoDup(t *testing.T) {
	ns := startNATS(t)
	p := startPMS(t, pms.Config{Batch: 7})
	reps := map[string]*replica{}
	for _, n := range []string{"a", "b"} {
		reps[n] = startReplica(t, ns, n, func(c *fias.Config) { c.Address = p.Addr() })
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
	tr := &pms.Traffic{S: p, Rooms: rooms(30), Rand: rand.New(rand.NewPCG(1, 2))}
	for range 150 {
		tr.Step()
	}
	time.Sleep(30 * time.Millisecond) // some records in flight
	dead := holder()
	killedAt := time.Now()
	reps[dead].kill()
	delete(reps, dead)
	for range 150 {
		tr.Step()
	}
	waitFor(t, 10*time.Second, "a new link holder", func() bool { return holder() != "" })
	t.Logf("takeover after %s", time.Since(killedAt).Round(time.Millisecond))
	waitDelivered(t, p, 20*time.Second)
	_, js := connect(t, ns)
	views, problems, n := fold(t, js)
	for _, pr := range problems {
		t.Error(pr)
	}
	if len(problems) > 0 {
		dumpEvents(t, js, problems[0][:3])
	}
	compareView(t, p, views)
	t.Logf("%d events, PMS stats %+v", n, p.Stats())
}
