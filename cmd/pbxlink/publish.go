package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/internal/setting"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
)

func init() {
	register("publish", "publish one event (checkin, guest, checkout, dnd, clearmessages, extension, move)", publishCmd)
}

// publishFlags are the event fields publish takes; which ones were given
// matters for a guest change, where only the fields present replace the
// stay's.
type publishFlags struct {
	nats                                           natsSettings
	ext, from, to, id, at, source, data            string
	first, last, title, vip, language, reservation string
	mbDesc, mbRoom, tenant, site, department       string
	on                                             bool
	given                                          map[string]bool
}

// publishNames: the connection settings (--nats-*) are those of pbxlink
// run, under the same variables, so publish finds the NATS that the worker
// uses; the event's fields have variables of their own. The worker's
// PBXLINK_DEPARTMENT means a department mode, not a department: read as
// event data, it would be sent to Zoom.
var publishNames = setting.Prefixes(func(f string) bool { return strings.HasPrefix(f, "nats-") }, envPrefix, envPrefix+"PUBLISH_")

func publishCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("publish", stdout)
	var p publishFlags
	p.nats.clientFlags(fs)
	fs.StringVar(&p.ext, "ext", "", "the extension (digits)")
	fs.StringVar(&p.from, "from", "", "move: the extension the guest leaves")
	fs.StringVar(&p.to, "to", "", "move: the extension the guest moves to")
	fs.StringVar(&p.id, "id", "", "event id (default: a new unique id)")
	fs.StringVar(&p.at, "time", "", "event time, RFC 3339 (default: now)")
	fs.StringVar(&p.source, "source", "", "CloudEvents source (default: pms/<host name>)")
	fs.StringVar(&p.data, "data", "", "the event's data as JSON, instead of the field flags")
	fs.StringVar(&p.first, "first", "", "guest first name")
	fs.StringVar(&p.last, "last", "", "guest last name")
	fs.StringVar(&p.title, "title", "", "guest title")
	fs.StringVar(&p.vip, "vip", "", "guest VIP code")
	fs.StringVar(&p.language, "language", "", "guest language")
	fs.StringVar(&p.reservation, "reservation", "", "reservation number")
	fs.StringVar(&p.mbDesc, "mailbox-description", "", "mailbox description")
	fs.StringVar(&p.mbRoom, "mailbox-room-id", "", "mailbox room id")
	fs.StringVar(&p.tenant, "tenant", "", "tenant")
	fs.StringVar(&p.site, "site", "", "site")
	fs.StringVar(&p.department, "department", "", "extension: department")
	fs.BoolVar(&p.on, "on", false, "dnd: true for do-not-disturb on, false for off")
	fs.Usage = setting.UsageNamed(fs, publishNames, publishSynopsis)
	switch {
	case len(args) == 0:
		fmt.Fprintf(stderr, "%s\n\npbxlink publish --help lists the flags.\n", publishSynopsis)
		return errUsage
	case isHelp(args[0]):
		fs.Usage()
		return flag.ErrHelp
	case strings.HasPrefix(args[0], "-"):
		return &setting.Error{Msg: fmt.Sprintf("the event type comes first, before %s: pbxlink publish <type> [flags] (see --help)", args[0])}
	}
	kind := args[0]
	if err := setting.ParseNamed(fs, publishNames, args[1:], nil); err != nil {
		return err
	}
	p.given = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { p.given[f.Name] = true })
	if fs.NArg() > 0 {
		return &setting.Error{Msg: fmt.Sprintf("unexpected argument %q: the event's fields are flags, e.g. --first Ada (see --help)", fs.Arg(0))}
	}

	var opts []producer.PublishOption
	if p.id != "" {
		opts = append(opts, producer.WithID(p.id))
	}
	if p.at != "" {
		t, err := time.Parse(time.RFC3339Nano, p.at)
		if err != nil {
			return fmt.Errorf("--time %q: want RFC 3339, e.g. 2026-11-23T14:05:00Z", p.at)
		}
		opts = append(opts, producer.WithTime(t))
	}
	nc, js, err := connectJetStream(p.nats, "pbxlink-publish", stderr)
	if err != nil {
		return err
	}
	defer nc.Close()
	prod, err := producer.New(js, producer.Config{Source: p.source})
	if err != nil {
		return err
	}
	results, err := p.publish(ctx, prod, kind, opts)
	for _, r := range results {
		dup := ""
		if r.Ack.Duplicate {
			dup = " (duplicate: the stream already had this id)"
		}
		fmt.Fprintf(stdout, "published %s id=%s stream=%s seq=%d%s\n", r.Subject, r.Event.ID, r.Ack.Stream, r.Ack.Sequence, dup)
	}
	return err
}

