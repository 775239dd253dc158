package zoomsim

import (
	"net/url"
	"time"
)

// Zoom's rules for the range of a voicemail listing (phoneUserVoiceMails,
// shared/zoom-api/README.md "Answers found in review"): without from/to it
// is the last 30 days; to is required when from is given; one range covers
// at most a month; only the last six months can be reached. parseRange
// checks the first two; voicemailRangeProblem the last two.
const (
	voicemailDefaultSpan = 30 * 24 * time.Hour
	voicemailReachMonths = 6
)

// voicemailRangeProblem names the parameter that breaks the month or
// six-month rule, or returns "". It runs after parseRange accepted the
// query, so from and to parse. A from before the first day Zoom still
// reaches (six calendar months before today, UTC) is refused, and so is a
// to more than one calendar month after from (2026-01-31 to 2026-02-28 is
// a month; 2026-01-01 to 2026-02-01 too, as Zoom's own example
// 2021-05-19..2021-06-19 shows).
func voicemailRangeProblem(q url.Values, now time.Time) string {
	return rangeProblem(q, now, voicemailDefaultSpan, func(from, to time.Time) bool { return to.After(from.AddDate(0, 1, 0)) })
}

// rangeProblem applies the rules Zoom's month-at-a-time listings share (the
// voicemail and the account's call history) to a query parseRange
// accepted: a from before the oldest reachable day, or a to alone whose
// default span reaches back before it, or a range tooLong. It names the
// parameter that breaks a rule, or returns "".
func rangeProblem(q url.Values, now time.Time, defaultSpan time.Duration, tooLong func(from, to time.Time) bool) string {
	fs, ts := q.Get("from"), q.Get("to")
	if fs == "" {
		if ts == "" {
			return ""
		}
		to, _ := parseBound(ts, false)
		if to.Add(-defaultSpan).Before(oldestReachable(now)) {
			return "to"
		}
		return ""
	}
	from, _ := parseBound(fs, false)
	to, _ := parseBound(ts, false)
	if from.Before(oldestReachable(now)) {
		return "from"
	}
	if tooLong(from, to) {
		return "to"
	}
	return ""
}

// oldestReachable is the first instant a voicemail listing may start at:
// the start of the day six months before now, UTC.
func oldestReachable(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, -voicemailReachMonths, 0)
}
