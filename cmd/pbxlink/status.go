package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/internal/setting"
)

func init() {
	register("status", "what the fleet shares: the last and next directory sync, leases and their holders, the call-record watermark, a pause", statusCmd)
}

const statusSynopsis = `Usage: pbxlink status [flags]

Reads what the replicas share in the pbxlink-fleet bucket and prints it:
the Zoom app (the OAuth app's authorised account and admin and its last
refresh, or server-to-server), the last directory sync (when, its outcome, the replica) and the next one
(--sync-schedule in --timezone, as pbxlink run has them), every lease and
its holder (directory load, reconciler, call records, FIAS links), the
call-record watermark, and whether Zoom work is paused and why. --json
prints the same as one JSON object. Connects to NATS like pbxlink publish;
never starts a server.`

// Status is what `pbxlink status --json` prints.
type Status struct {
	DirectorySync *consumer.SyncStatus `json:"directory_sync,omitempty"`
	NextSync      *time.Time           `json:"next_sync,omitempty"`
	NextSlot      string               `json:"next_slot,omitempty"`
	Leases        []LeaseStatus        `json:"leases"`
	CallRecords   json.RawMessage      `json:"call_records,omitempty"`
	Pause         json.RawMessage      `json:"pause,omitempty"`
	ZoomApp       *ZoomAppStatus       `json:"zoom_app"`
}

// ZoomAppStatus says which Zoom app the fleet uses: the account-level OAuth
// app whose grant pbxlink authorize stored, or (no grant stored) the
// Server-to-Server app of --zoom-account-id.
type ZoomAppStatus struct {
	// Type is "oauth" or "server-to-server".
	Type string `json:"type"`
	// The authorised account and admin, and the grant's refreshes (OAuth
	// app only).
	AccountID    string     `json:"account_id,omitempty"`
	UserName     string     `json:"user_name,omitempty"`
	UserEmail    string     `json:"user_email,omitempty"`
	AuthorizedAt *time.Time `json:"authorized_at,omitempty"`
	RefreshedAt  *time.Time `json:"refreshed_at,omitempty"`
	RefreshedBy  string     `json:"refreshed_by,omitempty"`
	Refreshes    uint64     `json:"refreshes,omitempty"`
}

// zoomAppStatus reads the stored grant's clear part.
func zoomAppStatus(ctx context.Context, kv jetstream.KeyValue) (*ZoomAppStatus, error) {
	info, err := fleet.LoadGrant(ctx, kv)
	switch {
	case errors.Is(err, fleet.ErrNoGrant):
		return &ZoomAppStatus{Type: "server-to-server"}, nil
	case errors.Is(err, fleet.ErrGrantSealed):
		return &ZoomAppStatus{Type: "oauth"}, nil // unreadable: run pbxlink authorize
	case err != nil:
		return nil, err
	}
	a := &ZoomAppStatus{Type: "oauth", AccountID: info.AccountID, UserName: info.UserName, UserEmail: info.UserEmail,
		RefreshedBy: info.RefreshedBy, Refreshes: info.Refreshes, AuthorizedAt: &info.AuthorizedAt}
	if !info.RefreshedAt.IsZero() {
		a.RefreshedAt = &info.RefreshedAt
	}
	return a, nil
}

// LeaseStatus is one lease in the fleet bucket.
type LeaseStatus struct {
	Key    string    `json:"key"`
	Holder string    `json:"holder"`
	Until  time.Time `json:"until"`
	Live   bool      `json:"live"`
}

func statusCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("status", stdout)
	var s natsSettings
	s.clientFlags(fs)
	var schedule, timezone string
	var asJSON bool
	fs.StringVar(&schedule, "sync-schedule", "", "the fleet's --sync-schedule, to say when the next sync is")
	fs.StringVar(&timezone, "timezone", "", "the hotel's IANA time zone, as pbxlink run has it (default: the host's)")
	fs.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	fs.Usage = setting.Usage(fs, envPrefix, statusSynopsis)
	if err := setting.Parse(fs, envPrefix, args, nil); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	sched, err := consumer.ParseSchedule(schedule)
	if err != nil {
		return &setting.Error{Msg: fmt.Sprintf("PBXLINK_SYNC_SCHEDULE (--sync-schedule): %v", err)}
	}
	loc := time.Local
	if timezone != "" {
		if loc, err = time.LoadLocation(timezone); err != nil {
			return &setting.Error{Msg: fmt.Sprintf("PBXLINK_TIMEZONE (--timezone): %v", err)}
		}
	}
	nc, js, err := connectJetStream(s, "pbxlink-status", stderr)
	if err != nil {
		return err
	}
	defer nc.Close()
	st, err := readStatus(ctx, js, sched, loc, time.Now())
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	printStatus(stdout, st, loc)
	return nil
}

