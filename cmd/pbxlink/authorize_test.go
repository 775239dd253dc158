package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// authorizeEnv is an embedded NATS server (PBXLINK_NATS_URL points to it)
// and a Zoom simulator, with nothing provisioned: pbxlink authorize may run
// before the first pbxlink run.
type authorizeEnv struct {
	js  jetstream.JetStream
	sim *zoomsim.Server
}

func newAuthorizeEnv(t *testing.T) *authorizeEnv {
	t.Helper()
	n := testenv.StartNATS(t)
	sim := testenv.StartSim(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 2, Staff: 1}})
	t.Setenv("PBXLINK_NATS_URL", n.URL)
	t.Setenv("PBXLINK_ZOOM_URL", sim.OAuthURL())
	t.Setenv("PBXLINK_ZOOM_CLIENT_ID", "sim-client")
	t.Setenv("PBXLINK_ZOOM_CLIENT_SECRET", "sim-secret")
	return &authorizeEnv{js: n.JS, sim: sim}
}

// running is a pbxlink authorize in progress.
type running struct {
	url    chan string // the authorisation URL, once printed
	done   chan int
	stdout *bytes.Buffer
	stderr *bytes.Buffer
}

// start runs pbxlink with args, reading its output as it comes.
func start(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	r := &running{url: make(chan string, 1), done: make(chan int, 1), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	lines := make(chan struct{})
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			r.stdout.WriteString(sc.Text() + "\n")
			if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "http") && strings.Contains(l, "/oauth/authorize?") {
				r.url <- l
			}
		}
	}()
	go func() {
		code := dispatch(ctx, args, pw, r.stderr)
		pw.Close()
		<-lines
		r.done <- code
	}()
	return r
}

func (r *running) authURL(t *testing.T) string {
	t.Helper()
	select {
	case u := <-r.url:
		return u
	case code := <-r.done:
		t.Fatalf("pbxlink authorize ended (exit %d) before printing the URL\n%s%s", code, r.stdout, r.stderr)
	case <-time.After(20 * time.Second):
		t.Fatal("no authorisation URL printed")
	}
	return ""
}

func (r *running) exit(t *testing.T) int {
	t.Helper()
	select {
	case code := <-r.done:
		return code
	case <-time.After(20 * time.Second):
		t.Fatal("pbxlink authorize did not end")
	}
	return -1
}

