package zoomsim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

type voicemailList struct {
	From          string `json:"from"`
	To            string `json:"to"`
	NextPageToken string `json:"next_page_token"`
	TotalRecords  int    `json:"total_records"`
	VoiceMails    []struct {
		ID           string `json:"id"`
		CallerName   string `json:"caller_name"`
		CallerNumber string `json:"caller_number"`
		DateTime     string `json:"date_time"`
		Duration     int    `json:"duration"`
		Status       string `json:"status"`
	} `json:"voice_mails"`
}

func TestVoicemails(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 2, VoicemailsPerRoom: 3}, Now: clock.Now, Unlimited: true})
	u, _ := e.sim.UserByExtension(1201)
	if _, err := e.sim.AddVoicemail("1201", zoomsim.Voicemail{CallerName: "Old", CallerNumber: "+15551234567", DateTime: fixedNow.AddDate(0, -3, 0), Status: "read"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sim.AddVoicemail("1201", zoomsim.Voicemail{CallerName: "Reception", CallerNumber: "9001", CallerNumberType: 1, Duration: 7}); err != nil {
		t.Fatal(err)
	}
	path := "/phone/users/" + u.ID + "/voice_mails"

	var l voicemailList
	want200(t, e.call("GET", path, nil), &l)
	if l.From != "2026-01-31" || l.To != "2026-03-02" {
		t.Fatalf("default range %s..%s, want the last 30 days", l.From, l.To)
	}
	if l.TotalRecords != 4 || l.VoiceMails[0].CallerName != "Reception" || l.VoiceMails[0].DateTime != "2026-03-02T10:00:00Z" {
		t.Fatalf("recent voicemails %+v", l)
	}
	want200(t, e.call("GET", path+"?from=2025-11-15&to=2025-12-15", nil), &l)
	if l.TotalRecords != 1 || l.From != "2025-11-15" || l.To != "2025-12-15" {
		t.Fatalf("a month three months back: %d voicemails, %s..%s", l.TotalRecords, l.From, l.To)
	}
	want200(t, e.call("GET", path+"?from=2025-11-15&to=2025-12-15&status=read", nil), &l)
	if l.TotalRecords != 1 || l.VoiceMails[0].CallerName != "Old" {
		t.Fatalf("read voicemails %+v", l.VoiceMails)
	}
	want200(t, e.call("GET", path+"?status=unread&page_size=2", nil), &l)
	if len(l.VoiceMails) != 2 || l.NextPageToken == "" || l.TotalRecords != 4 {
		t.Fatalf("unread page %+v", l)
	}
	next := l.NextPageToken
	want200(t, e.call("GET", path+"?page_size=2&next_page_token="+next, nil), &l)
	if len(l.VoiceMails) != 2 || l.NextPageToken != "" {
		t.Fatalf("second page %+v", l)
	}
	for _, bad := range []string{"?from=2026-01-01", "?from=yesterday&to=2026-03-02", "?from=2026-03-02&to=2026-01-01", "?status=new"} {
		wantErr(t, e.call("GET", path+bad, nil), 400, 300)
	}
	other, _ := e.sim.UserByExtension(1202)
	wantErr(t, e.call("GET", "/phone/users/"+other.ID+"/voice_mails?next_page_token="+next, nil), 400, 400)
	wantErr(t, e.call("GET", "/phone/users/ghost/voice_mails", nil), 404, 1001)

	vm := e.sim.Voicemails(u.ID)[0]
	var one struct {
		ID, Status string
	}
	want200(t, e.call("GET", "/phone/voice_mails/"+vm.ID, nil), &one)
	if one.ID != vm.ID || one.Status != "unread" {
		t.Fatalf("voicemail %+v", one)
	}
	want204(t, e.call("DELETE", "/phone/voice_mails/"+vm.ID, nil))
	if n := len(e.sim.Voicemails(u.ID)); n != 4 {
		t.Fatalf("%d voicemails after delete, want 4", n)
	}
	z := wantErr(t, e.call("DELETE", "/phone/voice_mails/"+vm.ID, nil), 404, 300)
	if z.Message != fmt.Sprintf("Voice mail does not exist: %s.", vm.ID) {
		t.Fatalf("message %q", z.Message)
	}
	wantErr(t, e.call("GET", "/phone/voice_mails/"+vm.ID, nil), 400, 300)

	// A page token survives the deletion of items it still holds.
	want200(t, e.call("GET", path+"?page_size=1", nil), &l)
	for _, v := range e.sim.Voicemails(u.ID) {
		want204(t, e.call("DELETE", "/phone/voice_mails/"+v.ID, nil))
	}
	want200(t, e.call("GET", path+"?page_size=1&next_page_token="+l.NextPageToken, nil), &l)
	if len(l.VoiceMails) != 0 {
		t.Fatalf("deleted voicemails listed: %+v", l.VoiceMails)
	}
}

func TestVoicemailPagesHoldAtMost100(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 1, VoicemailsPerRoom: 150}})
	u, _ := e.sim.UserByExtension(1201)
	var l voicemailList
	want200(t, e.call("GET", "/phone/users/"+u.ID+"/voice_mails?page_size=300", nil), &l)
	if len(l.VoiceMails) != 100 || l.NextPageToken == "" || l.TotalRecords != 150 {
		t.Fatalf("%d voicemails, token %q, total %d", len(l.VoiceMails), l.NextPageToken, l.TotalRecords)
	}
	want200(t, e.call("GET", "/phone/users/"+u.ID+"/voice_mails?page_size=300&next_page_token="+l.NextPageToken, nil), &l)
	if len(l.VoiceMails) != 50 || l.NextPageToken != "" {
		t.Fatalf("second page: %d voicemails", len(l.VoiceMails))
	}
}

