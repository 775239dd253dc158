package consumer

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer/naming"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// checker compares rooms with their state within one run.
type checker struct {
	r      *Reconciler
	z      *pacedZoom
	g      zoom.Grants
	st     store
	dryRun bool
}

// presenceReader is the part of *zoom.Client that reads a user's presence;
// without it (or without its scope) a vacant room's do-not-disturb is
// judged by what pbxlink last set.
type presenceReader interface {
	GetPresence(ctx context.Context, userID string) (string, error)
}

// vacated is what the check-out that emptied a room said of the room
// (mailbox, tenant, site: no guest data), from the event stream.
type vacated struct {
	room    schemas.CheckOut
	at      time.Time // the check-out's event time (the department date)
	applied bool      // the check-out finished without error
}

func (v *vacated) vars(ext string) naming.Vars {
	if v == nil {
		return naming.Vars{Extension: ext}
	}
	return vars(ext, schemas.CheckIn{Mailbox: v.room.Mailbox, Tenant: v.room.Tenant, Site: v.room.Site})
}

// check compares one room with its state and repairs it (unless a dry
// run). e is the room as Zoom showed it after rm was read.
func (c *checker) check(ctx context.Context, rm stateRoom, e dirEntry) RoomReport {
	rr := RoomReport{Extension: rm.ext, State: rm.state()}
	if rm.rec.Claim.live("", c.r.cfg.Now()) {
		rr.Action = ActionInFlight // an event is being applied right now
		return rr
	}
	var gone *vacated
	if rm.rec.Stay == nil {
		var err error
		if gone, err = c.vacatedBy(ctx, rm); err != nil {
			return c.failed(rr, err)
		}
	}
	var v naming.Vars
	if rm.rec.Stay != nil {
		v = vars(rm.ext, *rm.rec.Stay)
	} else {
		v = gone.vars(rm.ext)
	}
	rr.Differences = c.nameDiffs(e, c.r.rendered(e.Kind, v))
	if len(rr.Differences) > 0 && rm.rec.Stay != nil {
		// Zoom refused the guest's name once (a banned word) and pbxlink
		// showed the name without guest fields instead: that stands.
		alt := c.r.rendered(e.Kind, withoutGuest(v))
		if len(c.nameDiffs(e, alt)) == 0 && alt.matches(e.Kind, rm.rec.Shown) {
			rr.Differences = nil
		}
	}
	if want := c.wantDept(rm, gone); want != nil && e.Dept != *want {
		rr.Differences = append(rr.Differences, Difference{Field: FieldDepartment, Zoom: e.Dept, Want: *want})
	}
	var dnd *bool
	if rm.rec.Stay == nil && e.Kind == kindUser {
		var d []Difference
		var err error
		if dnd, d, err = c.presence(ctx, rm, e); err != nil {
			return c.failed(rr, err)
		}
		rr.Differences = append(rr.Differences, d...)
		if d, err = c.voicemail(ctx, e, gone); err != nil {
			return c.failed(rr, err)
		}
		rr.Differences = append(rr.Differences, d...)
	}
	switch {
	case len(rr.Differences) == 0:
		rr.Action = ActionOK
	case c.dryRun:
		rr.Action = ActionWouldRepair
	default:
		rr.Action, rr.EventSeq, rr.Err = c.repair(ctx, rm, e, dnd, gone)
	}
	return rr
}

func (c *checker) failed(rr RoomReport, err error) RoomReport {
	rr.Action, rr.Err = ActionFailed, err
	return rr
}

// vacatedBy reads the last check-out of a vacant room from the stream.
// None (never checked out, or gone with the stream's retention): nil.
func (c *checker) vacatedBy(ctx context.Context, rm stateRoom) (*vacated, error) {
	m, err := broker.LeaderGet(ctx, c.r.cfg.JetStream, schemas.StreamEvents,
		broker.MsgQuery{LastBySubject: schemas.EventSubject(rm.ext, schemas.TypeCheckOut)})
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if m.Sequence > rm.rec.Seq {
		return nil, nil // not applied yet: the repair will find it in flight
	}
	d, err := schemas.Parse(m.Subject, m.Data)
	if err != nil {
		return nil, nil // a bad check-out was dead-lettered; nothing learnt from it
	}
	co, ok := d.Payload.(schemas.CheckOut)
	if !ok {
		return nil, nil
	}
	return &vacated{room: co, at: d.Event.Time, applied: rm.rec.Applied >= m.Sequence}, nil
}

// names is what a room's names must be.
type names struct {
	first, last, display string // users; a common area has display only
	phone                string
}

