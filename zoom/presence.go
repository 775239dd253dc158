package zoom

import (
	"context"
	"net/http"
	"time"
)

// Presence statuses pbxlink sets.
const (
	PresenceAvailable    = "Available"
	PresenceDoNotDisturb = "Do_Not_Disturb"
)

// GetPresence returns a user's presence status.
func (c *Client) GetPresence(ctx context.Context, userID string) (string, error) {
	var p struct {
		Status string `json:"status"`
	}
	err := c.do(ctx, request{op: OpGetPresence, args: []string{userID}}, &p)
	if p.Status == "Do_No_Disturb" { // Zoom's spec spells it both ways
		p.Status = PresenceDoNotDisturb
	}
	return p.Status, err
}

// SetDoNotDisturb turns do-not-disturb on for a duration (Zoom accepts 1 to
// 1440 minutes; it is clamped to that range).
func (c *Client) SetDoNotDisturb(ctx context.Context, userID string, d time.Duration) error {
	minutes := int(d / time.Minute)
	minutes = max(1, min(minutes, 1440))
	body := struct {
		Status   string `json:"status"`
		Duration int    `json:"duration"`
	}{PresenceDoNotDisturb, minutes}
	return c.setPresence(ctx, userID, body)
}

// SetAvailable turns do-not-disturb off.
func (c *Client) SetAvailable(ctx context.Context, userID string) error {
	body := struct {
		Status string `json:"status"`
	}{PresenceAvailable}
	return c.setPresence(ctx, userID, body)
}

// setPresence honours Zoom's one-change-a-minute rule locally: a change
// within the minute is refused as rate limited without a call, carrying the
// time it becomes possible, so the caller can retry then with the final state.
func (c *Client) setPresence(ctx context.Context, userID string, body any) error {
	now := c.cfg.Now()
	c.mu.Lock()
	next := c.presenceNext[userID]
	c.mu.Unlock()
	if now.Before(next) {
		return &APIError{Op: OpSetPresence.ID, Status: http.StatusTooManyRequests,
			Message: "presence changed less than a minute ago (checked locally)", RetryAt: next}
	}
	err := c.do(ctx, request{op: OpSetPresence, args: []string{userID}, body: body}, nil)
	if err == nil {
		c.mu.Lock()
		c.presenceNext[userID] = c.cfg.Now().Add(c.cfg.PresenceInterval)
		c.mu.Unlock()
	}
	return err
}
