package broker

import (
	"net"
	"strings"
	"testing"
	"time"
)

// TestStartEmbeddedAddressInUse: a client address that another process
// holds is refused at once, naming the address, instead of waiting for a
// server that never becomes ready and blaming a timeout.
func TestStartEmbeddedAddressInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr := l.Addr().String()
	start := time.Now()
	s, err := StartEmbedded(EmbeddedConfig{Listen: addr, StoreDir: t.TempDir()})
	if err == nil {
		s.Shutdown()
		t.Fatalf("StartEmbedded on %s, which is in use: no error", addr)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("StartEmbedded took %v to find %s in use, want under 2 s", took, addr)
	}
	if want := "address " + addr + " already in use"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want it to say %q", err, want)
	}
}
