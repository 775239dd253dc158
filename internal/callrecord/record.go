package callrecord

import (
	"fmt"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// callOf turns a call-history entry into the record of the extension it
// belongs to: the callee's for an inbound entry, the caller's for an
// outbound one (Zoom lists a call between two extensions once per side).
// isOurs says whether an extension's calls are kept; an entry whose
// extension is not kept, or that has none, gives ok false.
func callOf(e zoom.CallHistoryEntry, isOurs func(ext string) bool) (c schemas.Call, ok bool, err error) {
	var ext, otherNumber, otherName string
	switch e.Direction {
	case "inbound":
		ext, otherNumber, otherName = e.CalleeExtNumber, firstOf(e.CallerExtNumber, e.CallerDIDNumber), e.CallerName
	case "outbound":
		ext, otherNumber, otherName = e.CallerExtNumber, firstOf(e.CalleeExtNumber, e.CalleeDIDNumber), e.CalleeName
	default:
		return c, false, fmt.Errorf("call %s: direction %q", e.CallHistoryUUID, e.Direction)
	}
	ext = strings.TrimSpace(ext)
	if ext == "" || !isOurs(ext) {
		return c, false, nil
	}
	c = schemas.Call{
		CallHistoryID: e.CallHistoryUUID, CallID: e.CallID, Extension: ext, Direction: e.Direction,
		Internal: e.ConnectType == "internal", DurationSeconds: max(e.Duration, 0),
		OtherNumber: otherNumber, OtherName: otherName, Result: e.CallResult,
	}
	if c.Start, err = zoomTime("start_time", e.StartTime, true); err != nil {
		return c, false, fmt.Errorf("call %s: %w", e.CallHistoryUUID, err)
	}
	if c.Answer, err = zoomTime("answer_time", e.AnswerTime, false); err != nil {
		return c, false, fmt.Errorf("call %s: %w", e.CallHistoryUUID, err)
	}
	if c.End, err = zoomTime("end_time", e.EndTime, true); err != nil {
		return c, false, fmt.Errorf("call %s: %w", e.CallHistoryUUID, err)
	}
	if c.CallID == "" {
		c.CallID = c.CallHistoryID
	}
	if c.Result == "" {
		c.Result = "unknown"
	}
	return c, true, nil
}

// endOf is when an entry's call ended, the time the poller reads by; zero
// when Zoom gave none.
func endOf(e zoom.CallHistoryEntry) time.Time {
	t, _ := zoomTime("end_time", e.EndTime, false)
	return t
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// zoomTime reads one of Zoom's GMT date-times.
func zoomTime(field, s string, required bool) (time.Time, error) {
	if s == "" {
		if required {
			return time.Time{}, fmt.Errorf("%s missing", field)
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: %w", field, s, err)
	}
	return t.UTC(), nil
}
