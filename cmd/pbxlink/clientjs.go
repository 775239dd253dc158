package main

import (
	"fmt"
	"io"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// connectJetStream connects a client command (authorize, fias, forget,
// publish, reconcile, status) as connectClient does and opens JetStream on
// the connection: every one of them needs both. The caller closes the
// connection; on an error nothing is left open.
func connectJetStream(s natsSettings, name string, w io.Writer) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := connectClient(s, name, w)
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("JetStream on %s: %w", s.URL, err)
	}
	return nc, js, nil
}
