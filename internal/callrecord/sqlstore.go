package callrecord

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/schemas"
)

// dialect is what differs between SQLite and PostgreSQL.
type dialect struct {
	name string
	// time encodes a time for a column; zero is NULL.
	time func(time.Time) any
	// scanTime makes a destination for a time column and reads it back.
	scanTime func() (dest any, read func() (time.Time, error))
	// dollar numbers placeholders $1, $2… instead of ?.
	dollar bool
}

// sqlStore is a Store on database/sql.
type sqlStore struct {
	db *sql.DB
	d  dialect
}

// q writes the query's ? placeholders as the dialect wants them.
func (s *sqlStore) q(query string) string {
	if !s.d.dollar {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

const columns = "call_history_id, call_id, extension, direction, internal, start_time, answer_time, end_time, duration_seconds, other_number, other_name, result"

func (s *sqlStore) Insert(ctx context.Context, c schemas.Call, receivedAt time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO call_records (`+columns+`, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (call_history_id) DO NOTHING`),
		c.CallHistoryID, c.CallID, c.Extension, c.Direction, c.Internal,
		s.d.time(c.Start), s.d.time(c.Answer), s.d.time(c.End), c.DurationSeconds,
		c.OtherNumber, c.OtherName, c.Result, s.d.time(receivedAt))
	if err != nil {
		return false, fmt.Errorf("%s: insert call %s: %w", s.d.name, c.CallHistoryID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("%s: insert call %s: %w", s.d.name, c.CallHistoryID, err)
	}
	return n == 1, nil
}

func (s *sqlStore) remove(ctx context.Context, what, query string, args ...any) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %s: %w", s.d.name, what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("%s: %s: %w", s.d.name, what, err)
	}
	return n, nil
}

func (s *sqlStore) Purge(ctx context.Context, cutoff time.Time) (int64, error) {
	return s.remove(ctx, "purge", `DELETE FROM call_records WHERE end_time < ?`, s.d.time(cutoff))
}

func (s *sqlStore) ForgetExtension(ctx context.Context, ext string) (int64, error) {
	return s.remove(ctx, "forget extension "+ext, `DELETE FROM call_records WHERE extension = ?`, ext)
}

func (s *sqlStore) ForgetAll(ctx context.Context) (int64, error) {
	return s.remove(ctx, "forget every call", `DELETE FROM call_records`)
}

func (s *sqlStore) LastReceived(ctx context.Context) (time.Time, error) {
	dest, read := s.d.scanTime()
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(received_at) FROM call_records`).Scan(dest); err != nil {
		return time.Time{}, fmt.Errorf("%s: last received: %w", s.d.name, err)
	}
	return read()
}

func (s *sqlStore) Count(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM call_records`).Scan(&n); err != nil {
		return 0, fmt.Errorf("%s: count: %w", s.d.name, err)
	}
	return n, nil
}

func (s *sqlStore) Calls(ctx context.Context, ext string) ([]schemas.Call, error) {
	query := `SELECT ` + columns + ` FROM call_records`
	var args []any
	if ext != "" {
		query += ` WHERE extension = ?`
		args = append(args, ext)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+` ORDER BY start_time, call_history_id`), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: calls: %w", s.d.name, err)
	}
	defer rows.Close()
	var out []schemas.Call
	for rows.Next() {
		var c schemas.Call
		start, readStart := s.d.scanTime()
		answer, readAnswer := s.d.scanTime()
		end, readEnd := s.d.scanTime()
		if err := rows.Scan(&c.CallHistoryID, &c.CallID, &c.Extension, &c.Direction, &c.Internal,
			start, answer, end, &c.DurationSeconds, &c.OtherNumber, &c.OtherName, &c.Result); err != nil {
			return nil, fmt.Errorf("%s: calls: %w", s.d.name, err)
		}
		for _, f := range []struct {
			t    *time.Time
			read func() (time.Time, error)
		}{{&c.Start, readStart}, {&c.Answer, readAnswer}, {&c.End, readEnd}} {
			if *f.t, err = f.read(); err != nil {
				return nil, fmt.Errorf("%s: calls: %w", s.d.name, err)
			}
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: calls: %w", s.d.name, err)
	}
	return out, nil
}

func (s *sqlStore) Close() error { return s.db.Close() }
