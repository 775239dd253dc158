// Package fleet_test proves the contract's guarantees for a fleet: three
// `pbxlink run` processes sharing one durable consumer on a three-node NATS
// cluster and one Zoom account (the simulator), under SIGKILLs, a NATS node
// restart, a flaky Zoom, strict token rules, a backlog at Zoom's real Pro
// limits and a credentials outage. The simulator runs in the
// test process; the NATS servers are nats-server processes (found on PATH:
// without one the suite is skipped) and the replicas are OS processes of a
// binary built once from ../.. (without -race: the race detector only
// matters for the test process, and its cost must not slow NATS or the
// workers down).
//
// The suite runs for minutes and is skipped under -short:
//
//	go install github.com/nats-io/nats-server/v2@v2.15.2
//	go test -race -count=1 -v -timeout 20m ./test/fleet/
//
// Flags (after the package): -fleet.seed=N replays a run (each test logs
// its seed); -fleet.scale=0.2 scales the event counts down for a quick
// local run; -fleet.logs=DIR keeps every replica's and NATS node's log;
// -fleet.bin=PATH tests a given pbxlink binary instead of building one.
// The tests are timing-sensitive (rate limits, throughput): run the
// package on its own rather than next to other packages' tests.
package fleet_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// build is the pbxlink binary shared by every test of the run.
var build struct {
	once sync.Once
	dir  string // temporary directory holding the binary
	bin  string
	err  error
	// hasReplicas and hasLimits say whether `pbxlink run` has the fleet
	// flags --nats-replicas and --zoom-limits.
	hasReplicas, hasLimits bool
}

var binFlag = flag.String("fleet.bin", "", "use this pbxlink binary instead of building ./cmd/pbxlink")

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// skipShort skips a fleet test under -short.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("fleet suite: runs for minutes; skipped under -short")
	}
}

// pbxlinkBinary builds ./cmd/pbxlink once per test run and returns its path.
func pbxlinkBinary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			build.err = err
			return
		}
		build.dir, err = os.MkdirTemp("", "pbxlink-fleet-")
		if err != nil {
			build.err = err
			return
		}
		build.bin = filepath.Join(build.dir, "pbxlink")
		if *binFlag != "" {
			build.bin = *binFlag
		} else if err := goBuild(root, build.bin); err != nil {
			build.err = err
			return
		}
		var help bytes.Buffer
		cmd := exec.Command(build.bin, "run", "--help")
		cmd.Stdout, cmd.Stderr = &help, &help
		if err := cmd.Run(); err != nil {
			build.err = fmt.Errorf("pbxlink run --help: %v\n%s", err, help.String())
			return
		}
		build.hasReplicas = strings.Contains(help.String(), "--nats-replicas")
		build.hasLimits = strings.Contains(help.String(), "--zoom-limits")
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	if !build.hasReplicas || !build.hasLimits {
		if *binFlag == "" {
			t.Fatalf("`pbxlink run` lacks the fleet flags (--nats-replicas: %v, --zoom-limits: %v)", build.hasReplicas, build.hasLimits)
		}
		// An older binary, given on purpose: run it as well as it can.
		t.Logf("WARNING: %s lacks the fleet flags (--nats-replicas: %v, --zoom-limits: %v): "+
			"streams at the worker's default replicas, the business plan's limits",
			*binFlag, build.hasReplicas, build.hasLimits)
	}
	return build.bin
}

// goBuild builds ./cmd/pbxlink of the module at root into bin.
func goBuild(root, bin string) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go tool is not on PATH: %w", err)
	}
	cmd := exec.Command(goTool, "build", "-o", bin, "./cmd/pbxlink")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/pbxlink in %s: %v\n%s", root, err, out)
	}
	return nil
}
