package zoomsim

import (
	"net/url"
	"time"
)

// timeRange is the from/to filter of voicemail and call-history lists.
type timeRange struct {
	from, to time.Time // to is exclusive
	// fromText and toText are the bounds as the answer echoes them.
	fromText, toText string
}

func (r timeRange) contains(t time.Time) bool { return !t.Before(r.from) && t.Before(r.to) }

// parseBound reads yyyy-mm-dd or yyyy-MM-dd'T'HH:mm:ss'Z' (the formats Zoom
// documents). A date as upper bound includes its whole day.
func parseBound(s string, upper bool) (time.Time, bool) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if upper {
			t = t.AddDate(0, 0, 1)
		}
		return t, true
	}
	if t, err := time.Parse("2006-01-02T15:04:05Z", s); err == nil {
		if upper {
			t = t.Add(time.Second)
		}
		return t, true
	}
	return time.Time{}, false
}

// parseRange reads from and to. Without either, the range is the last span
// up to now (Zoom's default: 30 days for voicemail, 24 hours for call
// history). to is required when from is given; a to alone reaches back one
// span. A from far in the past is accepted. It returns the name of a bad
// parameter, or "".
func parseRange(q url.Values, now time.Time, span time.Duration) (timeRange, string) {
	now = now.UTC()
	fs, ts := q.Get("from"), q.Get("to")
	var r timeRange
	switch {
	case fs == "" && ts == "":
		r.from, r.to = now.Add(-span), now.Add(time.Second)
		return timeRange{from: r.from, to: r.to, fromText: r.from.Format(time.DateOnly), toText: now.Format(time.DateOnly)}, ""
	case fs != "" && ts == "":
		return r, "to"
	}
	to, ok := parseBound(ts, true)
	if !ok {
		return r, "to"
	}
	from := to.Add(-span)
	if fs != "" {
		if from, ok = parseBound(fs, false); !ok {
			return r, "from"
		}
	}
	if !from.Before(to) {
		return r, "from"
	}
	r = timeRange{from: from, to: to, fromText: fs, toText: ts}
	if fs == "" {
		r.fromText = from.Format(time.DateOnly)
	}
	return r, ""
}

// dateOnly cuts an echoed bound to its date, for answers whose schema
// says format "date".
func dateOnly(s string) string {
	if len(s) >= len(time.DateOnly) {
		return s[:len(time.DateOnly)]
	}
	return s
}

// firstPageRange reads a list's from/to on its first page; later pages
// (with next_page_token) keep the first page's range, so they skip this.
// bad builds the error answer for a bad parameter.
func firstPageRange(c *call, span time.Duration, bad func(...string) *apiError) (timeRange, *apiError) {
	if c.query.Get("next_page_token") != "" {
		return timeRange{}, nil
	}
	r, param := parseRange(c.query, c.now, span)
	if param != "" {
		return r, bad(param)
	}
	return r, nil
}
