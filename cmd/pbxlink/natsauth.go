package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/pbxlink/pbxlink/internal/broker"
)

// NATS is pbxlink's trust boundary: whoever connects reads guest names and
// steers the workers. These are the client settings beyond settings.go's:
// the password and token from files (so they stay out of the process list
// and the environment) and a client certificate.

// secretFlags registers the file and certificate settings of every command
// that connects to NATS.
func (s *natsSettings) secretFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.PasswordFile, "nats-password-file", "", "file holding the NATS password (instead of --nats-password)")
	fs.StringVar(&s.TokenFile, "nats-token-file", "", "file holding the NATS token (instead of --nats-token)")
	fs.StringVar(&s.TLSCert, "nats-tls-cert", "", "client certificate file (PEM) for a NATS server that verifies clients, with --nats-tls-key")
	fs.StringVar(&s.TLSKey, "nats-tls-key", "", "the client certificate's key file (PEM)")
}

// clientFlags registers the settings of a command that only connects to
// NATS (publish, forget): the servers, by default the embedded server's
// address, and the same authentication settings as run.
func (s *natsSettings) clientFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.URL, "nats-url", "nats://127.0.0.1:4222", "NATS servers (comma-separated)")
	fs.StringVar(&s.Creds, "nats-creds", "", "NATS credentials file (JWT and seed)")
	fs.StringVar(&s.NKey, "nats-nkey", "", "NATS nkey seed file")
	fs.StringVar(&s.User, "nats-user", "", "NATS user")
	fs.StringVar(&s.Password, "nats-password", "", "NATS password")
	fs.StringVar(&s.Token, "nats-token", "", "NATS token (the embedded server's, when run has one)")
	fs.StringVar(&s.TLS, "nats-tls-ca", "", "CA certificate file to verify the NATS server with")
	s.secretFlags(fs)
}

// resolveSecrets reads the password and token files into Password and
// Token. A setting given both ways is refused, naming both.
func (s *natsSettings) resolveSecrets() error {
	var errs []error
	for _, f := range []struct {
		flag, fileFlag string
		v              *string
		file           string
	}{
		{"nats-password", "nats-password-file", &s.Password, s.PasswordFile},
		{"nats-token", "nats-token-file", &s.Token, s.TokenFile},
	} {
		if f.file == "" {
			continue
		}
		if *f.v != "" {
			errs = append(errs, problem(f.fileFlag, "conflicts with %s (--%s): set one of them", envPrefixed(f.flag), f.flag))
			continue
		}
		b, err := os.ReadFile(f.file)
		switch {
		case err != nil:
			errs = append(errs, problem(f.fileFlag, "%v", err))
		case strings.TrimSpace(string(b)) == "":
			errs = append(errs, problem(f.fileFlag, "%s is empty", f.file))
		default:
			*f.v = strings.TrimSpace(string(b))
		}
	}
	if (s.TLSCert == "") != (s.TLSKey == "") {
		errs = append(errs, problem("nats-tls-cert", "the client certificate and --nats-tls-key (%s) go together", envPrefixed("nats-tls-key")))
	}
	return errors.Join(errs...)
}

// connectConfig is the connection to url with these settings.
func (s *natsSettings) connectConfig(url, name string) broker.ConnectConfig {
	return broker.ConnectConfig{URL: url, Name: name, Creds: s.Creds, NKey: s.NKey, User: s.User,
		Password: s.Password, Token: s.Token, TLSCA: s.TLS, TLSCert: s.TLSCert, TLSKey: s.TLSKey}
}

// plainWarning is the one line said when credentials went over the network
// in clear text.
const plainWarning = "NATS credentials sent without TLS to a server beyond this machine: anyone on the path can read them; use tls:// or a server that requires TLS"

// connectClient connects a client command (publish, forget) as its
// settings say, warning on w when credentials went out in clear text. It
// never starts a server.
func connectClient(s natsSettings, name string, w io.Writer) (*nats.Conn, error) {
	if err := s.resolveSecrets(); err != nil {
		return nil, err
	}
	cc := s.connectConfig(s.URL, name)
	nc, err := broker.Connect(cc)
	if err != nil {
		return nil, err
	}
	if broker.PlainCredentials(nc, cc) {
		fmt.Fprintln(w, "pbxlink: warning: "+plainWarning)
	}
	return nc, nil
}
