package broker_test

import (
	"errors"
	"testing"

	"github.com/pbxlink/pbxlink/internal/broker"
)

// TestEmbeddedTokenRefusesStrangers: with a token set, the embedded
// server refuses a client without it or with a wrong one, and accepts
// pbxlink's own clients, which present it.
func TestEmbeddedTokenRefusesStrangers(t *testing.T) {
	const token = "s3cret-token-for-test"
	srv, err := broker.StartEmbedded(broker.EmbeddedConfig{Listen: "127.0.0.1:-1", StoreDir: t.TempDir(), Token: token})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	for name, tok := range map[string]string{"no token": "", "wrong token": "guess"} {
		nc, err := broker.Connect(broker.ConnectConfig{URL: srv.ClientURL(), Token: tok})
		if err == nil {
			nc.Close()
			t.Errorf("%s: connected", name)
		}
	}
	nc, err := broker.Connect(broker.ConnectConfig{URL: srv.ClientURL(), Token: token})
	if err != nil {
		t.Fatalf("with the token: %v", err)
	}
	nc.Close()
}

// TestEmbeddedBeyondLoopbackNeedsToken: a listen address beyond loopback
// without a token is refused before anything listens.
func TestEmbeddedBeyondLoopbackNeedsToken(t *testing.T) {
	for _, listen := range []string{"0.0.0.0:-1", ":-1", "[::]:-1", "192.0.2.10:4222"} {
		srv, err := broker.StartEmbedded(broker.EmbeddedConfig{Listen: listen, StoreDir: t.TempDir()})
		if !errors.Is(err, broker.ErrListenNeedsToken) {
			if srv != nil {
				srv.Shutdown()
			}
			t.Errorf("listen %s without a token: %v, want ErrListenNeedsToken", listen, err)
		}
	}
	for _, listen := range []string{"127.0.0.1:-1", "localhost:-1"} {
		srv, err := broker.StartEmbedded(broker.EmbeddedConfig{Listen: listen, StoreDir: t.TempDir()})
		if err != nil {
			t.Errorf("listen %s: %v", listen, err)
			continue
		}
		srv.Shutdown()
		srv.WaitForShutdown()
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.3.4.5": true, "::1": true, "[::1]": true, "localhost": true, "LOCALHOST": true,
		"": false, "0.0.0.0": false, "::": false, "10.0.0.1": false, "nats.example.com": false,
	} {
		if got := broker.IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
