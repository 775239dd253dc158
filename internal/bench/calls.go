package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
)

// CallsResult is the Zoom calls one event cost, with a warm directory.
type CallsResult struct {
	Event     string `json:"event"`
	Extension string `json:"extension"`
	// Calls is the API calls the simulator journaled for the event;
	// Operations names them in order; Reads is how many were GETs.
	Calls      int      `json:"calls"`
	Operations []string `json:"operations"`
	Reads      int      `json:"reads"`
	// Want is the least possible: one write per name or presence that
	// changes, none for what already shows.
	Want    int    `json:"want"`
	WantWhy string `json:"want_why"`
}

// callsStep is one event of the calls-per-event script.
type callsStep struct {
	name    string
	room    int
	publish func(ctx context.Context, ext string) (uint64, error)
	// measured: false for a step that only prepares the next one.
	measured bool
	want     int
	why      string
}

func (b *bencher) calls(ctx context.Context) error {
	b.progress("calls per event: one replica, warm directory, rooms with one desk phone")
	e, err := newEnv(ctx, b.cfg, rooms{count: 4, phones: 1}, false)
	if err != nil {
		return err
	}
	defer e.close()
	if err := e.startReplicas(ctx, 1, false); err != nil {
		return err
	}
	p := e.prod
	checkin := func(first, last string) func(context.Context, string) (uint64, error) {
		return func(ctx context.Context, ext string) (uint64, error) {
			return seqOf(p.CheckIn(ctx, ext, schemas.CheckIn{Guest: schemas.Guest{First: first, Last: last, VIP: "VIP"}}))
		}
	}
	checkout := func(ctx context.Context, ext string) (uint64, error) {
		return seqOf(p.CheckOut(ctx, ext, schemas.CheckOut{}))
	}
	dnd := func(ctx context.Context, ext string) (uint64, error) {
		return seqOf(p.DND(ctx, ext, true))
	}
	byron := "Byron"
	guestChange := func(ctx context.Context, ext string) (uint64, error) {
		return seqOf(p.GuestChange(ctx, ext, schemas.GuestChange{Guest: &schemas.GuestPatch{Last: &byron}}))
	}
	names := "user name, desk-phone name"
	steps := []callsStep{
		{"checkin", 0, checkin("Ada", "Lovelace"), true, 2, names},
		{"guest", 0, guestChange, true, 2, names},
		{"checkout", 0, checkout, true, 3, names + ", presence (not in the directory, so written without a read)"},
		{"dnd", 1, dnd, true, 1, "presence"},
		{"checkin", 2, checkin("Grace", "Hopper"), false, 0, ""},
		{"checkin (identical, repeated)", 2, checkin("Grace", "Hopper"), true, 0, "nothing changes"},
		{"dnd (identical, repeated)", 1, dnd, true, 0, "nothing changes"},
		{"checkout (identical, repeated)", 0, checkout, true, 0, "nothing changes"},
	}
	for _, s := range steps {
		ext := extension(s.room)
		e.sim.ResetJournal()
		n, err := s.publish(ctx, ext)
		if err != nil {
			return fmt.Errorf("publish %s: %w", s.name, err)
		}
		if _, err := e.drained(ctx, n, 5*time.Millisecond, 2*time.Minute); err != nil {
			return err
		}
		if !s.measured {
			continue
		}
		r := CallsResult{Event: s.name, Extension: ext, Operations: []string{}, Want: s.want, WantWhy: s.why}
		for _, c := range e.apiCalls() {
			r.Calls++
			r.Operations = append(r.Operations, opName(c.Method, c.OperationID))
			if c.Method == "GET" {
				r.Reads++
			}
		}
		b.report.Calls = append(b.report.Calls, r)
		figure := fmt.Sprint(r.Calls)
		if r.Calls > 0 {
			figure += " (" + strings.Join(r.Operations, ", ") + ")"
		}
		b.row(SectionCalls, "calls per event: "+r.Event, figure, fmt.Sprintf("%d, no read", r.Want),
			verdict(r.Calls == r.Want && r.Reads == 0))
	}
	if n := e.deadLetters(ctx); n > 0 {
		b.row(SectionCalls, "calls per event: dead-lettered", fmt.Sprint(n), "0", Missed)
	}
	return nil
}

// seqOf is the stream sequence of a published event.
func seqOf(res *producer.Result, err error) (uint64, error) {
	if err != nil {
		return 0, err
	}
	return res.Ack.Sequence, nil
}

// opName names a call briefly: "PATCH user".
func opName(method, id string) string {
	short := map[string]string{
		"userUpdate": "user", "updateADevice": "device", "updatePresenceStatus": "presence",
		"user": "user", "getUserPresenceStatus": "presence", "getADevice": "device",
		"updateCommonArea": "common area", "phoneUserVoiceMails": "voicemails", "deleteVoicemail": "voicemail",
	}
	if s, ok := short[id]; ok {
		return method + " " + s
	}
	return method + " " + id
}
