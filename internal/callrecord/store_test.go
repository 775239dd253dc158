package callrecord

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/schemas"
)

// stores runs f against each Store implementation, on a new database.
func stores(t *testing.T, f func(t *testing.T, open func() Store)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), SQLiteFile)
		f(t, func() Store {
			s, err := OpenSQLite(testCtx(t), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := postgresURL(t)
		f(t, func() Store {
			s, err := OpenPostgres(testCtx(t), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		})
	})
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var day0 = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func call(id, ext string, start time.Time, answered bool) schemas.Call {
	c := schemas.Call{CallHistoryID: id, CallID: "74" + id, Extension: ext, Direction: "inbound",
		Start: start, End: start.Add(2 * time.Minute), DurationSeconds: 90, OtherNumber: "+15550100001", OtherName: "Ada", Result: "no_answer"}
	if answered {
		c.Answer, c.Result = start.Add(30*time.Second), "answered"
	}
	return c
}

func TestStoreInsertIsIdempotent(t *testing.T) {
	stores(t, func(t *testing.T, open func() Store) {
		s := open()
		ctx := testCtx(t)
		want := []schemas.Call{call("a", "1201", day0.Add(time.Hour), true), call("b", "1201", day0.Add(2*time.Hour), false)}
		want[1].Internal, want[1].Direction, want[1].OtherNumber, want[1].OtherName = true, "outbound", "1202", ""
		for round := range 2 {
			for _, c := range want {
				ins, err := s.Insert(ctx, c, day0.Add(3*time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				if ins != (round == 0) {
					t.Fatalf("round %d: Insert %s reported inserted=%v", round, c.CallHistoryID, ins)
				}
			}
		}
		got, err := s.Calls(ctx, "1201")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("stored\n%+v\nwant\n%+v", got, want)
		}
		last, err := s.LastReceived(ctx)
		if err != nil || !last.Equal(day0.Add(3*time.Hour)) {
			t.Errorf("LastReceived = %v, %v", last, err)
		}
	})
}

func TestStorePurgeAndForget(t *testing.T) {
	stores(t, func(t *testing.T, open func() Store) {
		s := open()
		ctx := testCtx(t)
		for i, ext := range []string{"1201", "1201", "1202", "1203"} {
			if _, err := s.Insert(ctx, call(string(rune('a'+i)), ext, day0.AddDate(0, 0, -100+30*i), true), day0); err != nil {
				t.Fatal(err)
			}
		}
		// a ended 100 days ago, b 70, c 40, d 10: a 90-day retention keeps b, c, d.
		n, err := s.Purge(ctx, day0.AddDate(0, 0, -90))
		if err != nil || n != 1 {
			t.Fatalf("Purge = %d, %v; want 1", n, err)
		}
		if n, err = s.ForgetExtension(ctx, "1201"); err != nil || n != 1 {
			t.Fatalf("ForgetExtension 1201 = %d, %v; want 1", n, err)
		}
		all, _ := s.Calls(ctx, "")
		if n, _ := s.Count(ctx); len(all) != 2 || n != 2 || all[0].Extension != "1202" || all[1].Extension != "1203" {
			t.Fatalf("left %+v", all)
		}
		if n, err = s.ForgetAll(ctx); err != nil || n != 2 {
			t.Fatalf("ForgetAll = %d, %v; want 2", n, err)
		}
		if last, err := s.LastReceived(ctx); err != nil || !last.IsZero() {
			t.Errorf("LastReceived of an empty store = %v, %v", last, err)
		}
	})
}

// TestStoreMigrations: opening again changes nothing; replicas opening a
// new database at once apply each migration once; a database newer than
// the binary is refused.
func TestStoreMigrations(t *testing.T) {
	stores(t, func(t *testing.T, open func() Store) {
		ctx := testCtx(t)
		var wg sync.WaitGroup
		stores := make([]Store, 3)
		for i := range stores {
			wg.Go(func() { stores[i] = open() })
		}
		wg.Wait()
		s := stores[0].(*sqlStore)
		ms, _ := migrationsOf(s.d.name)
		if v, err := schemaVersion(ctx, s.db); err != nil || v != ms[len(ms)-1].version {
			t.Fatalf("schema version %d, %v; want %d", v, err, ms[len(ms)-1].version)
		}
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(ms) {
			t.Errorf("%d migrations recorded (%v), want %d", n, err, len(ms))
		}
		if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name) VALUES (?, ?)`), 9999, "9999_future.sql"); err != nil {
			t.Fatal(err)
		}
		if err := migrate(ctx, s); err == nil {
			t.Error("a database at a newer schema version was accepted")
		}
	})
}

func TestTarget(t *testing.T) {
	for _, tc := range []struct{ dsn, kind, where string }{
		{"", "sqlite", filepath.Join("data", SQLiteFile)},
		{"sqlite:/var/lib/pbxlink/calls.db", "sqlite", "/var/lib/pbxlink/calls.db"},
		{"postgres://u:p@db:5432/calls", "postgres", "postgres://u:p@db:5432/calls"},
		{"postgresql://db/calls", "postgres", "postgresql://db/calls"},
	} {
		kind, where, err := Target(tc.dsn, "data")
		if err != nil || kind != tc.kind || where != tc.where {
			t.Errorf("Target(%q) = %s %s %v", tc.dsn, kind, where, err)
		}
	}
	for _, dsn := range []string{"mysql://x", "sqlite:", "calls.db"} {
		if _, _, err := Target(dsn, "data"); !errors.Is(err, ErrDSN) {
			t.Errorf("Target(%q) = %v, want ErrDSN", dsn, err)
		}
	}
	if got := Redacted("postgres://pbx:s3cret@db:5432/calls"); got != "postgres://pbx:***@db:5432/calls" {
		t.Errorf("Redacted = %s", got)
	}
}

func TestOpenExistingCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenExisting(testCtx(t), "", dir); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("OpenExisting of a data directory without a database: %v", err)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "*")); len(matches) != 0 {
		t.Errorf("it created %v", matches)
	}
}
