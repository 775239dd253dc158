package consumer

import (
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/schemas"
)

// TestDepartmentDateInHotelZone: a check-in at 22:30 on 23 November in
// Pago Pago (UTC-11) is 09:30 on the 24th in UTC; the department shows the
// hotel's date, the 23rd. A check-out likewise; Tokyo's date runs ahead.
func TestDepartmentDateInHotelZone(t *testing.T) {
	t.Parallel()
	pago, err := time.LoadLocation("Pacific/Pago_Pago")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	late := time.Date(2026, 11, 23, 22, 30, 0, 0, pago).UTC()
	for _, tc := range []struct {
		typ  schemas.Type
		loc  *time.Location
		at   time.Time
		want string
	}{
		{schemas.TypeCheckIn, pago, late, "Checked in 2026-11-23"},
		{schemas.TypeCheckOut, pago, late, "Checked out 2026-11-23"},
		{schemas.TypeCheckIn, time.UTC, late, "Checked in 2026-11-24"},
		{schemas.TypeCheckIn, tokyo, time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC), "Checked in 2026-11-24"},
	} {
		got, ok := DeptState.valueIn(tc.typ, tc.at, tc.loc, schemas.CheckIn{})
		if !ok || got != tc.want {
			t.Errorf("%s at %s in %s: %q, want %q", tc.typ, tc.at, tc.loc, got, tc.want)
		}
	}
}
