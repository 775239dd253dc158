package consumer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/pbxlink/pbxlink/consumer/naming"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// Zoom's field limits, in characters.
const (
	userNameLimit    = 64  // first_name, last_name
	userDisplayLimit = 128 // display_name
	areaDisplayLimit = 128 // a common area's display_name
	phoneNameLimit   = 255 // a desk phone's display_name
)

// errFeatureOff: the event needs a feature whose Zoom scopes are missing.
var errFeatureOff = errors.New("feature switched off")

// applier turns one event into the Zoom calls it needs, and no more: each
// change is compared with what Zoom shows first.
type applier struct {
	zoom     Zoom
	tmpl     *naming.Template
	dept     Department
	messages bool // delete voicemail at check-in and check-out
	features map[zoom.Feature]bool
	// dndFor is how long do-not-disturb is set for (Zoom's maximum, a day).
	dndFor time.Duration
	// maxInlineWait bounds how long a rate-limited call is waited for in
	// place, rather than given back to JetStream (which costs a delivery).
	maxInlineWait time.Duration
	now           func() time.Time
}

// apply makes Zoom reflect the event. rec is updated in place as each call
// succeeds (Stay, Shown, Time), so that a retry repeats only what failed.
func (a *applier) apply(ctx context.Context, d schemas.Decoded, rec *record, e Entry) error {
	cur := current(*rec, e)
	defer func() { rec.Shown = &cur }()
	var err error
	switch p := d.Payload.(type) {
	case schemas.CheckIn:
		stay := p
		rec.Stay = &stay
		err = a.names(ctx, e, vars(e.Extension, stay), a.deptFor(d, stay), &cur)
		if err == nil && a.messages {
			err = a.clearVoicemail(ctx, e, false)
		}
	case schemas.GuestChange:
		var stay schemas.CheckIn
		if rec.Stay != nil {
			stay = *rec.Stay
		}
		stay = p.Apply(stay)
		rec.Stay = &stay
		err = a.names(ctx, e, vars(e.Extension, stay), a.deptFor(d, stay), &cur)
	case schemas.CheckOut:
		// Nothing of the guest is kept: the name goes back to the
		// template without guest fields.
		rec.Stay = nil
		room := schemas.CheckIn{Mailbox: p.Mailbox, Tenant: p.Tenant, Site: p.Site}
		err = a.names(ctx, e, vars(e.Extension, room), a.deptFor(d, room), &cur)
		if err == nil {
			err = a.presence(ctx, e, false, &cur)
		}
		if err == nil && a.messages {
			err = a.clearVoicemail(ctx, e, false)
		}
	case schemas.DND:
		err = a.presence(ctx, e, p.On, &cur)
	case schemas.ClearMessages:
		err = a.clearVoicemail(ctx, e, true)
	case schemas.Extension:
		// Absent fields keep what an earlier extension event set.
		plain := schemas.Extension{}
		if rec.Plain != nil {
			plain = *rec.Plain
		}
		plain.First = cmp.Or(p.First, plain.First)
		plain.Last = cmp.Or(p.Last, plain.Last)
		plain.Department = cmp.Or(p.Department, plain.Department)
		rec.Plain = &plain
		v := naming.Vars{Extension: e.Extension}
		if plain.First != nil {
			v.First = *plain.First
		}
		if plain.Last != nil {
			v.Last = *plain.Last
		}
		err = a.names(ctx, e, v, p.Department, &cur)
	default:
		err = fmt.Errorf("no effect defined for event type %s", d.Type)
	}
	if err != nil {
		return err
	}
	if d.Event.Time.After(rec.Time) {
		rec.Time = d.Event.Time
	}
	return nil
}

// current is what Zoom shows for the extension: pbxlink's own record when
// it is newer than the directory's load, else the directory's view.
func current(rec record, e Entry) shown {
	if rec.Shown != nil && !rec.Shown.At.Before(e.LoadedAt) {
		s := *rec.Shown
		s.Phones = maps.Clone(s.Phones)
		if s.Phones == nil {
			s.Phones = map[string]string{}
		}
		return s
	}
	dept := e.Dept
	s := shown{First: e.FirstName, Last: e.LastName, Display: e.DisplayName, Dept: &dept,
		Phones: map[string]string{}, At: e.LoadedAt}
	for _, p := range e.Phones {
		s.Phones[p.ID] = p.DisplayName
	}
	if rec.Shown != nil {
		s.DND = rec.Shown.DND // presence is not part of the directory
	}
	return s
}

