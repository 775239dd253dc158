package fias_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
)

func dumpEvents(t *testing.T, js jetstream.JetStream, ext string) {
	ctx := context.Background()
	cons, _ := js.OrderedConsumer(ctx, schemas.StreamEvents, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"pbxlink.ext." + ext + ".*"}})
	for {
		msg, err := cons.Next(jetstream.FetchMaxWait(300 * time.Millisecond))
		if err != nil {
			return
		}
		t.Logf("%s %s", msg.Subject(), msg.Data())
	}
}
