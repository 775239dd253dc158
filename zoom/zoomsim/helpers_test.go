package zoomsim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// fixedNow is the start time of tests with a fake clock.
var fixedNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// env is a started simulator with a token.
type env struct {
	t     *testing.T
	sim   *zoomsim.Server
	token string
}

// start starts a simulator on 127.0.0.1 and closes it at the end of the
// test.
func start(t *testing.T, cfg zoomsim.Config) *zoomsim.Server {
	t.Helper()
	s, err := zoomsim.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// newEnv starts a simulator and fetches a token. Unless cfg.Scopes is set,
// every operation's scope is granted.
func newEnv(t *testing.T, cfg zoomsim.Config) *env {
	t.Helper()
	if cfg.Scopes == nil {
		cfg.Scopes = zoomsim.OperationScopes()
	}
	s := start(t, cfg)
	e := &env{t: t, sim: s}
	e.token = e.mustToken()
	return e
}

type tokenResp struct {
	AccessToken string  `json:"access_token"`
	TokenType   string  `json:"token_type"`
	ExpiresIn   int     `json:"expires_in"`
	Scope       string  `json:"scope"`
	APIURL      *string `json:"api_url"`
	Reason      string  `json:"reason"`
	Error       string  `json:"error"`
}

// tokenRequest posts a token request; form goes in the body, query in the
// URL.
func tokenRequest(t *testing.T, s *zoomsim.Server, id, secret string, form, query url.Values) (int, tokenResp) {
	t.Helper()
	u := s.OAuthURL() + "/oauth/token"
	if query != nil {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if id != "" || secret != "" {
		req.SetBasicAuth(id, secret)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tr tokenResp
	if err := json.NewDecoder(res.Body).Decode(&tr); err != nil {
		t.Fatalf("token response: %v", err)
	}
	return res.StatusCode, tr
}

func goodForm() url.Values {
	return url.Values{"grant_type": {"account_credentials"}, "account_id": {"sim-account"}}
}

func (e *env) mustToken() string {
	e.t.Helper()
	cfg := e.sim.Config()
	status, tr := tokenRequest(e.t, e.sim, cfg.ClientID, cfg.ClientSecret, url.Values{"grant_type": {"account_credentials"}, "account_id": {cfg.AccountID}}, nil)
	if status != 200 {
		e.t.Fatalf("token: %d %+v", status, tr)
	}
	return tr.AccessToken
}

// resp is an API answer.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// decode unmarshals the body into v, zeroed first so that nothing of an
// earlier answer survives.
func (r resp) decode(t *testing.T, v any) {
	t.Helper()
	reflect.ValueOf(v).Elem().SetZero()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// zoomErr is Zoom's error body.
type zoomErr struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Errors  []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (r resp) zerr(t *testing.T) zoomErr {
	t.Helper()
	var z zoomErr
	r.decode(t, &z)
	return z
}

// call sends an API request with the env's token; path is below /v2, body
// is marshalled unless it is a string or []byte.
func (e *env) call(method, path string, body any) resp {
	e.t.Helper()
	return doAPI(e.t, e.sim.APIURL()+"/v2"+path, method, e.token, body)
}

func doAPI(t *testing.T, url, method, token string, body any) resp {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: data}
}

// wantErr checks an error answer's status and code.
func wantErr(t *testing.T, r resp, status, code int) zoomErr {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	z := r.zerr(t)
	if z.Code != code {
		t.Fatalf("code %d, want %d: %s", z.Code, code, r.body)
	}
	return z
}

// want204 checks a 204 with an empty body.
func want204(t *testing.T, r resp) {
	t.Helper()
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("got %d %q, want 204 with no body", r.status, r.body)
	}
}

func want200(t *testing.T, r resp, v any) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.status, r.body)
	}
	if v != nil {
		r.decode(t, v)
	}
}

// smallHotel is a fast seed: 5 room users from 1201, two staff.
func smallHotel() *zoomsim.Seed {
	return &zoomsim.Seed{Rooms: 5, FirstExtension: 1201, VoicemailsPerRoom: 2, CallRecords: 10, Staff: 2}
}
