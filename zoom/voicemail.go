package zoom

import (
	"context"
	"net/url"
	"time"
)

// Voicemail is one voicemail message of a phone user.
type Voicemail struct {
	ID           string `json:"id"`
	CallerName   string `json:"caller_name"`
	CallerNumber string `json:"caller_number"`
	DateTime     string `json:"date_time"`
	Duration     int    `json:"duration"`
	Status       string `json:"status"`
}

// ListVoicemails returns all of a user's voicemail, read or not, received
// between from and to (dates; zero values leave Zoom's default, the last 30
// days).
func (c *Client) ListVoicemails(ctx context.Context, userID string, from, to time.Time) ([]Voicemail, error) {
	q := url.Values{"status": {"all"}}
	if !from.IsZero() {
		q.Set("from", from.UTC().Format(time.DateOnly))
	}
	if !to.IsZero() {
		q.Set("to", to.UTC().Format(time.DateOnly))
	}
	return listAll[Voicemail](ctx, c, request{op: OpListVoicemails, args: []string{userID}, query: q}, "voice_mails")
}

// DeleteVoicemail deletes one voicemail.
func (c *Client) DeleteVoicemail(ctx context.Context, id string) error {
	return c.do(ctx, request{op: OpDeleteVoicemail, args: []string{id}}, nil)
}
