package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pbxlink/pbxlink/internal/setting"
	"go.yaml.in/yaml/v3"
)

// No Docker engine runs where the tests run: docker-compose.yml, its
// pbxlink.env.example, nats-server.conf and .dockerignore are checked here
// as files, for what "docker compose config" would not catch either.

// compose is the part of docker-compose.yml that the checks read.
type compose struct {
	Services map[string]struct {
		Image       string
		Build       any
		Command     []string
		Profiles    []string
		EnvFile     []string          `yaml:"env_file"`
		Environment map[string]string `yaml:"environment"`
		Secrets     []string
		Ports       []string
		Volumes     []string
		Healthcheck struct {
			Test        []string
			StartPeriod string `yaml:"start_period"`
		}
		Deploy struct{ Replicas int }
	}
	Secrets map[string]struct{ File string }
	Volumes map[string]any
}

func repoFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func runFlags() *flag.FlagSet {
	var s runSettings
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	s.flags(fs)
	return fs
}

// runVariable returns the flag of pbxlink run that the variable sets.
func runVariable(fs *flag.FlagSet, env string) *flag.Flag {
	var found *flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if setting.EnvName(envPrefix, f.Name) == env {
			found = f
		}
	})
	return found
}

// TestComposeFile: the services, the worker's settings through an env_file,
// its secret as a file, its health check through pbxlink health, the
// published metrics port, and a pinned nats-server that fsyncs always.
func TestComposeFile(t *testing.T) {
	var c compose
	if err := yaml.Unmarshal(repoFile(t, "docker-compose.yml"), &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	fs := runFlags()

	nats, ok := c.Services["nats"]
	if !ok {
		t.Fatal("docker-compose.yml has no service nats")
	}
	// The nats-server of the tests (go.mod), pinned to the patch release.
	want := "nats:" + strings.TrimPrefix(goModVersion(t, "github.com/nats-io/nats-server/v2"), "v") + "-alpine"
	if nats.Image != want {
		t.Errorf("nats image %q, want %q (the nats-server that go.mod requires, pinned)", nats.Image, want)
	}
	conf := ""
	for _, v := range nats.Volumes {
		host, inContainer, _ := strings.Cut(v, ":")
		if strings.HasSuffix(host, ".conf") {
			conf = host
			if !slices.Contains(nats.Command, strings.TrimSuffix(inContainer, ":ro")) {
				t.Errorf("nats mounts %s at %s, but its command %v does not read it", host, inContainer, nats.Command)
			}
		}
	}
	if conf == "" {
		t.Fatalf("the nats service mounts no configuration file: %v", nats.Volumes)
	}
	text := string(repoFile(t, conf))
	if !regexp.MustCompile(`(?s)jetstream\s*\{[^}]*\bsync_interval:\s*always\b`).MatchString(text) {
		t.Errorf("%s lacks jetstream { sync_interval: always }:\n%s", conf, text)
	}

	w, ok := c.Services["worker"]
	if !ok {
		t.Fatal("docker-compose.yml has no service worker")
	}
	if w.Build == nil || !slices.Equal(w.Command, []string{"run"}) {
		t.Errorf("worker: build %v, command %v; want built here, running pbxlink run", w.Build, w.Command)
	}
	if !slices.Contains(w.EnvFile, "pbxlink.env") {
		t.Errorf("worker env_file %v, want pbxlink.env", w.EnvFile)
	}
	for k := range w.Environment {
		if runVariable(fs, k) == nil {
			t.Errorf("worker environment sets %s, which is no setting of pbxlink run", k)
		}
	}
	secret := "/run/secrets/zoom_client_secret"
	if got := w.Environment["PBXLINK_ZOOM_CLIENT_SECRET_FILE"]; got != secret {
		t.Errorf("worker PBXLINK_ZOOM_CLIENT_SECRET_FILE %q, want %q", got, secret)
	}
	if _, ok := w.Environment["PBXLINK_ZOOM_CLIENT_SECRET"]; ok {
		t.Error("worker environment holds the client secret itself")
	}
	if !slices.Contains(w.Secrets, "zoom_client_secret") || c.Secrets["zoom_client_secret"].File == "" {
		t.Errorf("the secret zoom_client_secret: worker has %v, top level %+v; want a file secret given to the worker", w.Secrets, c.Secrets)
	}
	if !slices.Equal(w.Healthcheck.Test, []string{"CMD", "pbxlink", "health"}) || w.Healthcheck.StartPeriod == "" {
		t.Errorf("worker healthcheck %+v, want [CMD pbxlink health] with a start_period", w.Healthcheck)
	}
	listen := w.Environment["PBXLINK_HTTP_LISTEN"]
	if !strings.HasPrefix(listen, "0.0.0.0:") {
		t.Errorf("worker PBXLINK_HTTP_LISTEN %q: want all interfaces, so the published port reaches it", listen)
	}
	_, port, _ := strings.Cut(listen, ":")
	published := false
	for _, p := range w.Ports {
		published = published || strings.HasSuffix(p, ":"+port)
	}
	if !published {
		t.Errorf("worker ports %v do not publish the metrics port %s", w.Ports, port)
	}
	if w.Deploy.Replicas > 1 {
		for _, p := range w.Ports {
			if !strings.Contains(p, "-") {
				t.Errorf("worker port %q: %d replicas need a range of host ports", p, w.Deploy.Replicas)
			}
		}
	}
	if w.Environment["PBXLINK_NATS_URL"] != "nats://nats:4222" {
		t.Errorf("worker PBXLINK_NATS_URL %q, want the nats service", w.Environment["PBXLINK_NATS_URL"])
	}

	sim, ok := c.Services["zoomsim"]
	if !ok || !slices.Equal(sim.Profiles, []string{"sim"}) {
		t.Errorf("zoomsim: present %v, profiles %v; want only with the profile sim", ok, sim.Profiles)
	}
}

// goModVersion is the version of a module that go.mod requires.
func goModVersion(t *testing.T, module string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + `\s+(v\S+)`).FindStringSubmatch(string(repoFile(t, "go.mod")))
	if m == nil {
		t.Fatalf("go.mod does not require %s", module)
	}
	return m[1]
}

