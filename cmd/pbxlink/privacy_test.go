package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// holding connects to url and scans every stored message of every stream
// (event streams, KV buckets with all their revisions, object stores):
// subjects, headers and bodies. It returns where needle occurs.
func holding(t *testing.T, url, token, needle string) []string {
	t.Helper()
	nc, err := broker.Connect(broker.ConnectConfig{URL: url, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var found []string
	streams := js.ListStreams(ctx)
	for info := range streams.Info() {
		s, err := js.Stream(ctx, info.Config.Name)
		if err != nil {
			t.Fatal(err)
		}
		for seq := info.State.FirstSeq; seq > 0 && seq <= info.State.LastSeq; seq++ {
			m, err := s.GetMsg(ctx, seq)
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			all := []byte(m.Subject + fmt.Sprint(m.Header))
			if bytes.Contains(append(all, m.Data...), []byte(needle)) {
				found = append(found, fmt.Sprintf("%s seq %d (%s)", info.Config.Name, seq, m.Subject))
			}
		}
	}
	if err := streams.Err(); err != nil {
		t.Fatal(err)
	}
	return found
}

// TestForgetCommand: a guest checks in to 1201, another to 1202, through a
// real worker; a bad event of 1201 is dead-lettered. After pbxlink forget
// --ext 1201 no stream or bucket holds a byte of the first guest's name,
// and the second guest's events and stay are still there.
func TestForgetCommand(t *testing.T) {
	s := startStack(t, zoomsim.Config{Unlimited: true, Seed: &zoomsim.Seed{Rooms: 3, FirstExtension: 1201}})
	s.pbxlink(t, "publish", "checkin", "--nats-url", s.natsURL, "--ext", "1201", "--first", "Ada", "--last", "Zanzibar")
	s.pbxlink(t, "publish", "checkin", "--nats-url", s.natsURL, "--ext", "1202", "--first", "Don", "--last", "Quixote")
	s.pbxlink(t, "publish", "guest", "--nats-url", s.natsURL, "--ext", "1201", "--data", `{"guest":{"last":"Zanzibar-Smith"}}`)
	s.waitDisplay(t, 1201, "Ada Zanzibar-Smith 1201")
	s.waitDisplay(t, 1202, "Don Quixote 1202")
	// A dead letter holding the name: valid JSON, not a CloudEvent.
	s.nats(t, "pub", "pbxlink.ext.1201.checkin", `{"guest":"Zanzibar"}`)
	eventually(t, 15*time.Second, func() (bool, string) {
		n := len(holding(t, s.natsURL, "", "Zanzibar"))
		return slicesHasDLQ(holding(t, s.natsURL, "", "Zanzibar")), fmt.Sprintf("%d places", n)
	}, "the bad event to be dead-lettered")
	if left := holding(t, s.natsURL, "", "Zanzibar"); len(left) < 3 {
		t.Fatalf("the guest's name is in only %v before forget", left)
	}
	otherBefore := holding(t, s.natsURL, "", "Quixote")

	out := s.pbxlink(t, "forget", "--nats-url", s.natsURL, "--ext", "1201")
	wantAll(t, "pbxlink forget", out, "stream PBXLINK_EVENTS pbxlink.ext.1201.*", "stream PBXLINK_DLQ pbxlink.dlq.ext.1201.*",
		"bucket pbxlink-state ext.1201", "object store pbxlink-directory snapshot", "erased ")
	if left := holding(t, s.natsURL, "", "Zanzibar"); len(left) > 0 {
		t.Fatalf("after forget the guest's name is still in %v", left)
	}
	for _, want := range []string{"PBXLINK_EVENTS", "KV_pbxlink-state"} {
		if !strings.Contains(strings.Join(holding(t, s.natsURL, "", "Quixote"), " "), want) {
			t.Errorf("the other guest's data left %s: before %v", want, otherBefore)
		}
	}
	// The worker goes on: the next guest of 1201 is applied.
	s.pbxlink(t, "publish", "checkin", "--nats-url", s.natsURL, "--ext", "1201", "--first", "Mary", "--last", "Shelley")
	s.waitDisplay(t, 1201, "Mary Shelley 1201")
}

func slicesHasDLQ(places []string) bool {
	return strings.Contains(strings.Join(places, " "), "PBXLINK_DLQ")
}

// TestRetentionInStreamInfo: the retention settings are what nats stream
// info shows for the two streams.
func TestRetentionInStreamInfo(t *testing.T) {
	s := startStack(t, zoomsim.Config{Unlimited: true, Seed: &zoomsim.Seed{Rooms: 1}},
		"--event-retention", "2d", "--dlq-retention", "36h")
	for stream, want := range map[string]time.Duration{"PBXLINK_EVENTS": 48 * time.Hour, "PBXLINK_DLQ": 36 * time.Hour} {
		var info struct {
			Config struct {
				MaxAge time.Duration `json:"max_age"`
			} `json:"config"`
		}
		if err := json.Unmarshal([]byte(s.nats(t, "stream", "info", stream, "--json")), &info); err != nil {
			t.Fatal(err)
		}
		if info.Config.MaxAge != want {
			t.Errorf("nats stream info %s: max age %v, want %v", stream, info.Config.MaxAge, want)
		}
	}
}

// TestSecondWorkerOnDataDirRefused: a second pbxlink run on the data
// directory of a running one stops at once with one line naming it.
func TestSecondWorkerOnDataDirRefused(t *testing.T) {
	s := startStack(t, zoomsim.Config{Unlimited: true, Seed: &zoomsim.Seed{Rooms: 1}})
	dir := filepath.Join(s.dir, "data")
	_, stderr, code := runPbxlink(t, []string{
		"PBXLINK_ZOOM_ACCOUNT_ID=a", "PBXLINK_ZOOM_CLIENT_ID=c", "PBXLINK_ZOOM_CLIENT_SECRET=s",
		"PBXLINK_ZOOM_URL=http://127.0.0.1:1", "PBXLINK_NATS_LISTEN=127.0.0.1:0", "PBXLINK_HTTP_LISTEN=127.0.0.1:0",
		"PBXLINK_DATA_DIR=" + dir,
	}, "run")
	msg := strings.TrimSuffix(stderr, "\n")
	if code == 0 || strings.Contains(msg, "\n") || !strings.Contains(msg, "PBXLINK_DATA_DIR") || !strings.Contains(msg, dir) || !strings.Contains(msg, "in use") {
		t.Fatalf("second worker: exit %d, %q; want one line naming %s as in use", code, stderr, dir)
	}
}

// TestEmbeddedToken: with a token, the embedded server admits the worker
// and clients that present the token (publish, forget, from a file too)
// and refuses the nats CLI without it.
func TestEmbeddedToken(t *testing.T) {
	const token = "hotel-token-7f3a"
	s := startStack(t, zoomsim.Config{Unlimited: true, Seed: &zoomsim.Seed{Rooms: 1, FirstExtension: 1201}}, "--nats-token", token)
	if _, _, err := s.tryNATS("stream", "ls"); err == nil {
		t.Fatal("the nats CLI without the token was admitted")
	}
	s.nats(t, "--token", token, "stream", "ls")
	tokenFile := filepath.Join(s.dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.pbxlink(t, "publish", "checkin", "--nats-url", s.natsURL, "--nats-token-file", tokenFile, "--ext", "1201", "--last", "Byron")
	s.waitDisplay(t, 1201, "Byron 1201")
	s.pbxlink(t, "forget", "--nats-url", s.natsURL, "--nats-token", token, "--ext", "1201")
	if _, stderr, code := runPbxlink(t, nil, "forget", "--nats-url", s.natsURL, "--ext", "1201"); code == 0 {
		t.Fatalf("forget without the token succeeded: %s", stderr)
	}
}

// TestPrivacySettingErrors: bad privacy and NATS security settings stop
// pbxlink run with one line naming the setting.
func TestPrivacySettingErrors(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{
		"PBXLINK_ZOOM_ACCOUNT_ID=acct", "PBXLINK_ZOOM_CLIENT_ID=client", "PBXLINK_ZOOM_CLIENT_SECRET=secret",
		"PBXLINK_ZOOM_URL=http://127.0.0.1:1", "PBXLINK_NATS_LISTEN=127.0.0.1:0", "PBXLINK_HTTP_LISTEN=127.0.0.1:0",
		"PBXLINK_DATA_DIR=" + t.TempDir(),
	}
	for _, tc := range []struct {
		env  []string
		want []string
	}{
		{append(base, "PBXLINK_EVENT_RETENTION=forever"), []string{"PBXLINK_EVENT_RETENTION (--event-retention)", "days"}},
		{append(base, "PBXLINK_DLQ_RETENTION=1.5d"), []string{"PBXLINK_DLQ_RETENTION (--dlq-retention)"}},
		{append(base, "PBXLINK_TIMEZONE=Mars/Olympus"), []string{"PBXLINK_TIMEZONE (--timezone)", "IANA"}},
		{append(base, "PBXLINK_NATS_LISTEN=0.0.0.0:0"), []string{"PBXLINK_NATS_LISTEN (--nats-listen)", "PBXLINK_NATS_TOKEN"}},
		{append(base, "PBXLINK_NATS_TOKEN=a", "PBXLINK_NATS_TOKEN_FILE="+tokenFile), []string{"PBXLINK_NATS_TOKEN_FILE (--nats-token-file)", "PBXLINK_NATS_TOKEN (--nats-token)"}},
		{append(base, "PBXLINK_NATS_TLS_CERT="+tokenFile), []string{"PBXLINK_NATS_TLS_CERT (--nats-tls-cert)", "--nats-tls-key"}},
	} {
		t.Run(tc.want[0][:strings.IndexByte(tc.want[0], ' ')], func(t *testing.T) {
			stdout, stderr, code := runPbxlink(t, tc.env, "run")
			msg := strings.TrimSuffix(stderr, "\n")
			if code == 0 || strings.Contains(msg, "\n") || stdout != "" {
				t.Fatalf("exit %d, output %q%q: want one line", code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q lacks %q", msg, w)
				}
			}
		})
	}
}

// TestRetentionValue: days and Go durations in, days out when whole.
func TestRetentionValue(t *testing.T) {
	for in, want := range map[string]string{"7d": "7d", "30d": "30d", "36h": "36h0m0s", "48h": "2d", "90m": "1h30m0s"} {
		var d time.Duration
		if err := (*retentionValue)(&d).Set(in); err != nil {
			t.Errorf("Set(%q): %v", in, err)
			continue
		}
		if got := (*retentionValue)(&d).String(); got != want {
			t.Errorf("Set(%q).String() = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", "d", "-1d", "7days", "0", "0d", "1s", "1.5d"} {
		var d time.Duration
		if err := (*retentionValue)(&d).Set(bad); err == nil {
			t.Errorf("Set(%q) accepted: %v", bad, d)
		}
	}
}
