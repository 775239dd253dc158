package main

import (
	"errors"
	"flag"
	"strconv"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/internal/broker"
)

// privacyFlags registers the settings that bound how long guest data is
// kept, and the hotel's time zone.
func (s *runSettings) privacyFlags(fs *flag.FlagSet) {
	s.EventRetention, s.DLQRetention = broker.DefaultHistory, broker.DefaultDeadLetterRetention
	fs.Var((*retentionValue)(&s.EventRetention), "event-retention", "how long PBXLINK_EVENTS keeps events (they hold guest names): a Go duration (36h) or whole days (7d)")
	fs.Var((*retentionValue)(&s.DLQRetention), "dlq-retention", "how long PBXLINK_DLQ keeps dead letters: a Go duration or whole days (30d)")
	fs.Var(&zoneValue{loc: &s.Location}, "timezone", "the hotel's IANA time zone (Europe/Berlin) for dates shown in Zoom; default the host's zone")
}

// retentionValue is a flag holding a retention: a Go duration, or a whole
// number of days ("7d"), the unit retention is thought of in.
type retentionValue time.Duration

const day = 24 * time.Hour

func (v *retentionValue) Set(s string) error {
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseUint(n, 10, 16)
		if err != nil {
			return errors.New("want a whole number of days (7d) or a Go duration (36h)")
		}
		d = time.Duration(days) * day
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return errors.New("want a whole number of days (7d) or a Go duration (36h)")
		}
	}
	if d < time.Minute {
		return errors.New("must be at least a minute")
	}
	*v = retentionValue(d)
	return nil
}

// String writes whole days as days ("7d"), the rest as Go durations.
func (v *retentionValue) String() string {
	if v == nil {
		return ""
	}
	d := time.Duration(*v)
	if d > 0 && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return d.String()
}

// zoneValue is a flag holding an IANA time zone; unset, the host's.
type zoneValue struct{ loc **time.Location }

func (v *zoneValue) Set(s string) error {
	if s == "" || s == "Local" {
		return errors.New("want an IANA time zone name such as Europe/Berlin")
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return errors.New("unknown time zone: want an IANA name such as Europe/Berlin or America/New_York")
	}
	*v.loc = loc
	return nil
}

// String is the zone's name, empty for the host's zone (the default).
func (v *zoneValue) String() string {
	if v == nil || v.loc == nil || *v.loc == nil {
		return ""
	}
	return (*v.loc).String()
}
