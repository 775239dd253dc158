package fias_test

import (
	"context"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/fias"
	"github.com/pbxlink/pbxlink/internal/fias/pms"
	"github.com/pbxlink/pbxlink/schemas"
)

// chanSource is a PostingSource fed by the test.
type chanSource struct {
	ch   chan fias.Posting
	mu   sync.Mutex
	done []string
}

func (c *chanSource) Next(ctx context.Context) (fias.Posting, error) {
	select {
	case p := <-c.ch:
		return p, nil
	case <-ctx.Done():
		return fias.Posting{}, ctx.Err()
	}
}

func (c *chanSource) Done(_ context.Context, p fias.Posting) error {
	c.mu.Lock()
	c.done = append(c.done, p.ID)
	c.mu.Unlock()
	return nil
}

// TestPostingsOneAtATime: call charges go out as PS one at a time, each
// waiting for its PA; a link broken before a PA makes pbxlink send that
// posting again under the same number after the reconnect, so the PMS
// books every call once.
func TestPostingsOneAtATime(t *testing.T) {
	ns := startNATS(t)
	p := startPMS(t, pms.Config{PADelay: 150 * time.Millisecond, DropAtPS: 2})
	src := &chanSource{ch: make(chan fias.Posting, 10)}
	startReplica(t, ns, "a", func(c *fias.Config) {
		c.Address, c.Postings, c.Location = p.Addr(), src, time.UTC
	})
	start := time.Date(2026, 11, 30, 12, 34, 56, 0, time.UTC)
	for i := range 5 {
		src.ch <- fias.Posting{ID: "call-" + itoa(i+1), Extension: itoa(101 + i), Dialled: "+49 89 123", Start: start, Duration: 225 * time.Second}
	}
	waitFor(t, 20*time.Second, "5 postings answered", func() bool {
		src.mu.Lock()
		defer src.mu.Unlock()
		return len(src.done) == 5
	})
	got := p.Postings()
	if len(got) != 5 {
		t.Fatalf("PMS booked %d postings, want 5: %+v", len(got), got)
	}
	var nums []string
	for i, ps := range got {
		if ps.Room != itoa(101+i) || ps.Type != "T" || ps.Dialled != "004989123" || ps.Duration != "000345" || ps.Date != "261130" || ps.Time != "123456" {
			t.Errorf("posting %d: %+v", i, ps)
		}
		nums = append(nums, ps.Number)
	}
	slices.Sort(nums)
	if len(slices.Compact(nums)) != 5 {
		t.Errorf("posting numbers %v are not distinct", nums)
	}
	st := p.Stats()
	if st.MaxPostingsInFlight != 1 {
		t.Errorf("at most %d postings in flight, want 1", st.MaxPostingsInFlight)
	}
	if st.PostingResends != 1 || st.Links < 2 {
		t.Errorf("stats %+v: want one resend after one broken link", st)
	}
}

// TestResyncVacatesUnnamed: a PMS database swap that does not name a room
// checks that room out.
func TestResyncVacatesUnnamed(t *testing.T) {
	ns := startNATS(t)
	p := startPMS(t, pms.Config{})
	startReplica(t, ns, "a", func(c *fias.Config) { c.Address = p.Addr() })
	for i, room := range []string{"101", "102", "103"} {
		p.CheckIn(room, pms.Guest{Reservation: itoa(10 + i), Last: "Doe", First: "J"})
	}
	waitDelivered(t, p, 10*time.Second)
	p.Forget("102") // the PMS lost its record of it: the swap will not name it
	p.Swap()
	waitDelivered(t, p, 10*time.Second)
	_, js := connect(t, ns)
	views, problems, _ := fold(t, js)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if views["102"].Occupied || !views["101"].Occupied || !views["103"].Occupied {
		t.Fatalf("after the swap: 101 %v, 102 %v, 103 %v; want 102 vacant only", views["101"], views["102"], views["103"])
	}
	compareView(t, p, views)
}

// TestDROnlyOnLostState: the first link without any stored state asks for
// a swap; a restart with its state kept does not.
func TestDROnlyOnLostState(t *testing.T) {
	ns := startNATS(t)
	p := startPMS(t, pms.Config{})
	p.CheckIn("101", pms.Guest{Reservation: "1", Last: "Doe"})
	r := startReplica(t, ns, "a", func(c *fias.Config) { c.Address = p.Addr() })
	waitDelivered(t, p, 10*time.Second)
	waitFor(t, 5*time.Second, "the swap", func() bool { return p.Stats().Swaps == 1 })
	waitDelivered(t, p, 10*time.Second)
	r.stop()
	startReplica(t, ns, "b", func(c *fias.Config) { c.Address = p.Addr() })
	waitFor(t, 10*time.Second, "a second link", func() bool { return p.Stats().Links == 2 })
	p.CheckIn("102", pms.Guest{Reservation: "2", Last: "Roe"})
	waitDelivered(t, p, 10*time.Second)
	if st := p.Stats(); st.DRs != 1 {
		t.Fatalf("DR sent %d times, want once (the first link, no state)", st.DRs)
	}
}

