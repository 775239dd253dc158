package zoomsim_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestPresenceOfAUserNotSignedIn: Zoom cannot set the presence of a user
// signed in to no Zoom client (a room with a desk phone only): 400 code
// 5301, and nothing changes.
func TestPresenceOfAUserNotSignedIn(t *testing.T) {
	seed := smallHotel()
	seed.RoomsNotSignedIn = true
	e := newEnv(t, zoomsim.Config{Seed: seed})
	room, _ := e.sim.UserByExtension(1201)
	if !room.NotSignedIn {
		t.Fatal("Seed.RoomsNotSignedIn did not mark the room user")
	}
	r := e.call("PUT", "/users/"+room.ID+"/presence_status", map[string]any{"status": "Do_Not_Disturb", "duration": 30})
	z := wantErr(t, r, 400, 5301)
	if z.Message != "Request to update the presence status of this user failed." {
		t.Fatalf("message %q", z.Message)
	}
	if p, _ := e.sim.Presence(room.ID); p.Status != "Available" || !p.ChangedAt.IsZero() {
		t.Fatalf("refused change applied: %+v", p)
	}
	// Staff run a Zoom client; signing the room in makes presence work.
	staff, _ := e.sim.UserByExtension(9001)
	want204(t, e.call("PUT", "/users/"+staff.ID+"/presence_status", map[string]any{"status": "Available"}))
	if err := e.sim.UpdateUser(room.ID, func(u *zoomsim.User) { u.NotSignedIn = false }); err != nil {
		t.Fatal(err)
	}
	want204(t, e.call("PUT", "/users/"+room.ID+"/presence_status", map[string]any{"status": "Available"}))
}

// TestPresenceTooSoonWithoutHeaders: the per-user 429 can come without
// Retry-After and X-RateLimit-* headers.
func TestPresenceTooSoonWithoutHeaders(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), OmitPresenceHeaders: true})
	u, _ := e.sim.UserByExtension(1202)
	path := "/users/" + u.ID + "/presence_status"
	want204(t, e.call("PUT", path, map[string]any{"status": "Available"}))
	r := e.call("PUT", path, map[string]any{"status": "Away"})
	z := wantErr(t, r, 429, 429)
	if !strings.HasPrefix(z.Message, "Too many requests submitted to update the presence status of this user.") {
		t.Fatalf("message %q", z.Message)
	}
	for k := range r.header {
		if k == "Retry-After" || strings.HasPrefix(k, "X-Ratelimit") {
			t.Errorf("header %s sent", k)
		}
	}
}

// TestExpiredToken400: an expired token can get Zoom's 400 code 124
// "Access token is expired."; an unknown token still gets 401.
func TestExpiredToken400(t *testing.T) {
	for _, as400 := range []bool{false, true} {
		clock := testenv.NewClock(fixedNow)
		e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now, TokenTTL: time.Minute, ExpiredToken400: as400})
		clock.Advance(2 * time.Minute)
		r := e.call("GET", "/users", nil)
		if as400 {
			if z := wantErr(t, r, 400, 124); z.Message != "Access token is expired." {
				t.Errorf("message %q", z.Message)
			}
		} else {
			wantErr(t, r, 401, 124)
		}
		wantErr(t, doAPI(t, e.sim.APIURL()+"/v2/users", "GET", "never-issued", nil), 401, 124)
	}
}

// TestAppDeactivation: deactivating the app refuses token requests and
// every existing token; reactivation needs a new token.
func TestAppDeactivation(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel()})
	cfg := e.sim.Config()
	for _, how := range []string{"method", "admin"} {
		t.Run(how, func(t *testing.T) {
			e.token = e.mustToken()
			want200(t, e.call("GET", "/users", nil), nil)
			if how == "method" {
				e.sim.SetAppActivated(false)
			} else if r := doAPI(t, e.sim.APIURL()+"/_sim/app/deactivate", "POST", "", nil); r.status != 200 {
				t.Fatalf("deactivate: %d %s", r.status, r.body)
			}
			if !e.sim.Faults().AppNotActivated {
				t.Fatal("fault not set")
			}
			if z := wantErr(t, e.call("GET", "/users", nil), 401, 124); z.Message != "Invalid access token." {
				t.Errorf("message %q", z.Message)
			}
			status, tr := tokenRequest(t, e.sim, cfg.ClientID, cfg.ClientSecret, goodForm(), nil)
			if status != 400 || tr.Reason != "The app is not activated" || tr.Error != "invalid_request" {
				t.Fatalf("token while deactivated: %d %+v", status, tr)
			}
			if how == "method" {
				e.sim.SetAppActivated(true)
			} else if r := doAPI(t, e.sim.APIURL()+"/_sim/app/activate", "POST", "", nil); r.status != 200 {
				t.Fatalf("activate: %d %s", r.status, r.body)
			}
			wantErr(t, e.call("GET", "/users", nil), 401, 124) // the old token was revoked
			e.token = e.mustToken()
			want200(t, e.call("GET", "/users", nil), nil)
		})
	}
}

