package consumer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/pbxlink/pbxlink/consumer/naming"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// Zoom's field limits, in characters.
const (
	areaDisplayLimit = 128 // a common area's display_name
	phoneNameLimit   = 255 // a desk phone's display_name
)

// errFeatureOff: the event needs a feature whose Zoom scopes are missing.
var errFeatureOff = errors.New("feature switched off")

// applier turns one event into the Zoom calls it needs, and no more: each
// change is compared with what Zoom shows first.
type applier struct {
	// zoom is the event's fenced writer: every call inside its claim.
	zoom     writer
	log      *slog.Logger
	tmpl     *naming.Template
	dept     Department
	loc      *time.Location // the hotel's time zone, for dates shown
	messages bool           // delete voicemail at check-in and check-out
	features map[zoom.Feature]bool
	// dndFor is how long do-not-disturb is set for (Zoom's maximum, a day).
	dndFor time.Duration
	now    func() time.Time
	// hold is the event's claim, which remembers once-only steps.
	hold *hold
	// changed lists what the event changed in Zoom, for the log.
	changed []string
}

// made notes a kind of change, once.
func (a *applier) made(what string) {
	for _, c := range a.changed {
		if c == what {
			return
		}
	}
	a.changed = append(a.changed, what)
}

// forEvent returns the applier for one event: its Zoom calls go through the
// event's claim.
func (a applier) forEvent(z Zoom, h *hold) *applier {
	a.zoom, a.hold = fenced{z: z, h: h}, h
	return &a
}

// stepVoicemail is the once-only step of deleting a room's voicemail.
const stepVoicemail = "voicemail"

