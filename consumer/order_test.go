package consumer_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// writeLog records the name writes that reached Zoom, in the order Zoom
// answered them, from every replica of a test.
type writeLog struct {
	mu     sync.Mutex
	writes []write
}

type write struct {
	target, name string
}

func (l *writeLog) add(target, name string) {
	l.mu.Lock()
	l.writes = append(l.writes, write{target, name})
	l.mu.Unlock()
}

func (l *writeLog) all() []write {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]write(nil), l.writes...)
}

// recording is a Zoom that logs every successful user and desk-phone name
// write.
type recording struct {
	consumer.Zoom
	log *writeLog
}

func (r recording) UpdateUser(ctx context.Context, id string, u zoom.UserUpdate) error {
	err := r.Zoom.UpdateUser(ctx, id, u)
	if err == nil {
		r.log.add("user "+id, u.DisplayName)
	}
	return err
}

func (r recording) UpdateDeviceName(ctx context.Context, id, name string) error {
	err := r.Zoom.UpdateDeviceName(ctx, id, name)
	if err == nil {
		r.log.add("phone "+id, name)
	}
	return err
}

// TestBacklogEachEventWrittenOnceInOrder: three replicas share a backlog
// under the fleet's shared rate limit, slow enough that events wait longer
// than the consumer's ack wait. No event is written to Zoom twice, and no
// room's user or desk phone ever goes back to an older event's name.
func TestBacklogEachEventWrittenOnceInOrder(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a backlog under a slow rate limit takes about 20 s")
	}
	const rooms, perRoom = 12, 4
	b := setup(t, options{sim: func(c *zoomsim.Config) {
		c.Seed = &zoomsim.Seed{Rooms: rooms, FirstExtension: 1201, PhonesPerRoom: 1}
	}})
	topo := broker.Topology{AckWait: 2 * time.Second}
	p := must[*broker.Provisioned](t)(broker.Provision(b.ctx(), b.js, topo))
	limiter := fleet.NewLimiter(p.Fleet, zoom.LimiterConfig{Limits: map[zoom.Bucket]zoom.Limit{
		{Family: zoom.FamilyMain, Category: zoom.Medium}:  {Count: 5, Per: time.Second},
		{Family: zoom.FamilyPhone, Category: zoom.Medium}: {Count: 5, Per: time.Second},
	}})
	var log writeLog
	// The backlog is there before any replica starts.
	want := map[string][]string{} // extension → names in publish order
	for i := range perRoom {
		for r := range rooms {
			ext := strconv.Itoa(1201 + r)
			last := fmt.Sprintf("G%d", i)
			must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), ext, schemas.CheckIn{Guest: schemas.Guest{Last: last}}))
			want[ext] = append(want[ext], last+" "+ext)
		}
	}
	for range 3 {
		cfg := b.cfg
		cfg.Topology = topo
		zc := must[*zoom.Client](t)(zoom.New(zoom.Config{URL: b.sim.OAuthURL(), AccountID: b.sim.Config().AccountID,
			ClientID: b.sim.Config().ClientID, ClientSecret: b.sim.Config().ClientSecret, Limiter: limiter}))
		cfg.Zoom = recording{Zoom: zc, log: &log}
		w := must[*consumer.Worker](t)(consumer.New(cfg))
		if err := w.Start(b.ctx()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.stop(w) })
	}
	b.finishedWithin(90 * time.Second)

	// Per target, the names written must follow publish order, each once.
	targetExt := map[string]string{}
	for r := range rooms {
		ext := int64(1201 + r)
		u := b.user(ext)
		targetExt["user "+u.ID] = strconv.FormatInt(ext, 10)
		for _, d := range b.sim.DevicesOf(u.ID) {
			targetExt["phone "+d.ID] = strconv.FormatInt(ext, 10)
		}
	}
	pos := map[string]int{}
	seen := map[write]bool{}
	for _, w := range log.all() {
		if seen[w] {
			t.Errorf("%s: %q written twice", w.target, w.name)
		}
		seen[w] = true
		names := want[targetExt[w.target]]
		i := pos[w.target]
		for i < len(names) && names[i] != w.name {
			i++
		}
		if i == len(names) {
			t.Errorf("%s: %q written after %q: an older event's name landed last", w.target, w.name, names[pos[w.target]])
			continue
		}
		pos[w.target] = i
	}
	for r := range rooms {
		ext := strconv.Itoa(1201 + r)
		if got, w := b.user(int64(1201+r)).DisplayName, want[ext][perRoom-1]; got != w {
			t.Errorf("%s shows %q, want %q", ext, got, w)
		}
	}
}

