package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/app"
	"github.com/pbxlink/pbxlink/internal/setting"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

func init() {
	register("demo", "everything embedded: JetStream, the Zoom simulator, a worker and a scripted stay", demoCmd)
}

// demoPresence shortens Zoom's one-presence-change-a-minute rule, in the
// simulator and the client alike, so that the scripted stay takes seconds.
const demoPresence = 2 * time.Second

func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stdout)
	target := fs.String("target", "users", "what the rooms are in Zoom: users or common_areas")
	department := fs.String("department", "state", "department setting of the worker (see pbxlink run --help)")
	verbose := fs.Bool("verbose", false, "show the worker's log")
	viaFIAS := fs.Bool("fias", false, "play the stay from a FIAS PMS simulator through a FIAS link (pbxlink fias) and print each record sent")
	fs.Usage = setting.Usage(fs, envPrefix+"DEMO_", `Usage: pbxlink demo [flags]

Runs everything in this process: an embedded JetStream server (in a
temporary directory), the Zoom simulator, a worker, and a scripted stay
for a few rooms: check-in, guest change, do-not-disturb, check-out. Prints
what changed in Zoom, step by step, and the calls the rooms make as they
arrive as call records (in SQLite, in the temporary directory), and exits 0
when Zoom ends as the script expects and every call was stored. With --fias, the stay comes from a FIAS PMS simulator on a
loopback port through a FIAS link, record by record (GI, GC, RE, GO).`)
	if err := setting.Parse(fs, envPrefix+"DEMO_", args, nil); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *target != "users" && *target != "common_areas" {
		return problem("target", "%q: want users or common_areas", *target)
	}
	dept, err := consumer.ParseDepartment(*department)
	if err != nil {
		return problem("department", "%v", err)
	}
	level := new(slog.LevelVar)
	level.Set(slog.LevelWarn)
	if *verbose {
		level.Set(slog.LevelInfo)
	}
	log := newLogger(stderr, "auto", level)
	d, err := startDemo(ctx, zoomsim.Target(*target), dept, log)
	if err != nil {
		return err
	}
	defer d.close()
	if *viaFIAS {
		return d.runFIAS(ctx, stdout, log)
	}
	return d.run(ctx, stdout)
}

// demo is the whole product in one process.
type demo struct {
	dir    string
	app    *app.App
	sim    *zoomsim.Server
	prod   *producer.Producer
	target zoomsim.Target
	calls  demoCalls
}

// demoCallInterval is how often the demo reads the simulator's call
// history: the shortest interval a whole day's reads fit Pro's daily cap
// of Heavy requests in (the demo may use all of it).
const demoCallInterval = 6 * time.Second

