package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/internal/fias"
	"github.com/pbxlink/pbxlink/internal/fias/pms"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// demoFIASWait bounds each wait of the FIAS demo: the link coming up, the
// PMS's records confirmed by the link.
const demoFIASWait = 15 * time.Second

// fiasStep is one scripted PMS action, done through the PMS simulator,
// which sends it to the link as FIAS records.
type fiasStep struct {
	say string
	do  func(p *pms.Server) error
}

// fiasScript is the demo's stay as a PMS speaking FIAS plays it: the same
// rooms and guests as the event script, sent as GI, GC, RE DN, GC with RO
// (a room move) and GO.
func fiasScript() []fiasStep {
	ada := pms.Guest{Reservation: "500101", Last: "Lovelace", First: "Ada", VIP: "3", Language: "EA"}
	grace := pms.Guest{Reservation: "500102", Last: "Hopper", First: "Grace", VIP: "0", Language: "EA"}
	alan := pms.Guest{Reservation: "500103", Last: "Turing", First: "Alan", VIP: "0", Language: "EA"}
	checkIn := func(room string, g pms.Guest) func(*pms.Server) error {
		return func(p *pms.Server) error { p.CheckIn(room, g); return nil }
	}
	return []fiasStep{
		{"check-in: Ada Lovelace (VIP) to room 1201", checkIn("1201", ada)},
		{"check-in: Grace Hopper to room 1202", checkIn("1202", grace)},
		{"check-in: Alan Turing to room 1203", checkIn("1203", alan)},
		{"guest change: room 1201's guest is now Ada Byron", func(p *pms.Server) error {
			return p.Change("1201", ada.Reservation, "Byron", "Ada")
		}},
		{"do-not-disturb on in room 1202", func(p *pms.Server) error { p.SetDND("1202", true); return nil }},
		{"room move: Alan Turing from room 1203 to room 1201 (after 1201 checks out)", func(p *pms.Server) error {
			if err := p.CheckOut("1201", ada.Reservation); err != nil {
				return err
			}
			return p.Move(alan.Reservation, "1203", "1201")
		}},
		{"check-out: every room", func(p *pms.Server) error {
			if err := p.CheckOut("1201", alan.Reservation); err != nil {
				return err
			}
			return p.CheckOut("1202", grace.Reservation)
		}},
	}
}

// runFIAS runs the stay through FIAS: the PMS simulator on a loopback port,
// a tap that shows the records it sends as they pass on the wire, and the
// FIAS link publishing into the demo's JetStream, where the worker applies
// them to the Zoom simulator.
func (d *demo) runFIAS(ctx context.Context, out io.Writer, log *slog.Logger) error {
	p, err := pms.Listen("127.0.0.1:0", pms.Config{Charset: fias.UTF8})
	if err != nil {
		return fmt.Errorf("FIAS PMS simulator: %w", err)
	}
	defer p.Close()
	tap, err := listenTap(p.Addr(), fias.UTF8)
	if err != nil {
		return fmt.Errorf("FIAS tap: %w", err)
	}
	defer tap.close()
	svc, err := fias.New(fias.Config{Address: tap.addr(), Link: "demo", Charset: fias.UTF8,
		JetStream: d.app.JetStream(), Holder: "pbxlink-demo", Logger: log})
	if err != nil {
		return err
	}
	lctx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- svc.Run(lctx) }()
	defer func() { stop(); <-ran }()

	fmt.Fprintf(out, "pbxlink demo --fias: FIAS PMS simulator at %s, FIAS link %q, embedded JetStream at %s,\n",
		p.Addr(), "demo", d.app.Conn().ConnectedUrlRedacted())
	fmt.Fprintf(out, "Zoom simulator (%s, 3 rooms from 1201), one worker.\n", d.target)
	fmt.Fprintf(out, "(Zoom allows one presence change a minute; the demo shortens that to %v.)\n\n", demoPresence)
	if err := waitLinkUp(ctx, svc, ran); err != nil {
		return err
	}
	// A new link has no state: it asks for a database swap (DR) as soon as
	// it is up. Wait for the swap, so that its records show here.
	for deadline := time.Now().Add(3 * time.Second); p.Stats().Swaps == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	before := d.sim.State()
	seen := 0
	fmt.Fprintln(out, "0. FIAS link alive (LS, LD, LR…, LA)")
	if before, seen, err = d.fiasStep(ctx, out, p, tap, before, seen); err != nil {
		return err
	}
	for i, s := range fiasScript() {
		fmt.Fprintf(out, "%d. PMS: %s\n", i+1, s.say)
		if err := s.do(p); err != nil {
			return fmt.Errorf("PMS simulator: %s: %w", s.say, err)
		}
		if before, seen, err = d.fiasStep(ctx, out, p, tap, before, seen); err != nil {
			return err
		}
	}
	if err := d.verifyFIAS(p); err != nil {
		return err
	}
	return d.verify(out)
}

