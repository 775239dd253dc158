package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// NATSBench is what `nats bench` (natscli v0.5.1) measured on the same
// server: JetStream synchronous publish from one client, then a durable
// consumer with explicit acks draining what was published.
type NATSBench struct {
	Version string `json:"version"`
	Msgs    int    `json:"msgs"`
	Size    int    `json:"size_bytes"`
	// Publish and Consume are messages per second.
	Publish float64 `json:"publish_per_s"`
	Consume float64 `json:"consume_per_s"`
	// PublishP50 and PublishP99 are the publish round trips, in
	// milliseconds, as nats bench reports them.
	PublishP50 float64 `json:"publish_p50_ms"`
	PublishP99 float64 `json:"publish_p99_ms"`
	// Commands are the exact command lines run.
	Commands []string `json:"commands"`
}

// natsBench runs nats bench against url with msgs messages of size bytes,
// on a stream of its own ("benchstream", file storage), writing its CSV
// files into dir.
func natsBench(ctx context.Context, cli, url, dir string, msgs, size int) (*NATSBench, error) {
	nb := &NATSBench{Msgs: msgs, Size: size}
	if out, err := exec.CommandContext(ctx, cli, "--version").CombinedOutput(); err == nil {
		nb.Version = strings.TrimSpace(string(out))
	}
	pubCSV, conCSV := filepath.Join(dir, "nats-bench-pub.csv"), filepath.Join(dir, "nats-bench-consume.csv")
	n := strconv.Itoa(msgs)
	pub := []string{"bench", "js", "pub", "sync", "--server", url, "--no-context", "--create", "--storage", "file",
		"--stream", "benchstream", "--msgs", n, "--size", fmt.Sprintf("%dB", size), "--no-progress", "--csv", pubCSV, "bench.pbxlink"}
	con := []string{"bench", "js", "consume", "--server", url, "--no-context", "--stream", "benchstream",
		"--consumer", "nats-bench", "--acks", "explicit", "--msgs", n, "--no-progress", "--csv", conCSV}
	for _, args := range [][]string{pub, con} {
		nb.Commands = append(nb.Commands, "nats "+strings.Join(args, " "))
		cctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		out, err := exec.CommandContext(cctx, cli, args...).CombinedOutput()
		cancel()
		if err != nil {
			return nil, fmt.Errorf("nats %s %s: %v: %s", args[1], args[2], err, lastLine(out))
		}
	}
	p, err := readBenchCSV(pubCSV)
	if err != nil {
		return nil, err
	}
	c, err := readBenchCSV(conCSV)
	if err != nil {
		return nil, err
	}
	nb.Publish, nb.Consume = p["MsgsPerSec"], c["MsgsPerSec"]
	nb.PublishP50, nb.PublishP99 = p["P50LatencyMicroSecs"]/1000, p["P99LatencyMicroSecs"]/1000
	if nb.Publish <= 0 || nb.Consume <= 0 {
		return nil, fmt.Errorf("nats bench: no rate in %s or %s", pubCSV, conCSV)
	}
	return nb, nil
}

// readBenchCSV reads the first data row of a nats bench CSV file (a header
// line starting with '#', then one row per client) into its numeric
// columns.
func readBenchCSV(path string) (map[string]float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nats bench: %w", err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(recs) < 2 {
		return nil, fmt.Errorf("nats bench: unreadable CSV %s", path)
	}
	out := map[string]float64{}
	for i, name := range recs[0] {
		if i >= len(recs[1]) {
			break
		}
		if v, err := strconv.ParseFloat(recs[1][i], 64); err == nil {
			out[strings.TrimPrefix(name, "#")] = v
		}
	}
	return out, nil
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}