// rendered is what the applier sets for v (setNames), without the calls.
func (r *Reconciler) rendered(k objectKind, v naming.Vars) names {
	n := names{phone: r.tmpl.Full(v, phoneNameLimit)}
	if k == kindUser {
		n.first, n.last = r.tmpl.SplitIn(v, naming.UserName)
		n.display = r.tmpl.FullIn(v, naming.UserDisplayName)
	} else {
		n.display = r.tmpl.Full(v, areaDisplayLimit)
	}
	return n
}

// matches reports whether pbxlink's record of what it set shows n.
func (n names) matches(k objectKind, s *shown) bool {
	if s == nil {
		return false
	}
	if k == kindUser && (s.First != n.first || s.Last != n.last) {
		return false
	}
	return s.Display == n.display
}

// nameDiffs compares the names Zoom shows with n; desk phones only when
// pbxlink names them (the device-names feature).
func (c *checker) nameDiffs(e dirEntry, n names) []Difference {
	var out []Difference
	add := func(field, zoomV, want string) {
		if zoomV != want {
			out = append(out, Difference{Field: field, Zoom: zoomV, Want: want})
		}
	}
	if e.Kind == kindUser {
		add(FieldFirstName, e.FirstName, n.first)
		add(FieldLastName, e.LastName, n.last)
	}
	add(FieldDisplayName, e.DisplayName, n.display)
	if c.g.Enabled[zoom.FeatureDeviceNames] {
		for _, p := range e.Phones {
			add(FieldDeskPhone, p.DisplayName, n.phone)
		}
	}
	return out
}

// wantDept is the department the room must show, nil when it is not
// checked: the setting is disabled, or the value cannot be known (an
// occupied room under "state", whose check-in date the state does not
// keep and which a guest event would not set).
func (c *checker) wantDept(rm stateRoom, gone *vacated) *string {
	d := c.r.cfg.Department
	if d == DeptDisabled {
		return nil
	}
	if rm.rec.Stay != nil {
		if v, ok := d.valueIn(schemas.TypeGuest, c.r.cfg.Now(), c.r.cfg.Location, *rm.rec.Stay); ok {
			return &v
		}
		return nil
	}
	if gone != nil {
		v, _ := d.valueIn(schemas.TypeCheckOut, gone.at, c.r.cfg.Location,
			schemas.CheckIn{Mailbox: gone.room.Mailbox, Tenant: gone.room.Tenant, Site: gone.room.Site})
		return &v
	}
	if rm.rec.Shown != nil {
		return rm.rec.Shown.Dept // what pbxlink last set
	}
	return nil
}

// presence checks that a vacant user room is not on do-not-disturb. It
// reads Zoom when the token may (and returns what it read); otherwise it
// goes by what pbxlink last set. A user whose presence Zoom refuses to
// change (not signed in to a Zoom client) is not checked: no repair could
// change it.
func (c *checker) presence(ctx context.Context, rm stateRoom, e dirEntry) (*bool, []Difference, error) {
	if !c.g.Enabled[zoom.FeatureDoNotDisturb] || !rm.rec.PresenceRefused.IsZero() {
		return nil, nil, nil
	}
	if pr, ok := c.r.cfg.Zoom.(presenceReader); ok && c.g.Has(zoom.OpGetPresence.Scope) {
		status, err := c.z.getPresence(ctx, pr, e.ID)
		if err != nil {
			return nil, nil, err
		}
		on := status == zoom.PresenceDoNotDisturb
		if on {
			return &on, []Difference{{Field: FieldDND, Zoom: "on", Want: "off"}}, nil
		}
		return &on, nil, nil
	}
	if s := rm.rec.Shown; s != nil && s.DND != nil && *s.DND {
		return nil, []Difference{{Field: FieldDND, Zoom: "on (as pbxlink last set it)", Want: "off"}}, nil
	}
	return nil, nil, nil
}

// voicemail checks that a vacant user room holds no voicemail, when
// pbxlink manages messages. A room whose check-out finished was emptied
// then: it is listed from that day on; any other back as far as Zoom
// lists (six months).
func (c *checker) voicemail(ctx context.Context, e dirEntry, gone *vacated) ([]Difference, error) {
	if !c.r.cfg.MessageManagement || !c.g.Enabled[zoom.FeatureMessages] {
		return nil, nil
	}
	for _, rg := range voicemailRanges(c.r.cfg.Now()) {
		if gone != nil && gone.applied && rg.to.Before(gone.at.UTC().Truncate(24*time.Hour)) {
			break
		}
		vms, err := c.z.ListVoicemails(ctx, e.ID, rg.from, rg.to)
		if err != nil {
			return nil, err
		}
		if len(vms) > 0 {
			return []Difference{{Field: FieldVoicemail, Zoom: strconv.Itoa(len(vms)) + " or more messages", Want: "none"}}, nil
		}
	}
	return nil, nil
}
