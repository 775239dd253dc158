package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/app"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// firstExtension is the extension of every measurement's first room.
const firstExtension = 1201

// env is one measurement's world: an embedded JetStream server in a
// temporary directory, the Zoom simulator, and the bench's own connection
// (the PMS side and the observer).
type env struct {
	cfg  Config
	dir  string
	srv  *server.Server
	url  string
	nc   *nats.Conn
	js   jetstream.JetStream
	sim  *zoomsim.Server
	prod *producer.Producer
	nats *broker.Provisioned

	replicas []*replica
}

// rooms describes the simulated hotel of an env.
type rooms struct {
	count, phones int
	// latency is added to every API call (zoomsim Faults.Latency).
	latency time.Duration
}

// newEnv starts the server and a simulator with the given rooms (users
// with extensions from firstExtension), and creates pbxlink's streams,
// consumer and buckets, so that a backlog can be published before any
// replica starts.
func newEnv(ctx context.Context, cfg Config, r rooms, unlimited bool) (*env, error) {
	e := &env{cfg: cfg}
	var err error
	if e.dir, err = os.MkdirTemp("", "pbxlink-bench-"); err != nil {
		return nil, err
	}
	e.srv, err = broker.StartEmbedded(broker.EmbeddedConfig{Listen: "127.0.0.1:0", StoreDir: e.dir, Logger: cfg.Log.With("component", "nats-server")})
	if err != nil {
		e.close()
		return nil, err
	}
	e.url = e.srv.ClientURL()
	if e.nc, err = broker.Connect(broker.ConnectConfig{URL: e.url, Name: "pbxlink-bench"}); err != nil {
		e.close()
		return nil, err
	}
	if e.js, err = jetstream.New(e.nc); err != nil {
		e.close()
		return nil, err
	}
	if e.sim, err = newSim(cfg, r, unlimited); err != nil {
		e.close()
		return nil, err
	}
	if e.nats, err = broker.Provision(ctx, e.js, broker.Topology{}); err != nil {
		e.close()
		return nil, err
	}
	if e.prod, err = producer.New(e.js, producer.Config{Source: "pms/pbxlink-bench"}); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

// newSim starts a simulator on the configured plan whose rooms are Zoom
// users with r.phones desk phones each. The seed cannot make rooms without
// phones (Seed.PhonesPerRoom 0 means its default, 1), so such rooms are
// added one by one, as the seed would name them.
func newSim(cfg Config, r rooms, unlimited bool) (*zoomsim.Server, error) {
	seed := zoomsim.Seed{Rooms: r.count, FirstExtension: firstExtension, Target: zoomsim.TargetUsers, PhonesPerRoom: r.phones}
	if r.phones == 0 {
		seed.Rooms = 0
	}
	sim, err := zoomsim.New(zoomsim.Config{
		Plan: cfg.Plan, Unlimited: unlimited, Seed: &seed, Faults: zoomsim.Faults{Latency: r.latency},
		JournalLimit: 4*r.count + 100000, Logger: cfg.Log.With("component", "zoomsim"),
	})
	if err != nil {
		return nil, err
	}
	if r.phones == 0 {
		for i := range r.count {
			ext := firstExtension + i
			_, err := sim.AddUser(zoomsim.User{
				Email: fmt.Sprintf("room%d@hotel.example", ext), FirstName: "Room", LastName: strconv.Itoa(ext),
				DisplayName: fmt.Sprintf("Room %d", ext), ExtensionNumber: int64(ext),
			})
			if err != nil {
				return nil, fmt.Errorf("zoom simulator: room %d: %w", ext, err)
			}
		}
	}
	if err := sim.Start(); err != nil {
		return nil, fmt.Errorf("zoom simulator: %w", err)
	}
	return sim, nil
}

// zoomConfig is the simulated account as a replica's app sees it; with
// unlimited, its client has no rate limiter (for an unlimited simulator).
func (e *env) zoomConfig(unlimited bool) app.ZoomConfig {
	c := e.sim.Config()
	zc := app.ZoomConfig{URL: e.sim.OAuthURL(), AccountID: c.AccountID, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		Plan: string(e.cfg.Plan)}
	if unlimited {
		zc.Limiter = zoom.Unlimited{}
	}
	return zc
}

// replica is one worker with its own NATS connection and Zoom client, put
// together as pbxlink run puts a process together (internal/app).
type replica struct {
	app *app.App
}

// startReplicas starts n replicas at once and returns when all consume.
func (e *env) startReplicas(ctx context.Context, n int, unlimited bool) error {
	reps := make([]*replica, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { reps[i], errs[i] = e.newReplica(ctx, i, unlimited) })
	}
	wg.Wait()
	for _, r := range reps {
		if r != nil {
			e.replicas = append(e.replicas, r)
		}
	}
	return errors.Join(errs...)
}

