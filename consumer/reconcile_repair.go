package consumer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/schemas"
)

// ReconcileSource is the CloudEvents source of the reconciler's corrective
// events.
const ReconcileSource = "pbxlink/reconciler"

// JetStream's publish expectation: the last message on a subject filter
// (here every subject of the room) must be at a given sequence.
const (
	headerExpectLastSubjectSeq     = "Nats-Expected-Last-Subject-Sequence"
	headerExpectLastSubjectSeqSubj = "Nats-Expected-Last-Subject-Sequence-Subject"
)

// repair hands a differing room to the worker through the room's own
// subject, so that the writes happen in order with its other events:
//
//  1. the room must have no event after its last finished one (none
//     queued, none being applied): otherwise it is left for the next run;
//  2. Shown, in the record read before Zoom was, becomes what Zoom showed,
//     with compare-and-swap: a record changed since (an event began or
//     finished) fails it, and the room is left for the next run. Without
//     this the worker, comparing with what it last set, would see nothing
//     to do;
//  3. the corrective event is published only if the room's last message
//     is still the one step 1 saw (a JetStream publish expectation), so an
//     event the PMS publishes meanwhile goes first and the correction is
//     dropped. Its id is derived from the room, its last finished event and
//     the kind of correction: a second run before the worker applies it
//     publishes no second one.
//
// A vacant room gets a check-out (with the room data of the check-out that
// emptied it: no guest data), which sets the names without guest fields,
// the department, do-not-disturb off and deletes voicemail; an occupied
// room gets a guest event carrying the stay's full guest data.
func (c *checker) repair(ctx context.Context, rm stateRoom, e dirEntry, dnd *bool, gone *vacated) (string, uint64, error) {
	js := c.r.cfg.JetStream
	last, err := lastEventSeq(ctx, js, rm.ext)
	if err != nil {
		return ActionFailed, 0, err
	}
	if last > rm.rec.Seq {
		return ActionInFlight, 0, nil
	}
	now := c.r.cfg.Now()
	rec := rm.rec
	rec.Shown = zoomShows(e, rec.Shown, dnd, now)
	if _, err := c.st.put(ctx, rm.ext, rec, rm.rev); errors.Is(err, errConflict) {
		return ActionInFlight, 0, nil
	} else if err != nil {
		return ActionFailed, 0, err
	}
	t, data, at := schemas.TypeCheckOut, any(schemas.CheckOut{}), now
	if rm.rec.Stay != nil {
		t, data = schemas.TypeGuest, fullGuestChange(*rm.rec.Stay)
	} else if gone != nil {
		data, at = gone.room, gone.at // the same department date
	}
	id := "pbxlink-reconcile-" + rm.ext + "-" + strconv.FormatUint(rm.rec.Seq, 10) + "-" + string(t)
	seq, err := publishIfLast(ctx, js, rm.ext, t, data, id, at, last)
	switch {
	case broker.IsConflict(err):
		return ActionInFlight, 0, nil // the PMS published meanwhile
	case err != nil:
		return ActionFailed, 0, err
	}
	return ActionRepaired, seq, nil
}

// lastEventSeq is the stream sequence of the room's last event, 0 when the
// stream holds none.
func lastEventSeq(ctx context.Context, js jetstream.JetStream, ext string) (uint64, error) {
	m, err := broker.LeaderGet(ctx, js, schemas.StreamEvents, broker.MsgQuery{LastBySubject: schemas.SubjectPrefix + ext + ".*"})
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return m.Sequence, nil
}

// zoomShows is the record's Shown as Zoom showed the room. Presence is
// not in Zoom's lists: dnd when it was read, else what the record had.
func zoomShows(e dirEntry, old *shown, dnd *bool, now time.Time) *shown {
	dept := e.Dept
	s := &shown{First: e.FirstName, Last: e.LastName, Display: e.DisplayName, Dept: &dept,
		Phones: map[string]string{}, DND: dnd, At: now}
	for _, p := range e.Phones {
		s.Phones[p.ID] = p.DisplayName
	}
	if dnd == nil && old != nil {
		s.DND = old.DND
	}
	return s
}

// fullGuestChange is a guest event that sets every field of the stay to
// what it is: applied, it changes the stay in nothing and makes Zoom show
// the stay's names again.
func fullGuestChange(s schemas.CheckIn) schemas.GuestChange {
	g := s.Guest
	gc := schemas.GuestChange{
		Guest: &schemas.GuestPatch{First: &g.First, Last: &g.Last, Title: &g.Title, VIP: &g.VIP,
			Language: &g.Language, Reservation: &g.Reservation},
		Tenant: &s.Tenant, Site: &s.Site,
	}
	if mb := s.Mailbox; mb != nil {
		gc.Mailbox = &schemas.MailboxPatch{Description: &mb.Description, RoomID: &mb.RoomID}
	}
	return gc
}

// publishIfLast publishes an event on the room's subject if the room's last
// message is still at last, and returns its stream sequence. A mismatch is
// a conflict (broker.IsConflict). A duplicate (the same correction
// published by another run) returns the first one's sequence.
func publishIfLast(ctx context.Context, js jetstream.JetStream, ext string, t schemas.Type, data any, id string, at time.Time, last uint64) (uint64, error) {
	ev, err := schemas.NewEvent(ext, t, data)
	if err != nil {
		return 0, err
	}
	ev.ID, ev.Source, ev.Time = id, ReconcileSource, at
	body, err := schemas.Marshal(ev)
	if err != nil {
		return 0, fmt.Errorf("corrective %s event: %w", t, err)
	}
	m := nats.NewMsg(schemas.EventSubject(ext, t))
	m.Data = body
	m.Header.Set(schemas.HeaderMsgID, id)
	m.Header.Set(schemas.HeaderContentType, schemas.ContentTypeCloudEvents)
	m.Header.Set(headerExpectLastSubjectSeq, strconv.FormatUint(last, 10))
	m.Header.Set(headerExpectLastSubjectSeqSubj, schemas.SubjectPrefix+ext+".*")
	ack, err := js.PublishMsg(ctx, m, jetstream.WithRetryAttempts(0))
	if err != nil {
		return 0, err
	}
	return ack.Sequence, nil
}
