package zoomsim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Zoom's webhook event names that the simulator sends.
const (
	EventURLValidation   = "endpoint.url_validation"
	EventAppDeauthorized = "app_deauthorized"
)

// WebhookReply is the endpoint's answer to one notification.
type WebhookReply struct {
	Status int
	Body   []byte
}

// SendWebhook posts one event notification to url as Zoom does: the body
// {"event":…,"event_ts":…,"payload":…}, signed under the app's secret token
// in x-zm-signature (v0=hex HMAC-SHA256 of "v0:<timestamp>:<body>") with
// x-zm-request-timestamp, the current Unix time in seconds.
func SendWebhook(ctx context.Context, url, secret, event string, payload any) (WebhookReply, error) {
	return SendWebhookAt(ctx, url, secret, event, payload, time.Now())
}

// SendWebhookAt is SendWebhook with the request timestamp at (a stale or
// future one, for tests).
func SendWebhookAt(ctx context.Context, url, secret, event string, payload any, at time.Time) (WebhookReply, error) {
	body, err := json.Marshal(struct {
		Event   string `json:"event"`
		EventTS int64  `json:"event_ts"`
		Payload any    `json:"payload"`
	}{event, at.UnixMilli(), payload})
	if err != nil {
		return WebhookReply{}, fmt.Errorf("zoomsim: webhook payload: %w", err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return WebhookReply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Zoom Marketplace/1.0a")
	req.Header.Set("x-zm-request-timestamp", ts)
	req.Header.Set("x-zm-signature", SignWebhook(secret, ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return WebhookReply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return WebhookReply{Status: resp.StatusCode, Body: b}, err
}

// SignWebhook is Zoom's x-zm-signature of a notification.
func SignWebhook(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + timestamp + ":"))
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// URLValidationPayload is the payload of endpoint.url_validation.
func URLValidationPayload(plainToken string) map[string]any {
	return map[string]any{"plainToken": plainToken}
}

// DeauthorizedPayload is the payload of app_deauthorized for accountID, as
// Zoom sends it when the account's admin removes the app (user data not to
// be retained).
func (s *Server) DeauthorizedPayload(accountID string) map[string]any {
	return map[string]any{
		"account_id":           accountID,
		"user_id":              "sim-admin",
		"signature":            "sim-signature",
		"deauthorization_time": s.now().UTC().Format(time.RFC3339),
		"client_id":            s.cfg.ClientID,
		"user_data_retention":  "false",
	}
}
