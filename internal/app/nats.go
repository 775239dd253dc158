package app

import (
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/dirlock"
)

// PlainWarning is the one line said when NATS credentials went over the
// network in clear text.
const PlainWarning = "NATS credentials sent without TLS to a server beyond this machine: anyone on the path can read them; use tls:// or a server that requires TLS"

// drainTimeout bounds the drain of the connection at Close.
const drainTimeout = 30 * time.Second

// natsConn is a NATS connection and, when no external server is set, the
// embedded server behind it and the lock on its data directory.
type natsConn struct {
	srv  *server.Server
	nc   *nats.Conn
	js   jetstream.JetStream
	lock *dirlock.Lock
	dir  string // the data directory, absolute ("" unknown)
}

// openNATS connects to the configured servers, or starts the embedded one
// in the data directory, which it locks against a second process.
func openNATS(c NATSConfig, name string, log *slog.Logger) (*natsConn, error) {
	var st natsConn
	if c.DataDir != "" {
		dir, err := filepath.Abs(c.DataDir)
		if err != nil {
			return nil, flagErr("data-dir", "%v", err)
		}
		st.dir = dir
	}
	url := c.URL
	if url == "" {
		if err := os.MkdirAll(st.dir, 0o750); err != nil {
			return nil, flagErr("data-dir", "%v", err)
		}
		var err error
		if st.lock, err = dirlock.Acquire(st.dir); err != nil {
			return nil, flagErr("data-dir", "%v", err)
		}
		st.srv, err = broker.StartEmbedded(broker.EmbeddedConfig{Listen: c.Listen, StoreDir: st.dir, Logger: log, Token: c.Connect.Token})
		if err != nil {
			st.close()
			return nil, flagErr("nats-listen", "%v", err)
		}
		url = st.srv.ClientURL()
		log.Info("embedded NATS JetStream server", "url", url, "data_dir", st.dir)
	}
	cc := c.Connect
	cc.URL, cc.Name = url, name
	cc.Disconnected = func(err error) {
		if err != nil { // nil: we closed it
			log.Warn("NATS disconnected", "err", err)
		}
	}
	cc.Reconnected = func(url string) { log.Info("NATS reconnected", "url", url) }
	cc.Error = func(err error) { log.Warn("NATS", "err", err) }
	nc, err := broker.Connect(cc)
	if err != nil {
		st.close()
		return nil, err
	}
	if broker.PlainCredentials(nc, cc) {
		log.Warn(PlainWarning, "url", nc.ConnectedUrlRedacted())
	}
	st.nc = nc
	if st.js, err = jetstream.New(nc); err != nil {
		st.close()
		return nil, err
	}
	return &st, nil
}

// close drains the connection (what was published reaches the server),
// then shuts the embedded server down and releases the data directory.
func (st *natsConn) close() {
	if st.nc != nil {
		if err := st.nc.Drain(); err != nil {
			st.nc.Close()
		}
		deadline := time.Now().Add(drainTimeout)
		for !st.nc.IsClosed() && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		st.nc.Close()
	}
	if st.srv != nil {
		st.srv.Shutdown()
		st.srv.WaitForShutdown()
	}
	_ = st.lock.Release()
}
