package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/internal/setting"
	"github.com/pbxlink/pbxlink/zoom"
)

func init() {
	register("authorize", "authorise the account-level Zoom OAuth app: prints the authorisation URL, takes the code, stores the grant sealed in NATS", authorizeCmd)
}

const authorizeSynopsis = `Usage: pbxlink authorize [flags]

Connects pbxlink to a Zoom account through an account-level OAuth app
(instead of a Server-to-Server app): prints the URL where the account's
admin authorises the app, takes the code Zoom sends back, exchanges it, and
stores the grant (its refresh token, sealed under the client secret) in the
pbxlink-fleet bucket, where every replica of pbxlink run finds it. Prints
the authorised account and admin.

The code comes one of three ways:
  --redirect-listen 127.0.0.1:8765  pbxlink takes the admin's browser's
      redirect itself at http://127.0.0.1:8765/oauth/callback (register
      that URI with the app, or the one --redirect-uri names that leads
      there) and checks its state;
  --code CODE                      the code, or the whole address Zoom
      redirected to, pasted (a code lives five minutes and works once);
  neither                          paste the code or the address on
      standard input when asked.
--redirect-uri is the app's registered redirect URI, required without
--redirect-listen. Run pbxlink without --zoom-account-id to use the stored
grant. Connects to NATS like pbxlink publish; never starts a server.`

// authorizeSettings are pbxlink authorize's settings.
type authorizeSettings struct {
	NATS                              natsSettings
	ZoomURL, ClientID, ClientSecret   string
	ClientSecretFile                  string
	RedirectListen, RedirectURI, Code string
	NATSReplicas                      int
	Wait                              time.Duration
}

func (s *authorizeSettings) flags(fs *flag.FlagSet) {
	s.NATS.clientFlags(fs)
	fs.StringVar(&s.ZoomURL, "zoom-url", zoom.DefaultURL, "Zoom URL: the OAuth host")
	fs.StringVar(&s.ClientID, "zoom-client-id", "", "the OAuth app's client id")
	fs.StringVar(&s.ClientSecret, "zoom-client-secret", "", "the OAuth app's client secret")
	fs.StringVar(&s.ClientSecretFile, "zoom-client-secret-file", "", "file holding the client secret (instead of --zoom-client-secret)")
	fs.StringVar(&s.RedirectListen, "redirect-listen", "", "take Zoom's redirect on this address (host:port): the redirect URI is http://host:port/oauth/callback")
	fs.StringVar(&s.RedirectURI, "redirect-uri", "", "the app's registered redirect URI (default with --redirect-listen: http://host:port/oauth/callback)")
	fs.StringVar(&s.Code, "code", "", "the authorization code, or the address Zoom redirected to (default: asked for on standard input, unless --redirect-listen)")
	fs.IntVar(&s.NATSReplicas, "nats-replicas", 1, "replicas of the pbxlink-fleet bucket, if this creates it (as pbxlink run has it)")
	fs.Var(durationVar(&s.Wait, 10*time.Minute, time.Second, "seconds"), "wait", "how long to wait for the admin's redirect or pasted code")
}

func (s *authorizeSettings) validate() error {
	var errs []error
	switch {
	case s.ClientSecret != "" && s.ClientSecretFile != "":
		errs = append(errs, fmt.Errorf("%s (--zoom-client-secret) and %s (--zoom-client-secret-file) are both set: give the client secret one way only",
			envPrefixed("zoom-client-secret"), envPrefixed("zoom-client-secret-file")))
	case s.ClientSecretFile != "":
		b, err := os.ReadFile(s.ClientSecretFile)
		if err != nil {
			errs = append(errs, problem("zoom-client-secret-file", "%v", err))
		} else if s.ClientSecret = strings.TrimSpace(string(b)); s.ClientSecret == "" {
			errs = append(errs, problem("zoom-client-secret-file", "%s is empty", s.ClientSecretFile))
		}
	case s.ClientSecret == "":
		errs = append(errs, problem("zoom-client-secret", "required: the OAuth app's client secret"))
	}
	if s.ClientID == "" {
		errs = append(errs, problem("zoom-client-id", "required: the OAuth app's client id"))
	}
	if u, err := url.Parse(s.ZoomURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, problem("zoom-url", "%q is not an http(s) URL", s.ZoomURL))
	}
	if s.RedirectListen != "" {
		if _, _, err := net.SplitHostPort(s.RedirectListen); err != nil {
			errs = append(errs, problem("redirect-listen", "%v", err))
		}
	} else if s.RedirectURI == "" {
		errs = append(errs, problem("redirect-uri", "required without --redirect-listen: the redirect URI registered with the Zoom app"))
	}
	if s.RedirectURI != "" {
		if u, err := url.Parse(s.RedirectURI); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, problem("redirect-uri", "%q is not an http(s) URL", s.RedirectURI))
		}
	}
	if s.NATSReplicas < 1 {
		errs = append(errs, problem("nats-replicas", "%d: want 1 or more", s.NATSReplicas))
	}
	if len(errs) > 0 {
		return &setting.Error{Msg: errors.Join(errs...).Error()}
	}
	return nil
}

// authorizeInput is where a pasted code comes from (standard input; tests
// replace it).
var authorizeInput io.Reader = os.Stdin

func authorizeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("authorize", stdout)
	var s authorizeSettings
	s.flags(fs)
	fs.Usage = setting.Usage(fs, envPrefix, authorizeSynopsis)
	if err := setting.Parse(fs, envPrefix, args, nil); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := s.validate(); err != nil {
		return err
	}
	// NATS first: an unreachable bucket must not waste the admin's code.
	nc, js, err := connectJetStream(s.NATS, "pbxlink-authorize", stderr)
	if err != nil {
		return err
	}
	defer nc.Close()
	kv, err := broker.OpenFleetBucket(ctx, js, broker.Topology{Replicas: s.NATSReplicas})
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, s.Wait)
	defer cancel()
	state := randomState()
	var codes <-chan callbackResult
	if s.RedirectListen != "" {
		lis, err := net.Listen("tcp", s.RedirectListen)
		if err != nil {
			return problem("redirect-listen", "%v", err)
		}
		if s.RedirectURI == "" {
			s.RedirectURI = "http://" + lis.Addr().String() + callbackPath
		}
		var stop func()
		codes, stop = serveCallback(lis, state)
		defer stop()
	}
	app, err := zoom.NewAuthCode(zoom.AuthCodeConfig{URL: s.ZoomURL, ClientID: s.ClientID, ClientSecret: s.ClientSecret, RedirectURI: s.RedirectURI})
	if err != nil {
		return err
	}
	var code string
	switch {
	case s.Code != "":
		// A code from an earlier run's URL: its state cannot be checked.
		if code, err = parseCode(s.Code, ""); err != nil {
			return problem("code", "%v", err)
		}
	case codes != nil:
		fmt.Fprintf(stdout, "Open this address as an admin of the Zoom account and authorise the app:\n\n  %s\n\nWaiting for Zoom's redirect to %s …\n", app.AuthorizeURL(state), s.RedirectURI)
		select {
		case r := <-codes:
			if r.err != nil {
				return r.err
			}
			code = r.code
		case <-ctx.Done():
			return fmt.Errorf("no redirect from Zoom within %s (PBXLINK_WAIT, --wait)", s.Wait)
		}
	default:
		fmt.Fprintf(stdout, "Open this address as an admin of the Zoom account and authorise the app:\n\n  %s\n\nThen paste the code, or the whole address Zoom redirected to: ", app.AuthorizeURL(state))
		line, err := readLine(ctx, authorizeInput)
		if err != nil {
			return fmt.Errorf("reading the code from standard input: %w", err)
		}
		if code, err = parseCode(line, state); err != nil {
			return err
		}
	}

	g, err := app.Exchange(ctx, code)
	if err != nil {
		return fmt.Errorf("exchanging the code: %w", err)
	}
	info := fleet.GrantInfo{AuthorizedAt: time.Now().UTC()}
	client, err := zoom.New(zoom.Config{URL: s.ZoomURL, TokenSource: zoom.StaticToken{T: &g.Token}})
	if err != nil {
		return err
	}
	me, meErr := client.Me(ctx)
	if meErr == nil {
		info.AccountID, info.UserID, info.UserEmail = me.AccountID, me.ID, me.Email
		info.UserName = strings.TrimSpace(me.FirstName + " " + me.LastName)
		if me.DisplayName != "" {
			info.UserName = me.DisplayName
		}
	}
	// Stored even without the account's name: the code is used up.
	if err := fleet.SaveGrant(context.WithoutCancel(ctx), kv, s.ClientSecret, g, info); err != nil {
		return err
	}
	lifted, err := consumer.Reauthorized(context.WithoutCancel(ctx), kv)
	if err != nil {
		return err
	}
	if meErr != nil {
		fmt.Fprintf(stderr, "pbxlink authorize: warning: the grant is stored, but GET /users/me failed, so the authorised account is not known: %v\n", meErr)
	}
	fmt.Fprintf(stdout, "\nAuthorised: Zoom account %s, by %s <%s>.\nThe grant is stored in %s (%s); pbxlink run without --zoom-account-id uses it.\n",
		orUnknown(info.AccountID), orUnknown(info.UserName), orUnknown(info.UserEmail), broker.BucketFleet, fleet.GrantKey)
	if lifted {
		fmt.Fprintln(stdout, "The fleet's Zoom work, paused since the app was de-authorized, resumes.")
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func randomState() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// parseCode takes a bare code or the address Zoom redirected to. With
// state set, an address must carry that state.
func parseCode(in, state string) (string, error) {
	in = strings.TrimSpace(in)
	if in == "" {
		return "", errors.New("no code given")
	}
	if !strings.Contains(in, "://") && !strings.Contains(in, "?") && !strings.Contains(in, "=") {
		return in, nil
	}
	u, err := url.Parse(in)
	if err != nil {
		return "", fmt.Errorf("not a code nor an address: %v", err)
	}
	q := u.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("Zoom did not authorise the app: %s", e)
	}
	if state != "" && q.Has("state") && subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		return "", errors.New("the address's state is not this run's: paste the address of the authorisation just printed")
	}
	code := q.Get("code")
	if code == "" {
		return "", errors.New("the address has no code")
	}
	return code, nil
}

// readLine reads one line, or gives up with ctx.
func readLine(ctx context.Context, r io.Reader) (string, error) {
	ch := make(chan callbackResult, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		if err == io.EOF && line != "" {
			err = nil
		}
		ch <- callbackResult{code: line, err: err}
	}()
	select {
	case res := <-ch:
		return res.code, res.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
