package consumer_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// voicemailAges are messages Zoom keeps beyond its default 30-day listing,
// up to the six months it reaches.
var voicemailAges = []int{3, 40, 100, 170}

// TestDeleteAllVoicemailReachesSixMonths: check-in, check-out and
// clearmessages each delete voicemail 3, 40, 100 and 170 days old, not only
// the last 30 days that Zoom lists without a range.
func TestDeleteAllVoicemailReachesSixMonths(t *testing.T) {
	t.Parallel()
	b := setup(t, options{worker: func(c *consumer.Config) { c.MessageManagement = true }})
	b.start()
	room := b.user(1203)
	leave := func() {
		t.Helper()
		for _, days := range voicemailAges {
			must[any](t)(b.sim.AddVoicemail(room.ID, zoomsim.Voicemail{
				CallerName: fmt.Sprintf("caller %dd", days), CallerNumber: "+15550100",
				DateTime: time.Now().AddDate(0, 0, -days)}))
		}
	}
	left := func(after string, r *producer.Result) {
		t.Helper()
		b.finishedAt(r)
		if vms := b.sim.Voicemails(room.ID); len(vms) != 0 {
			var ages []string
			for _, v := range vms {
				ages = append(ages, v.CallerName)
			}
			t.Fatalf("after %s voicemail left: %v", after, ages)
		}
	}
	leave()
	left("check-in", must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1203", schemas.CheckIn{Guest: schemas.Guest{Last: "Hopper"}})))
	leave()
	left("check-out", must[*producer.Result](t)(b.prod.CheckOut(b.ctx(), "1203", schemas.CheckOut{})))
	leave()
	left("clearmessages", must[*producer.Result](t)(b.prod.ClearMessages(b.ctx(), "1203")))
	if dead := b.deadLetters(); len(dead) != 0 {
		t.Fatalf("%d dead letters: %s", len(dead), dead[0].Header.Get("Pbxlink-Error"))
	}
}
