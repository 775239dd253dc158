package consumer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
	"github.com/prometheus/client_golang/prometheus"
)

// reconcileOptions: a hotel whose presence can be read and changed at
// once (no minute between changes), with message management on.
func reconcileOptions() options {
	return options{
		sim: func(c *zoomsim.Config) {
			c.Scopes = append(zoomsim.AllScopes(), zoom.OpGetPresence.Scope)
			c.PresenceInterval = 10 * time.Millisecond
		},
		zoom:   func(c *zoom.Config) { c.PresenceInterval = 10 * time.Millisecond },
		worker: func(c *consumer.Config) { c.MessageManagement = true },
	}
}

// scheduledOptions: reconcileOptions without message management, and the
// fleet's scheduled run every interval.
func scheduledOptions(interval time.Duration) options {
	o := reconcileOptions()
	o.worker = func(c *consumer.Config) { c.Reconcile.Interval = interval }
	return o
}

// reconciler is a reconciler with the worker's settings, unpaced unless
// rates are given.
func (b *bundle) reconciler(rates map[zoom.Family]float64) *consumer.Reconciler {
	b.t.Helper()
	r, err := consumer.NewReconciler(consumer.ReconcileConfig{JetStream: b.js, Zoom: b.zoom,
		Target: b.cfg.Target, NameTemplate: b.cfg.NameTemplate, Department: b.cfg.Department,
		MessageManagement: b.cfg.MessageManagement, Location: b.cfg.Location, Rates: rates})
	if err != nil {
		b.t.Fatal(err)
	}
	return r
}

func (b *bundle) reconcile(opts consumer.ReconcileOptions) consumer.ReconcileReport {
	b.t.Helper()
	rep, err := b.reconciler(nil).Run(b.ctx(), opts)
	if err != nil {
		b.t.Fatal(err)
	}
	return rep
}

// room returns the report of one extension.
func room(t *testing.T, rep consumer.ReconcileReport, ext string) consumer.RoomReport {
	t.Helper()
	for _, r := range rep.Rooms {
		if r.Extension == ext {
			return r
		}
	}
	t.Fatalf("room %s not in the report: %+v", ext, rep.Rooms)
	return consumer.RoomReport{}
}

func (b *bundle) lastSeq() uint64 {
	b.t.Helper()
	s := must[jetstream.Stream](b.t)(b.js.Stream(b.ctx(), schemas.StreamEvents))
	return must[*jetstream.StreamInfo](b.t)(s.Info(b.ctx())).State.LastSeq
}

func (b *bundle) checkIn(ext, first, last string) *producer.Result {
	b.t.Helper()
	return must[*producer.Result](b.t)(b.prod.CheckIn(b.ctx(), ext, schemas.CheckIn{Guest: schemas.Guest{First: first, Last: last}}))
}

// An admin renames an occupied room in Zoom: the reconciler finds it and
// the worker, through a corrective event, shows the guest's name again.
func TestReconcileRepairsRenamedOccupiedRoom(t *testing.T) {
	t.Parallel()
	b := setup(t, reconcileOptions())
	b.start()
	b.finishedAt(b.checkIn("1201", "Ada", "Lovelace"))
	u := b.user(1201)
	if err := b.sim.UpdateUser(u.ID, func(u *zoomsim.User) { u.FirstName, u.DisplayName = "Mallory", "Mallory 1201" }); err != nil {
		t.Fatal(err)
	}

	rep := b.reconcile(consumer.ReconcileOptions{})
	r := room(t, rep, "1201")
	if r.State != consumer.RoomOccupied || r.Action != consumer.ActionRepaired {
		t.Fatalf("room 1201: %+v, want occupied and repaired", r)
	}
	if f := r.Fields(); !slices.Equal(f, []string{consumer.FieldFirstName, consumer.FieldDisplayName}) {
		t.Errorf("differences %v, want first and display name", f)
	}
	b.finished()
	u = b.user(1201)
	if u.FirstName != "Ada" || u.LastName != "Lovelace 1201" || u.DisplayName != "Ada Lovelace 1201" {
		t.Errorf("after the repair Zoom shows %q %q %q", u.FirstName, u.LastName, u.DisplayName)
	}
	// The corrective event changed the stay in nothing; a second run finds
	// the room in order.
	if r := room(t, b.reconcile(consumer.ReconcileOptions{}), "1201"); r.Action != consumer.ActionOK {
		t.Errorf("second run: %+v, want ok", r)
	}
}

