package fias_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/fias"
)

// TestEraserForgetsAGuestEverywhereInTheLinkState: pbxlink forget --ext N
// removes the guests of N's rooms (found through the link's room mapping)
// from every link's occupancy, leaves the other rooms alone, and keeps no
// older revision holding the name.
func TestEraserForgetsAGuestEverywhereInTheLinkState(t *testing.T) {
	ns := startNATS(t)
	_, js := connect(t, ns)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	kv, err := js.CreateOrUpdateKeyValue(ctx, fias.BucketConfig(1))
	if err != nil {
		t.Fatal(err)
	}
	st := fias.State{Seq: 9, Rooms: map[string]*fias.Room{
		"101": {Guests: []fias.Guest{{Last: "Lovelace", First: "Ada"}, {Last: "Byron"}}},
		"102": {Guests: []fias.Guest{{Last: "Turing"}}},
	}}
	data, _ := json.Marshal(st)
	for _, key := range []string{"link.opera", "link.annex"} {
		if _, err := kv.Put(ctx, key, data); err != nil {
			t.Fatal(err)
		}
	}
	e := fias.Eraser{JS: js, Rooms: fias.Rooms{Prefix: "2"}}
	n, err := e.ForgetExtension(ctx, "2101")
	if err != nil || n != 4 {
		t.Fatalf("ForgetExtension = %d, %v; want the 4 guests of room 101 on both links", n, err)
	}
	s, err := js.Stream(ctx, "KV_"+fias.BucketFIAS)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := s.Info(ctx)
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			continue
		}
		for _, name := range []string{"Lovelace", "Byron"} {
			if bytes.Contains(m.Data, []byte(name)) {
				t.Errorf("%q still stored (seq %d, %s)", name, seq, m.Subject)
			}
		}
		if !bytes.Contains(m.Data, []byte("Turing")) {
			t.Errorf("the other room's guest went too (seq %d)", seq)
		}
	}
	if n, err := e.ForgetAll(ctx); err != nil || n != 2 {
		t.Fatalf("ForgetAll = %d, %v; want the 2 guests of room 102", n, err)
	}
}
