package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/fias"
	"github.com/pbxlink/pbxlink/internal/fias/pms"
)

// TestDemoFIAS runs `pbxlink demo --fias`: the stay goes from the FIAS PMS
// simulator through the FIAS link to the Zoom simulator; the demo prints
// each record as it passed on the wire and what changed in Zoom, and exits
// 0 with Zoom as the PMS's final view.
func TestDemoFIAS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errs bytes.Buffer
	if code := dispatch(ctx, []string{"demo", "--fias"}, &out, &errs); code != 0 {
		t.Fatalf("demo --fias exited %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errs.String())
	}
	for _, want := range []string{
		"FIAS: GI|RN1201|G#500101|GNLovelace|GFAda|",
		`user 1201 display_name "Room 1201" → "VIP Ada Lovelace 1201"`,
		"FIAS: GC|RN1201|G#500101|GNByron|GFAda|",
		"FIAS: RE|RN1202|DNY|",
		`user 1202 presence "Available" → "Do_Not_Disturb"`,
		"|RO1203|",
		`user 1201 display_name "VIP Ada Byron 1201" → "Alan Turing 1201"`,
		"FIAS: GO|RN1202|G#500102|",
		"Done: every room shows its extension alone",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestDemoFIASVerify: the final check fails, naming the room, when Zoom is
// not as the PMS's view (here: the PMS has a guest and do-not-disturb that
// never reached Zoom, since no link runs).
func TestDemoFIASVerify(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := startDemo(ctx, "users", consumer.DeptState, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	p, err := pms.Listen("127.0.0.1:0", pms.Config{Charset: fias.UTF8})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.CheckIn("1201", pms.Guest{Reservation: "1", Last: "Lovelace", First: "Ada"})
	p.SetDND("1202", true)
	err = d.verifyFIAS(p)
	if err == nil {
		t.Fatal("verifyFIAS accepted a Zoom that is not the PMS's view")
	}
	for _, want := range []string{"demo failed", "extension 1201", "Ada Lovelace", "extension 1202", "do-not-disturb true"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}
