package app

import (
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestCallRecordsPausedWithTheFleet: while the fleet's Zoom work is
// paused (here: de-authorized), the call-record poller reads nothing from
// Zoom, though a read falls due.
func TestCallRecordsPausedWithTheFleet(t *testing.T) {
	sim := startSim(t, 2, func(c *zoomsim.Config) { c.Plan = zoom.PlanBusiness })
	cfg := testConfig(t, sim)
	cfg.Zoom.Plan = string(zoom.PlanBusiness)
	// The shortest interval whose day of reads fits Business's daily cap.
	interval := 3 * time.Second
	cfg.Calls = CallRecordsConfig{Enabled: true, Interval: interval, DailyShare: 1, LeaseTTL: 600 * time.Millisecond}
	a := startApp(t, cfg)
	reads := func(after time.Time) int {
		n := 0
		for _, e := range sim.Journal() {
			if e.OperationID == zoom.OpListCallHistory.ID && e.Time.After(after) {
				n++
			}
		}
		return n
	}
	// The first read catches up a day in windows of six hours: wait until
	// it has ended (no request for half a second).
	last, lastChange := -1, time.Now()
	testenv.WaitFor(t, 10*time.Second, "the first read of the call history", func() (bool, string) {
		if n := reads(time.Time{}); n != last {
			last, lastChange = n, time.Now()
		}
		return last > 0 && time.Since(lastChange) > 500*time.Millisecond, "reading"
	})
	if err := a.Worker().Deauthorize(testenv.Ctx(t), "test: the app was removed"); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	time.Sleep(interval + time.Second)
	if n := reads(paused); n > 0 {
		t.Errorf("%d reads of the call history while the fleet was paused", n)
	}
}
