package callrecord

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A real PostgreSQL server for the tests, started once per test binary
// from Debian's binaries (package postgresql: /usr/lib/postgresql/*/bin)
// into a temporary directory, on a free 127.0.0.1 port with its socket in
// that directory. Each test gets a database of its own. Where the binaries
// are missing the PostgreSQL tests skip, saying so; CI installs them
// (.ci/run).

type pgServer struct {
	dir, bin string
	port     int
	asUser   []string // runuser prefix when running as root
	err      error
	skip     string
}

var (
	pgOnce sync.Once
	pg     pgServer
	pgDBs  atomic.Int64
)

// pgBin finds the directory of initdb and pg_ctl: the newest Debian
// version, else PATH.
func pgBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p)
		}
	}
	return ""
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *pgServer) run(name string, args ...string) error {
	argv := append(append(slices.Clone(s.asUser), filepath.Join(s.bin, name)), args...)
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", name, err, out)
	}
	return nil
}

func (s *pgServer) start() {
	s.bin = pgBin()
	if s.bin == "" {
		s.skip = "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl, no initdb on PATH): install Debian's postgresql package (.ci/run does) to run the PostgreSQL tests"
		return
	}
	dir, err := os.MkdirTemp("", "pbxlink-pg-")
	if err != nil {
		s.err = err
		return
	}
	s.dir = dir
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as the postgres user
		// that Debian's package creates, in a directory it owns.
		u, err := user.Lookup("postgres")
		if err != nil {
			s.skip = "running as root and there is no postgres user to run PostgreSQL as"
			return
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			s.err = err
			return
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			s.skip = "running as root without runuser to start PostgreSQL as the postgres user"
			return
		}
		s.asUser = []string{runuser, "-u", "postgres", "--"}
	}
	if s.port, err = freePort(); err != nil {
		s.err = err
		return
	}
	data := filepath.Join(dir, "data")
	if s.err = s.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"); s.err != nil {
		return
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", s.port, dir)
	s.err = s.run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start")
}

func (s *pgServer) stop() {
	if s.dir == "" {
		return
	}
	if s.port != 0 && s.bin != "" {
		_ = s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop")
	}
	_ = os.RemoveAll(s.dir)
}

// postgresURL starts the shared server if needed and returns the URL of a
// new, empty database for t.
func postgresURL(t *testing.T) string {
	t.Helper()
	pgOnce.Do(pg.start)
	if pg.skip != "" {
		t.Skip(pg.skip)
	}
	if pg.err != nil {
		t.Fatalf("starting PostgreSQL: %v", pg.err)
	}
	base := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/", pg.port)
	db, err := sql.Open("pgx", base+"postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := fmt.Sprintf("pbxlink_test_%d", pgDBs.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	return base + name + "?sslmode=disable"
}

func TestMain(m *testing.M) {
	code := m.Run()
	pg.stop()
	os.Exit(code)
}
