package zoomsim_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

func admin(t *testing.T, s *zoomsim.Server, method, path, body string) resp {
	t.Helper()
	var b any
	if body != "" {
		b = body
	}
	return doAPI(t, s.APIURL()+path, method, "", b)
}

func TestJournal(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel()})
	u, _ := e.sim.UserByExtension(1201)
	want204(t, e.call("PATCH", "/users/"+u.ID, map[string]string{"first_name": "Ada"}))
	wantErr(t, e.call("GET", "/users/ghost?login_type=101", nil), 404, 1001)

	j := e.sim.Journal()
	if len(j) != 3 {
		t.Fatalf("%d entries, want 3 (token, PATCH, GET)", len(j))
	}
	tok, patch, get := j[0], j[1], j[2]
	if tok.Listener != "oauth" || tok.OperationID != "oauthToken" || tok.Status != 200 || !strings.Contains(string(tok.ResponseBody), `"access_token":"[redacted]"`) {
		t.Fatalf("token entry %+v %s", tok, tok.ResponseBody)
	}
	if patch.OperationID != zoom.OpUpdateUser.ID || patch.Bucket != mainLight || patch.Status != 204 || patch.Method != "PATCH" ||
		string(patch.RequestBody) != `{"first_name":"Ada"}` || patch.TokenSerial != 1 || patch.Path != "/v2/users/"+u.ID {
		t.Fatalf("PATCH entry %+v", patch)
	}
	if get.Query != "login_type=101" || get.Status != 404 || !strings.Contains(string(get.ResponseBody), `"code":1001`) {
		t.Fatalf("GET entry %+v", get)
	}
	data, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), e.token) || strings.Contains(string(data), "sim-secret") {
		t.Fatal("journal holds a token or the secret")
	}
	if !strings.Contains(string(data), `"bucket":"main/Light"`) || !strings.Contains(string(data), `"request_body":{"first_name":"Ada"}`) {
		t.Fatalf("journal JSON %s", data)
	}
	e.sim.ResetJournal()
	if len(e.sim.Journal()) != 0 {
		t.Fatal("journal not reset")
	}
}

func TestJournalLimit(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), JournalLimit: 3, Unlimited: true})
	for range 5 {
		want200(t, e.call("GET", "/users", nil), nil)
	}
	if j := e.sim.Journal(); len(j) != 3 || j[0].OperationID != zoom.OpListUsers.ID {
		t.Fatalf("journal %+v", j)
	}
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel()})
	for _, c := range []struct{ method, path string }{
		{"GET", "/nope"}, {"DELETE", "/users/x"}, {"GET", "/users/"}, {"POST", "/phone/users"}, {"GET", "/phone/users/a/b/c"},
	} {
		wantErr(t, e.call(c.method, c.path, nil), 404, 404)
	}
	wantErr(t, doAPI(t, e.sim.APIURL()+"/users", "GET", e.token, nil), 404, 404)
	wantErr(t, doAPI(t, e.sim.APIURL()+"/v2/nope", "GET", "", nil), 401, 124)
	if st := e.sim.Stats(); st.Unrouted != 7 {
		t.Fatalf("unrouted %d", st.Unrouted)
	}
}

func TestAdminAPI(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel()})
	s := e.sim

	var st zoomsim.State
	r := admin(t, s, "GET", "/_sim/state", "")
	want200(t, r, &st)
	if len(st.Users) != 7 || len(st.Devices) != 5 || len(st.Voicemails) != 10 || len(st.CallHistory) != 10 || st.AccountID != "sim-account" {
		t.Fatalf("state: %d users, %d devices, %d voicemails, %d calls", len(st.Users), len(st.Devices), len(st.Voicemails), len(st.CallHistory))
	}

	r = admin(t, s, "POST", "/_sim/voicemail", `{"owner":"1203","caller_name":"Front desk","caller_number":"9001","duration":12}`)
	if r.status != http.StatusCreated {
		t.Fatalf("voicemail: %d %s", r.status, r.body)
	}
	u, _ := s.UserByExtension(1203)
	if vms := s.Voicemails(u.ID); len(vms) != 3 || vms[2].CallerName != "Front desk" || vms[2].Status != "unread" {
		t.Fatalf("voicemails %+v", vms)
	}
	if r := admin(t, s, "POST", "/_sim/voicemail", `{"owner":"4242"}`); r.status != 400 {
		t.Fatalf("voicemail for nobody: %d", r.status)
	}
	if r := admin(t, s, "POST", "/_sim/voicemail", `{"owner":"1201","colour":"red"}`); r.status != 400 {
		t.Fatalf("unknown field: %d", r.status)
	}
	r = admin(t, s, "POST", "/_sim/call_history", `{"caller_name":"Guest","callee_ext_number":"1201","duration":30}`)
	if r.status != http.StatusCreated || len(s.CallHistory()) != 11 {
		t.Fatalf("call record: %d %s", r.status, r.body)
	}

	r = admin(t, s, "POST", "/_sim/faults", `{"rate_limit_for":"1h","latency":"1ms"}`)
	want200(t, r, nil)
	if f := s.Faults(); f.Latency.String() != "1ms" || f.RateLimitUntil.IsZero() {
		t.Fatalf("faults %+v", f)
	}
	wantErr(t, e.call("GET", "/users", nil), 429, 429)
	var fj map[string]any
	want200(t, admin(t, s, "GET", "/_sim/faults", ""), &fj)
	if fj["latency"] != "1ms" {
		t.Fatalf("faults JSON %v", fj)
	}
	want200(t, admin(t, s, "POST", "/_sim/faults", `{}`), nil)
	want200(t, e.call("GET", "/users", nil), nil)
	if r := admin(t, s, "POST", "/_sim/faults", `{"error_rate":2}`); r.status != 400 {
		t.Fatalf("bad faults: %d", r.status)
	}

	var stats zoomsim.Stats
	want200(t, admin(t, s, "GET", "/_sim/stats", ""), &stats)
	if got := stats.Bucket(mainMedium); got.Requests != 2 || got.RateLimited != 1 {
		t.Fatalf("stats %+v", stats)
	}
	want204(t, admin(t, s, "DELETE", "/_sim/stats", ""))
	if s.Stats().Bucket(mainMedium).Requests != 0 {
		t.Fatal("stats not reset")
	}

	var j []map[string]any
	want200(t, admin(t, s, "GET", "/_sim/journal", ""), &j)
	if len(j) == 0 || j[len(j)-1]["operation_id"] != "users" {
		t.Fatalf("journal %v", j)
	}
	want204(t, admin(t, s, "DELETE", "/_sim/journal", ""))
	if len(s.Journal()) != 0 {
		t.Fatal("journal not reset")
	}

	want204(t, admin(t, s, "POST", "/_sim/revoke", ""))
	wantErr(t, e.call("GET", "/users", nil), 401, 124)
	if r := admin(t, s, "GET", "/_sim/nothing", ""); r.status != 404 {
		t.Fatalf("unknown admin endpoint: %d", r.status)
	}
	if r := admin(t, s, "POST", "/_sim/state", ""); r.status != 404 {
		t.Fatalf("wrong method: %d", r.status)
	}
}
