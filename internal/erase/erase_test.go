package erase_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/erase"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/schemas"
)

// hotel is a NATS server holding two guests' data in every place pbxlink
// keeps it: Zanzibar in room 1201, Quixote in room 1202.
type hotel struct {
	t  *testing.T
	js jetstream.JetStream
	nc *nats.Conn
}

func newHotel(t *testing.T) *hotel {
	t.Helper()
	env := testenv.New(t, testenv.Config{Topology: &broker.Topology{}})
	js, p, prod := env.JS, env.Topo, env.Prod
	h := &hotel{t: t, js: js, nc: env.Conn}
	ctx := h.ctx()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: erase.StreamCalls, Subjects: []string{"pbxlink.call.*"}}); err != nil {
		t.Fatal(err)
	}
	for ext, last := range map[string]string{"1201": "Zanzibar", "1202": "Quixote"} {
		guest := schemas.Guest{First: "Ada", Last: last}
		h.must(prod.CheckIn(ctx, ext, schemas.CheckIn{Guest: guest}))
		h.must(prod.GuestChange(ctx, ext, schemas.GuestChange{Guest: &schemas.GuestPatch{Last: &last}}))
		h.must(js.Publish(ctx, "pbxlink.dlq.ext."+ext+".checkin", []byte(`{"data":{"guest":{"last":"`+last+`"}}}`)))
		h.must(js.Publish(ctx, "pbxlink.call."+ext, []byte(`{"callee_name":"`+last+`"}`)))
		for rev := range 2 {
			h.must(p.State.Put(ctx, "ext."+ext, fmt.Appendf(nil, `{"stay":{"guest":{"last":%q}},"rev":%d}`, last, rev)))
		}
	}
	h.must(p.Directory.PutBytes(ctx, "snapshot", []byte(`{"entries":[{"DisplayName":"Ada Zanzibar 1201"},{"DisplayName":"Ada Quixote 1202"}]}`)))
	return h
}

func (h *hotel) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	h.t.Cleanup(cancel)
	return ctx
}

func (h *hotel) must(_ any, err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

// holding scans every stored message of every stream on the server (raw:
// event streams, KV buckets with all their revisions, object stores),
// subjects, headers and bodies, and returns where name occurs.
func (h *hotel) holding(name string) []string {
	h.t.Helper()
	ctx := h.ctx()
	var found []string
	streams := h.js.ListStreams(ctx)
	for info := range streams.Info() {
		s, err := h.js.Stream(ctx, info.Config.Name)
		if err != nil {
			h.t.Fatal(err)
		}
		for seq := info.State.FirstSeq; seq > 0 && seq <= info.State.LastSeq; seq++ {
			m, err := s.GetMsg(ctx, seq)
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				continue
			}
			if err != nil {
				h.t.Fatal(err)
			}
			var all bytes.Buffer
			all.WriteString(m.Subject)
			for k, vs := range m.Header {
				all.WriteString(k)
				for _, v := range vs {
					all.WriteString(v)
				}
			}
			all.Write(m.Data)
			if bytes.Contains(all.Bytes(), []byte(name)) {
				found = append(found, fmt.Sprintf("%s seq %d (%s)", info.Config.Name, seq, m.Subject))
			}
		}
	}
	if err := streams.Err(); err != nil {
		h.t.Fatal(err)
	}
	return found
}

// TestForgetExtension: after erasing room 1201 no stream or bucket of the
// server holds a byte of its guest's name; room 1202's data is untouched,
// except the directory snapshot, which is rebuilt from Zoom.
func TestForgetExtension(t *testing.T) {
	t.Parallel()
	h := newHotel(t)
	if len(h.holding("Zanzibar")) == 0 {
		t.Fatal("the test hotel holds no data of the guest")
	}
	before := len(h.holding("Quixote"))
	r, err := erase.Extension(h.ctx(), h.js, "1201", erase.Config{Settle: -1})
	if err != nil {
		t.Fatal(err)
	}
	if left := h.holding("Zanzibar"); len(left) > 0 {
		t.Fatalf("the guest's name is still in %v", left)
	}
	if after := len(h.holding("Quixote")); after != before-1 { // -1: the snapshot
		t.Fatalf("another room's data: %d messages before, %d after", before, after)
	}
	want := map[string]uint64{
		"stream PBXLINK_EVENTS pbxlink.ext.1201.*":  2,
		"stream PBXLINK_DLQ pbxlink.dlq.ext.1201.*": 1,
		"stream PBXLINK_CALLS pbxlink.call.1201":    1,
		"bucket pbxlink-state ext.1201":             1,
		"object store pbxlink-directory snapshot":   1,
	}
	for _, p := range r {
		if p.Messages != want[p.Place] {
			t.Errorf("%s: %d removed, want %d", p.Place, p.Messages, want[p.Place])
		}
		delete(want, p.Place)
	}
	if len(want) > 0 {
		t.Errorf("report lacks %v: %+v", want, r)
	}
	// Again: nothing left, nothing removed.
	r, err = erase.Extension(h.ctx(), h.js, "1201", erase.Config{})
	if err != nil || r.Total() != 0 {
		t.Fatalf("second erase: %+v, %v", r, err)
	}
	if _, err := erase.Extension(h.ctx(), h.js, "12a", erase.Config{}); !errors.Is(err, erase.ErrExtension) {
		t.Fatalf("bad extension: %v", err)
	}
}

// TestForgetAll: erasing every guest leaves no guest's name anywhere, and
// the worker's own settings (pbxlink-config) in place.
func TestForgetAll(t *testing.T) {
	t.Parallel()
	h := newHotel(t)
	kv, err := h.js.KeyValue(h.ctx(), schemas.BucketConfig)
	if err != nil {
		t.Fatal(err)
	}
	h.must(kv.Put(h.ctx(), schemas.KeyDebug, []byte("false")))
	h.must(h.js.Publish(h.ctx(), "pbxlink.dlq.invalid", []byte(`{"guest":"Quixote"}`)))
	r, err := erase.All(h.ctx(), h.js, erase.Config{Settle: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Zanzibar", "Quixote"} {
		if left := h.holding(name); len(left) > 0 {
			t.Errorf("%s is still in %v", name, left)
		}
	}
	if r.Total() != 2*2+2*1+1+2*1+2+1 {
		t.Errorf("removed %d messages: %+v", r.Total(), r)
	}
	if e, err := kv.Get(h.ctx(), schemas.KeyDebug); err != nil || string(e.Value()) != "false" {
		t.Errorf("pbxlink-config lost its debug key: %v", err)
	}
}
