package zoom

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPacketLogMasksSecrets sends a token request and an API call through the
// logging transport at debug level and checks that the log holds the full
// exchange but none of the secrets, then that nothing is logged at info.
func TestPacketLogMasksSecrets(t *testing.T) {
	const secret, token = "s3cr3t-client-secret", "eyJ-access-token-value"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "session="+token)
		io.WriteString(w, `{"access_token":"`+token+`","token_type":"bearer","expires_in":3599,"scope":"a b"}`)
	}))
	defer srv.Close()

	var buf bytes.Buffer
	level := new(slog.LevelVar)
	level.Set(slog.LevelDebug)
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))
	hc := &http.Client{Transport: &packetLogger{next: http.DefaultTransport, log: log, secret: secret}}

	body := "grant_type=account_credentials&account_id=acc&client_secret=" + secret
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/oauth/token?access_token="+token, strings.NewReader(body))
	req.SetBasicAuth("client", secret)
	req.Header.Set("X-Echo", secret)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(got), token) {
		t.Fatalf("the caller must still get the real body, got %s", got)
	}
	out := buf.String()
	for _, leak := range []string{secret, token} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q:\n%s", leak, out)
		}
	}
	for _, want := range []string{`"method":"POST"`, `"status":200`, "Basic ***", "grant_type=account_credentials", `\"scope\":\"a b\"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}

	buf.Reset()
	level.Set(slog.LevelInfo)
	req, _ = http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if buf.Len() != 0 {
		t.Errorf("logged at info level: %s", buf.String())
	}
}
