package consumer

import (
	"context"
	"errors"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// Zoom lists a user's voicemail only a month at a time and only within the
// last six months; without a range it lists the last 30 days
// (shared/zoom-api/README.md). "Delete all" must reach every message Zoom
// can list, so it walks back month by month.
const (
	// voicemailReachMonths is how far back Zoom lists voicemail.
	voicemailReachMonths = 6
	// voicemailEdgeDays keeps the oldest range one day inside Zoom's
	// six-month limit, so a clock a day apart from Zoom's (or a UTC date
	// change between two calls) does not make Zoom refuse it.
	voicemailEdgeDays = 1
)

// voicemailRange is one listing range, whole UTC dates, both included.
type voicemailRange struct{ from, to time.Time }

// voicemailRanges covers the six months Zoom reaches, newest first, in
// ranges of at most a calendar month: [today-1 month, today], then the
// month before the day before that, and so on, the oldest cut at the edge.
func voicemailRanges(now time.Time) []voicemailRange {
	y, m, d := now.UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	oldest := today.AddDate(0, -voicemailReachMonths, voicemailEdgeDays)
	var out []voicemailRange
	for to := today; !to.Before(oldest); {
		from := to.AddDate(0, -1, 0)
		if from.Before(oldest) {
			from = oldest
		}
		out = append(out, voicemailRange{from, to})
		to = from.AddDate(0, 0, -1)
	}
	return out
}

// deleteAllVoicemail deletes every voicemail of a user that Zoom can list,
// back six months, and returns how many it deleted. A message another
// party deleted meanwhile (404) counts as gone. A message is listed once
// per range it falls in; one in two ranges is deleted once.
func deleteAllVoicemail(ctx context.Context, z writer, userID string, now time.Time) (int, error) {
	seen := map[string]bool{}
	n := 0
	for _, r := range voicemailRanges(now) {
		vms, err := z.ListVoicemails(ctx, userID, r.from, r.to)
		if err != nil {
			return n, err
		}
		for _, vm := range vms {
			if seen[vm.ID] {
				continue
			}
			seen[vm.ID] = true
			err := z.DeleteVoicemail(ctx, vm.ID)
			if err != nil && !errors.Is(err, zoom.ErrNotFound) {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
