package producer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
)

func Example() {
	// An embedded JetStream server stands in for the hotel's NATS, and the
	// stream for the one the pbxlink worker creates.
	dir, _ := os.MkdirTemp("", "producer-example")
	defer os.RemoveAll(dir)
	s, _ := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoSigs: true})
	go s.Start()
	defer s.Shutdown()
	s.ReadyForConnections(5 * time.Second)
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{
		Name: schemas.StreamEvents, Subjects: []string{schemas.StreamEventsSubjects},
		Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	p, err := producer.New(js, producer.Config{Source: "pms/opera-grand-hotel"})
	if err != nil {
		fmt.Println(err)
		return
	}
	guest := schemas.CheckIn{Guest: schemas.Guest{First: "Ada", Last: "Lovelace", VIP: "VIP"}, Tenant: "Grand Hotel"}
	res, err := p.CheckIn(ctx, "1203", guest, producer.WithID("opera-20261123-000481"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Subject, res.Ack.Sequence, res.Ack.Duplicate)

	// The PMS resends the same change: the stream keeps one copy.
	res, _ = p.CheckIn(ctx, "1203", guest, producer.WithID("opera-20261123-000481"))
	fmt.Println(res.Subject, res.Ack.Sequence, res.Ack.Duplicate)

	// The guest moves to room 1410: check-out on 1203, then check-in on 1410.
	move, err := p.Move(ctx, "1203", "1410", guest)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(move.CheckOut.Subject, move.CheckOut.Ack.Sequence)
	fmt.Println(move.CheckIn.Subject, move.CheckIn.Ack.Sequence)

	// A bad event is refused before it is sent, naming the field.
	_, err = p.DND(ctx, "12-03", true)
	fmt.Println(errors.Is(err, schemas.ErrInvalidEvent), err)
	// Output:
	// pbxlink.ext.1203.checkin 1 false
	// pbxlink.ext.1203.checkin 1 true
	// pbxlink.ext.1203.checkout 2
	// pbxlink.ext.1410.checkin 3
	// true invalid event: subject: 1 to 15 digits, no leading zero: must be an extension number
}
