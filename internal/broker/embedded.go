package broker

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// EmbeddedConfig configures an in-process JetStream server.
type EmbeddedConfig struct {
	// Listen is the client address, host:port. Port 0 or -1 picks a free
	// one. Default "127.0.0.1:4222".
	Listen string
	// StoreDir holds the JetStream file store; it survives restarts.
	// Required: the server's own default (a shared temp dir) is never used.
	StoreDir string
	// Logger receives the server's log lines. Default: none.
	Logger *slog.Logger
	// Token, when set, is the token every client must present: NATS holds
	// guest names and the worker's controls, so only pbxlink's own clients
	// may connect. Required when Listen is not a loopback address
	// (ErrListenNeedsToken).
	Token string
}

// StartEmbedded starts a JetStream server in this process and waits until it
// accepts connections. Shut it down with Shutdown and WaitForShutdown.
func StartEmbedded(cfg EmbeddedConfig) (*server.Server, error) {
	if cfg.StoreDir == "" {
		return nil, errors.New("broker: EmbeddedConfig.StoreDir is required")
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:4222"
	}
	host, portText, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("broker: EmbeddedConfig.Listen %q: %w", cfg.Listen, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < -1 || port > 65535 {
		return nil, fmt.Errorf("broker: EmbeddedConfig.Listen %q: bad port", cfg.Listen)
	}
	if port == 0 {
		port = -1
	}
	if cfg.Token == "" && !IsLoopback(host) {
		return nil, fmt.Errorf("%w: %q", ErrListenNeedsToken, cfg.Listen)
	}
	if err := checkFree(host, port); err != nil {
		return nil, err
	}
	opts := &server.Options{
		ServerName: "pbxlink-embedded",
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		NoSigs:     true,
		NoLog:      cfg.Logger == nil,
		// Authorization is the token clients must present; empty: none.
		Authorization: cfg.Token,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("broker: embedded server: %w", err)
	}
	if cfg.Logger != nil {
		s.SetLoggerV2(&slogAdapter{cfg.Logger}, false, false, false)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("broker: embedded server on %s did not start within 10s", cfg.Listen)
	}
	return s, nil
}

// checkFree refuses a client address that another process holds: the
// server would log the failure and never become ready, so the caller would
// wait for the start-up timeout and learn nothing about the cause.
func checkFree(host string, port int) error {
	if port == -1 {
		return nil
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	l, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("broker: embedded server: address %s already in use (another pbxlink or nats-server?): %w", addr, err)
	}
	if err != nil {
		return fmt.Errorf("broker: embedded server: listen on %s: %w", addr, err)
	}
	return l.Close()
}

// slogAdapter writes nats-server's log through slog.
type slogAdapter struct{ l *slog.Logger }

// Noticef logs at debug: the server's start-up banner and notices are noise
// in pbxlink's log; its warnings and errors stay visible.
func (a *slogAdapter) Noticef(f string, v ...any) {
	a.l.Debug(fmt.Sprintf(f, v...), "component", "nats-server")
}
func (a *slogAdapter) Warnf(f string, v ...any) {
	a.l.Warn(fmt.Sprintf(f, v...), "component", "nats-server")
}
func (a *slogAdapter) Fatalf(f string, v ...any) {
	a.l.Error(fmt.Sprintf(f, v...), "component", "nats-server")
}
func (a *slogAdapter) Errorf(f string, v ...any) {
	a.l.Error(fmt.Sprintf(f, v...), "component", "nats-server")
}
func (a *slogAdapter) Debugf(f string, v ...any) {
	a.l.Debug(fmt.Sprintf(f, v...), "component", "nats-server")
}
func (a *slogAdapter) Tracef(f string, v ...any) {}