// A room checked out, then given a guest's name, do-not-disturb, a
// renamed desk phone and voicemail behind pbxlink's back: the reconciler
// finds every one and the room ends with the extension alone, nothing
// else.
func TestReconcileCleansCheckedOutRoom(t *testing.T) {
	t.Parallel()
	b := setup(t, reconcileOptions())
	b.start()
	b.checkIn("1202", "Ada", "Lovelace")
	b.finishedAt(must[*producer.Result](t)(b.prod.CheckOut(b.ctx(), "1202", schemas.CheckOut{})))
	u := b.user(1202)
	if u.FirstName != "1202" || len(b.sim.Voicemails(u.ID)) != 0 {
		t.Fatalf("after the check-out: %q, %d voicemails", u.FirstName, len(b.sim.Voicemails(u.ID)))
	}
	err := b.sim.UpdateUser(u.ID, func(u *zoomsim.User) {
		u.FirstName, u.LastName, u.DisplayName, u.Presence = "Ada", "Lovelace 1202", "Ada Lovelace 1202", "Do_Not_Disturb"
	})
	if err != nil {
		t.Fatal(err)
	}
	phone := b.sim.DevicesOf(u.ID)[0]
	if _, err := b.sim.AddVoicemail(u.ID, zoomsim.Voicemail{CallerName: "Bob"}); err != nil {
		t.Fatal(err)
	}
	renamePhone(t, b, phone.ID, "Ada Lovelace 1202")

	rep := b.reconcile(consumer.ReconcileOptions{})
	r := room(t, rep, "1202")
	if r.State != consumer.RoomVacant || r.Action != consumer.ActionRepaired {
		t.Fatalf("room 1202: %+v, want vacant and repaired", r)
	}
	for _, f := range []string{consumer.FieldFirstName, consumer.FieldLastName, consumer.FieldDisplayName,
		consumer.FieldDeskPhone, consumer.FieldDND, consumer.FieldVoicemail} {
		if !slices.Contains(r.Fields(), f) {
			t.Errorf("differences %v lack %s", r.Fields(), f)
		}
	}
	b.finished()
	u = b.user(1202)
	p, _ := b.sim.Presence(u.ID)
	d, _ := b.sim.Device(phone.ID)
	if u.FirstName != "1202" || u.LastName != "1202" || u.DisplayName != "1202" || d.DisplayName != "1202" ||
		p.Status != "Available" || len(b.sim.Voicemails(u.ID)) != 0 {
		t.Errorf("after the repair: %q %q %q, phone %q, presence %s, %d voicemails",
			u.FirstName, u.LastName, u.DisplayName, d.DisplayName, p.Status, len(b.sim.Voicemails(u.ID)))
	}
	// Nothing of the guest went into the corrective event.
	s := must[jetstream.Stream](t)(b.js.Stream(b.ctx(), schemas.StreamEvents))
	m := must[*jetstream.RawStreamMsg](t)(s.GetMsg(b.ctx(), r.EventSeq))
	if m.Subject != "pbxlink.ext.1202.checkout" || strings.Contains(string(m.Data), "Ada") || strings.Contains(string(m.Data), "Lovelace") {
		t.Errorf("corrective event %s: %s", m.Subject, m.Data)
	}
	if r := room(t, b.reconcile(consumer.ReconcileOptions{}), "1202"); r.Action != consumer.ActionOK {
		t.Errorf("second run: %+v, want ok", r)
	}
}