func TestCallHistory(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 3, CallRecords: 9}, Now: clock.Now, Unlimited: true})
	old, err := e.sim.AddCallRecord(zoomsim.CallRecord{StartTime: fixedNow.AddDate(0, 0, -10), Duration: 60, CallerName: "Old", CalleeExtNumber: "1201"})
	if err != nil {
		t.Fatal(err)
	}
	type list struct {
		From, To      string
		NextPageToken string `json:"next_page_token"`
		TotalRecords  int    `json:"total_records"`
		CallHistory   []struct {
			UUID       string `json:"call_history_uuid"`
			StartTime  string `json:"start_time"`
			CallResult string `json:"call_result"`
			Direction  string `json:"direction"`
		} `json:"call_history"`
	}
	var l list
	want200(t, e.call("GET", "/phone/call_history", nil), &l)
	if l.TotalRecords != 9 {
		t.Fatalf("%d records in the last 24 hours, want 9", l.TotalRecords)
	}
	for i := 1; i < len(l.CallHistory); i++ {
		if l.CallHistory[i-1].StartTime < l.CallHistory[i].StartTime {
			t.Fatalf("not newest first: %+v", l.CallHistory)
		}
	}
	want200(t, e.call("GET", "/phone/call_history?from=2026-02-01&to=2026-03-02&page_size=4", nil), &l)
	if l.TotalRecords != 10 || len(l.CallHistory) != 4 || l.NextPageToken == "" {
		t.Fatalf("month: %+v", l)
	}
	seen := len(l.CallHistory)
	for l.NextPageToken != "" {
		want200(t, e.call("GET", "/phone/call_history?page_size=4&next_page_token="+l.NextPageToken, nil), &l)
		seen += len(l.CallHistory)
	}
	if seen != 10 {
		t.Fatalf("paged through %d records, want 10", seen)
	}
	want200(t, e.call("GET", "/phone/call_history?directions=outbound", nil), &l)
	for _, c := range l.CallHistory {
		if c.Direction != "outbound" {
			t.Fatalf("directions filter: %+v", c)
		}
	}
	wantErr(t, e.call("GET", "/phone/call_history?from=2026-02-01", nil), 400, 300)

	u, _ := e.sim.UserByExtension(1201)
	var ul struct {
		TotalRecords int `json:"total_records"`
		CallLogs     []struct {
			ID     string `json:"id"`
			Result string `json:"result"`
		} `json:"call_logs"`
	}
	want200(t, e.call("GET", "/phone/users/"+u.ID+"/call_history?from=2026-02-01&to=2026-03-02", nil), &ul)
	if ul.TotalRecords != 4 {
		t.Fatalf("user 1201: %d calls, want 4 (3 seeded, 1 old)", ul.TotalRecords)
	}
	wantErr(t, e.call("GET", "/phone/users/"+u.ID+"/call_history?from=bad&to=2026-03-02", nil), 400, 301)
	wantErr(t, e.call("GET", "/phone/users/ghost/call_history", nil), 404, 300)

	var one struct {
		ID       string `json:"call_history_uuid"`
		CallPath []struct {
			Result string `json:"result"`
		} `json:"call_path"`
	}
	want200(t, e.call("GET", "/phone/call_history/"+old.UUID, nil), &one)
	if one.ID != old.UUID || len(one.CallPath) != 1 || one.CallPath[0].Result != "answered" {
		t.Fatalf("call path %+v", one)
	}
	wantErr(t, e.call("GET", "/phone/call_history/ghost", nil), 404, 300)
}

