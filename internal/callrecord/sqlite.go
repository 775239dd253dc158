package callrecord

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	// The SQLite driver: a translation of SQLite to Go, so the binary
	// needs no cgo and no C library (the image is static).
	_ "modernc.org/sqlite"
)

// sqliteTime is how SQLite holds a time: UTC text that sorts as it
// compares.
const sqliteTime = "2006-01-02T15:04:05Z"

var sqliteDialect = dialect{
	name: "sqlite",
	time: func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC().Format(sqliteTime)
	},
	scanTime: func() (any, func() (time.Time, error)) {
		var v sql.NullString
		return &v, func() (time.Time, error) {
			if !v.Valid || v.String == "" {
				return time.Time{}, nil
			}
			return time.Parse(sqliteTime, v.String)
		}
	},
}

// OpenSQLite opens (creating it, readable by its owner only, since it holds
// guests' calls) the SQLite database at path and brings its schema up to
// date. It is for one host: a fleet's replicas share a PostgreSQL database.
func OpenSQLite(ctx context.Context, path string) (Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	_ = f.Close()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	// One connection: writes are serial in SQLite anyway, and one
	// connection never waits on another of its own process.
	db.SetMaxOpenConns(1)
	s := &sqlStore{db: db, d: sqliteDialect}
	if err := migrate(ctx, s); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	return s, nil
}
