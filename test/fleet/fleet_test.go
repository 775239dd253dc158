package fleet_test

import (
	"flag"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

var scaleFlag = flag.Float64("fleet.scale", 1, "scale the fleet tests' event counts (for quick local runs)")

// events scales a test's event count by -fleet.scale.
func events(n int) int {
	return max(rooms, int(float64(n)**scaleFlag))
}

// TestFleetCrashesAndNATSRestart runs 5,000 events over 200 rooms through
// three replicas, published at up to 250 a second while they work. A random
// replica is killed with SIGKILL every two to four seconds and restarted a
// moment later, for the first minute or until the backlog is nearly done;
// the NATS node that leads the consumer is restarted (two seconds down)
// when 40% of the events are published. Every event must be applied or
// dead-lettered (none is expected with a healthy Zoom); every room's user
// and desk phone must end with the name of its last event in publish
// order, must have received the names in that order, and must have
// received every check-in's and guest change's name; the fleet must stay
// under the limit with no 429.
func TestFleetCrashesAndNATSRestart(t *testing.T) {
	seed := seedFor(t, 20261123)
	f := newFleet(t, fleetOptions{
		seed: seed, replicas: 3, limit: 100, retries: 5, retryInterval: time.Second, concurrency: 8,
		// A check-out turns do-not-disturb off; a crash between that call
		// and its record makes the next replica repeat it, which Zoom's
		// once-a-minute rule would hold up for a minute.
		presenceInterval: time.Millisecond,
		timeout:          5 * time.Minute,
	})
	s := newScript(seed, scriptOptions{events: events(5000), rooms: rooms, firstExt: firstExt, checkouts: true})
	t.Log(s.counts())
	f.startAll()

	var published atomic.Bool
	restartNATS := make(chan struct{})
	pubErr := make(chan error, 1)
	waitPub := f.background(func() {
		pubErr <- f.publishAll(s, 250, func(n int) {
			if n == len(s.events)*2/5 {
				close(restartNATS)
			}
		})
		published.Store(true)
	})
	waitNATS := f.background(func() {
		select {
		case <-restartNATS:
		case <-f.ctx.Done():
			return
		}
		p := f.progress()
		n := f.cluster.node(p.consumerLeader)
		if n == nil {
			n = f.cluster.nodes[rand.New(rand.NewPCG(seed, 3)).IntN(len(f.cluster.nodes))]
		}
		t.Logf("%5.1fs NATS: restarting %s (consumer leader %q); %s", time.Since(f.started).Seconds(), n.name, p.consumerLeader, p)
		if err := f.cluster.restart(n, 2*time.Second); err != nil {
			t.Errorf("restart NATS %s: %v", n.name, err)
			return
		}
		t.Logf("%5.1fs NATS: %s is back", time.Since(f.started).Seconds(), n.name)
	})
	kills := 0
	waitChaos := f.background(func() {
		r := rand.New(rand.NewPCG(seed, 2))
		kills = f.chaos(r, [2]time.Duration{2 * time.Second, 4 * time.Second}, [2]time.Duration{200 * time.Millisecond, 800 * time.Millisecond},
			func() bool {
				if time.Since(f.started) > 60*time.Second {
					return true
				}
				if !published.Load() {
					return false
				}
				p := f.progress()
				return p.errors == "" && p.pending+p.ackPending < uint64(len(s.events)/10)
			})
	})
	waitPub()
	if err := <-pubErr; err != nil {
		t.Fatal(err)
	}
	t.Logf("%5.1fs published %d events", time.Since(f.started).Seconds(), len(s.events))
	waitNATS()
	waitChaos()
	t.Logf("%5.1fs chaos over: %d kills", time.Since(f.started).Seconds(), kills)
	if kills < 5 {
		t.Errorf("only %d kills: the test did not stress the fleet as meant", kills)
	}
	f.ensureRunning()
	p := f.waitDrained(len(s.events))
	t.Logf("%5.1fs drained: %s", time.Since(f.started).Seconds(), p)

	dls := f.deadLetters()
	f.reportDeadLetters(dls)
	f.checkOracle(s, deadIDs(dls))
	f.checkLimits()
	f.checkNo429()
	f.checkExits()
	t.Log(f.statsLine())
	t.Log(f.workerLog())
}

// TestFleetRateLimit pre-publishes a backlog and lets three replicas drain
// it without faults: the busiest one-second window of each API family
// stays within the limit (100/s here, the whole of it set on both the
// simulator and the workers), Zoom answers no 429, and each family's calls run at no less
// than 90% of the limit from the first call to the last. The backlog is
// check-ins and guest changes only, spread evenly over the rooms, so that
// each event costs exactly one call of each family (a first check-out adds
// a presence call) and the tail is not one room's queue.
func TestFleetRateLimit(t *testing.T) {
	seed := seedFor(t, 424242)
	f := newFleet(t, fleetOptions{
		seed: seed, replicas: 3, limit: 100, retries: 3, retryInterval: time.Second, concurrency: 8,
		timeout: 3 * time.Minute,
	})
	s := newScript(seed, scriptOptions{events: events(3000), rooms: rooms, firstExt: firstExt, balanced: true})
	t.Log(s.counts())
	// The replicas start first and load the directory; the backlog is
	// then published far faster than the fleet drains it (about 850/s
	// against 100/s), so that the rate measures draining, not start-up.
	f.startAll()
	time.Sleep(5 * time.Second)
	f.sim.ResetJournal() // the directory loads are not the backlog
	start := time.Now()
	if err := f.publishAll(s, 0, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("published the backlog in %.1fs", time.Since(start).Seconds())
	p := f.waitDrained(len(s.events))
	t.Logf("%5.1fs drained: %s", time.Since(f.started).Seconds(), p)

	f.checkLimits()
	f.checkNo429()
	for _, fam := range sortedFamilies(f.limits) {
		r := f.rates()[fam]
		share := r.perSecond() / float64(f.limits[fam])
		t.Logf("%s API: %d calls in %.1fs = %.1f/s, %.1f%% of the %d/s limit (busiest second %d)",
			fam, r.calls, r.last.Sub(r.first).Seconds(), r.perSecond(), 100*share, f.limits[fam], f.sim.Stats().Family(fam).MaxPerSecond)
		t.Logf("%s API calls per second: %s", fam, f.perSecond(fam))
		if share < 0.9 {
			t.Errorf("%s API: the backlog drained at %.1f calls/s, %.1f%% of the %d/s limit; want at least 90%%",
				fam, r.perSecond(), 100*share, f.limits[fam])
		}
	}
	dls := f.deadLetters()
	f.reportDeadLetters(dls)
	f.checkOracle(s, deadIDs(dls))
	f.checkExits()
	t.Log(f.statsLine())
	t.Log(f.workerLog())
}

// TestFleetFlakyZoom has Zoom answer 20% of calls with 500 or 503 (half of
// them after applying the change) and add 5-50 ms of latency, while three
// replicas work through events published as they run. With enough retries
// at a short interval nothing is dead-lettered and every room ends as the
// oracle says, having received its names in publish order.
func TestFleetFlakyZoom(t *testing.T) {
	seed := seedFor(t, 77)
	f := newFleet(t, fleetOptions{
		seed: seed, replicas: 3, limit: 100,
		// An attempt fails with a chance of about 0.36 (two calls at 20%
		// each); 15 attempts leave ~2e-7 per event, ~4e-4 per run.
		retries: 15, retryInterval: 200 * time.Millisecond, concurrency: 8,
		presenceInterval: time.Millisecond, // an applied-then-5xx check-out repeats its presence call
		faults:           zoomsim.Faults{ErrorRate: 0.1, AppliedErrorRate: 0.1, Latency: 5 * time.Millisecond, LatencyJitter: 45 * time.Millisecond},
		timeout:          3 * time.Minute,
	})
	s := newScript(seed, scriptOptions{events: events(2000), rooms: rooms, firstExt: firstExt, checkouts: true})
	t.Log(s.counts())
	f.startAll()
	if err := f.publishAll(s, 0, nil); err != nil {
		t.Fatal(err)
	}
	p := f.waitDrained(len(s.events))
	t.Logf("%5.1fs drained: %s", time.Since(f.started).Seconds(), p)

	dls := f.deadLetters()
	if len(dls) > 0 {
		t.Errorf("%d events dead-lettered; with --retries %d none should be", len(dls), f.o.retries)
	}
	f.reportDeadLetters(dls)
	f.checkOracle(s, deadIDs(dls))
	f.checkLimits()
	st := f.sim.Stats()
	if n := st.Family(zoom.FamilyMain).ServerErrors + st.Family(zoom.FamilyPhone).ServerErrors; n == 0 {
		t.Errorf("the simulator answered no 5xx: the faults were not active")
	}
	f.checkExits()
	t.Log(f.statsLine())
	t.Log(f.workerLog())
}

// TestFleetStrictToken runs three replicas against a Zoom where minting a
// token invalidates every older one (as Zoom staff described it in
// 2022-2023), and kills and restarts one replica mid-run: the fleet must
// share its token rather than knock each other out, so at most a handful
// of 401s and tokens for the whole run, and the oracle's final state.
func TestFleetStrictToken(t *testing.T) {
	seed := seedFor(t, 9001)
	f := newFleet(t, fleetOptions{
		seed: seed, replicas: 3, limit: 100, retries: 5, retryInterval: time.Second, concurrency: 8,
		presenceInterval: time.Millisecond,
		tokenMode:        zoomsim.TokenModeLatestOnly,
		timeout:          3 * time.Minute,
	})
	s := newScript(seed, scriptOptions{events: events(2000), rooms: rooms, firstExt: firstExt, checkouts: true})
	t.Log(s.counts())
	f.startAll()
	err := f.publishAll(s, 250, func(n int) {
		if n == len(s.events)/2 {
			r := f.replicas[1]
			r.kill()
			t.Logf("%5.1fs SIGKILL %s; restarting", time.Since(f.started).Seconds(), r.name)
			time.Sleep(300 * time.Millisecond)
			if err := r.start(); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	p := f.waitDrained(len(s.events))
	t.Logf("%5.1fs drained: %s", time.Since(f.started).Seconds(), p)

	st := f.sim.Stats()
	unauthorized := st.Family(zoom.FamilyMain).Unauthorized + st.Family(zoom.FamilyPhone).Unauthorized
	t.Logf("strict tokens: %d tokens issued, %d answers 401", st.TokensIssued, unauthorized)
	if unauthorized > 3 {
		t.Errorf("%d API calls answered 401 (invalid token): a storm of token refreshes; want at most 3. %s", unauthorized, f.tokenStory())
	}
	if st.TokensIssued > 3 {
		t.Errorf("%d tokens issued for one run of %d replicas (one restart); want at most 3. %s", st.TokensIssued, len(f.replicas), f.tokenStory())
	}
	dls := f.deadLetters()
	f.reportDeadLetters(dls)
	f.checkOracle(s, deadIDs(dls))
	f.checkLimits()
	f.checkNo429()
	f.checkExits()
	t.Log(f.statsLine())
	t.Log(f.workerLog())
}

// checkNo429 fails the test when Zoom answered 429 at all.
func (f *fleet) checkNo429() {
	f.t.Helper()
	st := f.sim.Stats()
	for _, fam := range sortedFamilies(f.limits) {
		if n := st.Family(fam).RateLimited; n > 0 {
			f.t.Errorf("%s API: Zoom answered 429 %d times; want none (busiest second: %s)", fam, n, f.busiestSecond(fam))
		}
	}
}

// tokenStory lists the token requests and the first 401s from the
// journal.
func (f *fleet) tokenStory() string {
	var mints, denied []string
	for _, e := range f.sim.Journal() {
		switch {
		case e.Listener == "oauth":
			mints = append(mints, e.Time.Format("15:04:05.000"))
		case e.Status == 401 && len(denied) < 10:
			denied = append(denied, e.Time.Format("15:04:05.000")+" "+e.Method+" "+e.Path)
		}
	}
	return "Token requests at: " + joinShort(mints, 20) + "; first 401s: " + joinShort(denied, 10)
}

func joinShort(s []string, n int) string {
	if len(s) > n {
		return strings.Join(s[:n], ", ") + ", …"
	}
	return strings.Join(s, ", ")
}
