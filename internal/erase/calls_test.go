package erase_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/callrecord"
	"github.com/pbxlink/pbxlink/internal/erase"
	"github.com/pbxlink/pbxlink/schemas"
)

// TestEraseCallDatabase: with the call database given, a guest's erasure
// removes the extension's calls from it (and only those), and --all every
// call; the report says how many.
func TestEraseCallDatabase(t *testing.T) {
	t.Parallel()
	h := newHotel(t)
	ctx := h.ctx()
	store, err := callrecord.OpenSQLite(ctx, filepath.Join(t.TempDir(), "calls.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i, ext := range []string{"1201", "1201", "1202"} {
		c := schemas.Call{CallHistoryID: "c" + string(rune('0'+i)), CallID: "7", Extension: ext, Direction: "inbound",
			Start: start, End: start.Add(time.Minute), OtherName: "Zanzibar", Result: "answered"}
		h.must(store.Insert(ctx, c, start))
	}
	r, err := erase.Extension(ctx, h.js, "1201", erase.Config{Settle: -1, Calls: store})
	if err != nil {
		t.Fatal(err)
	}
	last := r[len(r)-1]
	if !strings.Contains(last.Place, "call database") || last.Messages != 2 {
		t.Errorf("report's last place %+v, want the call database with 2 calls", last)
	}
	if left, _ := store.Calls(ctx, ""); len(left) != 1 || left[0].Extension != "1202" {
		t.Errorf("left %+v, want the call of 1202 only", left)
	}
	r, err = erase.All(ctx, h.js, erase.Config{Settle: -1, Calls: store})
	if err != nil {
		t.Fatal(err)
	}
	if last := r[len(r)-1]; last.Messages != 1 {
		t.Errorf("--all removed %+v, want the last call", last)
	}
	if left, _ := store.Calls(ctx, ""); len(left) != 0 {
		t.Errorf("left %+v after --all", left)
	}
}
