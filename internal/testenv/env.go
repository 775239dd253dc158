package testenv

import (
	"testing"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// Config says which parts New starts besides the NATS server.
type Config struct {
	// Sim, when set, starts a Zoom simulator with this configuration.
	Sim *zoomsim.Config
	// Topology, when set, provisions pbxlink's streams, consumer and
	// buckets with it before the test runs. Leave it nil to let the code
	// under test provision (a worker's Start does).
	Topology *broker.Topology
	// Producer configures the PMS side's producer; Source defaults to
	// "pms/test".
	Producer producer.Config
}

// Env is one test's deployment: NATS, optionally the Zoom simulator and
// the provisioned topology, and a producer on the test's connection.
type Env struct {
	t testing.TB
	*NATS
	// Sim is the Zoom simulator; nil unless Config.Sim was set.
	Sim *zoomsim.Server
	// Topo is what provisioning returned; nil unless Config.Topology was
	// set.
	Topo *broker.Provisioned
	// Prod publishes the PMS's events.
	Prod *producer.Producer
}

// New starts the parts cfg names; every one stops when the test ends.
func New(t testing.TB, cfg Config) *Env {
	t.Helper()
	e := &Env{t: t, NATS: StartNATS(t)}
	if cfg.Sim != nil {
		e.Sim = StartSim(t, *cfg.Sim)
	}
	if cfg.Topology != nil {
		e.Topo = e.Provision(*cfg.Topology)
	}
	pc := cfg.Producer
	if pc.Source == "" {
		pc.Source = "pms/test"
	}
	var err error
	if e.Prod, err = producer.New(e.JS, pc); err != nil {
		t.Fatalf("testenv: producer: %v", err)
	}
	return e
}

// WorkerConsumer is the workers' durable consumer (pbxlink-worker).
func (e *Env) WorkerConsumer() jetstream.Consumer {
	e.t.Helper()
	return e.Consumer(schemas.StreamEvents, schemas.ConsumerWorker)
}

// WaitFinished waits until the workers have finished the event the
// producer published as r, and every event before it (WaitAckFloor).
func (e *Env) WaitFinished(r *producer.Result) {
	e.t.Helper()
	WaitAckFloor(e.t, e.WorkerConsumer(), r.Ack.Sequence)
}

// WaitAllFinished waits until the workers have finished every event
// stored so far.
func (e *Env) WaitAllFinished() {
	e.t.Helper()
	WaitAckFloor(e.t, e.WorkerConsumer(), e.LastSeq(schemas.StreamEvents))
}
