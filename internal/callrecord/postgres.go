package callrecord

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	// The PostgreSQL driver, through database/sql: pure Go, maintained,
	// and the one the Go community settled on.
	_ "github.com/jackc/pgx/v5/stdlib"
)

var postgresDialect = dialect{
	name:   "postgres",
	dollar: true,
	time: func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC()
	},
	scanTime: func() (any, func() (time.Time, error)) {
		var v sql.NullTime
		return &v, func() (time.Time, error) {
			if !v.Valid {
				return time.Time{}, nil
			}
			return v.Time.UTC(), nil
		}
	},
}

// OpenPostgres connects to the PostgreSQL database at url
// (postgres://user:password@host:5432/db?sslmode=…) and brings its schema
// up to date; replicas starting together migrate it once.
func OpenPostgres(ctx context.Context, url string) (Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %w", Redacted(url), err)
	}
	db.SetMaxOpenConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres %s: %w", Redacted(url), err)
	}
	s := &sqlStore{db: db, d: postgresDialect}
	if err := migrate(ctx, s); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres %s: %w", Redacted(url), err)
	}
	return s, nil
}