// renamePhone renames a desk phone in the simulator as an admin would.
func renamePhone(t *testing.T, b *bundle, id, name string) {
	t.Helper()
	if err := b.zoom.UpdateDeviceName(b.ctx(), id, name); err != nil {
		t.Fatal(err)
	}
}

// Rooms the worker set find nothing to repair, whatever the department
// setting and template: the reconciler computes what the worker sets.
func TestReconcileFindsNothingAfterEvents(t *testing.T) {
	t.Parallel()
	o := reconcileOptions()
	o.worker = func(c *consumer.Config) {
		c.MessageManagement = true
		c.Department = consumer.DeptState
		c.NameTemplate = "${title} ${first} ${last} ${room_id} ${extension}"
		c.Location = time.UTC
	}
	b := setup(t, o)
	b.start()
	b.checkIn("1201", "Ada", "Lovelace")
	b.checkIn("1202", "Grace", "Hopper")
	must[*producer.Result](t)(b.prod.CheckOut(b.ctx(), "1202", schemas.CheckOut{Mailbox: &schemas.Mailbox{RoomID: "R-12"}}))
	b.checkIn("1203", "Alan", "Turing")
	must[*producer.Result](t)(b.prod.GuestChange(b.ctx(), "1203", schemas.GuestChange{Guest: &schemas.GuestPatch{Title: ptr("Dr")}}))
	must[*producer.Result](t)(b.prod.DND(b.ctx(), "1203", true))
	b.finished()
	writes := []zoom.Operation{zoom.OpUpdateUser, zoom.OpUpdateDevice, zoom.OpSetPresence, zoom.OpDeleteVoicemail}
	before, last := b.zoomCalls(writes...), b.lastSeq()
	rep := b.reconcile(consumer.ReconcileOptions{})
	if len(rep.Rooms) != 3 {
		t.Fatalf("rooms %+v, want 1201-1203", rep.Rooms)
	}
	for _, r := range rep.Rooms {
		if r.Action != consumer.ActionOK {
			t.Errorf("room %s: %s, differences %+v", r.Extension, r.Action, r.Differences)
		}
	}
	// The reconciler writes Zoom only through corrective events: none was
	// published, and once every event is finished nothing else can write.
	if got := b.lastSeq(); got != last {
		t.Errorf("the run published %d corrective events, want none", got-last)
	}
	b.finished()
	if n := b.zoomCalls(writes...); n != before {
		t.Errorf("Zoom got %d writes after the run, want none", n-before)
	}
}

// A dry run reports the difference and changes nothing: not Zoom, not the
// state, not the stream.
func TestReconcileDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, reconcileOptions())
	b.start()
	b.finishedAt(b.checkIn("1201", "Ada", "Lovelace"))
	u := b.user(1201)
	if err := b.sim.UpdateUser(u.ID, func(u *zoomsim.User) { u.LastName = "Mallory" }); err != nil {
		t.Fatal(err)
	}
	kv := must[jetstream.KeyValue](t)(b.js.KeyValue(b.ctx(), broker.BucketState))
	before := must[jetstream.KeyValueEntry](t)(kv.Get(b.ctx(), "ext.1201")).Revision()
	last := b.lastSeq()

	r := room(t, b.reconcile(consumer.ReconcileOptions{DryRun: true}), "1201")
	if r.Action != consumer.ActionWouldRepair || !slices.Equal(r.Fields(), []string{consumer.FieldLastName}) {
		t.Fatalf("room 1201: %+v, want would repair last name", r)
	}
	if got := b.lastSeq(); got != last {
		t.Errorf("a dry run published: stream at %d, was %d", got, last)
	}
	if got := must[jetstream.KeyValueEntry](t)(kv.Get(b.ctx(), "ext.1201")).Revision(); got != before {
		t.Errorf("a dry run wrote the state: revision %d, was %d", got, before)
	}
	b.finished() // nothing was published, so nothing is left to write to Zoom
	if u := b.user(1201); u.LastName != "Mallory" {
		t.Errorf("a dry run changed Zoom: %q", u.LastName)
	}
}