// readStatus gathers the fleet's shared state.
func readStatus(ctx context.Context, js jetstream.JetStream, sched consumer.Schedule, loc *time.Location, now time.Time) (*Status, error) {
	kv, err := js.KeyValue(ctx, broker.BucketFleet)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("no bucket %s: no pbxlink run has started on this NATS", broker.BucketFleet)
	}
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", broker.BucketFleet, err)
	}
	st := &Status{Leases: []LeaseStatus{}}
	if st.ZoomApp, err = zoomAppStatus(ctx, kv); err != nil {
		return nil, err
	}
	if at, slot, ok := sched.Next(now, loc); ok {
		st.NextSync, st.NextSlot = &at, slot
	}
	keys, err := kv.ListKeys(ctx)
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, fmt.Errorf("bucket %s: %w", broker.BucketFleet, err)
	}
	var names []string
	if keys != nil {
		for k := range keys.Keys() {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		e, err := kv.Get(ctx, k)
		if err != nil {
			continue
		}
		switch {
		case k == "directory.sync":
			var s consumer.SyncStatus
			if json.Unmarshal(e.Value(), &s) == nil {
				st.DirectorySync = &s
			}
		case k == "account.pause":
			st.Pause = e.Value()
		case k == "callrecords.state":
			st.CallRecords = e.Value()
		case strings.HasSuffix(k, ".lease") || strings.Contains(k, ".lease."):
			var l struct {
				Holder string    `json:"holder"`
				Until  time.Time `json:"until"`
			}
			if json.Unmarshal(e.Value(), &l) == nil {
				st.Leases = append(st.Leases, LeaseStatus{Key: k, Holder: l.Holder, Until: l.Until, Live: l.Until.After(now)})
			}
		}
	}
	return st, nil
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func printStatus(w io.Writer, st *Status, loc *time.Location) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	when := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.In(loc).Format("2006-01-02 15:04:05 MST")
	}
	fmt.Fprintln(tw, "WHAT\tSTATE")
	if a := st.ZoomApp; a != nil && a.Type == "oauth" {
		fmt.Fprintf(tw, "Zoom app\tOAuth app of account %s, authorised by %s <%s> at %s\n", a.AccountID, a.UserName, a.UserEmail, when(deref(a.AuthorizedAt)))
		refreshed := "never"
		if a.RefreshedAt != nil {
			refreshed = fmt.Sprintf("%s by %s (%d refreshes)", when(*a.RefreshedAt), a.RefreshedBy, a.Refreshes)
		}
		fmt.Fprintf(tw, "Zoom grant, last refresh\t%s\n", refreshed)
	} else if a != nil {
		fmt.Fprintln(tw, "Zoom app\tserver-to-server (no OAuth grant stored)")
	}
	if s := st.DirectorySync; s != nil {
		fmt.Fprintf(tw, "directory sync, last attempt\t%s by %s: %s, %d extensions\n", when(s.LastAttempt), s.Replica, s.Outcome, s.Extensions)
		fmt.Fprintf(tw, "directory sync, last success\t%s\n", when(s.LastSuccess))
	} else {
		fmt.Fprintln(tw, "directory sync\tnone recorded")
	}
	if st.NextSync != nil {
		fmt.Fprintf(tw, "directory sync, next slot\t%s (%s)\n", st.NextSlot, when(*st.NextSync))
	} else {
		fmt.Fprintln(tw, "directory sync, next slot\tno --sync-schedule given (the interval refresh goes on)")
	}
	for _, l := range st.Leases {
		state := "expired " + when(l.Until)
		if l.Live {
			state = "held by " + l.Holder + " until " + when(l.Until)
		}
		fmt.Fprintf(tw, "lease %s\t%s\n", l.Key, state)
	}
	if st.CallRecords != nil {
		var c struct {
			Watermark time.Time `json:"watermark"`
			LastRead  time.Time `json:"last_read"`
			Requests  int       `json:"requests"`
		}
		_ = json.Unmarshal(st.CallRecords, &c)
		fmt.Fprintf(tw, "call records\twatermark %s, last read %s, %d Heavy requests today\n", when(c.Watermark), when(c.LastRead), c.Requests)
	}
	if st.Pause != nil {
		var p struct {
			Reason string    `json:"reason"`
			Since  time.Time `json:"since"`
		}
		_ = json.Unmarshal(st.Pause, &p)
		fmt.Fprintf(tw, "Zoom work\tPAUSED since %s: %s\n", when(p.Since), p.Reason)
	} else {
		fmt.Fprintln(tw, "Zoom work\trunning")
	}
	_ = tw.Flush()
}
