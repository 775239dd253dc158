package zoomsim

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// Entry is one journaled request: a token request on the OAuth listener or a
// call on the API listener. Tokens and secrets are never recorded: the
// access token in a token response is replaced by "[redacted]", and
// TokenSerial says which token authenticated an API call.
type Entry struct {
	// Time is when the request reached the simulator.
	Time time.Time `json:"time"`
	// Listener is "oauth" or "api".
	Listener string `json:"listener"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	// Query is the raw query string, with secret-bearing parameters
	// redacted.
	Query string `json:"query,omitempty"`
	// OperationID is the zoom.Operation ID ("oauthToken" for token
	// requests), empty for an unknown route.
	OperationID string `json:"operation_id,omitempty"`
	// Bucket is the operation's rate-limit bucket (zero for OAuth and
	// unknown routes).
	Bucket zoom.Bucket `json:"-"`
	Status int         `json:"status"`
	// TokenSerial numbers the access token that authenticated the call: 1 is
	// the first token minted. 0 when none was valid.
	TokenSerial int `json:"token_serial,omitempty"`
	// Fault names the injected fault that shaped the answer, if any:
	// "error", "applied_error", "rate_limit_until", "app_not_activated",
	// "canceled" (the client left during injected latency).
	Fault        string        `json:"fault,omitempty"`
	RequestBody  []byte        `json:"-"`
	ResponseBody []byte        `json:"-"`
	Duration     time.Duration `json:"-"`
}

// MarshalJSON writes bodies as JSON when they are JSON (else as strings),
// the bucket as "family/Category" and the duration in milliseconds.
func (e Entry) MarshalJSON() ([]byte, error) {
	type plain Entry
	out := struct {
		plain
		Bucket       string          `json:"bucket,omitempty"`
		RequestBody  json.RawMessage `json:"request_body,omitempty"`
		ResponseBody json.RawMessage `json:"response_body,omitempty"`
		DurationMS   float64         `json:"duration_ms"`
	}{plain: plain(e), RequestBody: rawOrString(e.RequestBody), ResponseBody: rawOrString(e.ResponseBody),
		DurationMS: float64(e.Duration.Microseconds()) / 1000}
	if e.Bucket != (zoom.Bucket{}) {
		out.Bucket = e.Bucket.String()
	}
	return json.Marshal(out)
}

func rawOrString(b []byte) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	s, _ := json.Marshal(string(b))
	return s
}

// journal keeps the latest requests, up to a limit, in a ring buffer.
type journal struct {
	mu      sync.Mutex
	limit   int
	entries []Entry // ring: the oldest entry is at head once full
	head    int
}

func (j *journal) add(e Entry) {
	if j.limit == 0 {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.entries) < j.limit {
		j.entries = append(j.entries, e)
		return
	}
	j.entries[j.head] = e
	j.head = (j.head + 1) % j.limit
}

func (j *journal) list() []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, 0, len(j.entries))
	out = append(out, j.entries[j.head:]...)
	return append(out, j.entries[:j.head]...)
}

func (j *journal) reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries, j.head = nil, 0
}

// secretParams are query and form parameters whose values are never
// journaled.
var secretParams = []string{"access_token", "client_secret", "code", "refresh_token", "password", "token"}

// redactValues renders parameters with secret values replaced.
func redactValues(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	c := url.Values{}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, val := range v[k] {
			if isSecretParam(k) {
				val = "[redacted]"
			}
			c.Add(k, val)
		}
	}
	return c.Encode()
}

func isSecretParam(k string) bool {
	k = strings.ToLower(k)
	for _, s := range secretParams {
		if k == s {
			return true
		}
	}
	return false
}
