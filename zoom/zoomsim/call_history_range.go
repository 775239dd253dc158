package zoomsim

import (
	"net/url"
	"time"
)

// callHistoryDefaultSpan is what the account's call history covers without
// from and to: the last 24 hours (accountCallHistory's from parameter).
const callHistoryDefaultSpan = 24 * time.Hour

// callHistoryMaxSpan is the longest from-to range of one request.
const callHistoryMaxSpan = 31 * 24 * time.Hour

// callHistoryRangeProblem applies Zoom's rule for the account's call
// history ("the date range defined by the from and to parameters should be
// a month … The month defined should fall within the last six months") to
// a query parseRange accepted: it names the parameter that breaks it, or
// returns "". A to alone reaches back the default span. "A month" is read
// as the longest one, 31 days between from and to: Zoom's own example
// range for this operation is looser still, so the simulator takes the
// reading that refuses least while keeping a poller to month-sized windows.
func callHistoryRangeProblem(q url.Values, now time.Time) string {
	return rangeProblem(q, now, callHistoryDefaultSpan, func(from, to time.Time) bool { return to.Sub(from) > callHistoryMaxSpan })
}
