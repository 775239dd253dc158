package zoom

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// CallHistoryEntry is a call-history entry with the fields call accounting
// needs beyond [CallRecord]: who is an extension of the account, and
// whether the call stayed inside it.
type CallHistoryEntry struct {
	CallRecord
	ConnectType   string `json:"connect_type"`
	CallType      string `json:"call_type"`
	CallerExtType string `json:"caller_ext_type"`
	CalleeExtType string `json:"callee_ext_type"`
}

// CallHistoryWindow selects the account's call history by time, to the
// second (Zoom's yyyy-MM-dd'T'HH:mm:ss'Z' form of from and to).
type CallHistoryWindow struct {
	// From and To bound the window; Zoom includes both ends. One window
	// covers at most a month, within the last six months.
	From, To time.Time
	// ByEndTime selects calls by when they ended (time_type=end_time)
	// instead of when they started: a call appears in the history once it
	// has ended, so a poller that reads by end time misses no long call.
	ByEndTime bool
}

// CallHistoryPages reads a window of the account's call history page by
// page (the largest page Zoom allows) and hands each page to page, in
// Zoom's order, with more true when another page follows. It returns the
// number of requests made, each a Heavy call that counts toward the
// account's daily cap, also when it fails. An error from page stops the
// reading before the next request and is returned.
func (c *Client) CallHistoryPages(ctx context.Context, w CallHistoryWindow, page func(entries []CallHistoryEntry, more bool) error) (requests int, err error) {
	q := url.Values{}
	q.Set("from", w.From.UTC().Format(secondForm))
	q.Set("to", w.To.UTC().Format(secondForm))
	if w.ByEndTime {
		q.Set("time_type", "end_time")
	}
	if n := maxPageSize[OpListCallHistory.ID]; n > 0 {
		q.Set("page_size", strconv.Itoa(n))
	}
	seen := map[string]bool{}
	for {
		var p struct {
			CallHistory   []CallHistoryEntry `json:"call_history"`
			NextPageToken string             `json:"next_page_token"`
		}
		err := c.do(ctx, request{op: OpListCallHistory, query: q}, &p)
		if reachedZoom(err) {
			requests++
		}
		if err != nil {
			return requests, err
		}
		if err := page(p.CallHistory, p.NextPageToken != ""); err != nil {
			return requests, err
		}
		if p.NextPageToken == "" {
			return requests, nil
		}
		if seen[p.NextPageToken] {
			return requests, &TransportError{Op: OpListCallHistory.ID, Err: fmt.Errorf("next_page_token repeats")}
		}
		seen[p.NextPageToken] = true
		q.Set("next_page_token", p.NextPageToken)
	}
}

// secondForm is Zoom's date-time form of from and to.
const secondForm = "2006-01-02T15:04:05Z"

// reachedZoom reports whether a call that ended with err was sent to
// Zoom (and so may count toward its caps): it succeeded, Zoom answered, or
// the exchange broke on the way. A limiter's refusal sent nothing.
func reachedZoom(err error) bool {
	var ae *APIError
	var te *TransportError
	return err == nil || errors.As(err, &ae) || errors.As(err, &te)
}
