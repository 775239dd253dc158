package consumer

import (
	"testing"
	"time"
)

// The walk's ranges keep Zoom's rules on every day of a year (month ends,
// February, leap days): each at most a calendar month, contiguous, newest
// first from today, none before six months ago.
func TestVoicemailRangesKeepZoomsRules(t *testing.T) {
	t.Parallel()
	start := time.Date(2027, 1, 1, 23, 30, 0, 0, time.UTC)
	for day := range 366 * 2 {
		now := start.AddDate(0, 0, day)
		rs := voicemailRanges(now)
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		if !rs[0].to.Equal(today) {
			t.Fatalf("%s: first range ends %s", today, rs[0].to)
		}
		reach := today.AddDate(0, -6, 0)
		for i, r := range rs {
			if r.to.After(r.from.AddDate(0, 1, 0)) || r.from.After(r.to) {
				t.Fatalf("%s: range %s..%s is not within a month", today, r.from, r.to)
			}
			if r.from.Before(reach) {
				t.Fatalf("%s: range %s..%s reaches past six months", today, r.from, r.to)
			}
			if i > 0 && !rs[i-1].from.Equal(r.to.AddDate(0, 0, 1)) {
				t.Fatalf("%s: gap between %v and %v", today, rs[i-1], r)
			}
		}
		if last := rs[len(rs)-1].from; last.After(reach.AddDate(0, 0, voicemailEdgeDays)) {
			t.Fatalf("%s: walk stops at %s, short of six months", today, last)
		}
	}
}