// TestFutureTimeDoesNotPoisonTheRoom: a check-in stamped hours ahead (a PMS
// sending local time with a Z) does not make the room's later events look
// stale; order is the stream's. One stamped more than a day after it was
// stored is dead-lettered as a bad event and blocks nothing.
func TestFutureTimeDoesNotPoisonTheRoom(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	b.start()
	must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1201", schemas.CheckIn{Guest: schemas.Guest{Last: "Ahead"}},
		producer.WithTime(time.Now().Add(5*time.Hour))))
	must[*producer.Result](t)(b.prod.CheckOut(b.ctx(), "1201", schemas.CheckOut{}))
	must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1201", schemas.CheckIn{Guest: schemas.Guest{Last: "Next"}}))
	must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1202", schemas.CheckIn{Guest: schemas.Guest{Last: "Clock"}},
		producer.WithTime(time.Now().Add(30*time.Hour))))
	res := must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1202", schemas.CheckIn{Guest: schemas.Guest{Last: "After"}}))
	b.finishedAt(res)
	if got := b.user(1201).DisplayName; got != "Next 1201" {
		t.Errorf("1201 shows %q, want the last check-in's name", got)
	}
	if got := b.user(1202).DisplayName; got != "After 1202" {
		t.Errorf("1202 shows %q, want the event after the bad one", got)
	}
	dl := b.deadLetters()
	if len(dl) != 1 {
		t.Fatalf("%d dead letters, want 1", len(dl))
	}
	checkDeadLetter(t, dl[0], "pbxlink.ext.1202.checkin", "1", "more than 24 h")
}

// TestReplayOlderThanTheRoomIsSkipped: a dead letter replayed with its
// Pbxlink-* headers after a newer event of its room was applied is
// skipped; one replayed while it is still the newest is applied.
func TestReplayOlderThanTheRoomIsSkipped(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	b.start()
	replay := func(last string, origSeq uint64) *jetstream.PubAck {
		ev := schemas.Event{SpecVersion: "1.0", ID: "replay-" + last, Source: "pms/test", Type: "pbxlink.checkin",
			Time: time.Now().UTC(), Subject: "1203", DataContentType: "application/json",
			Data: []byte(`{"guest":{"last":"` + last + `"}}`)}
		data := must[[]byte](t)(schemas.Marshal(ev))
		m := nats.NewMsg("pbxlink.ext.1203.checkin")
		m.Data = data
		m.Header.Set(schemas.HeaderMsgID, "replay-"+last)
		m.Header.Set(schemas.HeaderOriginalSubject, "pbxlink.ext.1203.checkin")
		m.Header.Set(schemas.HeaderOriginalSeq, strconv.FormatUint(origSeq, 10))
		m.Header.Set(schemas.HeaderAttempts, "3")
		m.Header.Set(schemas.HeaderError, "gave up after 3 attempts")
		return must[*jetstream.PubAck](t)(b.js.PublishMsg(b.ctx(), m))
	}
	first := must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1203", schemas.CheckIn{Guest: schemas.Guest{Last: "Older"}}))
	b.finishedAt(first)
	newer := must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1203", schemas.CheckIn{Guest: schemas.Guest{Last: "Newer"}}))
	b.finishedAt(newer)
	ack := replay("Stale", first.Ack.Sequence)
	b.finishedSeq(ack.Sequence)
	if got := b.user(1203).DisplayName; got != "Newer 1203" {
		t.Fatalf("1203 shows %q: the replay of an older event overwrote a newer one", got)
	}
	ack = replay("Fresh", ack.Sequence+100)
	b.finishedSeq(ack.Sequence)
	if got := b.user(1203).DisplayName; got != "Fresh 1203" {
		t.Fatalf("1203 shows %q: a replay newer than the room's state must apply", got)
	}
}

