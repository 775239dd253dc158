package consumer_test

import (
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
)

// TestDepartmentDateLateCheckInFarWest: with the department set to
// "state", a check-in at 22:30 in Pago Pago (UTC-11), already the next
// day in UTC, shows the hotel's date.
func TestDepartmentDateLateCheckInFarWest(t *testing.T) {
	t.Parallel()
	pago, err := time.LoadLocation("Pacific/Pago_Pago")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	b := setup(t, options{worker: func(c *consumer.Config) { c.Department, c.Location = consumer.DeptState, pago }})
	b.start()
	y, m, d := time.Now().In(pago).AddDate(0, 0, -1).Date()
	late := time.Date(y, m, d, 22, 30, 0, 0, pago)
	b.finishedAt(must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1204", schemas.CheckIn{Guest: schemas.Guest{Last: "Stevenson"}}, producerAt(late))))
	want := "Checked in " + late.Format(time.DateOnly)
	if got := b.user(1204).Dept; got != want {
		t.Fatalf("department %q, want %q (UTC's date is %s)", got, want, late.UTC().Format(time.DateOnly))
	}
}
