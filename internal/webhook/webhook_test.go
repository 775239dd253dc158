package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/webhook"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

const secret = "wh-secret"

// endpoint serves a Handler for account "acct" and records what it did.
type endpoint struct {
	url    string
	sim    *zoomsim.Server
	mu     sync.Mutex
	deauth []webhook.Deauthorization
	errs   []error
	fail   error
}

func newEndpoint(t *testing.T) *endpoint {
	t.Helper()
	e := &endpoint{}
	h, err := webhook.New(webhook.Config{Secret: secret, AccountID: "acct",
		OnDeauthorized: func(_ context.Context, d webhook.Deauthorization) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.deauth = append(e.deauth, d)
			return e.fail
		},
		OnError: func(err error) { e.mu.Lock(); e.errs = append(e.errs, err); e.mu.Unlock() },
		MaxBody: 4096,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	if e.sim, err = zoomsim.New(zoomsim.Config{}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *endpoint) send(t *testing.T, key, event string, payload any, at time.Time) zoomsim.WebhookReply {
	t.Helper()
	r, err := zoomsim.SendWebhookAt(context.Background(), e.url, key, event, payload, at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *endpoint) seen() ([]webhook.Deauthorization, []error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]webhook.Deauthorization(nil), e.deauth...), append([]error(nil), e.errs...)
}

// TestForgedSignatureRefused: a de-authorization signed with another
// secret is refused with 401 and not acted on.
func TestForgedSignatureRefused(t *testing.T) {
	e := newEndpoint(t)
	r := e.send(t, "not-the-secret", webhook.EventAppDeauthorized, e.sim.DeauthorizedPayload("acct"), time.Now())
	d, errs := e.seen()
	if r.Status != http.StatusUnauthorized || len(d) != 0 {
		t.Fatalf("forged: %d, acted %d times; want 401 and nothing done", r.Status, len(d))
	}
	if len(errs) != 1 || !errors.Is(errs[0], webhook.ErrSignature) {
		t.Errorf("reported %v, want ErrSignature", errs)
	}
	if strings.Contains(errs[0].Error(), secret) {
		t.Errorf("the report holds the secret: %v", errs[0])
	}
}

// TestStaleTimestampRefused: a correctly signed request more than five
// minutes old (or ahead) is refused: a replay.
func TestStaleTimestampRefused(t *testing.T) {
	e := newEndpoint(t)
	for _, off := range []time.Duration{-6 * time.Minute, 6 * time.Minute} {
		r := e.send(t, secret, webhook.EventAppDeauthorized, e.sim.DeauthorizedPayload("acct"), time.Now().Add(off))
		if r.Status != http.StatusUnauthorized {
			t.Errorf("timestamp %v away: %d, want 401", off, r.Status)
		}
	}
	d, errs := e.seen()
	if len(d) != 0 {
		t.Fatalf("acted on a stale request")
	}
	for _, err := range errs {
		if !errors.Is(err, webhook.ErrTimestamp) {
			t.Errorf("reported %v, want ErrTimestamp", err)
		}
	}
	// Within the tolerance it is accepted.
	if r := e.send(t, secret, webhook.EventAppDeauthorized, e.sim.DeauthorizedPayload("acct"), time.Now().Add(-4*time.Minute)); r.Status != http.StatusOK {
		t.Errorf("4 minutes old: %d, want 200", r.Status)
	}
}

// TestMissingHeadersRefused: no timestamp or no signature is a 401.
func TestMissingHeadersRefused(t *testing.T) {
	e := newEndpoint(t)
	resp, err := http.Post(e.url, "application/json", strings.NewReader(`{"event":"app_deauthorized","payload":{"account_id":"acct"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned: %d, want 401", resp.StatusCode)
	}
}

// TestURLValidation: Zoom's endpoint validation is answered with the plain
// token and its HMAC-SHA256 under the secret, in hex.
func TestURLValidation(t *testing.T) {
	e := newEndpoint(t)
	r := e.send(t, secret, webhook.EventURLValidation, zoomsim.URLValidationPayload("qgg8vlvZRS6UYooatFL8Aw"), time.Now())
	if r.Status != http.StatusOK {
		t.Fatalf("url_validation: %d %s", r.Status, r.Body)
	}
	var got map[string]string
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("answer %q: %v", r.Body, err)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("qgg8vlvZRS6UYooatFL8Aw"))
	if want := hex.EncodeToString(m.Sum(nil)); got["plainToken"] != "qgg8vlvZRS6UYooatFL8Aw" || got["encryptedToken"] != want {
		t.Fatalf("answer %v, want encryptedToken %s", got, want)
	}
	if r := e.send(t, "not-the-secret", webhook.EventURLValidation, zoomsim.URLValidationPayload("x"), time.Now()); r.Status != http.StatusUnauthorized {
		t.Errorf("forged url_validation: %d, want 401", r.Status)
	}
}

// TestOtherAccountIgnored: app_deauthorized for another account is
// acknowledged and not acted on.
func TestOtherAccountIgnored(t *testing.T) {
	e := newEndpoint(t)
	r := e.send(t, secret, webhook.EventAppDeauthorized, e.sim.DeauthorizedPayload("someone-else"), time.Now())
	d, errs := e.seen()
	if r.Status != http.StatusOK || len(d) != 0 {
		t.Fatalf("other account: %d, acted %d times; want 200 and nothing done", r.Status, len(d))
	}
	if len(errs) != 1 || !errors.Is(errs[0], webhook.ErrOtherAccount) {
		t.Errorf("reported %v, want ErrOtherAccount", errs)
	}
}

// TestDeauthorizedThisAccount: app_deauthorized for the account is acted
// on; a failure answers 500, so that Zoom sends it again.
func TestDeauthorizedThisAccount(t *testing.T) {
	e := newEndpoint(t)
	if r := e.send(t, secret, webhook.EventAppDeauthorized, e.sim.DeauthorizedPayload("acct"), time.Now()); r.Status != http.StatusOK {
		t.Fatalf("app_deauthorized: %d %s", r.Status, r.Body)
	}
	d, _ := e.seen()
	if len(d) != 1 || d[0].AccountID != "acct" || d[0].UserID == "" || d[0].Time == "" {
		t.Fatalf("acted on %+v", d)
	}
	e.mu.Lock()
	e.fail = errors.New("NATS down")
	e.mu.Unlock()
	if r := e.send(t, secret, webhook.EventAppDeauthorized, e.sim.DeauthorizedPayload("acct"), time.Now()); r.Status != http.StatusInternalServerError {
		t.Fatalf("failed action: %d, want 500", r.Status)
	}
}

// TestBodyBounded: a body over MaxBody is refused before it is read whole;
// a signed body that is no notification is a 400; other events are
// acknowledged.
func TestBodyBounded(t *testing.T) {
	e := newEndpoint(t)
	big := map[string]string{"pad": strings.Repeat("x", 5000)}
	if r := e.send(t, secret, "meeting.started", big, time.Now()); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("5 KB body: %d, want 413", r.Status)
	}
	if r := e.send(t, secret, "", nil, time.Now()); r.Status != http.StatusBadRequest {
		t.Errorf("no event: %d, want 400", r.Status)
	}
	if r := e.send(t, secret, "meeting.started", map[string]string{}, time.Now()); r.Status != http.StatusOK {
		t.Errorf("another event: %d, want 200", r.Status)
	}
}

// TestConfigNamesFields: a Config without its required fields names them.
func TestConfigNamesFields(t *testing.T) {
	_, err := webhook.New(webhook.Config{})
	for _, f := range []string{"Secret", "AccountID", "OnDeauthorized"} {
		if err == nil || !strings.Contains(err.Error(), "Config."+f) {
			t.Errorf("New(Config{}) = %v, want it to name %s", err, f)
		}
	}
}

// TestSignAgreesWithTheSimulator: the handler's signature is the one the
// simulator (Zoom's side) computes.
func TestSignAgreesWithTheSimulator(t *testing.T) {
	body := []byte(`{"event":"x"}`)
	if a, b := webhook.Sign("s", "1700000000", body), zoomsim.SignWebhook("s", "1700000000", body); a != b {
		t.Fatalf("%s != %s", a, b)
	}
}
