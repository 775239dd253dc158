package consumer

import (
	"fmt"
	"time"

	"github.com/pbxlink/pbxlink/schemas"
)

// Department says what the department field of a room extension is set to.
type Department string

// Department settings (PBXLINK_DEPARTMENT).
const (
	DeptDisabled           Department = "disabled"
	DeptState              Department = "state"
	DeptMailboxDescription Department = "mailbox_description"
	DeptMailboxRoomID      Department = "mailbox_room_id"
	DeptTenant             Department = "tenant"
	DeptSite               Department = "site"
)

// Departments lists the valid settings.
var Departments = []Department{DeptDisabled, DeptState, DeptMailboxDescription, DeptMailboxRoomID, DeptTenant, DeptSite}

// ParseDepartment checks a department setting.
func ParseDepartment(s string) (Department, error) {
	for _, d := range Departments {
		if string(d) == s {
			return d, nil
		}
	}
	return "", fmt.Errorf("unknown department setting %q: want one of %v", s, Departments)
}

// valueIn computes the department an event sets, and whether it sets one.
// data is the stay after the event (for a check-out, the check-out's own
// mailbox, tenant and site). A date is the event's day in the hotel's time
// zone loc (Config.Location): a check-in at 22:30 in Pago Pago is that
// day's, although UTC has already reached the next. A nil loc is UTC.
func (d Department) valueIn(t schemas.Type, at time.Time, loc *time.Location, data schemas.CheckIn) (string, bool) {
	if loc == nil {
		loc = time.UTC
	}
	switch d {
	case DeptState:
		switch t {
		case schemas.TypeCheckIn:
			return "Checked in " + at.In(loc).Format(time.DateOnly), true
		case schemas.TypeCheckOut:
			return "Checked out " + at.In(loc).Format(time.DateOnly), true
		}
		return "", false // a guest change keeps the check-in date
	case DeptMailboxDescription, DeptMailboxRoomID:
		v := ""
		if data.Mailbox != nil {
			v = data.Mailbox.Description
			if d == DeptMailboxRoomID {
				v = data.Mailbox.RoomID
			}
		}
		return v, true
	case DeptTenant:
		return data.Tenant, true
	case DeptSite:
		return data.Site, true
	}
	return "", false
}
