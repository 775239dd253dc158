package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/pbxlink/pbxlink/internal/app"
)

// webhookPath is where Zoom posts its event notifications.
const webhookPath = app.WebhookPath

// webhookSettings say where Zoom's webhooks are received and the app's
// secret token that signs them.
type webhookSettings struct {
	Listen, Secret, SecretFile string
}

func (s *webhookSettings) flags(fs *flag.FlagSet) {
	fs.StringVar(&s.Listen, "webhook-listen", "", "address serving POST "+webhookPath+" for Zoom's event notifications (app_deauthorized); empty: none")
	fs.StringVar(&s.Secret, "zoom-webhook-secret", "", "the Zoom app's webhook secret token, which signs its notifications")
	fs.StringVar(&s.SecretFile, "zoom-webhook-secret-file", "", "file holding the webhook secret token (instead of --zoom-webhook-secret)")
}

// validate reads the secret file; each problem names its setting.
func (s *webhookSettings) validate() []error {
	if s.Secret != "" && s.SecretFile != "" {
		return []error{fmt.Errorf("%s (--%s) and %s (--%s) are both set: give the webhook secret one way only",
			envPrefixed("zoom-webhook-secret"), "zoom-webhook-secret", envPrefixed("zoom-webhook-secret-file"), "zoom-webhook-secret-file")}
	}
	if s.SecretFile != "" {
		b, err := os.ReadFile(s.SecretFile)
		switch {
		case err != nil:
			return []error{problem("zoom-webhook-secret-file", "%v", err)}
		case strings.TrimSpace(string(b)) == "":
			return []error{problem("zoom-webhook-secret-file", "%s is empty", s.SecretFile)}
		}
		s.Secret = strings.TrimSpace(string(b))
	}
	if s.Listen != "" && s.Secret == "" {
		return []error{problem("zoom-webhook-secret", "required with --webhook-listen: the secret token of the Zoom app's event subscription")}
	}
	return nil
}