const publishSynopsis = `Usage: pbxlink publish <type> [flags]

Publishes one PMS event to NATS JetStream and waits for the stream's
acknowledgement. Types: checkin, guest, checkout, dnd, clearmessages,
extension, and move (a checkout on --from, then a checkin on --to).

Examples:
  pbxlink publish checkin --ext 1203 --first Ada --last Lovelace --vip VIP
  pbxlink publish guest --ext 1203 --last Byron
  pbxlink publish dnd --ext 1203 --on
  pbxlink publish checkout --ext 1203
  pbxlink publish move --from 1203 --to 1410 --first Ada --last Lovelace

The connection settings (--nats-*) are those of pbxlink run, under the same
variables (PBXLINK_NATS_URL, ...); the event's fields have variables of
their own (PBXLINK_PUBLISH_FIRST, ...), so the worker's settings never
become event data.`

func (p *publishFlags) publish(ctx context.Context, prod *producer.Producer, kind string, opts []producer.PublishOption) ([]*producer.Result, error) {
	if kind == "move" {
		if p.from == "" || p.to == "" {
			return nil, errors.New("move needs --from and --to")
		}
		var in schemas.CheckIn
		if err := p.decode(&in, p.checkIn); err != nil {
			return nil, err
		}
		mr, err := prod.Move(ctx, p.from, p.to, in, opts...)
		var out []*producer.Result
		for _, r := range []*producer.Result{mr.CheckOut, mr.CheckIn} {
			if r != nil {
				out = append(out, r)
			}
		}
		return out, err
	}
	t, err := schemas.ParseType(kind)
	if err != nil {
		return nil, err
	}
	if p.ext == "" {
		return nil, errors.New("--ext is required: the extension the event is for")
	}
	var data any
	switch t {
	case schemas.TypeCheckIn:
		var d schemas.CheckIn
		err, data = p.decode(&d, p.checkIn), &d
	case schemas.TypeGuest:
		var d schemas.GuestChange
		err, data = p.decode(&d, p.guestChange), &d
	case schemas.TypeCheckOut:
		var d schemas.CheckOut
		err, data = p.decode(&d, func() any { return schemas.CheckOut{Mailbox: p.mailbox(), Tenant: p.tenant, Site: p.site} }), &d
	case schemas.TypeDND:
		var d schemas.DND
		err, data = p.decode(&d, func() any { return schemas.DND{On: p.on} }), &d
	case schemas.TypeClearMessages:
		data = schemas.ClearMessages{}
	case schemas.TypeExtension:
		var d schemas.Extension
		err, data = p.decode(&d, func() any {
			return schemas.Extension{First: p.opt("first", p.first), Last: p.opt("last", p.last), Department: p.opt("department", p.department)}
		}), &d
	}
	if err != nil {
		return nil, err
	}
	r, err := prod.Publish(ctx, p.ext, t, data, opts...)
	if r == nil {
		return nil, err
	}
	return []*producer.Result{r}, err
}

// decode fills dst from --data when given, else from the field flags.
func (p *publishFlags) decode(dst any, fromFlags func() any) error {
	raw := []byte(p.data)
	if p.data == "" {
		var err error
		if raw, err = json.Marshal(fromFlags()); err != nil {
			return err
		}
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("--data: %v", err)
	}
	return nil
}

func (p *publishFlags) checkIn() any {
	return schemas.CheckIn{
		Guest:   schemas.Guest{First: p.first, Last: p.last, Title: p.title, VIP: p.vip, Language: p.language, Reservation: p.reservation},
		Mailbox: p.mailbox(), Tenant: p.tenant, Site: p.site,
	}
}

func (p *publishFlags) guestChange() any {
	g := schemas.GuestChange{Tenant: p.opt("tenant", p.tenant), Site: p.opt("site", p.site)}
	gp := schemas.GuestPatch{First: p.opt("first", p.first), Last: p.opt("last", p.last), Title: p.opt("title", p.title),
		VIP: p.opt("vip", p.vip), Language: p.opt("language", p.language), Reservation: p.opt("reservation", p.reservation)}
	if gp != (schemas.GuestPatch{}) {
		g.Guest = &gp
	}
	mp := schemas.MailboxPatch{Description: p.opt("mailbox-description", p.mbDesc), RoomID: p.opt("mailbox-room-id", p.mbRoom)}
	if mp != (schemas.MailboxPatch{}) {
		g.Mailbox = &mp
	}
	return g
}

func (p *publishFlags) mailbox() *schemas.Mailbox {
	if p.mbDesc == "" && p.mbRoom == "" {
		return nil
	}
	return &schemas.Mailbox{Description: p.mbDesc, RoomID: p.mbRoom}
}

// opt is a field present only when its flag was given.
func (p *publishFlags) opt(flagName, v string) *string {
	if !p.given[flagName] {
		return nil
	}
	return &v
}
