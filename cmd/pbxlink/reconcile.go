package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/app"
	"github.com/pbxlink/pbxlink/internal/setting"
	"github.com/pbxlink/pbxlink/schemas"
)

func init() {
	register("reconcile", "read every room back from Zoom and repair what differs from its state (--ext N, --dry-run)", reconcileCmd)
}

const reconcileSynopsis = `Usage: pbxlink reconcile [--ext <extension>] [--dry-run] [flags]

Reads every room whose state the workers keep back from Zoom (names,
desk-phone names, department; for a vacant room also do-not-disturb and,
with message management, voicemail) and compares it with what its state
says it must show: a vacant room the name template without guest fields,
an occupied room the stay's names. A room that differs gets a corrective
event on its own subject, which a running worker applies in order with the
room's other events; a room with a newer event queued is left alone. Prints
one line per room: state, the fields that differ (their values only with
--debug: they can be guest names) and the action. Takes the settings of
pbxlink run (the same environment works); without --nats-url it connects
to the worker's embedded server at --nats-listen. Its Zoom calls are paced
to --reconcile-share of the Medium rate, and share the fleet's rate limit.`

func reconcileCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reconcile", stdout)
	var s runSettings
	s.flags(fs)
	var ext string
	var dryRun bool
	fs.StringVar(&ext, "ext", "", "check this extension only (digits)")
	fs.BoolVar(&dryRun, "dry-run", false, "compare and report; change nothing")
	fs.Usage = setting.Usage(fs, envPrefix, reconcileSynopsis)
	if err := setting.Parse(fs, envPrefix, args, nil); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := s.validate(); err != nil {
		return &setting.Error{Msg: err.Error()}
	}
	if ext != "" && !schemas.ValidExtension(ext) {
		return &setting.Error{Msg: fmt.Sprintf("--ext %q: want an extension number (digits, no leading zero)", ext)}
	}
	level := new(slog.LevelVar)
	if s.Debug {
		level.Set(slog.LevelDebug)
	}
	log := newLogger(stderr, s.LogFormat, level)
	rep, err := reconcileOnce(ctx, s, consumer.ReconcileOptions{Extension: ext, DryRun: dryRun}, log, stderr)
	if err != nil {
		return settingNamed(err)
	}
	printReconcile(stdout, rep, dryRun, s.Debug)
	if n := rep.Count(consumer.ActionFailed); n > 0 {
		return fmt.Errorf("%d rooms could not be checked (see the log)", n)
	}
	return nil
}

// reconcileOnce connects to NATS and Zoom as a worker does and runs the
// reconciler once.
func reconcileOnce(ctx context.Context, s runSettings, opts consumer.ReconcileOptions, log *slog.Logger, stderr io.Writer) (consumer.ReconcileReport, error) {
	if s.NATS.URL == "" {
		s.NATS.URL = "nats://" + s.NATS.Listen // the running worker's embedded server
	}
	nc, js, err := connectJetStream(s.NATS, "pbxlink-reconcile", stderr)
	if err != nil {
		return consumer.ReconcileReport{}, err
	}
	defer nc.Close()
	zc, closeZoom, err := app.OpenZoom(ctx, js, s.appConfig(log, nil))
	if err != nil {
		return consumer.ReconcileReport{}, err
	}
	defer closeZoom()
	r, err := consumer.NewReconciler(consumer.ReconcileConfig{JetStream: js, Zoom: zc,
		Target: consumer.Target(s.Target), NameTemplate: s.Template, Department: consumer.Department(s.Department),
		MessageManagement: s.Messages, Location: s.Location, Rates: s.Reconcile.rates(s.Plan, s.ZoomLimits),
		Logger: log})
	if err != nil {
		return consumer.ReconcileReport{}, err
	}
	return r.Run(ctx, opts)
}

// printReconcile is the table of rooms. The values that differ can be
// guest names: they are printed only with debug.
func printReconcile(w io.Writer, rep consumer.ReconcileReport, dryRun, debug bool) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	header := "ROOM\tSTATE\tDIFFERS\tACTION"
	if debug {
		header += "\tDETAILS"
	}
	fmt.Fprintln(tw, header)
	for _, r := range rep.Rooms {
		differs := strings.Join(r.Fields(), ",")
		if differs == "" {
			differs = "-"
		}
		line := r.Extension + "\t" + r.State + "\t" + differs + "\t" + r.Action
		if debug {
			var d []string
			for _, x := range r.Differences {
				d = append(d, fmt.Sprintf("%s: Zoom %q, state %q", x.Field, x.Zoom, x.Want))
			}
			if r.Err != nil {
				d = append(d, r.Err.Error())
			}
			line += "\t" + strings.Join(d, "; ")
		}
		fmt.Fprintln(tw, line)
	}
	_ = tw.Flush()
	verb := "repaired"
	n := rep.Count(consumer.ActionRepaired)
	if dryRun {
		verb, n = "would repair", rep.Count(consumer.ActionWouldRepair)
	}
	fmt.Fprintf(w, "checked %d rooms in %.1fs with %d Zoom calls: %d ok, %s %d, %d in flight (looked at next run), %d not in Zoom, %d failed\n",
		len(rep.Rooms), rep.Finished.Sub(rep.Started).Seconds(), rep.TotalCalls(), rep.Count(consumer.ActionOK), verb, n,
		rep.Count(consumer.ActionInFlight), rep.Count(consumer.ActionNotInZoom), rep.Count(consumer.ActionFailed))
	if rep.Count(consumer.ActionFailed) > 0 && !debug {
		for _, r := range rep.Rooms {
			if r.Err != nil {
				fmt.Fprintf(w, "room %s: %v\n", r.Extension, r.Err)
			}
		}
	}
}
