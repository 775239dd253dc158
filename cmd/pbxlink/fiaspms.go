package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/internal/fias"
	"github.com/pbxlink/pbxlink/internal/fias/pms"
	"github.com/pbxlink/pbxlink/internal/setting"
)

func init() {
	register("fias-pms", "a FIAS PMS simulator: guest traffic, link drops, postings answered", fiasPMSCmd)
}

var fiasPMSNames = setting.Prefix(envPrefix + "FIAS_PMS_")

const fiasPMSSynopsis = `Usage: pbxlink fias-pms [flags]

Plays a hotel PMS's FIAS interface (OPERA's IFC), for trying pbxlink fias
without a PMS: it listens on --listen, starts the link with LS, sends a
scripted stay (check-in, sharer, name change, move, do-not-disturb,
check-outs) and then random guest traffic over --rooms, breaks the link
every --drop-every, sends a database swap every --swap-every and whenever
pbxlink asks (DR), and answers and prints every posting (PS) with PA.

  pbxlink fias-pms --listen 127.0.0.1:5010 --rooms 1201-1210 &
  pbxlink fias --address 127.0.0.1:5010`

func fiasPMSCmd(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("fias-pms", stdout)
	var (
		listen, charset, roomSpec string
		interval, drop, swap      time.Duration
		steps                     int
		seed                      uint64
		scripted                  bool
	)
	fs.StringVar(&listen, "listen", "127.0.0.1:5010", "the TCP address to serve FIAS on")
	fs.StringVar(&charset, "charset", "latin1", "the records' character set: latin1 or utf-8")
	fs.StringVar(&roomSpec, "rooms", "1201-1210", "the hotel's rooms: ranges and numbers, comma-separated")
	fs.DurationVar(&interval, "interval", 2*time.Second, "time between two random guest changes; 0: none")
	fs.IntVar(&steps, "steps", 0, "stop after this many random changes, once pbxlink confirmed them; 0: run until stopped")
	fs.DurationVar(&drop, "drop-every", 0, "break the link this often; 0: never")
	fs.DurationVar(&swap, "swap-every", 0, "send a database swap this often; 0: only when pbxlink asks")
	fs.Uint64Var(&seed, "seed", 1, "seed of the random traffic")
	fs.BoolVar(&scripted, "scripted", true, "begin with the scripted stay on the first two rooms")
	fs.Usage = setting.UsageNamed(fs, fiasPMSNames, fiasPMSSynopsis)
	if err := setting.ParseNamed(fs, fiasPMSNames, args, nil); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	cs, err := fias.ParseCharset(charset)
	if err != nil {
		return &setting.Error{Msg: fmt.Sprintf("%s (--charset): %v", fiasPMSNames("charset"), err)}
	}
	rooms, err := parseRooms(roomSpec)
	if err != nil {
		return &setting.Error{Msg: fmt.Sprintf("%s (--rooms): %v", fiasPMSNames("rooms"), err)}
	}
	if scripted && len(rooms) < 2 {
		return &setting.Error{Msg: fmt.Sprintf("%s (--rooms): the scripted stay needs two rooms", fiasPMSNames("rooms"))}
	}
	p, err := pms.Listen(listen, pms.Config{Charset: cs})
	if err != nil {
		return &setting.Error{Msg: fmt.Sprintf("%s (--listen): %v", fiasPMSNames("listen"), err)}
	}
	defer p.Close()
	fmt.Fprintf(stdout, "FIAS PMS simulator on %s, %d rooms\n", p.Addr(), len(rooms))
	if scripted {
		for _, line := range scriptedStay(p, rooms[0], rooms[1]) {
			fmt.Fprintln(stdout, "pms:", line)
		}
	}
	tr := &pms.Traffic{S: p, Rooms: rooms, Rand: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	tick := func(d time.Duration) <-chan time.Time {
		if d <= 0 {
			return nil
		}
		return time.Tick(d)
	}
	steady, drops, swaps, report := tick(interval), tick(drop), tick(swap), time.Tick(250*time.Millisecond)
	done, posted := 0, 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-steady:
			if steps > 0 && done >= steps {
				steady = nil
				wctx, cancel := context.WithTimeout(ctx, time.Minute)
				err := p.WaitDelivered(wctx)
				cancel()
				fmt.Fprintf(stdout, "pms: %d changes done; %+v\n", done, p.Stats())
				return err
			}
			if what := tr.Step(); what != "" {
				done++
				fmt.Fprintln(stdout, "pms:", what)
			}
		case <-drops:
			p.Drop()
			fmt.Fprintln(stdout, "pms: link dropped")
		case <-swaps:
			p.Swap()
			fmt.Fprintln(stdout, "pms: database swap sent")
		case <-report:
			ps := p.Postings()
			for _, x := range ps[posted:] {
				fmt.Fprintf(stdout, "pms: posting P#%s room %s dialled %s duration %s at %s %s\n", x.Number, x.Room, x.Dialled, x.Duration, x.Date, x.Time)
			}
			posted = len(ps)
		}
	}
}

// scriptedStay: a guest checks in, a sharer joins, the first guest's name
// changes, both move, do-not-disturb goes on, and they check out.
func scriptedStay(p *pms.Server, a, b string) []string {
	ada := pms.Guest{Reservation: "778812", Last: "Lovelace", First: "Ada", Title: "Dr", VIP: "3", Language: "EA"}
	p.CheckIn(a, ada)
	p.CheckIn(a, pms.Guest{Reservation: "778813", Last: "Byron", First: "George", Language: "EA"})
	_ = p.Change(a, ada.Reservation, "King", "Ada")
	_ = p.Move(ada.Reservation, a, b)
	p.SetDND(b, true)
	_ = p.CheckOut(a, "778813")
	_ = p.CheckOut(b, ada.Reservation)
	return []string{"checkin " + a + " (Ada Lovelace)", "sharer " + a + " (George Byron)", "change " + a + " (Lovelace → King)",
		"move " + a + "→" + b + " (Ada King)", "dnd " + b + " on", "checkout " + a + " (George Byron)", "checkout " + b + " (Ada King)"}
}

// parseRooms reads "1201-1210,1301" into the rooms it names.
func parseRooms(spec string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			out = append(out, part)
			continue
		}
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || a > b || b-a > 10000 {
			return nil, fmt.Errorf("%q: want a range like 1201-1210", part)
		}
		for n := a; n <= b; n++ {
			out = append(out, strconv.Itoa(n))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%q names no room", spec)
	}
	return out, nil
}
