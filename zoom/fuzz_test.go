package zoom

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseRetryAfter: any header value either parses to a time or is
// refused; it never panics, and a number of seconds lands that far ahead.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"3", "0.5", "2026-11-24T00:00:00Z", "Mon, 23 Nov 2026 14:06:00 GMT", "", "-1", "1e400", "NaN", "Inf"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 14, 5, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		at, ok := parseRetryAfter(v, now)
		if !ok {
			if !at.IsZero() {
				t.Fatalf("refused %q but returned %v", v, at)
			}
			return
		}
		if at.Before(now) && !strings.ContainsAny(v, "-:,") {
			t.Fatalf("%q: a number of seconds put the time in the past: %v", v, at)
		}
	})
}

// FuzzParseLimits: any setting either parses into known buckets with
// positive limits or is refused with an error; it never panics.
func FuzzParseLimits(f *testing.F) {
	for _, s := range []string{"main/Medium=20", "phone/Medium=10/s,main/Light=5/min", "", ",,", "main/Medium=", "x/y=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := ParseLimits(v)
		if err != nil {
			return
		}
		for b, l := range got {
			if _, known := limitTable[PlanPro][b]; !known || l.Count < 1 || (l.Per != time.Second && l.Per != time.Minute) {
				t.Fatalf("%q gave %v: %+v", v, b, l)
			}
		}
	})
}
