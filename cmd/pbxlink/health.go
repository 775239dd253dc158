package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/internal/setting"
)

func init() {
	register("health", "ask a running worker whether it is ready (exit 0) or not (exit 1)", healthCmd)
}

// healthNames: --http-listen is the worker's own setting (the address it
// serves /readyz on), so a health check in the worker's environment finds
// it; the check's own flags have a prefix of their own.
var healthNames = setting.Prefixes(func(f string) bool { return f == "http-listen" }, envPrefix, envPrefix+"HEALTH_")

func healthCmd(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("health", stdout)
	listen := fs.String("http-listen", "127.0.0.1:9090", "the worker's --http-listen; an address of all interfaces (0.0.0.0, [::]) is asked on loopback")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	fs.Usage = setting.UsageNamed(fs, healthNames, strings.TrimSpace(`
Usage: pbxlink health [flags]

Asks the worker's /readyz (GET) and exits 0 when it answers 200 ready, 1
otherwise, printing its answer. The container image has no curl: this is
the health check of docker-compose.yml.`))
	if err := setting.ParseNamed(fs, healthNames, args, nil); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	url, err := readyzURL(*listen)
	if err != nil {
		return &setting.Error{Msg: fmt.Sprintf("%s (--http-listen): %v", healthNames("http-listen"), err)}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("no answer from %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	text := strings.Join(strings.Fields(string(body)), " ")
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s %s", url, resp.Status, text)
	}
	fmt.Fprintln(stdout, text)
	return nil
}

// readyzURL is the /readyz URL of a worker listening on listen.
func readyzURL(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, port) + "/readyz", nil
}