// TestAccountDeleted: a deleted account answers 401 code 124 "Account does
// not exist" to API calls and refuses tokens.
func TestAccountDeleted(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel()})
	if err := e.sim.SetFaults(zoomsim.Faults{AccountDeleted: true}); err != nil {
		t.Fatal(err)
	}
	if z := wantErr(t, e.call("DELETE", "/phone/voice_mails/x", nil), 401, 124); z.Message != "Account does not exist: sim-account." {
		t.Errorf("message %q", z.Message)
	}
	cfg := e.sim.Config()
	if status, tr := tokenRequest(t, e.sim, cfg.ClientID, cfg.ClientSecret, goodForm(), nil); status != 400 || tr.Reason != "Account does not exist" {
		t.Errorf("token: %d %+v", status, tr)
	}
}

// TestPhoneDailyCapSharedAndReported: Heavy phone calls stop at the
// family's daily cap with Zoom's daily body, an RFC 3339 Retry-After at the
// next 00:00 UTC and X-RateLimit-Type Daily-limit; Light calls go on.
func TestPhoneDailyCapSharedAndReported(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now, PhoneDailyShared: 2})
	for range 2 {
		want200(t, e.call("GET", "/phone/call_history", nil), nil)
		clock.Advance(time.Second)
	}
	r := e.call("GET", "/phone/call_history", nil)
	z := wantErr(t, r, 429, 429)
	if !strings.Contains(z.Message, "maximum daily rate limit") {
		t.Errorf("message %q", z.Message)
	}
	y, m, d := fixedNow.UTC().Date()
	if got, want := r.header.Get("Retry-After"), time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339); got != want {
		t.Errorf("Retry-After %q, want %q", got, want)
	}
	if got := r.header.Get("X-RateLimit-Type"); got != "Daily-limit" {
		t.Errorf("X-RateLimit-Type %q", got)
	}
	u, _ := e.sim.UserByExtension(1201)
	want200(t, e.call("GET", "/phone/users/"+u.ID, nil), nil)
}

// TestRetryAfterAbsent: RetryAfterNone sends a per-second 429 without
// Retry-After but with the other rate-limit headers.
func TestRetryAfterAbsent(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), RetryAfter: zoomsim.RetryAfterNone,
		Faults: zoomsim.Faults{RateLimitUntil: time.Now().Add(time.Hour)}})
	r := e.call("GET", "/users", nil)
	wantErr(t, r, 429, 429)
	if r.header.Get("Retry-After") != "" || r.header.Get("X-RateLimit-Category") != "Medium" {
		t.Errorf("headers %v", r.header)
	}
}

// TestChineseCharacterLimits: at most five Chinese characters in first_name
// and last_name, ten in display_name; more is 400 code 300 naming the field.
func TestChineseCharacterLimits(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel()})
	u, _ := e.sim.UserByExtension(1201)
	path := "/users/" + u.ID
	want204(t, e.call("PATCH", path, map[string]string{"first_name": "欧阳娜娜娜", "last_name": "司马相如如", "display_name": "欧阳娜娜娜司马相如如 1201"}))
	for _, tt := range []struct{ field, value string }{
		{"first_name", "欧阳娜娜娜娜"},
		{"last_name", "司马相如如如"},
		{"display_name", "欧阳娜娜娜司马相如如如 1201"},
		{"display_name", "𠀀𠀁𠀂𠀃𠀄𠀅𠀆𠀇𠀈𠀉𠀊"}, // extension B
	} {
		r := e.call("PATCH", path, map[string]string{tt.field: tt.value})
		z := wantErr(t, r, 400, 300)
		if z.Message != "Validation Failed." || len(z.Errors) != 1 || z.Errors[0].Field != tt.field {
			t.Errorf("%s %q: %s", tt.field, tt.value, r.body)
		}
	}
	// Japanese kana and Korean hangul are not counted.
	want204(t, e.call("PATCH", path, map[string]string{"first_name": "さくらさくらさくら", "last_name": "김민준김민준"}))
	if got := zoom.ChineseCharacters("Ada 欧阳 Lovelace"); got != 2 {
		t.Errorf("ChineseCharacters = %d", got)
	}
}

// TestDefaultBannedWords: without Config.BannedWords a small default list
// is refused; an empty list refuses nothing.
func TestDefaultBannedWords(t *testing.T) {
	for _, tt := range []struct {
		words  []string
		status int
	}{{nil, 400}, {[]string{}, http.StatusNoContent}} {
		e := newEnv(t, zoomsim.Config{Seed: smallHotel(), BannedWords: tt.words})
		u, _ := e.sim.UserByExtension(1201)
		r := e.call("PATCH", "/users/"+u.ID, map[string]string{"last_name": "ForbiddenWord"})
		if r.status != tt.status {
			t.Errorf("BannedWords %v: status %d, want %d: %s", tt.words, r.status, tt.status, r.body)
		}
	}
}
