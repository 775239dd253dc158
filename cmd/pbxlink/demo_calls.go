package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/internal/callrecord"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// demoCall is one call a room makes or gets during the demo's stay, as
// Zoom's call history lists it (a call between two rooms is listed once
// for each side).
type demoCall struct {
	say     string
	records []zoomsim.CallRecord
}

// stayCalls are the calls of the stay: an outside call, a call between two
// rooms and a missed call.
var stayCalls = []demoCall{
	{"room 1201 calls +1 212 555 0100 (2m05s)", []zoomsim.CallRecord{{
		Direction: "outbound", Duration: 125, CallResult: "answered", ConnectType: "external",
		CallerExtNumber: "1201", CallerName: "Room 1201", CalleeDIDNumber: "+12125550100", CalleeName: "External",
	}}},
	{"room 1202 calls room 1203 (40s)", []zoomsim.CallRecord{{
		Direction: "outbound", Duration: 40, CallResult: "answered", ConnectType: "internal", CallID: "7001202",
		CallerExtNumber: "1202", CallerName: "Room 1202", CalleeExtNumber: "1203", CalleeName: "Room 1203",
	}, {
		Direction: "inbound", Duration: 40, CallResult: "answered", ConnectType: "internal", CallID: "7001202",
		CallerExtNumber: "1202", CallerName: "Room 1202", CalleeExtNumber: "1203", CalleeName: "Room 1203",
	}}},
	{"+44 20 7123 4567 calls room 1203, unanswered", []zoomsim.CallRecord{{
		Direction: "inbound", Duration: 0, CallResult: "missed", ConnectType: "external",
		CallerDIDNumber: "+442071234567", CallerName: "External", CalleeExtNumber: "1203", CalleeName: "Room 1203",
	}}},
}

// placeCalls records calls in the simulator's call history, ending now,
// and says so.
func (d *demo) placeCalls(calls []demoCall, out io.Writer) error {
	for _, c := range calls {
		fmt.Fprintf(out, "   Zoom call history: %s\n", c.say)
		for _, r := range c.records {
			if r.CallResult == "answered" {
				r.StartTime = time.Now().Add(-time.Duration(r.Duration) * time.Second)
				r.AnswerTime = r.StartTime
			}
			if _, err := d.sim.AddCallRecord(r); err != nil {
				return fmt.Errorf("zoom simulator: %w", err)
			}
			d.calls.want++
		}
	}
	return nil
}

// demoCalls are the call records the demo has printed.
type demoCalls struct {
	want int             // records placed in the call history
	seen map[string]bool // by call-history id
}

// printNew prints the call records stored in the database since the last
// call.
func (c *demoCalls) printNew(ctx context.Context, store callrecord.Store, out io.Writer) error {
	if store == nil {
		return errors.New("call records are off")
	}
	calls, err := store.Calls(ctx, "")
	if err != nil {
		return err
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	for _, call := range calls {
		if !c.seen[call.CallHistoryID] {
			c.seen[call.CallHistoryID] = true
			fmt.Fprintf(out, "   call record stored: %s\n", describeCall(call))
		}
	}
	return nil
}

// awaitCalls waits until every call placed is in the database, printing
// them as they arrive.
func (d *demo) awaitCalls(ctx context.Context, out io.Writer) error {
	if len(d.calls.seen) >= d.calls.want {
		return nil
	}
	fmt.Fprintf(out, "%d. Call records: waiting for the rest of the stay's calls (Zoom's call history is read every %v)\n",
		len(d.script())+1, demoCallInterval)
	wait := 3 * demoCallInterval
	deadline := time.Now().Add(wait)
	for len(d.calls.seen) < d.calls.want {
		if time.Now().After(deadline) {
			return fmt.Errorf("demo failed: %d of the stay's %d call records stored within %v", len(d.calls.seen), d.calls.want, wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if err := d.calls.printNew(ctx, d.app.CallStore(), out); err != nil {
			return err
		}
	}
	return nil
}

// describeCall is one call record in words: the room, with whom, how it
// ended and how long it took.
func describeCall(c schemas.Call) string {
	with := "from"
	if c.Direction == "outbound" {
		with = "to"
	}
	kind := "outside"
	if c.Internal {
		kind = "internal"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "room %s %s %s %s (%s), %s", c.Extension, c.Direction, with, c.OtherNumber, kind, c.Result)
	if c.DurationSeconds > 0 {
		fmt.Fprintf(&b, ", %v", time.Duration(c.DurationSeconds)*time.Second)
	}
	return b.String()
}