// TestEnvExample: pbxlink.env.example lists every setting of pbxlink run,
// no other, each at the code's default, in the dotenv syntax compose reads.
func TestEnvExample(t *testing.T) {
	fs := runFlags()
	line := regexp.MustCompile(`^#?(PBXLINK_[A-Z0-9_]+)=(.*)$`)
	listed := map[string]bool{}
	for i, l := range strings.Split(string(repoFile(t, "pbxlink.env.example")), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		name, value := m[1], m[2]
		if listed[name] {
			t.Errorf("pbxlink.env.example:%d: %s listed twice", i+1, name)
		}
		listed[name] = true
		f := runVariable(fs, name)
		if f == nil {
			t.Errorf("pbxlink.env.example:%d: %s is no setting of pbxlink run", i+1, name)
			continue
		}
		if strings.Contains(value, "$") && !(strings.HasPrefix(value, "'") && strings.HasSuffix(value, "'")) {
			t.Errorf("pbxlink.env.example:%d: %s holds $ without single quotes: compose would expand it", i+1, name)
		}
		value = strings.Trim(value, "'")
		if strings.HasPrefix(l, "#") || value != "" {
			other := runFlags()
			if value != "" && (other.Set(f.Name, value) != nil || other.Lookup(f.Name).Value.String() != f.DefValue) {
				t.Errorf("pbxlink.env.example:%d: %s=%s, but the default is %q", i+1, name, value, f.DefValue)
			}
			if value == "" && f.DefValue != "" {
				t.Errorf("pbxlink.env.example:%d: %s is empty, but the default is %q", i+1, name, f.DefValue)
			}
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if name := setting.EnvName(envPrefix, f.Name); !listed[name] {
			t.Errorf("pbxlink.env.example lacks %s (--%s)", name, f.Name)
		}
	})
}

// TestDockerignore: the build context (COPY . . in the Dockerfile) never
// holds the local settings or the secret that docker-compose.yml uses.
func TestDockerignore(t *testing.T) {
	patterns := strings.Fields(string(repoFile(t, ".dockerignore")))
	for _, name := range []string{"pbxlink.env", "zoom-client-secret", ".git", "pbxlink-data/"} {
		if !slices.Contains(patterns, name) {
			t.Errorf(".dockerignore lacks %s", name)
		}
	}
	var c compose
	if err := yaml.Unmarshal(repoFile(t, "docker-compose.yml"), &c); err != nil {
		t.Fatal(err)
	}
	for name, s := range c.Secrets {
		if file := strings.TrimPrefix(s.File, "./"); !slices.Contains(patterns, file) {
			t.Errorf("the secret %s's file %s is not in .dockerignore", name, file)
		}
	}
}