// apply makes Zoom reflect the event. rec is updated in place as each call
// succeeds (Stay, Shown, Time), so that a retry repeats only what failed.
func (a *applier) apply(ctx context.Context, d schemas.Decoded, rec *record, e dirEntry) error {
	cur := current(*rec, e)
	defer func() { rec.Shown = &cur }()
	var err error
	switch p := d.Payload.(type) {
	case schemas.CheckIn:
		stay := p
		rec.Stay = &stay
		err = a.names(ctx, e, vars(e.Extension, stay), a.deptFor(d, stay), &cur)
		if err == nil && a.messages {
			err = a.clearVoicemailOnce(ctx, e)
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
			err = a.presence(ctx, e, false, rec, &cur)
		}
		if err == nil && a.messages {
			err = a.clearVoicemailOnce(ctx, e)
		}
	case schemas.DND:
		if !a.features[zoom.FeatureDoNotDisturb] && e.Kind == kindUser {
			err = fmt.Errorf("%w: do-not-disturb needs the scope %s", errFeatureOff, zoom.ScopeUpdatePresence)
			break
		}
		err = a.presence(ctx, e, p.On, rec, &cur)
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
	return err
}

// current is what Zoom shows for the extension: pbxlink's own record when
// it is newer than the directory's load, else the directory's view.
func current(rec record, e dirEntry) shown {
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
	v, ok := a.dept.valueIn(d.Type, d.Event.Time, a.loc, data)
	if !ok {
		return nil
	}
	return &v
}

// names sets the extension's names (and department, when dept is not nil)
// on the user or common area, then on its desk phones.
func (a *applier) names(ctx context.Context, e dirEntry, v naming.Vars, dept *string, cur *shown) error {
	err := a.setNames(ctx, e, v, dept, cur)
	if g := withoutGuest(v); errors.Is(err, zoom.ErrInvalidName) && g != v {
		// A name with a word Zoom bans (code 300) would fail every time:
		// the room shows the template without guest fields instead.
		a.log.Warn("Zoom refused the guest's name; showing the name without guest fields",
			"ext", e.Extension, "err", logSafe(err))
		return a.setNames(ctx, e, g, dept, cur)
	}
	return err
}

// withoutGuest keeps the variables that are not the guest's.
func withoutGuest(v naming.Vars) naming.Vars {
	return naming.Vars{Extension: v.Extension, RoomID: v.RoomID, Tenant: v.Tenant, Site: v.Site}
}

// setNames makes the calls of names for one set of variables.
func (a *applier) setNames(ctx context.Context, e dirEntry, v naming.Vars, dept *string, cur *shown) error {
	deptChanged := dept != nil && (cur.Dept == nil || *cur.Dept != *dept)
	switch e.Kind {
	case kindUser:
		// Users' names also obey Zoom's Chinese-character limits.
		first, last := a.tmpl.SplitIn(v, naming.UserName)
		display := a.tmpl.FullIn(v, naming.UserDisplayName)
		if first != cur.First || last != cur.Last || display != cur.Display || deptChanged {
			u := zoom.UserUpdate{FirstName: first, LastName: last, DisplayName: display}
			if deptChanged {
				u.Dept = dept
			}
			if err := a.zoom.UpdateUser(ctx, e.ID, u); err != nil {
				return err
			}
			cur.First, cur.Last, cur.Display = first, last, display
			a.made("name")
			if deptChanged {
				cur.Dept = dept
				a.made("department")
			}
			cur.At = a.now()
		}
	case kindCommonArea:
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
			a.made("name")
			if deptChanged {
				cur.Dept = dept
				a.made("department")
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
		a.made("desk phone")
	}
	return nil
}

// presence turns do-not-disturb on or off. Common areas have no presence,
// and without the presence scope the feature is off: both leave it alone.
//
// Zoom refuses a presence change with 400 code 5301 both for its
// one-change-a-minute rule and for a user not signed in to a Zoom client
// (a room with only a desk phone). Within a minute of the fleet's last
// change of the user's presence it is the rule: the event waits for the
// minute to end. Otherwise presence cannot be set for that user: the event
// finishes without it, and the first such refusal is logged.
func (a *applier) presence(ctx context.Context, e dirEntry, on bool, rec *record, cur *shown) error {
	if e.Kind != kindUser || !a.features[zoom.FeatureDoNotDisturb] {
		return nil
	}
	if cur.DND != nil && *cur.DND == on {
		return nil
	}
	var err error
	if on {
		err = a.zoom.SetDoNotDisturb(ctx, e.ID, a.dndFor)
	} else {
		err = a.zoom.SetAvailable(ctx, e.ID)
	}
	now := a.now()
	switch {
	case errors.Is(err, zoom.ErrPresenceRefused) && now.Sub(rec.PresenceAt) < presenceRule:
		return &waitError{until: rec.PresenceAt.Add(presenceRule), err: err}
	case errors.Is(err, zoom.ErrPresenceRefused):
		if rec.PresenceRefused.IsZero() {
			a.log.Info("Zoom cannot set presence for this user (not signed in to a Zoom client); event finished without do-not-disturb",
				"ext", e.Extension, "dnd", on)
		}
		rec.PresenceRefused = now
		return nil
	case err != nil:
		return err
	}
	rec.PresenceAt, rec.PresenceRefused = now, time.Time{}
	cur.DND = &on
	a.made("do-not-disturb")
	cur.At = now
	return nil
}

// presenceRule is Zoom's one-presence-change-a-minute rule.
const presenceRule = time.Minute

// waitError: the change must wait until a time (a Zoom rule that is not
// a 429); the event is deferred, using no attempt.
type waitError struct {
	until time.Time
	err   error
}

func (e *waitError) Error() string {
	return e.err.Error() + " (waiting until " + e.until.UTC().Format(time.RFC3339) + ")"
}
func (e *waitError) Unwrap() error { return e.err }

// clearVoicemailOnce deletes the room's voicemail at check-in or check-out
// once per event: a takeover after a crash does not delete it again (by
// then it may hold the new guest's first messages).
func (a *applier) clearVoicemailOnce(ctx context.Context, e dirEntry) error {
	if a.hold.rec.Claim.done(stepVoicemail) {
		return nil
	}
	if err := a.clearVoicemail(ctx, e, false); err != nil {
		return err
	}
	a.made("voicemail")
	return a.hold.step(ctx, stepVoicemail)
}

// clearVoicemail deletes all of a user's voicemail. Common areas have none.
// explicit is true for a clearmessages event, which fails when the feature
// is off rather than doing nothing.
func (a *applier) clearVoicemail(ctx context.Context, e dirEntry, explicit bool) error {
	if e.Kind != kindUser {
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
