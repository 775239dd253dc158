package testenv

import (
	"context"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
)

// NATS is an embedded JetStream server and a connection to it. The server
// keeps its port and its store across Stop and Start, as a restarted
// production server would; the connection reconnects by itself.
type NATS struct {
	t        testing.TB
	storeDir string
	listen   string
	running  bool

	// Server is the running server (replaced by Start after Stop).
	Server *server.Server
	// URL is the server's client URL; it stays the same across restarts.
	URL string
	// Conn and JS are the test's connection, closed when the test ends.
	Conn *nats.Conn
	JS   jetstream.JetStream
}

// StartNATS starts an embedded JetStream server on 127.0.0.1 and a free
// port, with its store in a directory of the test's, and connects to it.
// Both are shut down when the test ends.
func StartNATS(t testing.TB) *NATS {
	t.Helper()
	n := &NATS{t: t, storeDir: t.TempDir(), listen: "127.0.0.1:-1"}
	n.Start()
	// Registered before the connection's own cleanup, so it runs after it.
	t.Cleanup(func() {
		if n.running {
			n.Stop()
		}
	})
	n.Conn, n.JS = n.Connect("test")
	return n
}

// Start starts the server again after Stop, on the same port and store.
func (n *NATS) Start() {
	n.t.Helper()
	srv, err := broker.StartEmbedded(broker.EmbeddedConfig{Listen: n.listen, StoreDir: n.storeDir})
	if err != nil {
		n.t.Fatalf("testenv: start NATS on %s: %v", n.listen, err)
	}
	n.Server, n.running = srv, true
	n.listen = srv.Addr().String()
	n.URL = srv.ClientURL()
}

// Stop shuts the server down and waits until it is gone.
func (n *NATS) Stop() {
	n.Server.Shutdown()
	n.Server.WaitForShutdown()
	n.running = false
}

// Connect opens another connection (a second replica's, a tool's), with the
// production connection settings, closed when the test ends.
func (n *NATS) Connect(name string) (*nats.Conn, jetstream.JetStream) {
	n.t.Helper()
	nc, err := broker.Connect(broker.ConnectConfig{URL: n.URL, Name: name})
	if err != nil {
		n.t.Fatalf("testenv: connect %q to %s: %v", name, n.URL, err)
	}
	n.t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		n.t.Fatalf("testenv: jetstream of %q: %v", name, err)
	}
	return nc, js
}

// Provision creates pbxlink's streams, consumer and buckets with topology
// top, as every worker does at start-up.
func (n *NATS) Provision(top broker.Topology) *broker.Provisioned {
	n.t.Helper()
	p, err := broker.Provision(Ctx(n.t), n.JS, top)
	if err != nil {
		n.t.Fatalf("testenv: provision: %v", err)
	}
	return p
}

// LastSeq is the last sequence stored in stream (0 when it is empty).
func (n *NATS) LastSeq(stream string) uint64 {
	n.t.Helper()
	ctx := Ctx(n.t)
	s, err := n.JS.Stream(ctx, stream)
	if err != nil {
		n.t.Fatalf("testenv: stream %s: %v", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		n.t.Fatalf("testenv: stream %s: %v", stream, err)
	}
	return info.State.LastSeq
}

// Consumer is a handle on a stream's durable consumer (its Info is read
// afresh on every call). It waits for the consumer to exist, as after a
// server restart a lookup may fail until the connection is back.
func (n *NATS) Consumer(stream, name string) jetstream.Consumer {
	n.t.Helper()
	var c jetstream.Consumer
	WaitFor(n.t, DefaultWait, "consumer "+name+" on "+stream, func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), pollTimeout)
		defer cancel()
		var err error
		if c, err = n.JS.Consumer(ctx, stream, name); err != nil {
			return false, err.Error()
		}
		return true, ""
	})
	return c
}
