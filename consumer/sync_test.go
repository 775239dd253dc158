package consumer_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/zoom"
)

// TestScheduledSyncOncePerFleet: two replicas on a schedule slot load the
// directory from Zoom once between them (the other imports the snapshot),
// and the fleet bucket tells when and how the last sync went.
func TestScheduledSyncOncePerFleet(t *testing.T) {
	t.Parallel()
	start := time.Now()
	base := time.Date(2026, 11, 30, 2, 59, 58, 0, time.UTC) // two seconds before the slot
	sched, err := consumer.ParseSchedule("daily 03:00")
	if err != nil {
		t.Fatal(err)
	}
	b := setup(t, options{worker: func(c *consumer.Config) {
		c.Now = func() time.Time { return base.Add(time.Since(start)) }
		c.Location = time.UTC
		c.SyncSchedule = sched
		c.Secret = "sim-secret-for-snapshots"
	}})
	first := b.start()
	second := must[*consumer.Worker](t)(consumer.New(b.cfg))
	if err := second.Start(b.ctx()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.stop(second) })
	loads := func() int { return b.zoomCalls(zoom.OpListPhoneUsers) }
	before := loads()
	if before < 1 {
		t.Fatalf("no start-up load (%d)", before)
	}
	// Both replicas are done with the slot once each directory is from at
	// or after 03:00 (loaded, or imported from the fleet's snapshot): a
	// second load would have been made by then.
	slot := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)
	b.eventually("both replicas' directories from the slot", func() (bool, string) {
		a, c := first.DirectoryLoadedAt(), second.DirectoryLoadedAt()
		return !a.Before(slot) && !c.Before(slot), fmt.Sprintf("loaded at %s and %s", a.Format(time.TimeOnly), c.Format(time.TimeOnly))
	})
	if n := loads() - before; n != 1 {
		t.Fatalf("%d directory loads at the slot, want 1 for the fleet", n)
	}
	kv := must[jetstream.KeyValue](t)(b.js.KeyValue(b.ctx(), broker.BucketFleet))
	e := must[jetstream.KeyValueEntry](t)(kv.Get(b.ctx(), "directory.sync"))
	var st consumer.SyncStatus
	if err := json.Unmarshal(e.Value(), &st); err != nil {
		t.Fatal(err)
	}
	if st.Outcome != "ok" || st.Extensions != 5 || st.LastSuccess.Before(time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)) {
		t.Fatalf("directory.sync = %+v, want an ok sync of 5 extensions at or after 03:00", st)
	}
}
