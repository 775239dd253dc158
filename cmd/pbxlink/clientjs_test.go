package main

import (
	"bytes"
	"testing"

	"github.com/pbxlink/pbxlink/internal/testenv"
)

// TestConnectJetStream: a client command gets a connection named as it
// asked and JetStream on that same connection; a server that does not
// answer is an error, with nothing returned.
func TestConnectJetStream(t *testing.T) {
	t.Parallel()
	n := testenv.StartNATS(t)
	var warn bytes.Buffer
	nc, js, err := connectJetStream(natsSettings{URL: n.URL}, "pbxlink-test", &warn)
	if err != nil {
		t.Fatalf("connectJetStream(%s): %v", n.URL, err)
	}
	defer nc.Close()
	if js.Conn() != nc {
		t.Fatal("JetStream is not on the returned connection")
	}
	if nc.Opts.Name != "pbxlink-test" {
		t.Fatalf("connection named %q, want pbxlink-test", nc.Opts.Name)
	}
	if _, err := js.AccountInfo(testenv.Ctx(t)); err != nil {
		t.Fatalf("JetStream account info: %v", err)
	}
	if warn.Len() != 0 {
		t.Fatalf("a local server without credentials drew a warning: %q", warn.String())
	}

	url := n.URL
	n.Stop()
	nc, js, err = connectJetStream(natsSettings{URL: url}, "pbxlink-test", &warn)
	if err == nil {
		t.Fatalf("connect to the stopped server at %s: no error", url)
	}
	if nc != nil || js != nil {
		t.Fatal("a failed connect returned a connection")
	}
}