func startDemo(ctx context.Context, target zoomsim.Target, dept consumer.Department, log *slog.Logger) (*demo, error) {
	d := &demo{target: target}
	var err error
	if d.dir, err = os.MkdirTemp("", "pbxlink-demo-"); err != nil {
		return nil, err
	}
	d.sim, err = zoomsim.New(zoomsim.Config{
		Seed:             &zoomsim.Seed{Rooms: 3, FirstExtension: 1201, Target: target, PhonesPerRoom: 1, VoicemailsPerRoom: 2},
		PresenceInterval: demoPresence,
	})
	if err == nil {
		err = d.sim.Start()
	}
	if err != nil {
		d.close()
		return nil, fmt.Errorf("zoom simulator: %w", err)
	}
	sc := d.sim.Config()
	d.app, err = app.Open(ctx, app.Config{
		Name: "pbxlink-demo",
		NATS: app.NATSConfig{Listen: "127.0.0.1:0", DataDir: d.dir},
		Zoom: app.ZoomConfig{URL: d.sim.OAuthURL(), AccountID: sc.AccountID, ClientID: sc.ClientID,
			ClientSecret: sc.ClientSecret, PresenceInterval: demoPresence},
		Worker: consumer.Config{Department: dept, MessageManagement: true, RetryInterval: time.Second},
		// Call records in SQLite in the temporary directory, read often
		// enough that the stay's calls arrive while it lasts.
		Calls:         app.CallRecordsConfig{Enabled: true, Interval: demoCallInterval, DailyShare: 1, LeaseTTL: 1500 * time.Millisecond},
		ShutdownGrace: 5 * time.Second,
		Logger:        log,
	})
	if err == nil {
		err = d.app.Start(ctx)
	}
	if err != nil {
		d.close()
		return nil, err
	}
	d.prod, err = producer.New(d.app.JetStream(), producer.Config{Source: "pms/pbxlink-demo"})
	if err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func (d *demo) close() {
	if d.app != nil {
		d.app.Close()
	}
	if d.sim != nil {
		d.sim.Close()
	}
	if d.dir != "" {
		os.RemoveAll(d.dir)
	}
}

// step is one scripted PMS event.
type step struct {
	say     string
	publish func(ctx context.Context) error
	// calls, when set, are the calls the rooms make after the step.
	calls []demoCall
}

func (d *demo) script() []step {
	p := d.prod
	ci := func(ext, first, last, vip string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := p.CheckIn(ctx, ext, schemas.CheckIn{Guest: schemas.Guest{First: first, Last: last, VIP: vip}, Tenant: "Grand Hotel"})
			return err
		}
	}
	last := "Byron"
	return []step{
		{say: "check-in: Ada Lovelace (VIP) to room 1201", publish: ci("1201", "Ada", "Lovelace", "VIP")},
		{say: "check-in: Grace Hopper to room 1202", publish: ci("1202", "Grace", "Hopper", "")},
		{say: "check-in: Alan Turing to room 1203", publish: ci("1203", "Alan", "Turing", ""), calls: stayCalls},
		{say: "guest change: room 1201's guest is now Ada Byron", publish: func(ctx context.Context) error {
			_, err := p.GuestChange(ctx, "1201", schemas.GuestChange{Guest: &schemas.GuestPatch{Last: &last}})
			return err
		}},
		{say: "do-not-disturb on in room 1202", publish: func(ctx context.Context) error { _, err := p.DND(ctx, "1202", true); return err }},
		{say: "move: Alan Turing from room 1203 to room 1201 (after 1201 checks out)", publish: func(ctx context.Context) error {
			if _, err := p.CheckOut(ctx, "1201", schemas.CheckOut{}); err != nil {
				return err
			}
			_, err := p.Move(ctx, "1203", "1201", schemas.CheckIn{Guest: schemas.Guest{First: "Alan", Last: "Turing"}})
			return err
		}},
		{say: "check-out: every room", publish: func(ctx context.Context) error {
			for _, ext := range []string{"1201", "1202"} {
				if _, err := p.CheckOut(ctx, ext, schemas.CheckOut{}); err != nil {
					return err
				}
			}
			return nil
		}},
	}
}

func (d *demo) run(ctx context.Context, out io.Writer) error {
	fmt.Fprintf(out, "pbxlink demo: embedded JetStream at %s, Zoom simulator (%s, 3 rooms from 1201), one worker.\n",
		d.app.Conn().ConnectedUrlRedacted(), d.target)
	fmt.Fprintf(out, "(Zoom allows one presence change a minute; the demo shortens that to %v.\n", demoPresence)
	fmt.Fprintf(out, " Call records: Zoom's call history is read every %v and each room's calls kept in SQLite.)\n\n", demoCallInterval)
	before := d.sim.State()
	for i, s := range d.script() {
		fmt.Fprintf(out, "%d. PMS: %s\n", i+1, s.say)
		if err := s.publish(ctx); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if err := d.settle(ctx); err != nil {
			return err
		}
		after := d.sim.State()
		changes := diffState(before, after)
		if len(changes) == 0 {
			changes = []string{"(nothing)"}
		}
		for _, c := range changes {
			fmt.Fprintf(out, "   Zoom: %s\n", c)
		}
		before = after
		if s.calls != nil {
			if err := d.placeCalls(s.calls, out); err != nil {
				return err
			}
		}
		if err := d.calls.printNew(ctx, d.app.CallStore(), out); err != nil {
			return err
		}
	}
	if err := d.awaitCalls(ctx, out); err != nil {
		return err
	}
	return d.verify(out)
}

