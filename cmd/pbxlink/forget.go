package main

import (
	"context"
	"fmt"
	"github.com/pbxlink/pbxlink/internal/fias"
	"io"
	"text/tabwriter"

	"github.com/pbxlink/pbxlink/internal/erase"
	"github.com/pbxlink/pbxlink/internal/setting"
)

func init() {
	register("forget", "erase one extension's guest data (--ext N), or every guest's (--all), from NATS", forgetCmd)
}

const forgetSynopsis = `Usage: pbxlink forget --ext <extension> | --all [flags]

Erases guest data from NATS, for a guest's erasure request or a Zoom
de-authorization: the extension's events in PBXLINK_EVENTS and dead letters
in PBXLINK_DLQ (purged by subject), its stay in the pbxlink-state bucket
(purged with every revision), its call records in PBXLINK_CALLS and in the
call database (--call-db, as pbxlink run has it) where kept,
and the directory snapshot in pbxlink-directory, which the next directory
load rebuilds from Zoom. --all erases every guest's data. Prints what it
removed from each place. Safe while workers run; it connects to NATS and
never starts a server. Zoom itself is not touched: a checked-out room
already shows no guest data.`

func forgetCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("forget", stdout)
	var s natsSettings
	s.clientFlags(fs)
	var ext string
	var all bool
	fs.StringVar(&ext, "ext", "", "the extension whose guest data to erase (digits)")
	fs.BoolVar(&all, "all", false, "erase every guest's data")
	var calls forgetCalls
	calls.flags(fs)
	var roomPrefix, roomMap string
	fs.StringVar(&roomPrefix, "fias-room-prefix", "", "with a FIAS link: its --room-prefix, to find the extension's rooms (PBXLINK_FIAS_ROOM_PREFIX)")
	fs.StringVar(&roomMap, "fias-room-map", "", "with a FIAS link: its --room-map (PBXLINK_FIAS_ROOM_MAP)")
	fs.Usage = setting.Usage(fs, envPrefix, forgetSynopsis)
	if err := setting.Parse(fs, envPrefix, args, nil); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	switch {
	case ext == "" && !all:
		return &setting.Error{Msg: "say what to erase: --ext <extension> or --all"}
	case ext != "" && all:
		return &setting.Error{Msg: "--ext and --all exclude each other"}
	}
	nc, js, err := connectJetStream(s, "pbxlink-forget", stderr)
	if err != nil {
		return err
	}
	defer nc.Close()
	store, err := calls.open(ctx)
	if err != nil {
		return err
	}
	defer calls.close()
	table, err := fias.ParseRoomTable(roomMap)
	if err != nil {
		return &setting.Error{Msg: fmt.Sprintf("PBXLINK_FIAS_ROOM_MAP (--fias-room-map): %v", err)}
	}
	cfg := erase.Config{FIAS: fias.Eraser{JS: js, Rooms: fias.Rooms{Prefix: roomPrefix, Table: table}}}
	if store != nil {
		cfg.Calls = store
	}
	var r erase.Report
	if all {
		r, err = erase.All(ctx, js, cfg)
	} else {
		r, err = erase.Extension(ctx, js, ext, cfg)
	}
	printErased(stdout, r)
	if err != nil {
		return err
	}
	who := "extension " + ext
	if all {
		who = "every extension"
	}
	fmt.Fprintf(stdout, "erased %d messages of %s\n", r.Total(), who)
	return nil
}

// printErased is the table of places and what each gave up.
func printErased(w io.Writer, r erase.Report) {
	if len(r) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PLACE\tREMOVED")
	for _, p := range r {
		fmt.Fprintf(tw, "%s\t%d\n", p.Place, p.Messages)
	}
	_ = tw.Flush()
}
