package consumer_test

import (
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// TestNewExtensionTargetedLookup: a room added in Zoom after the directory
// was loaded is found with one targeted lookup, not a full reload.
func TestNewExtensionTargetedLookup(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	b.start()
	loads := b.zoomCalls(zoom.OpListUsers)
	_, err := b.sim.AddUser(zoomsim.User{Email: "room1299@hotel.example", FirstName: "Room", LastName: "1299",
		DisplayName: "Room 1299", ExtensionNumber: 1299, Type: 2})
	if err != nil {
		t.Fatal(err)
	}
	b.finishedAt(must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1299", schemas.CheckIn{Guest: schemas.Guest{Last: "Franklin"}})))
	if got := b.user(1299).DisplayName; got != "Franklin 1299" {
		t.Fatalf("new room shows %q", got)
	}
	if n := b.zoomCalls(zoom.OpListUsers); n != loads {
		t.Errorf("the directory was reloaded (%d full user lists) for one new extension", n-loads)
	}
	if n := b.zoomCalls(zoom.OpListPhoneUsers); n != 2 {
		t.Errorf("%d phone-user lists: want the start-up load and one keyword lookup", n)
	}
}

// TestDirectoryRefresh: the directory is loaded again every CacheRefresh.
func TestDirectoryRefresh(t *testing.T) {
	t.Parallel()
	b := setup(t, options{worker: func(c *consumer.Config) { c.CacheRefresh = 300 * time.Millisecond }})
	b.start()
	b.eventually("two refreshes", func() (bool, string) {
		return b.zoomCalls(zoom.OpListUsers) >= 3, ""
	})
}
