package consumer_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestDepartment checks every department setting on a check-in and a
// check-out, for users and common areas.
func TestDepartment(t *testing.T) {
	t.Parallel()
	stay := schemas.CheckIn{Guest: schemas.Guest{First: "Ada", Last: "Lovelace"},
		Mailbox: &schemas.Mailbox{Description: "Lovelace party", RoomID: "R1203"}, Tenant: "Grand Hotel", Site: "Main"}
	leave := schemas.CheckOut{Tenant: "Grand Hotel", Site: "Main"}
	tests := []struct {
		dept         consumer.Department
		in, out      string // department after check-in and after check-out
		unchangedOut bool   // the setting leaves the department alone
	}{
		{consumer.DeptDisabled, "", "", true},
		{consumer.DeptState, "Checked in DATE", "Checked out DATE", false},
		{consumer.DeptMailboxDescription, "Lovelace party", "", false},
		{consumer.DeptMailboxRoomID, "R1203", "", false},
		{consumer.DeptTenant, "Grand Hotel", "Grand Hotel", false},
		{consumer.DeptSite, "Main", "Main", false},
	}
	for _, target := range []zoomsim.Target{zoomsim.TargetUsers, zoomsim.TargetCommonAreas} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%s", target, tt.dept), func(t *testing.T) {
				t.Parallel()
				b := setup(t, options{
					sim:    func(c *zoomsim.Config) { c.Seed.Target = target },
					worker: func(c *consumer.Config) { c.Department = tt.dept },
				})
				b.start()
				dept := func() string {
					if target == zoomsim.TargetUsers {
						return b.user(1201).Dept
					}
					a, _ := b.sim.CommonAreaByExtension(1201)
					return a.Department
				}
				before := dept()
				date := b.now.Add(time.Second).Format(time.DateOnly)
				want := func(s string) string {
					if s == "" && tt.unchangedOut {
						return before
					}
					return replaceDate(s, date)
				}
				b.finishedAt(must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1201", stay)))
				if got := dept(); got != want(tt.in) {
					t.Fatalf("department after check-in %q, want %q%s", got, want(tt.in), b.deadLetterReasons())
				}
				b.finishedAt(must[*producer.Result](t)(b.prod.CheckOut(b.ctx(), "1201", leave)))
				if got := dept(); got != want(tt.out) {
					t.Fatalf("department after check-out %q, want %q%s", got, want(tt.out), b.deadLetterReasons())
				}
			})
		}
	}
}

func replaceDate(s, date string) string {
	if n := len(s); n > 4 && s[n-4:] == "DATE" {
		return s[:n-4] + date
	}
	return s
}

// TestMessageManagement: with message management on, check-in and
// check-out delete the room's voicemail; off, they leave it; a
// clearmessages event deletes it either way.
func TestMessageManagement(t *testing.T) {
	t.Parallel()
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprint("on=", on), func(t *testing.T) {
			t.Parallel()
			b := setup(t, options{worker: func(c *consumer.Config) { c.MessageManagement = on }})
			b.start()
			room := b.user(1202)
			if n := len(b.sim.Voicemails(room.ID)); n != 2 {
				t.Fatalf("seeded %d voicemails, want 2", n)
			}
			b.finishedAt(must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1202", schemas.CheckIn{Guest: schemas.Guest{Last: "Turing"}})))
			if n, want := len(b.sim.Voicemails(room.ID)), map[bool]int{true: 0, false: 2}[on]; n != want {
				t.Fatalf("after check-in %d voicemails, want %d", n, want)
			}
			must[any](t)(b.sim.AddVoicemail(room.ID, zoomsim.Voicemail{CallerName: "Front desk", CallerNumber: "9001"}))
			b.finishedAt(must[*producer.Result](t)(b.prod.CheckOut(b.ctx(), "1202", schemas.CheckOut{})))
			if n, want := len(b.sim.Voicemails(room.ID)), map[bool]int{true: 0, false: 3}[on]; n != want {
				t.Fatalf("after check-out %d voicemails, want %d", n, want)
			}
			b.finishedAt(must[*producer.Result](t)(b.prod.ClearMessages(b.ctx(), "1202")))
			if n := len(b.sim.Voicemails(room.ID)); n != 0 {
				t.Fatalf("after clearmessages %d voicemails, want 0", n)
			}
		})
	}
}