// noRedirect is a browser that stops at Zoom's redirect.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// checkGrant: the stored grant names the account and admin, and works.
func (e *authorizeEnv) checkGrant(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	kv, err := e.js.KeyValue(ctx, broker.BucketFleet)
	if err != nil {
		t.Fatal(err)
	}
	info, err := fleet.LoadGrant(ctx, kv)
	if err != nil || info.AccountID != "sim-account" || info.UserEmail != "staff1@hotel.example" || info.UserName != "Staff 1" || info.AuthorizedAt.IsZero() {
		t.Fatalf("stored grant %+v, %v", info, err)
	}
	app, _ := zoom.NewAuthCode(zoom.AuthCodeConfig{URL: e.sim.OAuthURL(), ClientID: "sim-client", ClientSecret: "sim-secret"})
	m, err := fleet.NewGrantMinter(kv, fleet.GrantConfig{Zoom: app, Secret: "sim-secret", Holder: "test"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := m.Mint(ctx)
	if err != nil {
		t.Fatalf("the stored grant does not refresh: %v", err)
	}
	c, _ := zoom.New(zoom.Config{URL: e.sim.OAuthURL(), TokenSource: zoom.StaticToken{T: tok}})
	if me, err := c.Me(ctx); err != nil || me.AccountID != "sim-account" {
		t.Fatalf("the refreshed token: %+v %v", me, err)
	}
}

// TestAuthorizeListener: pbxlink authorize prints the URL, takes the
// browser's redirect on its own listener (refusing one with another
// state), stores the grant and prints the account; the grant works.
func TestAuthorizeListener(t *testing.T) {
	e := newAuthorizeEnv(t)
	r := start(t, "authorize", "--redirect-listen", "127.0.0.1:0")
	authURL := r.authURL(t)
	u, _ := url.Parse(authURL)
	redirect := u.Query().Get("redirect_uri")
	if !strings.HasPrefix(redirect, "http://127.0.0.1:") || !strings.HasSuffix(redirect, "/oauth/callback") || u.Query().Get("state") == "" {
		t.Fatalf("authorisation URL %s", authURL)
	}
	forged, err := http.Get(redirect + "?code=forged&state=other")
	if err != nil {
		t.Fatal(err)
	}
	forged.Body.Close()
	if forged.StatusCode != http.StatusBadRequest {
		t.Fatalf("a redirect with another state: %d", forged.StatusCode)
	}
	res, err := http.Get(authURL) // the admin's browser, redirected to pbxlink
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "authorised") {
		t.Fatalf("the browser's page: %d %s", res.StatusCode, page)
	}
	if code := r.exit(t); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, r.stdout, r.stderr)
	}
	for _, want := range []string{"sim-account", "Staff 1", "staff1@hotel.example", "zoom.grant"} {
		if !strings.Contains(r.stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if st := e.sim.OAuthStats(); st.Exchanges != 1 || st.RefusedExchanges != 0 {
		t.Fatalf("OAuthStats %+v", st)
	}
	e.checkGrant(t)
}

// TestAuthorizePasted: the code pasted on standard input as the address
// Zoom redirected to (an address of another run's state is refused), and
// given with --code as Variphy takes it.
func TestAuthorizePasted(t *testing.T) {
	e := newAuthorizeEnv(t)
	const redirect = "https://pbxlink.example/oauth/callback"
	in, feed := io.Pipe()
	old := authorizeInput
	authorizeInput = in
	t.Cleanup(func() { authorizeInput = old })

	r := start(t, "authorize", "--redirect-uri", redirect)
	res, err := noRedirect.Get(r.authURL(t))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	q := loc.Query()
	q.Set("state", "another-run")
	loc.RawQuery = q.Encode()
	go feed.Write([]byte(loc.String() + "\n"))
	if code := r.exit(t); code != 1 || !strings.Contains(r.stderr.String(), "state") {
		t.Fatalf("another run's address: exit %d\n%s", code, r.stderr)
	}

	r = start(t, "authorize", "--redirect-uri", redirect)
	res, err = noRedirect.Get(r.authURL(t))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	go feed.Write([]byte(res.Header.Get("Location") + "\n"))
	if code := r.exit(t); code != 0 || !strings.Contains(r.stdout.String(), "sim-account") {
		t.Fatalf("pasted address: exit %d\n%s%s", code, r.stdout, r.stderr)
	}
	e.checkGrant(t)

	// --code: the admin sends the code from the browser's address bar.
	app, _ := zoom.NewAuthCode(zoom.AuthCodeConfig{URL: e.sim.OAuthURL(), ClientID: "sim-client", ClientSecret: "sim-secret", RedirectURI: redirect})
	res, err = noRedirect.Get(app.AuthorizeURL("x"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ = url.Parse(res.Header.Get("Location"))
	stdout, stderr, code := call(t, "authorize", "--redirect-uri", redirect, "--code", loc.Query().Get("code"))
	if code != 0 || !strings.Contains(stdout, "staff1@hotel.example") {
		t.Fatalf("--code: exit %d\n%s%s", code, stdout, stderr)
	}
	e.checkGrant(t)
	// The same code again: Zoom refuses it, nothing is stored over the grant.
	_, stderr, code = call(t, "authorize", "--redirect-uri", redirect, "--code", loc.Query().Get("code"))
	if code != 1 || !strings.Contains(stderr, "Invalid authorization code") || strings.Contains(stderr, loc.Query().Get("code")) {
		t.Fatalf("a used code: exit %d, %q (want Zoom's reason without the code)", code, stderr)
	}
	e.checkGrant(t)
}

// TestAuthorizeRefusals: an admin who declines; missing settings named.
func TestAuthorizeRefusals(t *testing.T) {
	e := newAuthorizeEnv(t)
	e.sim.SetConsentRefused(true)
	r := start(t, "authorize", "--redirect-listen", "127.0.0.1:0")
	res, err := http.Get(r.authURL(t))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if code := r.exit(t); code != 1 || !strings.Contains(r.stderr.String(), "access_denied") {
		t.Fatalf("declined: exit %d\n%s", code, r.stderr)
	}
	t.Setenv("PBXLINK_ZOOM_CLIENT_ID", "")
	_, stderr, code := call(t, "authorize")
	if code != 2 || !strings.Contains(stderr, "PBXLINK_ZOOM_CLIENT_ID (--zoom-client-id)") || !strings.Contains(stderr, "PBXLINK_REDIRECT_URI (--redirect-uri)") {
		t.Fatalf("no client id, no redirect: exit %d, %q", code, stderr)
	}
}

// TestAuthorizeLiftsDeauthorization: authorising the app again after a
// de-authorization lifts the fleet's pause (only a de-authorization's: a
// pause for refused credentials is the probe's to lift).
func TestAuthorizeLiftsDeauthorization(t *testing.T) {
	e := newAuthorizeEnv(t)
	const redirect = "https://pbxlink.example/oauth/callback"
	ctx := context.Background()
	kv, err := e.js.CreateOrUpdateKeyValue(ctx, broker.FleetBucketConfig(broker.Topology{}))
	if err != nil {
		t.Fatal(err)
	}
	authorizeWithCode := func() string {
		t.Helper()
		app, _ := zoom.NewAuthCode(zoom.AuthCodeConfig{URL: e.sim.OAuthURL(), ClientID: "sim-client", ClientSecret: "sim-secret", RedirectURI: redirect})
		res, err := noRedirect.Get(app.AuthorizeURL("x"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, _ := url.Parse(res.Header.Get("Location"))
		stdout, stderr, code := call(t, "authorize", "--redirect-uri", redirect, "--code", loc.Query().Get("code"))
		if code != 0 {
			t.Fatalf("authorize: exit %d\n%s%s", code, stdout, stderr)
		}
		return stdout
	}
	for _, tc := range []struct {
		pause      string
		lifted     bool
		wantStdout string
	}{
		{`{"reason":"de-authorized","since":"2026-11-30T08:00:00Z","by":"w1","deauthorized":true}`, true, "resumes"},
		{`{"reason":"Invalid client_id or client_secret","since":"2026-11-30T08:00:00Z","by":"w1"}`, false, ""},
	} {
		if _, err := kv.Put(ctx, "account.pause", []byte(tc.pause)); err != nil {
			t.Fatal(err)
		}
		stdout := authorizeWithCode()
		_, err := kv.Get(ctx, "account.pause")
		gone := errors.Is(err, jetstream.ErrKeyNotFound)
		if gone != tc.lifted || (tc.lifted && !strings.Contains(stdout, tc.wantStdout)) {
			t.Errorf("pause %s: lifted %v (want %v); stdout:\n%s", tc.pause, gone, tc.lifted, stdout)
		}
		e.checkGrant(t)
	}
}