func (e *env) newReplica(ctx context.Context, i int, unlimited bool) (*replica, error) {
	a, err := app.Open(ctx, app.Config{
		Name: fmt.Sprintf("pbxlink-bench-replica-%d", i+1),
		NATS: app.NATSConfig{URL: e.url}, Zoom: e.zoomConfig(unlimited),
		Logger: e.cfg.Log.With("replica", i+1),
	})
	if err != nil {
		return nil, fmt.Errorf("replica %d: %w", i+1, err)
	}
	if err := a.Start(ctx); err != nil {
		a.Close()
		return nil, fmt.Errorf("replica %d: %w", i+1, err)
	}
	return &replica{app: a}, nil
}

// stopReplicas stops every replica (events in progress get 10 s).
func (e *env) stopReplicas() {
	var wg sync.WaitGroup
	for _, r := range e.replicas {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = r.app.Stop(ctx)
			r.app.Close()
		})
	}
	wg.Wait()
	e.replicas = nil
}

func (e *env) close() {
	e.stopReplicas()
	if e.nc != nil {
		e.nc.Close()
	}
	if e.srv != nil {
		e.srv.Shutdown()
		e.srv.WaitForShutdown()
	}
	if e.sim != nil {
		_ = e.sim.Close()
	}
	if e.dir != "" {
		_ = os.RemoveAll(e.dir)
	}
}

// extension is room i's extension.
func extension(i int) string { return strconv.Itoa(firstExtension + i) }

// checkIn publishes a check-in of guest number g on room i and returns
// the stream sequence.
func (e *env) checkIn(ctx context.Context, i, g int) (uint64, error) {
	return seqOf(e.prod.CheckIn(ctx, extension(i), schemas.CheckIn{Guest: guest(g)}))
}

// guest is a generated guest; every number has its own name.
func guest(g int) schemas.Guest {
	first := []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Niklaus"}
	return schemas.Guest{First: first[g%len(first)], Last: fmt.Sprintf("Guest%d", g)}
}

// drained waits until the worker consumer has finished every event up to
// seq (acknowledged or terminated), polling every poll, or until timeout.
func (e *env) drained(ctx context.Context, seq uint64, poll, timeout time.Duration) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		info, err := e.nats.Consumer.Info(ctx)
		if err == nil && info.AckFloor.Stream >= seq && info.NumAckPending == 0 && info.NumPending == 0 {
			return time.Now(), nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				return time.Time{}, fmt.Errorf("the replicas did not finish the events within %v (ack floor %d of %d, %d pending, %d in flight)",
					timeout, info.AckFloor.Stream, seq, info.NumPending, info.NumAckPending)
			}
			return time.Time{}, fmt.Errorf("the replicas did not finish the events within %v: %w", timeout, err)
		case <-time.After(poll):
		}
	}
}

// deadLetters is the number of events in the DLQ.
func (e *env) deadLetters(ctx context.Context) uint64 {
	info, err := e.nats.DLQ.Info(ctx)
	if err != nil {
		return 0
	}
	return info.State.Msgs
}

// apiCalls are the simulator's journaled API calls (not token requests).
func (e *env) apiCalls() []zoomsim.Entry {
	var out []zoomsim.Entry
	for _, x := range e.sim.Journal() {
		if x.Listener == "api" {
			out = append(out, x)
		}
	}
	return out
}