// Zoom's range rules of the voicemail listing: a month at most, within the
// last six months, to required with from; its error bodies.
func TestVoicemailRangeRules(t *testing.T) {
	clock := testenv.NewClock(fixedNow) // 2026-03-02
	e := newEnv(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 1}, Now: clock.Now, Unlimited: true})
	u, _ := e.sim.UserByExtension(1201)
	path := "/phone/users/" + u.ID + "/voice_mails"
	for _, ok := range []string{
		"?from=2026-02-02&to=2026-03-02",                     // a month, up to today
		"?from=2025-09-02&to=2025-10-02",                     // the oldest month reachable
		"?from=2026-01-31&to=2026-02-28",                     // month ends
		"?from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z", // date-times
		"?to=2026-03-02",                                     // to alone: 30 days before it
	} {
		var l voicemailList
		want200(t, e.call("GET", path+ok, nil), &l)
	}
	for bad, field := range map[string]string{
		"?from=2026-02-01":               "to",   // to required with from
		"?from=2026-01-01&to=2026-03-02": "to",   // two months
		"?from=2025-09-01&to=2025-10-01": "from", // older than six months
		"?from=2000-01-01&to=2000-01-31": "from",
		"?to=2025-09-20":                 "to", // reaches back past six months
		"?trash=maybe":                   "trash",
	} {
		z := wantErr(t, e.call("GET", path+bad, nil), 400, 300)
		if z.Message != "Validation Failed." || len(z.Errors) != 1 || z.Errors[0].Field != field {
			t.Errorf("%s: %+v, want Validation Failed naming %s", bad, z, field)
		}
	}
}

// With the soft-delete policy on, a deleted voicemail moves to the trash,
// which trash=true lists, stays restorable for 30 days and cannot be deleted
// through the API; with it off a delete is final.
func TestVoicemailTrash(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 1, VoicemailsPerRoom: 2}, Now: clock.Now, Unlimited: true})
	u, _ := e.sim.UserByExtension(1201)
	path := "/phone/users/" + u.ID + "/voice_mails"
	vms := e.sim.Voicemails(u.ID)

	want204(t, e.call("DELETE", "/phone/voice_mails/"+vms[0].ID, nil)) // policy off: gone
	e.sim.SetVoicemailSoftDelete(true)
	want204(t, e.call("DELETE", "/phone/voice_mails/"+vms[1].ID, nil)) // policy on: trashed

	var l voicemailList
	want200(t, e.call("GET", path, nil), &l)
	if l.TotalRecords != 0 {
		t.Fatalf("mailbox after deletes: %+v", l.VoiceMails)
	}
	want200(t, e.call("GET", path+"?trash=true", nil), &l)
	if l.TotalRecords != 1 || l.VoiceMails[0].ID != vms[1].ID {
		t.Fatalf("trash: %+v, want only the voicemail deleted under the policy", l.VoiceMails)
	}
	wantErr(t, e.call("DELETE", "/phone/voice_mails/"+vms[1].ID, nil), 404, 300)

	if !e.sim.RestoreVoicemail(vms[1].ID) || len(e.sim.Voicemails(u.ID)) != 1 || len(e.sim.VoicemailTrash(u.ID)) != 0 {
		t.Fatal("restore did not bring the voicemail back")
	}
	want204(t, e.call("DELETE", "/phone/voice_mails/"+vms[1].ID, nil))
	clock.Advance(30*24*time.Hour - time.Minute)
	if len(e.sim.VoicemailTrash(u.ID)) != 1 {
		t.Fatal("trashed voicemail gone before 30 days")
	}
	clock.Advance(time.Minute)
	if len(e.sim.VoicemailTrash(u.ID)) != 0 || e.sim.RestoreVoicemail(vms[1].ID) {
		t.Fatal("trashed voicemail still there after 30 days")
	}
}
