package consumer_test

import (
	"testing"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestEveryEventTypeOnBothTargets publishes each of the six event types to
// a room that is a Zoom user and to one that is a common area, and checks
// what Zoom shows after each.
func TestEveryEventTypeOnBothTargets(t *testing.T) {
	t.Parallel()
	for _, target := range []zoomsim.Target{zoomsim.TargetUsers, zoomsim.TargetCommonAreas} {
		t.Run(string(target), func(t *testing.T) {
			t.Parallel()
			b := setup(t, options{
				sim: func(c *zoomsim.Config) {
					c.Seed.Target = target
					quickPresence.sim(c)
				},
				zoom:   quickPresence.zoom,
				worker: func(c *consumer.Config) { c.Department = consumer.DeptTenant },
			})
			b.start()
			display := func() (string, string) {
				if target == zoomsim.TargetUsers {
					u := b.user(1205)
					return u.DisplayName, u.Dept
				}
				a, _ := b.sim.CommonAreaByExtension(1205)
				return a.DisplayName, a.Department
			}
			step := func(name, wantName, wantDept string, publish func() (*producer.Result, error)) {
				t.Helper()
				r, err := publish()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				b.finishedAt(r)
				if got, dept := display(); got != wantName || dept != wantDept {
					t.Fatalf("after %s: %q / %q, want %q / %q%s", name, got, dept, wantName, wantDept, b.deadLetterReasons())
				}
			}
			ctx := b.ctx()
			step("checkin", "Ada Lovelace 1205", "Grand", func() (*producer.Result, error) {
				return b.prod.CheckIn(ctx, "1205", schemas.CheckIn{Guest: schemas.Guest{First: "Ada", Last: "Lovelace"}, Tenant: "Grand"})
			})
			step("guest", "Ada Byron 1205", "Royal", func() (*producer.Result, error) {
				return b.prod.GuestChange(ctx, "1205", schemas.GuestChange{Guest: &schemas.GuestPatch{Last: ptr("Byron")}, Tenant: ptr("Royal")})
			})
			step("dnd", "Ada Byron 1205", "Royal", func() (*producer.Result, error) { return b.prod.DND(ctx, "1205", true) })
			step("clearmessages", "Ada Byron 1205", "Royal", func() (*producer.Result, error) { return b.prod.ClearMessages(ctx, "1205") })
			step("checkout", "1205", "Grand", func() (*producer.Result, error) {
				return b.prod.CheckOut(ctx, "1205", schemas.CheckOut{Tenant: "Grand"})
			})
			step("extension", "Front Desk 1205", "Reception", func() (*producer.Result, error) {
				return b.prod.Extension(ctx, "1205", schemas.Extension{First: ptr("Front"), Last: ptr("Desk"), Department: ptr("Reception")})
			})
			step("extension, last only", "Front Office 1205", "Reception", func() (*producer.Result, error) {
				return b.prod.Extension(ctx, "1205", schemas.Extension{Last: ptr("Office")})
			})
			if target == zoomsim.TargetUsers {
				room := b.user(1205)
				if pr, _ := b.sim.Presence(room.ID); pr.Status != zoom.PresenceAvailable {
					t.Errorf("presence after check-out %q", pr.Status)
				}
				if n := len(b.sim.Voicemails(room.ID)); n != 0 {
					t.Errorf("%d voicemails after clearmessages", n)
				}
			} else if n := b.zoomCalls(zoom.OpSetPresence, zoom.OpListVoicemails); n != 0 {
				t.Errorf("%d presence or voicemail calls for a common area", n)
			}
			if dl := b.deadLetters(); len(dl) != 0 {
				t.Fatalf("dead letter: %s", dl[0].Header.Get(schemas.HeaderError))
			}
		})
	}
}
