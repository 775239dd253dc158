package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
)

// TestFIASSettingsNameFlags: a bad setting of pbxlink fias or fias-pms
// stops it with one line naming the variable and the flag, exit 2.
func TestFIASSettingsNameFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"fias"}, "PBXLINK_FIAS_ADDRESS (--address)"},
		{[]string{"fias", "--address", "pms:5010", "--charset", "ebcdic"}, "PBXLINK_FIAS_CHARSET (--charset)"},
		{[]string{"fias", "--address", "pms:5010", "--room-map", "101=0101"}, "PBXLINK_FIAS_ROOM_MAP (--room-map)"},
		{[]string{"fias", "--address", "pms:5010", "--room-prefix", "x"}, "PBXLINK_FIAS_ROOM_PREFIX (--room-prefix)"},
		{[]string{"fias", "--address", "pms:5010", "--link", "a b"}, "PBXLINK_FIAS_LINK (--link)"},
		{[]string{"fias", "--address", "pms:5010", "--vip", "gold"}, "PBXLINK_FIAS_VIP (--vip)"},
		{[]string{"fias-pms", "--rooms", "9-1"}, "PBXLINK_FIAS_PMS_ROOMS (--rooms)"},
	} {
		_, stderr, code := call(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("pbxlink %s: exit %d, %q; want exit 2 and one line naming %s", strings.Join(c.args, " "), code, stderr, c.want)
		}
	}
}

// TestFIASWithSimulatedPMS: pbxlink fias-pms and pbxlink fias, run as a
// hotel would run them, put the simulated PMS's guest traffic into
// PBXLINK_EVENTS; fias-pms exits 0 once pbxlink confirmed every record.
func TestFIASWithSimulatedPMS(t *testing.T) {
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	defer ns.Shutdown()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pmsDone := make(chan int, 1)
	var pmsOut, pmsErr bytes.Buffer
	go func() {
		pmsDone <- dispatch(ctx, []string{"fias-pms", "--listen", addr, "--rooms", "101-120", "--interval", "5ms", "--steps", "40"}, &pmsOut, &pmsErr)
	}()
	time.Sleep(100 * time.Millisecond)
	linkCtx, stopLink := context.WithCancel(ctx)
	linkDone := make(chan int, 1)
	var linkOut, linkErr bytes.Buffer
	go func() {
		linkDone <- dispatch(linkCtx, []string{"fias", "--nats-url", ns.ClientURL(), "--address", addr, "--http-listen", "127.0.0.1:0",
			"--link", "cli", "--log-format", "json", "--postings=false"}, &linkOut, &linkErr)
	}()
	select {
	case code := <-pmsDone:
		if code != 0 {
			t.Fatalf("fias-pms exit %d: %s %s\nfias: %s", code, pmsOut.String(), pmsErr.String(), linkErr.String())
		}
	case <-ctx.Done():
		t.Fatal("fias-pms did not finish")
	}
	stopLink()
	if code := <-linkDone; code != 0 {
		t.Fatalf("fias exit %d: %s", code, linkErr.String())
	}
	if strings.Contains(linkErr.String(), "Lovelace") {
		t.Error("a guest name reached the log without --debug")
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	st, err := js.Stream(ctx, schemas.StreamEvents)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := st.Info(ctx)
	if info.State.Msgs < 7 {
		t.Fatalf("%d events in %s, want the scripted stay's at least", info.State.Msgs, schemas.StreamEvents)
	}
	if !strings.Contains(pmsOut.String(), "pms: checkin") {
		t.Errorf("fias-pms printed no check-in: %s", pmsOut.String())
	}
}
