package consumer_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestGuestNamesOnlyAtDebug: guest names are personal data. Above debug
// level they reach no log line, not even when Zoom refuses a name and
// quotes it back, or when a change fails and is retried; at debug they do,
// and the client secret and tokens never do.
func TestGuestNamesOnlyAtDebug(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	level := new(slog.LevelVar)
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: level}))
	b := setup(t, options{
		sim:    func(c *zoomsim.Config) { c.BannedWords = []string{"quixote"} },
		worker: func(c *consumer.Config) { c.Logger = log; c.Retries = 2 },
		zoom:   func(c *zoom.Config) { c.Logger = log },
	})
	b.start()
	b.finishedAt(must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1201", schemas.CheckIn{Guest: schemas.Guest{First: "Zebulon", Last: "Quixote"}})))
	if err := b.sim.SetFaults(zoomsim.Faults{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	b.finishedAt(must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1202", schemas.CheckIn{Guest: schemas.Guest{First: "Wilhelmina", Last: "Vandersloot"}})))
	if n := len(b.deadLetters()); n != 1 {
		t.Fatalf("%d dead letters, want the check-in that failed every attempt", n)
	}
	if err := b.sim.SetFaults(zoomsim.Faults{}); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, "event dead-lettered") || !strings.Contains(out, "Zoom refused the guest's name") {
		t.Fatalf("the test saw no dead-letter or refused-name log line:\n%s", out)
	}
	for _, name := range []string{"Zebulon", "Quixote", "Wilhelmina", "Vandersloot"} {
		if strings.Contains(out, name) {
			t.Errorf("guest name %q logged above debug level:\n%s", name, out)
		}
	}

	level.Set(slog.LevelDebug)
	b.sim.RevokeTokens() // so that the token exchange is logged too
	b.finishedAt(must[*producer.Result](t)(b.prod.CheckIn(b.ctx(), "1203", schemas.CheckIn{Guest: schemas.Guest{First: "Xavier", Last: "Yarborough"}})))
	out = logs.String()
	if !strings.Contains(out, "Yarborough") || !strings.Contains(out, "zoom request") || !strings.Contains(out, "/oauth/token") {
		t.Fatalf("at debug the event and Zoom packets must be logged:\n%s", out)
	}
	secret := b.sim.Config().ClientSecret
	if strings.Contains(out, secret) {
		t.Errorf("the client secret %q reached the log", secret)
	}
	for _, line := range strings.Split(out, "\n") {
		for _, scheme := range []string{"Bearer ", "Basic "} {
			if i := strings.Index(line, scheme); i >= 0 && !strings.HasPrefix(line[i:], scheme+"***") {
				t.Errorf("credentials reached the log: %s", line)
			}
		}
		if i := strings.Index(line, `access_token\":\"`); i >= 0 && !strings.HasPrefix(line[i+len(`access_token\":\"`):], "***") {
			t.Errorf("an access token reached the log: %s", line)
		}
	}
}