// TestRecreatedStreamRefusesToStart: PBXLINK_EVENTS deleted and created
// again restarts its sequences; under the surviving state every new event
// would look finished. The worker refuses to start and says how to reset.
func TestRecreatedStreamRefusesToStart(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	w := b.start()
	res := must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1204", schemas.CheckIn{Guest: schemas.Guest{Last: "Before"}}))
	b.finishedAt(res)
	b.stop(w)
	if err := b.js.DeleteStream(b.ctx(), schemas.StreamEvents); err != nil {
		t.Fatal(err)
	}
	w2 := must[*consumer.Worker](t)(consumer.New(b.cfg))
	err := w2.Start(b.ctx())
	if err == nil {
		b.stop(w2)
		t.Fatal("the worker started on a recreated stream under the old state")
	}
	if !errors.Is(err, consumer.ErrStreamRecreated) || !containsAll(err.Error(), "nats kv del", broker.BucketState) {
		t.Fatalf("error %q: want ErrStreamRecreated with how to reset", err)
	}
}

// TestBlockedRoomDelaysOnlyItself: one room's head keeps failing (its
// retries are far apart) while events for it keep coming; fifty other
// rooms' events still flow at once, on a consumer whose in-flight window
// is small.
func TestBlockedRoomDelaysOnlyItself(t *testing.T) {
	t.Parallel()
	b := setup(t, options{
		sim: func(c *zoomsim.Config) {
			c.Seed = &zoomsim.Seed{Rooms: 51, FirstExtension: 1201, PhonesPerRoom: 1}
		},
		worker: func(c *consumer.Config) {
			c.RetryInterval = time.Hour
			c.Topology.MaxAckPending = 40
		},
	})
	b.cfg.Zoom = failing{Zoom: b.cfg.Zoom, user: b.user(1201).ID}
	b.start()
	for i := range 20 {
		must[*producer.Result](t)(b.prod.GuestChange(b.ctx(), "1201", schemas.GuestChange{Guest: &schemas.GuestPatch{Last: ptr(fmt.Sprint("Flood", i))}}))
	}
	for r := 1; r <= 50; r++ {
		must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), strconv.Itoa(1201+r), schemas.CheckIn{Guest: schemas.Guest{Last: "Flow"}}))
	}
	b.eventually("every other room applied", func() (bool, string) {
		n := 0
		for r := 1; r <= 50; r++ {
			if b.user(int64(1201+r)).DisplayName == "Flow "+strconv.Itoa(1201+r) {
				n++
			}
		}
		return n == 50, fmt.Sprintf("%d of 50 applied", n)
	})
}

// failing is a Zoom on which every name change of one user fails as a
// network failure would.
type failing struct {
	consumer.Zoom
	user string
}

func (f failing) UpdateUser(ctx context.Context, id string, u zoom.UserUpdate) error {
	if id == f.user {
		return &zoom.TransportError{Op: zoom.OpUpdateUser.ID, Err: errors.New("connection reset")}
	}
	return f.Zoom.UpdateUser(ctx, id, u)
}

// TestOrderReadsGoToTheLeader: the two reads that decide order (the next
// event of an extension, the state record's current revision) never use a
// direct get, which a lagging follower of an R3 stream may answer from old
// facts. A plain subscriber sees every direct-get request on the account.
func TestOrderReadsGoToTheLeader(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	sub := must[*nats.Subscription](t)(b.nc.SubscribeSync("$JS.API.DIRECT.GET.>"))
	b.start()
	var last *producer.Result
	for i := range 6 {
		last = must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1205", schemas.CheckIn{Guest: schemas.Guest{Last: fmt.Sprint("Leader", i)}}))
	}
	b.finishedAt(last)
	for {
		m, err := sub.NextMsg(100 * time.Millisecond)
		if err != nil {
			break
		}
		if strings.Contains(m.Subject, schemas.StreamEvents) || strings.Contains(m.Subject, "KV_"+broker.BucketState) {
			t.Errorf("a direct get decided order: %s %s", m.Subject, m.Data)
		}
	}
}
