package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/pbxlink/pbxlink/internal/setting"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

func init() {
	register("zoomsim", "the Zoom simulator alone, for integrators without a Zoom account", zoomsimCmd)
}

// zoomsimPrefix starts the simulator's environment variables, so that they
// never collide with the worker's.
const zoomsimPrefix = "PBXLINK_ZOOMSIM_"

func zoomsimCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("zoomsim", stdout)
	cfg := zoomsim.Config{OAuthListen: "127.0.0.1:9480", APIListen: "127.0.0.1:9481"}
	cfg.RegisterFlags(fs)
	verbose := fs.Bool("verbose", false, "log every request (never a secret or token)")
	fs.Usage = setting.Usage(fs, zoomsimPrefix, zoomsimSynopsis)
	if err := setting.Parse(fs, zoomsimPrefix, args, nil); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	level := new(slog.LevelVar)
	if *verbose {
		level.Set(slog.LevelDebug)
	}
	cfg.Logger = newLogger(stderr, "auto", level)
	sim, err := zoomsim.New(cfg)
	if err != nil {
		return flagNamed(err, zoomsimFields, setting.Prefix(zoomsimPrefix))
	}
	if err := sim.Start(); err != nil {
		return flagNamed(err, zoomsimFields, setting.Prefix(zoomsimPrefix))
	}
	defer sim.Close()
	c := sim.Config()
	fmt.Fprintf(stdout, `Zoom simulator running (plan %s, %d rooms as %s from %d).
  OAuth (the Zoom URL):  %s   → pbxlink run --zoom-url %s
  API (the token's api_url): %s/v2
  credentials: --zoom-account-id %s --zoom-client-id %s --zoom-client-secret %s
  inspect: curl %s/_sim/state | %s/_sim/journal | %s/_sim/stats
Press Ctrl-C to stop.
`, c.Plan, c.Seed.Rooms, c.Seed.Target, c.Seed.FirstExtension,
		sim.OAuthURL(), sim.OAuthURL(), sim.APIURL(), c.AccountID, c.ClientID, c.ClientSecret,
		sim.APIURL(), sim.APIURL(), sim.APIURL())
	<-ctx.Done()
	return nil
}

var zoomsimSynopsis = strings.TrimSpace(`
Usage: pbxlink zoomsim [flags]

Runs an in-memory Zoom account that behaves like Zoom: Server-to-Server
OAuth, the users, phone, device, presence, voicemail and call-history
operations pbxlink uses, Zoom's rate limits and error answers, and fault
injection. The admin API under /_sim/ on the API listener shows the state,
a journal of every request and per-bucket statistics, and takes faults.

Example: pbxlink zoomsim --rooms 200 --first-extension 1200 --target common_areas`)
