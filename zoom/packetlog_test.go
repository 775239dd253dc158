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
	for _, want := range []string{`"method":"POST"`, `"status":200`, `"Authorization":"***"`, "grant_type=account_credentials", `\"scope\":\"a b\"`} {
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

// countingBody is a response body of n bytes that counts what is read.
type countingBody struct {
	left, read int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > b.left {
		n = b.left
	}
	for i := range p[:n] {
		p[i] = 'x'
	}
	b.left -= n
	b.read += n
	return int(n), nil
}

func (b *countingBody) Close() error { return nil }

type bodyTransport struct{ body io.ReadCloser }

func (t bodyTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: t.body}, nil
}

// TestPacketLogReadsBodiesWithinTheCap: with debug on, the logger reads no
// more of a body than the client would, logs at most maxLogged bytes of
// it, and still hands the caller the whole body.
func TestPacketLogReadsBodiesWithinTheCap(t *testing.T) {
	const size, limit = 10 << 20, 1 << 20
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	body := &countingBody{left: size}
	hc := &http.Client{Transport: &packetLogger{next: bodyTransport{body}, log: log, limit: limit}}
	resp, err := hc.Get("http://zoom.invalid/v2/users")
	if err != nil {
		t.Fatal(err)
	}
	if body.read > limit {
		t.Errorf("the logger read %d bytes, above the cap %d", body.read, limit)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n != size {
		t.Errorf("caller got %d bytes, want %d", n, size)
	}
	if buf.Len() > 2*maxLogged {
		t.Errorf("logged %d bytes of a %d-byte body", buf.Len(), size)
	}
	if !strings.Contains(buf.String(), "more bytes") {
		t.Error("the log does not say the body was cut")
	}
}

// TestPacketLogMasksTheBearerToken: the whole Authorization value is masked,
// and the request's token wherever else it appears (an echo in a body, a
// header).
func TestPacketLogMasksTheBearerToken(t *testing.T) {
	const token = "opaque-token-4f9c"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		io.WriteString(w, `{"message":"bad token `+token+`"}`)
	}))
	defer srv.Close()
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	hc := &http.Client{Transport: &packetLogger{next: http.DefaultTransport, log: log}}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v2/users", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	out := buf.String()
	if strings.Contains(out, token) {
		t.Errorf("log shows the token:\n%s", out)
	}
	if !strings.Contains(out, `"Authorization":"***"`) {
		t.Errorf("Authorization not masked whole:\n%s", out)
	}
}