// settle waits until the worker has finished every published event: the
// consumer's ack floor reaches the stream's last event. (An event the
// worker put off, a presence change within Zoom's interval, counts neither
// as pending nor as awaiting its ack while it waits: the ack floor is the
// fact to wait for.)
func (d *demo) settle(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p := d.app.Provisioned()
	si, err := p.Events.Info(ctx)
	if err != nil {
		return err
	}
	last := si.State.LastSeq
	for {
		info, err := p.Consumer.Info(ctx)
		if err == nil && info.AckFloor.Stream >= last {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the worker did not finish the events within 30 s (the stream's last is %d)", last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// verify checks that nothing of the guests is left in Zoom and nothing was
// dead-lettered.
func (d *demo) verify(out io.Writer) error {
	var problems []string
	st := d.sim.State()
	for _, name := range roomNames(st) {
		if name.display != name.ext {
			problems = append(problems, fmt.Sprintf("extension %s still shows %q", name.ext, name.display))
		}
	}
	if info, err := d.app.Provisioned().DLQ.Info(context.Background()); err == nil && info.State.Msgs > 0 {
		problems = append(problems, fmt.Sprintf("%d events were dead-lettered", info.State.Msgs))
	}
	if len(problems) > 0 {
		return errors.New("demo failed: " + strings.Join(problems, "; "))
	}
	fmt.Fprintln(out, "\nDone: every room shows its extension alone; nothing of the guests is left in Zoom, nothing was dead-lettered.")
	return nil
}

type roomName struct{ ext, display string }

func roomNames(st zoomsim.State) []roomName {
	var out []roomName
	for _, u := range st.Users {
		if u.ExtensionNumber >= 1201 && u.ExtensionNumber <= 1203 {
			out = append(out, roomName{strconv.FormatInt(u.ExtensionNumber, 10), u.DisplayName})
		}
	}
	for _, a := range st.CommonAreas {
		out = append(out, roomName{strconv.FormatInt(a.ExtensionNumber, 10), a.DisplayName})
	}
	return out
}

// diffState lists, in words, what changed between two snapshots.
func diffState(a, b zoomsim.State) []string {
	var out []string
	field := func(who, name, x, y string) {
		if x != y {
			out = append(out, fmt.Sprintf("%s %s %q → %q", who, name, x, y))
		}
	}
	users := map[string]zoomsim.User{}
	for _, u := range a.Users {
		users[u.ID] = u
	}
	for _, u := range b.Users {
		o := users[u.ID]
		who := fmt.Sprintf("user %d", u.ExtensionNumber)
		field(who, "first_name", o.FirstName, u.FirstName)
		field(who, "last_name", o.LastName, u.LastName)
		field(who, "display_name", o.DisplayName, u.DisplayName)
		field(who, "dept", o.Dept, u.Dept)
		field(who, "presence", o.Presence, u.Presence)
	}
	areas := map[string]zoomsim.CommonArea{}
	for _, x := range a.CommonAreas {
		areas[x.ID] = x
	}
	for _, x := range b.CommonAreas {
		o := areas[x.ID]
		who := fmt.Sprintf("common area %d", x.ExtensionNumber)
		field(who, "display_name", o.DisplayName, x.DisplayName)
		field(who, "department", o.Department, x.Department)
	}
	devices := map[string]zoomsim.Device{}
	for _, x := range a.Devices {
		devices[x.ID] = x
	}
	for _, x := range b.Devices {
		field("desk phone "+x.MACAddress, "display_name", devices[x.ID].DisplayName, x.DisplayName)
	}
	count := func(s zoomsim.State) map[string]int {
		m := map[string]int{}
		for _, v := range s.Voicemails {
			m[v.OwnerID]++
		}
		return m
	}
	ca, cb := count(a), count(b)
	for _, u := range b.Users {
		if ca[u.ID] != cb[u.ID] {
			out = append(out, fmt.Sprintf("user %d voicemail %d → %d messages", u.ExtensionNumber, ca[u.ID], cb[u.ID]))
		}
	}
	slices.Sort(out)
	return out
}
