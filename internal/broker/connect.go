package broker

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
)

// ConnectConfig says how to reach NATS. The authentication fields are
// alternatives; at most one of Creds, NKey, User+Password and Token may be set.
type ConnectConfig struct {
	// URL is a comma-separated list of server URLs.
	URL string
	// Name identifies the connection in server monitoring.
	Name string
	// Creds is a credentials file (JWT and seed); NKey an nkey seed file.
	Creds, NKey string
	// User and Password, or Token, for simple authentication.
	User, Password, Token string
	// TLSCA is a CA certificate file to verify the server with.
	TLSCA string
	// TLSCert and TLSKey are a client certificate and its key (PEM files),
	// for a server that authenticates clients by certificate. Together.
	TLSCert, TLSKey string
	// Disconnected, Reconnected and Error, when set, report connection
	// events (the caller logs them).
	Disconnected func(error)
	Reconnected  func(url string)
	Error        func(error)
}

func (c ConnectConfig) validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("NATS URL is empty"))
	}
	n := 0
	for _, set := range []bool{c.Creds != "", c.NKey != "", c.User != "" || c.Password != "", c.Token != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		errs = append(errs, errors.New("set only one of NATS creds, nkey, user/password and token"))
	}
	if (c.User == "") != (c.Password == "") {
		errs = append(errs, errors.New("NATS user and password go together"))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("NATS TLS client certificate and key go together"))
	}
	for _, f := range []struct{ name, path string }{{"creds", c.Creds}, {"nkey", c.NKey}, {"tls-ca", c.TLSCA}, {"tls-cert", c.TLSCert}, {"tls-key", c.TLSKey}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			errs = append(errs, fmt.Errorf("NATS %s file: %w", f.name, err))
		}
	}
	return errors.Join(errs...)
}

// Connect opens a connection that reconnects for ever: a worker outlives
// NATS restarts instead of exiting.
func Connect(c ConnectConfig) (*nats.Conn, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	opts := []nats.Option{
		nats.Name(c.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.RetryOnFailedConnect(false),
	}
	switch {
	case c.Creds != "":
		opts = append(opts, nats.UserCredentials(c.Creds))
	case c.NKey != "":
		o, err := nats.NkeyOptionFromSeed(c.NKey)
		if err != nil {
			return nil, fmt.Errorf("NATS nkey: %w", err)
		}
		opts = append(opts, o)
	case c.User != "":
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	case c.Token != "":
		opts = append(opts, nats.Token(c.Token))
	}
	if c.TLSCA != "" {
		opts = append(opts, nats.RootCAs(c.TLSCA))
	}
	if c.TLSCert != "" {
		opts = append(opts, nats.ClientCert(c.TLSCert, c.TLSKey))
	}
	if c.Disconnected != nil {
		opts = append(opts, nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { c.Disconnected(err) }))
	}
	if c.Reconnected != nil {
		opts = append(opts, nats.ReconnectHandler(func(nc *nats.Conn) { c.Reconnected(nc.ConnectedUrlRedacted()) }))
	}
	if c.Error != nil {
		opts = append(opts, nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { c.Error(err) }))
	}
	nc, err := nats.Connect(c.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS: %w", err)
	}
	return nc, nil
}
