package broker

import (
	"errors"
	"net"
	"net/url"
	"strings"

	"github.com/nats-io/nats.go"
)

// ErrListenNeedsToken: the embedded server would listen beyond loopback
// without a token, open to anyone who can reach the address.
var ErrListenNeedsToken = errors.New("broker: the embedded server listens beyond loopback without a token (set PBXLINK_NATS_TOKEN, or listen on 127.0.0.1)")

// IsLoopback says whether host (a name or an address, without port) only
// reaches this machine: localhost, 127.0.0.0/8, ::1. An empty host, 0.0.0.0
// and :: listen on every interface: not loopback.
func IsLoopback(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// hasCredentials says whether c sends any secret to the server.
func (c ConnectConfig) hasCredentials() bool {
	return c.Creds != "" || c.NKey != "" || c.Password != "" || c.Token != ""
}

// PlainCredentials says whether nc, connected with c, sent credentials in
// clear text over the network: credentials were set, the connection is not
// TLS, and the server is not on this machine. The caller warns: anyone on
// the path can read a password or token (creds and nkeys sign a nonce, but
// the traffic itself, with guest names, is readable too).
func PlainCredentials(nc *nats.Conn, c ConnectConfig) bool {
	if !c.hasCredentials() {
		return false
	}
	if _, err := nc.TLSConnectionState(); err == nil {
		return false
	}
	u, err := url.Parse(nc.ConnectedUrl())
	if err != nil {
		return true
	}
	return !IsLoopback(u.Hostname())
}
