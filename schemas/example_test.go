package schemas_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/pbxlink/pbxlink/schemas"
)

func ExampleParse() {
	body := []byte(`{
	  "specversion": "1.0",
	  "id": "opera-20261123-000481",
	  "source": "pms/opera-grand-hotel",
	  "type": "pbxlink.checkin",
	  "time": "2026-11-23T14:05:00Z",
	  "subject": "1203",
	  "data": {"guest": {"first": "Ada", "last": "Lovelace", "vip": "VIP"}}
	}`)
	d, err := schemas.Parse("pbxlink.ext.1203.checkin", body)
	if err != nil {
		fmt.Println(err)
		return
	}
	switch p := d.Payload.(type) {
	case schemas.CheckIn:
		fmt.Println(d.Extension, d.Type, p.Guest.VIP, p.Guest.First, p.Guest.Last)
	case schemas.CheckOut:
		fmt.Println(d.Extension, "checked out")
	}

	// The same event on another extension's subject is refused; the worker
	// dead-letters it with the error as the reason.
	_, err = schemas.Parse("pbxlink.ext.1410.checkin", body)
	var ve *schemas.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field, "|", ve.Rule)
	}
	fmt.Println(err)
	// Output:
	// 1203 checkin VIP Ada Lovelace
	// subject | must equal subject token 1410
	// invalid event: subject: must equal subject token 1410: the extension differs from the NATS subject's
}

func ExampleMarshal() {
	ev, err := schemas.NewEvent("1203", schemas.TypeGuest, schemas.GuestChange{
		Guest: &schemas.GuestPatch{VIP: new("")}, // present and empty: clears the VIP marker
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ev.ID = "opera-20261123-000482"
	ev.Source = "pms/opera-grand-hotel"
	ev.Time = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	body, err := schemas.Marshal(ev)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(schemas.EventSubject("1203", schemas.TypeGuest))
	fmt.Println(string(body))

	// A check-in without a name is refused before it is sent.
	ev, _ = schemas.NewEvent("1203", schemas.TypeCheckIn, schemas.CheckIn{Guest: schemas.Guest{Title: "Dr"}})
	ev.ID, ev.Source, ev.Time = "opera-20261123-000483", "pms/opera-grand-hotel", time.Now()
	_, err = schemas.Marshal(ev)
	fmt.Println(err)
	// Output:
	// pbxlink.ext.1203.guest
	// {"specversion":"1.0","id":"opera-20261123-000482","source":"pms/opera-grand-hotel","type":"pbxlink.guest","time":"2026-11-24T09:30:00Z","subject":"1203","datacontenttype":"application/json","data":{"guest":{"vip":""}}}
	// invalid event: data.guest: first or last required: a check-in needs a first or last name that is not blank
}
