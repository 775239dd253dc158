package main

import (
	"context"
	"errors"
	"flag"
	"path/filepath"

	"github.com/pbxlink/pbxlink/internal/callrecord"
)

// forgetCalls is the call database that pbxlink forget erases from: the
// one pbxlink run keeps (--call-db, or SQLite in --data-dir).
type forgetCalls struct {
	db, dataDir string
	store       callrecord.Store
}

func (f *forgetCalls) flags(fs *flag.FlagSet) {
	fs.StringVar(&f.db, "call-db", "", "the call database of pbxlink run: empty for SQLite in --data-dir, sqlite:<file>, or postgres://…")
	fs.StringVar(&f.dataDir, "data-dir", "./pbxlink-data", "pbxlink run's data directory, which holds the default call database")
}

// open opens the call database; nil (and no error) when call records were
// never kept in SQLite there.
func (f *forgetCalls) open(ctx context.Context) (callrecord.Store, error) {
	dir, err := filepath.Abs(f.dataDir)
	if err != nil {
		return nil, problem("data-dir", "%v", err)
	}
	s, err := callrecord.OpenExisting(ctx, f.db, dir)
	if errors.Is(err, callrecord.ErrNoDatabase) {
		return nil, nil
	}
	if err != nil {
		return nil, problem("call-db", "%v", err)
	}
	f.store = s
	return s, nil
}

func (f *forgetCalls) close() {
	if f.store != nil {
		_ = f.store.Close()
	}
}