// A room with a newer event queued is not raced: the reconciler neither
// writes its state nor publishes; the queued event goes first.
func TestReconcileLeavesRoomWithEventInFlight(t *testing.T) {
	t.Parallel()
	b := setup(t, reconcileOptions())
	w := b.start()
	b.finishedAt(b.checkIn("1201", "Ada", "Lovelace"))
	b.stop(w) // the next event stays queued
	u := b.user(1201)
	if err := b.sim.UpdateUser(u.ID, func(u *zoomsim.User) { u.FirstName = "Mallory" }); err != nil {
		t.Fatal(err)
	}
	must[*producer.Result](t)(b.prod.CheckOut(b.ctx(), "1201", schemas.CheckOut{}))
	kv := must[jetstream.KeyValue](t)(b.js.KeyValue(b.ctx(), broker.BucketState))
	before := must[jetstream.KeyValueEntry](t)(kv.Get(b.ctx(), "ext.1201")).Revision()
	last := b.lastSeq()

	r := room(t, b.reconcile(consumer.ReconcileOptions{}), "1201")
	if r.Action != consumer.ActionInFlight {
		t.Fatalf("room 1201: %+v, want in flight", r)
	}
	if got := b.lastSeq(); got != last {
		t.Errorf("published behind a queued event: stream at %d, was %d", got, last)
	}
	if got := must[jetstream.KeyValueEntry](t)(kv.Get(b.ctx(), "ext.1201")).Revision(); got != before {
		t.Errorf("wrote the state of a room with an event in flight")
	}
}

// The scheduled run: one replica of the fleet reconciles once the
// interval has passed, and counts what it did.
func TestReconcileScheduled(t *testing.T) {
	t.Parallel()
	b := setup(t, scheduledOptions(300*time.Millisecond))
	b.start()
	b.finishedAt(b.checkIn("1201", "Ada", "Lovelace"))
	u := b.user(1201)
	if err := b.sim.UpdateUser(u.ID, func(u *zoomsim.User) { u.FirstName = "Mallory" }); err != nil {
		t.Fatal(err)
	}
	b.eventually("the scheduled run to repair the name", func() (bool, string) {
		u := b.user(1201)
		return u.FirstName == "Ada", u.FirstName
	})
	b.eventually("the metrics", func() (bool, string) {
		n := gathered(b.reg, "pbxlink_reconcile_repairs_total")
		return n >= 1 && gathered(b.reg, "pbxlink_reconcile_last_run_timestamp_seconds") > 0, fmt.Sprint("repairs ", n)
	})
}

// gathered is the sum of a metric's series in reg.
func gathered(reg *prometheus.Registry, name string) float64 {
	mfs, _ := reg.Gather()
	v := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				v += m.GetCounter().GetValue() + m.GetGauge().GetValue()
			}
		}
	}
	return v
}

