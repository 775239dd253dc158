package main

import (
	"flag"
	"time"

	"github.com/pbxlink/pbxlink/internal/callrecord"
	"github.com/pbxlink/pbxlink/zoom"
)

// callSettings switch call records on and say where they are kept, how
// long, and how much of Zoom's daily cap reading them may use.
type callSettings struct {
	Enabled, AllExtensions   bool
	DB                       string
	Retention                time.Duration
	Interval, Overlap, Stale time.Duration
	DailyShare               float64
}

func (s *callSettings) flags(fs *flag.FlagSet) {
	fs.BoolVar(&s.Enabled, "call-records", false, "read Zoom's call history and publish each finished call of a room on pbxlink.call.<extension> (stream PBXLINK_CALLS), and keep it in the call database")
	fs.StringVar(&s.DB, "call-db", "", "the call database: empty for SQLite in the data directory (calls.db), sqlite:<file>, or postgres://… for a fleet")
	s.Retention = callrecord.DefaultRetention
	fs.Var((*retentionValue)(&s.Retention), "call-retention", "how long call records are kept, in PBXLINK_CALLS and in the database: a Go duration or whole days (90d)")
	fs.Var(durationVar(&s.Interval, callrecord.DefaultInterval, time.Minute, "minutes"), "call-interval", "interval between reads of Zoom's call history: a duration (5m) or a number of minutes")
	fs.Var(durationVar(&s.Overlap, callrecord.DefaultOverlap, time.Minute, "minutes"), "call-overlap", "each read starts this long before the last one ended, for records Zoom lists late: a duration (15m) or a number of minutes")
	fs.Float64Var(&s.DailyShare, "call-daily-share", callrecord.DefaultDailyShare, "the share of the account's daily cap of Heavy Phone API calls that reading call records may use (0.1 is a tenth)")
	fs.BoolVar(&s.AllExtensions, "call-all-extensions", false, "publish the calls of every extension, not only the rooms' (those in the directory)")
	fs.Var(durationVar(&s.Stale, callrecord.DefaultStaleAfter, time.Hour, "hours"), "call-stale-after", "raise the no-CDR alert (pbxlink_call_records_stale) when no call record arrived for this long: a duration (24h) or a number of hours")
}

// dailyCap is the account's daily cap of Heavy Phone API calls on plan.
func dailyCap(plan string) int {
	p, _ := zoom.ParsePlan(plan)
	l, _ := zoom.Limits(p, zoom.Bucket{Family: zoom.FamilyPhone, Category: zoom.Heavy})
	return l.Daily
}

func (s *callSettings) validate(plan, dataDir string) []error {
	var errs []error
	if _, _, err := callrecord.Target(s.DB, dataDir); err != nil {
		errs = append(errs, problem("call-db", "%v", err))
	}
	if s.Interval < time.Second {
		errs = append(errs, problem("call-interval", "%v: at least a second", s.Interval))
	}
	if s.Overlap < 0 || s.Overlap > 24*time.Hour {
		errs = append(errs, problem("call-overlap", "%v: 0 to 24h", s.Overlap))
	}
	if s.Stale <= 0 {
		errs = append(errs, problem("call-stale-after", "%v: must be positive", s.Stale))
	}
	if s.DailyShare <= 0 || s.DailyShare > 1 {
		errs = append(errs, problem("call-daily-share", "%v: want more than 0 and at most 1", s.DailyShare))
	} else if s.Enabled && s.Interval >= time.Second {
		c := callrecord.PollerConfig{DailyShare: s.DailyShare, DailyCap: dailyCap(plan)}
		if reads := int(24 * time.Hour / s.Interval); reads > c.Budget() {
			errs = append(errs, problem("call-daily-share", "%v of the plan's daily cap of %d is %d requests a day, fewer than the %d reads a day of --call-interval %v: raise one of them",
				s.DailyShare, c.DailyCap, c.Budget(), reads, s.Interval))
		}
	}
	return errs
}