func vars(ext string, d schemas.CheckIn) naming.Vars {
	v := naming.Vars{
		VIP: d.Guest.VIP, First: d.Guest.First, Last: d.Guest.Last, Title: d.Guest.Title,
		Language: d.Guest.Language, Reservation: d.Guest.Reservation,
		Extension: ext, Tenant: d.Tenant, Site: d.Site,
	}
	if d.Mailbox != nil {
		v.RoomID = d.Mailbox.RoomID
	}
	return v
}

func (a *applier) deptFor(d schemas.Decoded, data schemas.CheckIn) *string {
	v, ok := a.dept.value(d.Type, d.Event.Time, data)
	if !ok {
		return nil
	}
	return &v
}

// names sets the extension's names (and department, when dept is not nil)
// on the user or common area, then on its desk phones.
func (a *applier) names(ctx context.Context, e Entry, v naming.Vars, dept *string, cur *shown) error {
	deptChanged := dept != nil && (cur.Dept == nil || *cur.Dept != *dept)
	switch e.Kind {
	case KindUser:
		first, last := a.tmpl.Split(v, userNameLimit)
		display := a.tmpl.Full(v, userDisplayLimit)
		if first != cur.First || last != cur.Last || display != cur.Display || deptChanged {
			u := zoom.UserUpdate{FirstName: first, LastName: last, DisplayName: display}
			if deptChanged {
				u.Dept = dept
			}
			if err := a.zoom.UpdateUser(ctx, e.ID, u); err != nil {
				return err
			}
			cur.First, cur.Last, cur.Display = first, last, display
			if deptChanged {
				cur.Dept = dept
			}
			cur.At = a.now()
		}
	case KindCommonArea:
		display := a.tmpl.Full(v, areaDisplayLimit)
		if display != cur.Display || deptChanged {
			u := zoom.CommonAreaUpdate{DisplayName: display}
			if deptChanged {
				u.Department = dept
			}
			if err := a.zoom.UpdateCommonArea(ctx, e.ID, u); err != nil {
				return err
			}
			cur.Display = display
			if deptChanged {
				cur.Dept = dept
			}
			cur.At = a.now()
		}
	}
	if !a.features[zoom.FeatureDeviceNames] {
		return nil
	}
	name := a.tmpl.Full(v, phoneNameLimit)
	for _, p := range e.Phones {
		if cur.Phones[p.ID] == name {
			continue
		}
		if err := a.zoom.UpdateDeviceName(ctx, p.ID, name); err != nil {
			return err
		}
		cur.Phones[p.ID] = name
		cur.At = a.now()
	}
	return nil
}

// presence turns do-not-disturb on or off. Common areas have no presence,
// and without the presence scope the feature is off: both leave it alone.
// Zoom's one-change-a-minute rule is waited out here, so the final state is
// the one the last event asked for.
func (a *applier) presence(ctx context.Context, e Entry, on bool, cur *shown) error {
	if e.Kind != KindUser || !a.features[zoom.FeatureDoNotDisturb] {
		return nil
	}
	if cur.DND != nil && *cur.DND == on {
		return nil
	}
	err := a.retryRateLimited(ctx, func() error {
		if on {
			return a.zoom.SetDoNotDisturb(ctx, e.ID, a.dndFor)
		}
		return a.zoom.SetAvailable(ctx, e.ID)
	})
	if err != nil {
		return err
	}
	cur.DND = &on
	cur.At = a.now()
	return nil
}

// clearVoicemail deletes all of a user's voicemail. Common areas have none.
// explicit is true for a clearmessages event, which fails when the feature
// is off rather than doing nothing.
func (a *applier) clearVoicemail(ctx context.Context, e Entry, explicit bool) error {
	if e.Kind != KindUser {
		return nil
	}
	if !a.features[zoom.FeatureMessages] {
		if explicit {
			return fmt.Errorf("%w: message management needs the scopes %s and %s",
				errFeatureOff, zoom.ScopeListVoicemails, zoom.ScopeDeleteVoicemail)
		}
		return nil
	}
	_, err := deleteAllVoicemail(ctx, a.zoom, e.ID, a.now())
	return err
}

// retryRateLimited runs call again after a rate-limit error whose wait is
// short enough to sit out here.
func (a *applier) retryRateLimited(ctx context.Context, call func() error) error {
	for {
		err := call()
		at, limited := zoom.RetryAt(err)
		if !limited || at.Sub(a.now()) > a.maxInlineWait {
			return err
		}
		t := time.NewTimer(time.Until(at))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
	}
}
