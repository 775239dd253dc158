package fias_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/fias"
	"github.com/pbxlink/pbxlink/internal/fias/pms"
	"github.com/pbxlink/pbxlink/schemas"
)

// startNATS starts an embedded JetStream server; it stops with the test.
func startNATS(t *testing.T) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

// connect returns a connection of its own (a replica's) and its JetStream.
func connect(t *testing.T, s *server.Server) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// replica is one running link service.
type replica struct {
	svc    *fias.Service
	nc     *nats.Conn
	cancel context.CancelFunc
	done   chan struct{}
}

// kill stops a replica the hard way: its NATS connection goes first, so it
// can neither release the lease nor write anything more.
func (r *replica) kill() {
	r.nc.Close()
	r.cancel()
	<-r.done
}

func startReplica(t *testing.T, ns *server.Server, name string, edit func(*fias.Config)) *replica {
	t.Helper()
	nc, js := connect(t, ns)
	cfg := fias.Config{JetStream: js, Holder: name, Link: "test", LeaseTTL: time.Second, ListenLS: 200 * time.Millisecond,
		KeepAlive: time.Second, AnswerTimeout: 3 * time.Second, MinBackoff: 50 * time.Millisecond, MaxBackoff: 300 * time.Millisecond}
	if testing.Verbose() {
		cfg.Logger = slog.New(slog.NewTextHandler(tlog{t, name}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if edit != nil {
		edit(&cfg)
	}
	svc, err := fias.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{svc: svc, nc: nc, cancel: cancel, done: make(chan struct{})}
	go func() { _ = svc.Run(ctx); close(r.done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Error("replica did not stop")
		}
	})
	return r
}

func startPMS(t *testing.T, cfg pms.Config) *pms.Server {
	t.Helper()
	p, err := pms.Listen("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitDelivered(t *testing.T, p *pms.Server, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := p.WaitDelivered(ctx); err != nil {
		t.Fatalf("%v (stats %+v)", err, p.Stats())
	}
}

// roomView is an extension's state as the published events leave it.
type roomView struct {
	Occupied bool
	Guest    schemas.Guest
	DND      bool
}

// fold reads every event in PBXLINK_EVENTS in order and applies it, as a
// worker would; it reports any event that makes no sense in the state
// before it (a check-in on an occupied extension, a check-out or a guest
// change on a vacant one: a record applied twice, or lost).
func fold(t *testing.T, js jetstream.JetStream) (map[string]*roomView, []string, int) {
	t.Helper()
	ctx := context.Background()
	cons, err := js.OrderedConsumer(ctx, schemas.StreamEvents, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, schemas.StreamEvents)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := int(info.State.Msgs)
	views := map[string]*roomView{}
	var problems []string
	for i := 0; i < total; i++ {
		msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		d, err := schemas.Parse(msg.Subject(), msg.Data())
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		ext := d.Event.Subject
		v := views[ext]
		if v == nil {
			v = &roomView{}
			views[ext] = v
		}
		switch p := d.Payload.(type) {
		case schemas.CheckIn:
			if v.Occupied {
				problems = append(problems, fmt.Sprintf("%s: checkin on an occupied extension (%s)", ext, d.Event.ID))
			}
			v.Occupied, v.Guest = true, p.Guest
		case schemas.GuestChange:
			if !v.Occupied {
				problems = append(problems, fmt.Sprintf("%s: guest change on a vacant extension (%s)", ext, d.Event.ID))
			}
			v.Guest = p.Apply(schemas.CheckIn{Guest: v.Guest}).Guest
		case schemas.CheckOut:
			if !v.Occupied {
				problems = append(problems, fmt.Sprintf("%s: checkout of a vacant extension (%s)", ext, d.Event.ID))
			}
			*v = roomView{}
		case schemas.DND:
			v.DND = p.On
		}
	}
	return views, problems, total
}

// expectGuest is how pbxlink shows a PMS guest.
func expectGuest(g pms.Guest) schemas.Guest {
	vip := "VIP"
	if g.VIP == "" || g.VIP == "0" {
		vip = ""
	}
	lang := map[string]string{"EA": "en", "GE": "de", "FR": "fr", "IT": "it", "JA": "ja", "SP": "es"}[g.Language]
	out := schemas.Guest{First: g.First, Last: g.Last, Title: g.Title, VIP: vip, Language: lang, Reservation: g.Reservation}
	if out.First == "" && out.Last == "" {
		out.Last = fias.FallbackLast
	}
	return out
}

// compareView checks that the events leave every room as the PMS has it.
func compareView(t *testing.T, p *pms.Server, views map[string]*roomView) {
	t.Helper()
	want := p.View()
	for room, gs := range want {
		v := views[room]
		if v == nil || !v.Occupied {
			t.Errorf("room %s: PMS has %d guest(s), the events leave it vacant", room, len(gs))
			continue
		}
		if w := expectGuest(gs[0]); v.Guest != w {
			t.Errorf("room %s: events show %+v, PMS shows %+v", room, v.Guest, w)
		}
	}
	for ext, v := range views {
		if _, ok := want[ext]; !ok && v.Occupied {
			t.Errorf("room %s: vacant in the PMS, occupied by the events (%+v)", ext, v.Guest)
		}
	}
}

type tlog struct {
	t    *testing.T
	name string
}

func (l tlog) Write(p []byte) (int, error) {
	l.t.Log(l.name + ": " + string(p))
	return len(p), nil
}

// stop shuts a replica down gracefully: it releases the lease.
func (r *replica) stop() {
	r.cancel()
	<-r.done
}