// TestMissingOptionalScopes: without the device, presence and voicemail
// scopes the worker still names the user; it leaves phones and presence
// alone, and a dnd or clearmessages event is dead-lettered saying which
// scopes are missing (not counted as applied).
func TestMissingOptionalScopes(t *testing.T) {
	t.Parallel()
	b := setup(t, options{
		sim:    func(c *zoomsim.Config) { c.Scopes = zoom.RequiredScopes() },
		worker: func(c *consumer.Config) { c.MessageManagement = true },
	})
	w := b.start()
	for _, f := range zoom.Features() {
		if w.Grants().Enabled[f] {
			t.Errorf("feature %s on without its scopes", f)
		}
	}
	room := b.user(1205)
	phone := b.sim.DevicesOf(room.ID)[0]
	must[any](t)(b.prod.CheckIn(b.ctx(), "1205", schemas.CheckIn{Guest: schemas.Guest{First: "Alan", Last: "Turing"}}))
	must[any](t)(b.prod.DND(b.ctx(), "1205", true))
	b.finishedAt(must[*producer.Result](t)(b.prod.ClearMessages(b.ctx(), "1205")))
	if u := b.user(1205); u.DisplayName != "Alan Turing 1205" {
		t.Fatalf("display name %q", u.DisplayName)
	}
	if d, _ := b.sim.Device(phone.ID); d.DisplayName != phone.DisplayName {
		t.Errorf("phone renamed to %q without the device scope", d.DisplayName)
	}
	if n := b.zoomCalls(zoom.OpSetPresence, zoom.OpListVoicemails, zoom.OpUpdateDevice); n != 0 {
		t.Errorf("%d calls that need missing scopes", n)
	}
	dl := b.deadLetters()
	if len(dl) != 2 || dl[0].Subject != "pbxlink.dlq.ext.1205.dnd" || dl[1].Subject != "pbxlink.dlq.ext.1205.clearmessages" {
		t.Fatalf("dead letters %v, want the dnd and clearmessages events", dl)
	}
	if reason := dl[0].Header.Get(schemas.HeaderError); !containsAll(reason, zoom.ScopeUpdatePresence) {
		t.Errorf("reason %q does not name the missing scope", reason)
	}
	if reason := dl[1].Header.Get(schemas.HeaderError); !containsAll(reason, zoom.ScopeListVoicemails, zoom.ScopeDeleteVoicemail) {
		t.Errorf("reason %q does not name the missing scopes", reason)
	}
}

// TestUnchangedEventCostsNothing: an event that leaves Zoom as it is makes
// no Zoom call.
func TestUnchangedEventCostsNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, quickPresence)
	b.start()
	in := schemas.CheckIn{Guest: schemas.Guest{First: "Ada", Last: "Lovelace"}}
	must[any](t)(b.prod.CheckIn(b.ctx(), "1203", in))
	b.finishedAt(must[*producer.Result](t)(b.prod.DND(b.ctx(), "1203", true)))
	calls := b.zoomCalls()
	must[any](t)(b.prod.CheckIn(b.ctx(), "1203", in))
	must[any](t)(b.prod.DND(b.ctx(), "1203", true))
	b.finishedAt(must[*producer.Result](t)(b.prod.GuestChange(b.ctx(), "1203", schemas.GuestChange{Guest: &schemas.GuestPatch{First: ptr("Ada")}})))
	if extra := b.zoomCalls() - calls; extra != 0 {
		t.Fatalf("repeating events made %d Zoom calls, want 0", extra)
	}
}
