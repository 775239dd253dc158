package consumer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Schedule is when the directory is synced from Zoom besides (or instead
// of) the fixed CacheRefresh: several slots, each a set of weekdays and a
// time of day in the hotel's time zone (PBXLINK_SYNC_SCHEDULE, for
// instance "mon-fri 02:30, sat,sun 05:00").
type Schedule []Slot

// Slot is one time of day on some weekdays.
type Slot struct {
	Days         [7]bool // indexed by time.Weekday
	Hour, Minute int
}

var (
	slotRE = regexp.MustCompile(`^\s*((?:daily|[a-z]{3}(?:-[a-z]{3})?)(?:\s*,\s*[a-z]{3}(?:-[a-z]{3})?)*)\s+(\d{1,2}):(\d{2})\s*(?:,|$)`)
	days   = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
		"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}
)

// ParseSchedule reads a schedule: entries separated by commas, each weekdays
// (mon…sun, ranges such as mon-fri, lists such as sat,sun, or daily) and a
// time HH:MM. The empty string is no schedule.
func ParseSchedule(s string) (Schedule, error) {
	rest := strings.ToLower(strings.TrimSpace(s))
	var out Schedule
	for rest != "" {
		m := slotRE.FindStringSubmatch(rest)
		if m == nil {
			return nil, fmt.Errorf("%q: want weekdays and a time, such as \"mon-fri 02:30, sat,sun 05:00\"", strings.TrimSpace(rest))
		}
		var sl Slot
		for _, part := range strings.Split(m[1], ",") {
			part = strings.TrimSpace(part)
			if part == "daily" {
				sl.Days = [7]bool{true, true, true, true, true, true, true}
				continue
			}
			from, to, isRange := strings.Cut(part, "-")
			a, ok1 := days[from]
			b, ok2 := days[to]
			if !ok1 || isRange && !ok2 {
				return nil, fmt.Errorf("%q: unknown weekday (mon, tue, wed, thu, fri, sat, sun)", part)
			}
			if !isRange {
				b = a
			}
			for d := a; ; d = (d + 1) % 7 {
				sl.Days[d] = true
				if d == b {
					break
				}
			}
		}
		sl.Hour, _ = strconv.Atoi(m[2])
		sl.Minute, _ = strconv.Atoi(m[3])
		if sl.Hour > 23 || sl.Minute > 59 {
			return nil, fmt.Errorf("%s:%s: not a time of day", m[2], m[3])
		}
		out = append(out, sl)
		rest = strings.TrimSpace(rest[len(m[0]):])
	}
	return out, nil
}

// Next is the first slot strictly after t, in loc, with its name (the local
// date and time, which names a slot once even on the night the clocks go
// back and the same local time comes twice). A slot whose local time does
// not exist that day (the clocks go forward over it) runs at the first
// instant after the gap. ok is false for an empty schedule.
func (s Schedule) Next(t time.Time, loc *time.Location) (at time.Time, name string, ok bool) {
	if len(s) == 0 {
		return time.Time{}, "", false
	}
	local := t.In(loc)
	y, m, d := local.Date()
	for i := 0; i <= 8; i++ {
		day := time.Date(y, m, d+i, 12, 0, 0, 0, loc) // noon: never in a gap
		for _, sl := range s {
			if !sl.Days[day.Weekday()] {
				continue
			}
			c := time.Date(day.Year(), day.Month(), day.Day(), sl.Hour, sl.Minute, 0, 0, loc)
			if c.After(t) && (at.IsZero() || c.Before(at)) {
				at = c
				name = fmt.Sprintf("%s %02d:%02d", day.Format(time.DateOnly), sl.Hour, sl.Minute)
			}
		}
		if !at.IsZero() {
			return at, name, true
		}
	}
	return time.Time{}, "", false
}

// String writes the schedule back in the form ParseSchedule reads.
func (s Schedule) String() string {
	names := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	var parts []string
	for _, sl := range s {
		var ds []string
		for d, on := range sl.Days {
			if on {
				ds = append(ds, names[d])
			}
		}
		parts = append(parts, fmt.Sprintf("%s %02d:%02d", strings.Join(ds, ","), sl.Hour, sl.Minute))
	}
	return strings.Join(parts, ", ")
}