// The reconciler paces its own calls: no second holds more calls of a
// family than its rate, and the run takes as long as the pace says.
func TestReconcileStaysWithinItsShare(t *testing.T) {
	t.Parallel()
	b := setup(t, reconcileOptions())
	b.start()
	exts := []string{"1201", "1202", "1203", "1204", "1205"}
	for _, x := range exts {
		b.checkIn(x, "Ada", "Lovelace")
		must[*producer.Result](t)(b.prod.CheckOut(b.ctx(), x, schemas.CheckOut{}))
	}
	b.finished()
	b.sim.ResetJournal()
	const rate = 8.0
	rates := map[zoom.Family]float64{zoom.FamilyMain: rate, zoom.FamilyPhone: rate}
	rep, err := b.reconciler(rates).Run(context.Background(), consumer.ReconcileOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	byFamily := map[zoom.Family][]time.Time{}
	for _, e := range b.sim.Journal() {
		if e.Listener != "api" {
			continue
		}
		for _, op := range zoom.Operations() {
			if op.ID == e.OperationID {
				byFamily[op.Family] = append(byFamily[op.Family], e.Time)
			}
		}
	}
	for f, times := range byFamily {
		if len(times) != rep.Calls[f] {
			t.Errorf("%s: the report counts %d calls, Zoom saw %d", f, rep.Calls[f], len(times))
		}
		for i := range times {
			// Calls i..j within one second: at most rate of them, and one
			// more for the first call, which waits for nothing.
			j := i
			for j < len(times) && times[j].Sub(times[i]) < time.Second {
				j++
			}
			if j-i > int(rate)+1 {
				t.Errorf("%s: %d calls within a second from call %d, rate %v", f, j-i, i, rate)
			}
		}
		if n := len(times); n > 1 {
			if min := time.Duration(float64(n-1) / rate * 0.9 * float64(time.Second)); times[n-1].Sub(times[0]) < min {
				t.Errorf("%s: %d calls in %v, want at least %v", f, n, times[n-1].Sub(times[0]), min)
			}
		}
	}
	if rep.Calls[zoom.FamilyMain] < 6 || rep.Calls[zoom.FamilyPhone] < 8 {
		t.Errorf("calls %v: want the lists, a presence read and a voicemail list per room", rep.Calls)
	}
}

// A fleet upgraded from a version that kept the last run's time in the
// lease record keeps its schedule: the time moves to reconcile.last, and
// no run comes before it is due.
func TestReconcileScheduleKeepsAnOlderVersionsLastRun(t *testing.T) {
	t.Parallel()
	b := setup(t, scheduledOptions(500*time.Millisecond))
	kv := must[jetstream.KeyValue](t)(b.js.CreateOrUpdateKeyValue(b.ctx(), broker.FleetBucketConfig(broker.Topology{})))
	last := time.Now().Add(time.Hour).UTC().Truncate(time.Second) // not due for an hour
	old := fmt.Sprintf(`{"holder":"old-replica","until":%q,"last":%q}`,
		time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), last.Format(time.RFC3339))
	must[uint64](t)(kv.Put(b.ctx(), "reconcile.lease", []byte(old)))
	looks := b.countRequests("$JS.API.DIRECT.GET.KV_" + broker.BucketFleet + ".$KV." + broker.BucketFleet + ".reconcile.last")
	b.start()
	b.eventually("reconcile.last to carry the older version's last run", func() (bool, string) {
		e, err := kv.Get(b.ctx(), "reconcile.last")
		if err != nil {
			return false, err.Error()
		}
		var v struct {
			Last time.Time `json:"last"`
		}
		return json.Unmarshal(e.Value(), &v) == nil && v.Last.Equal(last), string(e.Value())
	})
	// Every look of the schedule reads reconcile.last: let it look twice a
	// reconcile interval's worth (the schedule looks every tenth of one).
	seen := looks.Load()
	b.eventually("the schedule to look at reconcile.last 20 times more", func() (bool, string) {
		n := looks.Load()
		return n >= seen+20, fmt.Sprint(n-seen, " looks")
	})
	if n := gathered(b.reg, "pbxlink_reconcile_last_run_timestamp_seconds"); n != 0 {
		t.Fatalf("a run came before the last one's interval was over (last run at %v)", n)
	}
}

// countRequests counts the requests published on subject (a JetStream API
// subject: what the workers ask of NATS) from now until the test ends.
func (b *bundle) countRequests(subject string) *atomic.Int64 {
	b.t.Helper()
	var n atomic.Int64
	sub, err := b.nc.Subscribe(subject, func(*nats.Msg) { n.Add(1) })
	if err != nil {
		b.t.Fatalf("subscribe to %s: %v", subject, err)
	}
	b.t.Cleanup(func() { _ = sub.Unsubscribe() })
	if err := b.nc.Flush(); err != nil {
		b.t.Fatal(err)
	}
	return &n
}
