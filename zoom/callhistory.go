package zoom

import (
	"context"
	"net/url"
	"time"
)

// CallRecord is one entry of the account's call history, for call
// accounting.
type CallRecord struct {
	CallHistoryUUID string `json:"call_history_uuid"`
	CallID          string `json:"call_id"`
	Direction       string `json:"direction"`
	StartTime       string `json:"start_time"`
	AnswerTime      string `json:"answer_time"`
	EndTime         string `json:"end_time"`
	Duration        int    `json:"duration"`
	CallerExtNumber string `json:"caller_ext_number"`
	CallerName      string `json:"caller_name"`
	CallerDIDNumber string `json:"caller_did_number"`
	CalleeExtNumber string `json:"callee_ext_number"`
	CalleeName      string `json:"callee_name"`
	CalleeDIDNumber string `json:"callee_did_number"`
	CallResult      string `json:"call_result"`
	Department      string `json:"department"`
	SiteID          string `json:"site_id"`
}

// ListCallHistory returns the account's calls that started between from and
// to (dates; zero values leave Zoom's default).
func (c *Client) ListCallHistory(ctx context.Context, from, to time.Time) ([]CallRecord, error) {
	q := url.Values{}
	if !from.IsZero() {
		q.Set("from", from.UTC().Format(time.DateOnly))
	}
	if !to.IsZero() {
		q.Set("to", to.UTC().Format(time.DateOnly))
	}
	return listAll[CallRecord](ctx, c, request{op: OpListCallHistory, query: q}, "call_history")
}
