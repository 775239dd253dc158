package zoomsim_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestSendWebhook: the notification carries Zoom's headers, a signature
// over the exact bytes sent, and the event with its payload; the reply is
// handed back.
func TestSendWebhook(t *testing.T) {
	var got struct {
		Event   string         `json:"event"`
		Payload map[string]any `json:"payload"`
	}
	var bad string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts := r.Header.Get("x-zm-request-timestamp")
		m := hmac.New(sha256.New, []byte("whsecret"))
		m.Write([]byte("v0:" + ts + ":" + string(body)))
		if r.Header.Get("x-zm-signature") != "v0="+hex.EncodeToString(m.Sum(nil)) {
			bad = "signature"
		}
		if sec, err := strconv.ParseInt(ts, 10, 64); err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Second {
			bad = "timestamp " + ts
		}
		_ = json.Unmarshal(body, &got)
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte("thanks"))
	}))
	defer srv.Close()
	sim, err := zoomsim.New(zoomsim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := zoomsim.SendWebhook(context.Background(), srv.URL, "whsecret", zoomsim.EventAppDeauthorized, sim.DeauthorizedPayload("acct-1"))
	if err != nil {
		t.Fatal(err)
	}
	if bad != "" {
		t.Fatalf("wrong %s", bad)
	}
	if r.Status != http.StatusAccepted || string(r.Body) != "thanks" {
		t.Errorf("reply %d %q", r.Status, r.Body)
	}
	if got.Event != "app_deauthorized" || got.Payload["account_id"] != "acct-1" {
		t.Errorf("sent %+v", got)
	}
}