// waitLinkUp waits until the link's handshake is done.
func waitLinkUp(ctx context.Context, svc *fias.Service, ran <-chan error) error {
	deadline := time.Now().Add(demoFIASWait)
	for !svc.Status().Up {
		select {
		case err := <-ran:
			return fmt.Errorf("FIAS link stopped: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("FIAS link not alive within %v: %s", demoFIASWait, svc.Status().Reason)
		}
	}
	return nil
}

// fiasStep waits until the link confirmed the PMS's records, prints those
// new on the wire, waits for the worker and prints what changed in Zoom.
func (d *demo) fiasStep(ctx context.Context, out io.Writer, p *pms.Server, tap *fiasTap, before zoomsim.State, seen int) (zoomsim.State, int, error) {
	wctx, cancel := context.WithTimeout(ctx, demoFIASWait)
	err := p.WaitDelivered(wctx)
	cancel()
	if err != nil {
		return before, seen, fmt.Errorf("the FIAS link did not confirm the PMS's records within %v: %w", demoFIASWait, err)
	}
	recs, seen := tap.since(seen)
	for _, r := range recs {
		fmt.Fprintf(out, "   FIAS: %s\n", r)
	}
	if err := d.settle(ctx); err != nil {
		return before, seen, err
	}
	after := d.sim.State()
	changes := diffState(before, after)
	if len(changes) == 0 {
		changes = []string{"(nothing)"}
	}
	for _, c := range changes {
		fmt.Fprintf(out, "   Zoom: %s\n", c)
	}
	return after, seen, nil
}

// verifyFIAS checks that Zoom ends as the PMS's final view: an occupied
// room shows its first guest's name, a vacant one its extension alone;
// do-not-disturb (rooms as users) is on exactly where the PMS has it.
func (d *demo) verifyFIAS(p *pms.Server) error {
	view, dnd := p.View(), p.DND()
	st := d.sim.State()
	var problems []string
	for _, n := range roomNames(st) {
		gs := view[n.ext]
		switch {
		case len(gs) == 0 && n.display != n.ext:
			problems = append(problems, fmt.Sprintf("extension %s is vacant at the PMS but shows %q", n.ext, n.display))
		case len(gs) > 0 && !strings.Contains(n.display, gs[0].Last):
			problems = append(problems, fmt.Sprintf("extension %s shows %q, not its guest %s %s", n.ext, n.display, gs[0].First, gs[0].Last))
		}
	}
	for _, u := range st.Users {
		ext := fmt.Sprint(u.ExtensionNumber)
		if u.ExtensionNumber < 1201 || u.ExtensionNumber > 1203 {
			continue
		}
		if on := u.Presence == "Do_Not_Disturb"; on != dnd[ext] {
			problems = append(problems, fmt.Sprintf("extension %s presence %q, the PMS's do-not-disturb %v", ext, u.Presence, dnd[ext]))
		}
	}
	if len(problems) > 0 {
		return errors.New("demo failed: Zoom is not as the PMS's final view: " + strings.Join(problems, "; "))
	}
	return nil
}
