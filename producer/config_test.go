package producer

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

func TestConfigWithDefaults(t *testing.T) {
	c := Config{}.WithDefaults()
	if !strings.HasPrefix(c.Source, "pms/") || checkSource(c.Source) != nil {
		t.Errorf("Source = %q", c.Source)
	}
	if c.MaxElapsed != DefaultMaxElapsed || c.Timeout != DefaultTimeout || c.InitialInterval != DefaultInitialInterval || c.MaxInterval != DefaultMaxInterval {
		t.Errorf("defaults %+v", c)
	}
	if c.Now == nil || c.NewID == nil {
		t.Fatal("Now or NewID not set")
	}
	if d := time.Since(c.Now()); d < 0 || d > time.Minute {
		t.Errorf("Now() is %s away", d)
	}
	kept := Config{Source: "pms/x", MaxElapsed: -1, Timeout: time.Second, InitialInterval: 10 * time.Second}.WithDefaults()
	if kept.Source != "pms/x" || kept.MaxElapsed != -1 || kept.Timeout != time.Second || kept.MaxInterval != 10*time.Second {
		t.Errorf("WithDefaults changed set fields: %+v", kept)
	}
}

func TestNewID(t *testing.T) {
	re := regexp.MustCompile(`^pbxlink-\d{8}T\d{6}Z-[0-9a-f]{20}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if !re.MatchString(id) {
			t.Fatalf("NewID() = %q", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestNewRejects(t *testing.T) {
	js := startJetStream(t)
	tests := []struct {
		name      string
		js        jetstream.JetStream
		cfg       Config
		wantField string
	}{
		{"nil js", nil, Config{}, "js"},
		{"source with newline", js, Config{Source: "pms/a\nb"}, "Source"},
		{"source too long", js, Config{Source: strings.Repeat("s", 257)}, "Source"},
		{"source not a URI reference", js, Config{Source: "http://[::1"}, "Source"},
		{"negative timeout", js, Config{Timeout: -time.Second}, "Timeout"},
		{"negative interval", js, Config{InitialInterval: -time.Second}, "InitialInterval"},
		{"max below initial", js, Config{InitialInterval: time.Second, MaxInterval: time.Millisecond}, "MaxInterval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.js, tt.cfg)
			if !errors.Is(err, ErrInvalidConfig) || p != nil {
				t.Fatalf("New = %v, %v; want ErrInvalidConfig", p, err)
			}
			if !strings.Contains(err.Error(), ": "+tt.wantField+": ") {
				t.Errorf("error %q does not name %s", err, tt.wantField)
			}
		})
	}
	if _, err := New(js, Config{}); err != nil {
		t.Errorf("New with the zero Config: %v", err)
	}
}
