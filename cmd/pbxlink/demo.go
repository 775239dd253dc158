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
	"github.com/pbxlink/pbxlink/internal/setting"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
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
what changed in Zoom, step by step, and exits 0 when Zoom ends as the
script expects. With --fias, the stay comes from a FIAS PMS simulator on a
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
	nats   *natsStack
	sim    *zoomsim.Server
	worker *consumer.Worker
	prod   *producer.Producer
	target zoomsim.Target
}

func startDemo(ctx context.Context, target zoomsim.Target, dept consumer.Department, log *slog.Logger) (*demo, error) {
	d := &demo{target: target}
	var err error
	if d.dir, err = os.MkdirTemp("", "pbxlink-demo-"); err != nil {
		return nil, err
	}
	d.nats, err = openNATS(natsSettings{Listen: "127.0.0.1:0", DataDir: d.dir}, "pbxlink-demo", log)
	if err != nil {
		d.close()
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
	zc, err := zoom.New(zoom.Config{URL: d.sim.OAuthURL(), AccountID: sc.AccountID, ClientID: sc.ClientID,
		ClientSecret: sc.ClientSecret, PresenceInterval: demoPresence, Logger: log})
	if err != nil {
		d.close()
		return nil, err
	}
	d.worker, err = consumer.New(consumer.Config{JetStream: d.nats.js, Zoom: zc, Department: dept,
		MessageManagement: true, RetryInterval: time.Second, Logger: log})
	if err == nil {
		err = d.worker.Start(ctx)
	}
	if err != nil {
		d.close()
		return nil, err
	}
	d.prod, err = producer.New(d.nats.js, producer.Config{Source: "pms/pbxlink-demo"})
	if err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func (d *demo) close() {
	if d.worker != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = d.worker.Stop(ctx)
		cancel()
	}
	if d.nats != nil {
		d.nats.close()
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
		{"check-in: Ada Lovelace (VIP) to room 1201", ci("1201", "Ada", "Lovelace", "VIP")},
		{"check-in: Grace Hopper to room 1202", ci("1202", "Grace", "Hopper", "")},
		{"check-in: Alan Turing to room 1203", ci("1203", "Alan", "Turing", "")},
		{"guest change: room 1201's guest is now Ada Byron", func(ctx context.Context) error {
			_, err := p.GuestChange(ctx, "1201", schemas.GuestChange{Guest: &schemas.GuestPatch{Last: &last}})
			return err
		}},
		{"do-not-disturb on in room 1202", func(ctx context.Context) error { _, err := p.DND(ctx, "1202", true); return err }},
		{"move: Alan Turing from room 1203 to room 1201 (after 1201 checks out)", func(ctx context.Context) error {
			if _, err := p.CheckOut(ctx, "1201", schemas.CheckOut{}); err != nil {
				return err
			}
			_, err := p.Move(ctx, "1203", "1201", schemas.CheckIn{Guest: schemas.Guest{First: "Alan", Last: "Turing"}})
			return err
		}},
		{"check-out: every room", func(ctx context.Context) error {
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
		d.nats.nc.ConnectedUrlRedacted(), d.target)
	fmt.Fprintf(out, "(Zoom allows one presence change a minute; the demo shortens that to %v.)\n\n", demoPresence)
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
	}
	return d.verify(out)
}

// settle waits until the worker has finished every published event.
func (d *demo) settle(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := d.nats.js.Consumer(ctx, schemas.StreamEvents, schemas.ConsumerWorker)
	if err != nil {
		return err
	}
	for {
		info, err := c.Info(ctx)
		if err == nil && info.NumPending == 0 && info.NumAckPending == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.New("the worker did not finish the events within 30 s")
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
	dlq, err := d.nats.js.Stream(context.Background(), schemas.StreamDLQ)
	if err == nil {
		if info, err := dlq.Info(context.Background()); err == nil && info.State.Msgs > 0 {
			problems = append(problems, fmt.Sprintf("%d events were dead-lettered", info.State.Msgs))
		}
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
