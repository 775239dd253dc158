package fleet_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// natsNode is one server of the test cluster. Its ports and store survive
// a restart.
type natsNode struct {
	name              string
	port, clusterPort int
	storeDir, logPath string

	mu  sync.Mutex
	srv *server.Server
	log *os.File
}

// natsCluster is a three-node JetStream cluster in the test process, on
// loopback ports.
type natsCluster struct {
	t     *testing.T
	nodes []*natsNode
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

// startCluster starts three JetStream servers routed to each other and
// waits until they accept connections and JetStream has a meta leader.
func startCluster(t *testing.T, size int) *natsCluster {
	t.Helper()
	ports := freePorts(t, 2*size)
	c := &natsCluster{t: t}
	dir := t.TempDir()
	for i := range size {
		c.nodes = append(c.nodes, &natsNode{
			name: fmt.Sprintf("n%d", i+1), port: ports[2*i], clusterPort: ports[2*i+1],
			storeDir: filepath.Join(dir, fmt.Sprintf("n%d", i+1)),
			logPath:  filepath.Join(dir, fmt.Sprintf("nats-n%d.log", i+1)),
		})
	}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			n.stop()
		}
	})
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

func (c *natsCluster) options(n *natsNode) *server.Options {
	var routes []string
	for _, o := range c.nodes {
		if o != n {
			routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", o.clusterPort))
		}
	}
	return &server.Options{
		ServerName: n.name,
		Host:       "127.0.0.1",
		Port:       n.port,
		JetStream:  true,
		StoreDir:   n.storeDir,
		NoSigs:     true,
		Cluster:    server.ClusterOpts{Name: "pbxlink", Host: "127.0.0.1", Port: n.clusterPort},
		Routes:     server.RoutesFromStr(strings.Join(routes, ",")),
	}
}

// start starts (or restarts, same ports and store) one node.
func (c *natsCluster) start(n *natsNode) error {
	srv, err := server.NewServer(c.options(n))
	if err != nil {
		return fmt.Errorf("NATS %s: %w", n.name, err)
	}
	f, err := os.OpenFile(n.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	srv.SetLoggerV2(&fileLogger{f: f, name: n.name}, false, false, false)
	go srv.Start()
	if !srv.ReadyForConnections(20 * time.Second) {
		srv.Shutdown()
		f.Close()
		return fmt.Errorf("NATS %s on port %d not ready within 20s", n.name, n.port)
	}
	n.mu.Lock()
	n.srv, n.log = srv, f
	n.mu.Unlock()
	return nil
}

func (n *natsNode) stop() {
	n.mu.Lock()
	srv, f := n.srv, n.log
	n.srv, n.log = nil, nil
	n.mu.Unlock()
	if srv != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
	}
	if f != nil {
		f.Close()
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

// fileLogger writes a server's notices, warnings and errors to a file.
type fileLogger struct {
	mu   sync.Mutex
	f    *os.File
	name string
}

func (l *fileLogger) log(level, format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.f, "%s [%s] %s %s\n", time.Now().Format("15:04:05.000"), l.name, level, fmt.Sprintf(format, v...))
}

func (l *fileLogger) Noticef(format string, v ...any) { l.log("INF", format, v...) }
func (l *fileLogger) Warnf(format string, v ...any)   { l.log("WRN", format, v...) }
func (l *fileLogger) Fatalf(format string, v ...any)  { l.log("FTL", format, v...) }
func (l *fileLogger) Errorf(format string, v ...any)  { l.log("ERR", format, v...) }
func (l *fileLogger) Debugf(string, ...any)           {}
func (l *fileLogger) Tracef(string, ...any)           {}