// TestSendsLSAfterSilence: a PMS that does not start the link gets an LS
// from pbxlink after ListenLS, and an LS of its own is answered with LD,
// the LRs and LA.
func TestSendsLSAfterSilence(t *testing.T) {
	ns := startNATS(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	startReplica(t, ns, "a", func(c *fias.Config) { c.Address = ln.Addr().String(); c.ListenLS = 300 * time.Millisecond })
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	accepted := time.Now()
	read := recordReader(conn)
	first := read()
	if first.ID != "LS" {
		t.Fatalf("first record %s, want LS", first)
	}
	if waited := time.Since(accepted); waited < 250*time.Millisecond {
		t.Fatalf("LS after %s, want after about ListenLS", waited)
	}
	for round := range 2 {
		_, _ = conn.Write(fias.Latin1.Frame(fias.NewRecord("LS", "DA", "261130", "TI", "120000")))
		var ids []string
		for {
			r := read()
			if r.ID == "DR" { // no state yet: the first live link asks for a swap
				continue
			}
			ids = append(ids, r.ID)
			if r.ID == "LA" {
				break
			}
		}
		if want := 2 + len(fias.LinkRecords); len(ids) != want || ids[0] != "LD" {
			t.Fatalf("round %d: answer to LS %v, want LD, %d LR, LA", round, ids, len(fias.LinkRecords))
		}
		_, _ = conn.Write(fias.Latin1.Frame(fias.NewRecord("LA")))
	}
}

func recordReader(c net.Conn) func() fias.Record {
	var sc fias.Scanner
	var queue [][]byte
	buf := make([]byte, 1024)
	return func() fias.Record {
		for len(queue) == 0 {
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err := c.Read(buf)
			if err != nil {
				panic(err)
			}
			queue = append(queue, sc.Feed(buf[:n])...)
		}
		r, _ := fias.ParseRecord(string(queue[0]))
		queue = queue[1:]
		return r
	}
}

// TestPostingsFromCallRecords: outgoing calls in PBXLINK_CALLS are posted
// once each through the durable consumer; a replica that takes over later
// posts nothing again.
func TestPostingsFromCallRecords(t *testing.T) {
	ns := startNATS(t)
	p := startPMS(t, pms.Config{})
	_, js := connect(t, ns)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: schemas.StreamCalls, Subjects: []string{schemas.StreamCallsSubjects}}); err != nil {
		t.Fatal(err)
	}
	withCalls := func(c *fias.Config) {
		c.Address, c.Postings = p.Addr(), fias.NewCallSource(c.JetStream, fias.Rooms{})
	}
	r := startReplica(t, ns, "a", withCalls)
	// The consumer starts with the calls after it: a new link does not
	// post the hotel's whole call history.
	waitFor(t, 10*time.Second, "the postings consumer", func() bool {
		_, err := js.Consumer(ctx, schemas.StreamCalls, fias.ConsumerPostings)
		return err == nil
	})
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for i, dir := range []string{"outbound", "inbound", "outbound"} {
		c := schemas.Call{CallHistoryID: "h" + itoa(i+1), CallID: "c" + itoa(i+1), Extension: "101", Direction: dir,
			Start: start, End: start.Add(time.Minute), DurationSeconds: 60, OtherNumber: "0301234", Result: "answered"}
		b, err := schemas.MarshalCall(schemas.NewCallEvent(c))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.Publish(ctx, schemas.CallSubject("101"), b); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 20*time.Second, "two postings answered and their calls acknowledged", func() bool {
		cons, err := js.Consumer(ctx, schemas.StreamCalls, fias.ConsumerPostings)
		if err != nil {
			return false
		}
		info, err := cons.Info(ctx)
		return err == nil && len(p.Postings()) == 2 && info.AckFloor.Consumer == 3
	})
	r.stop()
	startReplica(t, ns, "b", withCalls)
	waitFor(t, 10*time.Second, "the second replica's link", func() bool { return p.Stats().Links == 2 })
	time.Sleep(500 * time.Millisecond)
	if got := p.Postings(); len(got) != 2 || p.Stats().PostingResends != 0 {
		t.Fatalf("postings %+v, stats %+v: want the two outgoing calls once", got, p.Stats())
	}
}
