package fleet_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// natsVersion is the nats-server the suite is meant to run against: the
// one go.mod requires, which .ci/run installs.
const natsVersion = "v2.15.2"

// natsNode is one server of the test cluster: a nats-server OS process.
// Its ports, configuration and store survive a restart.
type natsNode struct {
	name              string
	port, clusterPort int
	confPath          string
	storeDir, logPath string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when the current process has exited
}

// natsCluster is a three-node JetStream cluster of nats-server processes on
// loopback ports. The servers run outside the test process so that the
// race detector's cost in the test process (the simulator, the test's own
// clients) does not slow NATS down, as it would not in production.
type natsCluster struct {
	t     *testing.T
	bin   string
	nodes []*natsNode
}

// natsServerBinary returns the nats-server on PATH, and skips the test
// when there is none.
func natsServerBinary(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		t.Skipf("fleet suite: no nats-server on PATH (%v); install it with "+
			"`go install github.com/nats-io/nats-server/v2@%s` and put $(go env GOPATH)/bin on PATH, as .ci/run does",
			err, natsVersion)
	}
	return bin
}

// freePorts reserves n distinct free loopback ports (closed again before
// they are used: a small race that loopback tests accept).
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// startCluster starts size JetStream servers routed to each other and
// waits until each accepts connections.
func startCluster(t *testing.T, size int) *natsCluster {
	t.Helper()
	c := &natsCluster{t: t, bin: natsServerBinary(t)}
	if out, err := exec.Command(c.bin, "--version").CombinedOutput(); err == nil {
		v := strings.TrimSpace(string(out))
		if !strings.Contains(v, natsVersion) {
			t.Logf("WARNING: %s is %s; the suite is meant for %s (go.mod)", c.bin, v, natsVersion)
		}
	}
	ports := freePorts(t, 2*size)
	dir := t.TempDir()
	for i := range size {
		name := fmt.Sprintf("n%d", i+1)
		c.nodes = append(c.nodes, &natsNode{
			name: name, port: ports[2*i], clusterPort: ports[2*i+1],
			confPath: filepath.Join(dir, name+".conf"),
			storeDir: filepath.Join(dir, name),
			logPath:  filepath.Join(dir, "nats-"+name+".log"),
		})
	}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			n.stop()
		}
	})
	for _, n := range c.nodes {
		if err := os.WriteFile(n.confPath, []byte(c.config(n)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, size)
	for i, n := range c.nodes {
		wg.Go(func() { errs[i] = c.start(n) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// config is node n's configuration file.
func (c *natsCluster) config(n *natsNode) string {
	var routes []string
	for _, o := range c.nodes {
		if o != n {
			routes = append(routes, fmt.Sprintf("%q", fmt.Sprintf("nats-route://127.0.0.1:%d", o.clusterPort)))
		}
	}
	return fmt.Sprintf(`server_name: %q
host: "127.0.0.1"
port: %d
jetstream {
  store_dir: %q
}
cluster {
  name: "pbxlink"
  host: "127.0.0.1"
  port: %d
  routes: [%s]
}
`, n.name, n.port, n.storeDir, n.clusterPort, strings.Join(routes, ", "))
}

// start starts (or restarts, same ports, configuration and store) one node
// and waits until it accepts client connections.
func (c *natsCluster) start(n *natsNode) error {
	f, err := os.OpenFile(n.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(f, "=== fleet test: start %s at %s\n", n.name, time.Now().Format("15:04:05.000"))
	cmd := exec.Command(c.bin, "-c", n.confPath)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("NATS %s: %w", n.name, err)
	}
	done := make(chan struct{})
	go func() {
		err := cmd.Wait()
		fmt.Fprintf(f, "=== fleet test: %s exited at %s: %v\n", n.name, time.Now().Format("15:04:05.000"), err)
		f.Close()
		close(done)
	}()
	n.mu.Lock()
	n.cmd, n.done = cmd, done
	n.mu.Unlock()
	if err := waitAccepting(n.port, done, 20*time.Second); err != nil {
		n.stop()
		return fmt.Errorf("NATS %s on port %d: %w (log %s:\n%s)", n.name, n.port, err, n.logPath, tail(n.logPath, 15))
	}
	return nil
}

// waitAccepting waits until a NATS server on port greets a client, the
// process exits, or timeout passes.
func waitAccepting(port int, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			line, rerr := bufio.NewReader(conn).ReadString('\n')
			conn.Close()
			if rerr == nil && strings.HasPrefix(line, "INFO ") {
				return nil
			}
		}
		select {
		case <-exited:
			return errors.New("nats-server exited before accepting connections")
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not accepting connections within %v", timeout)
		}
	}
}

// stop ends the node's process, gracefully (SIGTERM) or, after ten
// seconds, with SIGKILL, and waits for it to exit.
func (n *natsNode) stop() {
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.cmd, n.done = nil, nil
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// restart shuts a node down, leaves it down for down, and starts it again
// on the same ports and store.
func (c *natsCluster) restart(n *natsNode, down time.Duration) error {
	n.stop()
	time.Sleep(down)
	return c.start(n)
}

// urls is every client URL, comma-separated, as --nats-url takes them.
func (c *natsCluster) urls() string {
	var out []string
	for _, n := range c.nodes {
		out = append(out, fmt.Sprintf("nats://127.0.0.1:%d", n.port))
	}
	return strings.Join(out, ",")
}

// node returns the node with the server name, or nil.
func (c *natsCluster) node(name string) *natsNode {
	for _, n := range c.nodes {
		if n.name == name {
			return n
		}
	}
	return nil
}

// connect opens the test's own connection (reconnecting for ever) and
// waits until JetStream answers, that is until the cluster has a meta
// leader.
func (c *natsCluster) connect(ctx context.Context) (*nats.Conn, jetstream.JetStream) {
	c.t.Helper()
	nc, err := nats.Connect(c.urls(), nats.Name("fleet-test"), nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond))
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		c.t.Fatal(err)
	}
	var last error
	for ctx.Err() == nil {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, last = js.AccountInfo(actx)
		cancel()
		if last == nil {
			return nc, js
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("JetStream has no meta leader: %v", last)
	return nil, nil
}

// logTails returns the last lines of every node's log.
func (c *natsCluster) logTails(lines int) string {
	var b strings.Builder
	for _, n := range c.nodes {
		fmt.Fprintf(&b, "--- NATS %s (%s), last %d lines:\n%s\n", n.name, n.logPath, lines, tail(n.logPath, lines))
	}
	return b.String()
}
