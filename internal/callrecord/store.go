package callrecord

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/schemas"
)

// Store keeps call records for reporting. Both implementations (SQLite and
// PostgreSQL) are safe for concurrent use.
type Store interface {
	// Insert stores a call unless one with its call_history_id is stored
	// already; it reports whether it stored it.
	Insert(ctx context.Context, c schemas.Call, receivedAt time.Time) (bool, error)
	// Purge removes the calls that ended before cutoff and returns how many.
	Purge(ctx context.Context, cutoff time.Time) (int64, error)
	// ForgetExtension removes every call of ext (a guest's erasure) and
	// returns how many.
	ForgetExtension(ctx context.Context, ext string) (int64, error)
	// ForgetAll removes every call (a de-authorization).
	ForgetAll(ctx context.Context) (int64, error)
	// LastReceived is when the newest stored call was received, zero when
	// none is stored.
	LastReceived(ctx context.Context) (time.Time, error)
	// Count is the number of calls stored.
	Count(ctx context.Context) (int64, error)
	// Calls lists the calls of ext (every call for ""), by start time.
	Calls(ctx context.Context, ext string) ([]schemas.Call, error)
	// Close releases the database.
	Close() error
}

// SQLiteFile is the name of the default database in the data directory.
const SQLiteFile = "calls.db"

// ErrDSN is matched by the error of a PBXLINK_CALL_DB that names no
// database pbxlink can use.
var ErrDSN = errors.New("want empty (SQLite in the data directory), sqlite:<file>, or postgres://…")

// ErrNoDatabase: OpenExisting found no SQLite database (call records were
// never kept there).
var ErrNoDatabase = errors.New("no call-record database")

// Target says which database a PBXLINK_CALL_DB names: "sqlite" with a
// file, or "postgres" with a URL.
func Target(dsn, dataDir string) (kind, where string, err error) {
	switch {
	case dsn == "":
		return "sqlite", filepath.Join(dataDir, SQLiteFile), nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return "postgres", dsn, nil
	case strings.HasPrefix(dsn, "sqlite:"):
		if p := strings.TrimPrefix(dsn, "sqlite:"); p != "" {
			return "sqlite", p, nil
		}
	}
	return "", "", ErrDSN
}

// Open opens (creating it if needed) the database that dsn names, with
// dataDir holding the default SQLite file, and brings its schema up to
// date.
func Open(ctx context.Context, dsn, dataDir string) (Store, error) {
	kind, where, err := Target(dsn, dataDir)
	if err != nil {
		return nil, err
	}
	if kind == "postgres" {
		return OpenPostgres(ctx, where)
	}
	return OpenSQLite(ctx, where)
}

// OpenExisting is Open for a tool that only removes records: a SQLite file
// that does not exist yet gives ErrNoDatabase instead of being created.
func OpenExisting(ctx context.Context, dsn, dataDir string) (Store, error) {
	kind, where, err := Target(dsn, dataDir)
	if err != nil {
		return nil, err
	}
	if kind == "sqlite" {
		if _, err := os.Stat(where); errors.Is(err, os.ErrNotExist) {
			return nil, ErrNoDatabase
		}
	}
	return Open(ctx, dsn, dataDir)
}

// Redacted is dsn without its password, for logs.
func Redacted(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return dsn
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return dsn
	}
	user, _, _ := strings.Cut(rest[:at], ":")
	return scheme + "://" + user + ":***@" + rest[at+1:]
}
