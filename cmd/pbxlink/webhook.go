package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/callrecord"
	"github.com/pbxlink/pbxlink/internal/erase"
	"github.com/pbxlink/pbxlink/internal/fias"
	"github.com/pbxlink/pbxlink/internal/webhook"
)

// webhookPath is where Zoom posts its event notifications.
const webhookPath = "/zoom/webhook"

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

// startWebhook serves Zoom's notifications at --webhook-listen, when set.
// An app_deauthorized of this account pauses the fleet's Zoom work for good
// (w.Deauthorize) and erases every guest's data as pbxlink forget --all
// does: one pass before Zoom is answered, and a second a little later for
// what workers busy at the time wrote after it.
func startWebhook(ctx context.Context, js jetstream.JetStream, s runSettings, w *consumer.Worker, log *slog.Logger) (stop func(), err error) {
	if s.Webhook.Listen == "" {
		return func() {}, nil
	}
	log = log.With("component", "webhook")
	runCtx := ctx
	dataDir, _ := filepath.Abs(s.NATS.DataDir)
	eraseAll := func(ctx context.Context) (erase.Report, error) {
		cfg := erase.Config{Settle: -1, FIAS: fias.Eraser{JS: js}}
		store, err := callrecord.OpenExisting(ctx, s.Calls.DB, dataDir)
		switch {
		case errors.Is(err, callrecord.ErrNoDatabase):
		case err != nil:
			return nil, problem("call-db", "%v", err)
		default:
			defer store.Close()
			cfg.Calls = store
		}
		return erase.All(ctx, js, cfg)
	}
	h, err := webhook.New(webhook.Config{
		Secret: s.Webhook.Secret, AccountID: s.AccountID,
		OnError: func(err error) { log.Warn("Zoom webhook refused or ignored", "err", err) },
		OnDeauthorized: func(_ context.Context, d webhook.Deauthorization) error {
			// The run's context, not the request's: the work finishes even
			// if Zoom hangs up.
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			reason := fmt.Sprintf("de-authorized: the Zoom app was removed from account %s at %s (app_deauthorized); every guest's data is erased; "+
				"once the app is authorized again: nats kv del pbxlink-fleet account.pause -f", d.AccountID, d.Time)
			if err := w.Deauthorize(ctx, reason); err != nil {
				return err
			}
			log.Error("Zoom app de-authorized: the fleet's Zoom work stops; erasing every guest's data", "account_id", d.AccountID, "user_id", d.UserID)
			r, err := eraseAll(ctx)
			if err != nil {
				return err
			}
			log.Info("de-authorization: guest data erased", "messages", r.Total())
			go func() { // the second pass
				if !sleepCtx(runCtx, 2*time.Second) {
					return
				}
				ctx, cancel := context.WithTimeout(runCtx, time.Minute)
				defer cancel()
				if r, err := eraseAll(ctx); err != nil {
					log.Warn("de-authorization: second erasure pass failed; run pbxlink forget --all", "err", err)
				} else {
					log.Info("de-authorization: second erasure pass", "messages", r.Total())
				}
			}()
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", s.Webhook.Listen)
	if err != nil {
		return nil, problem("webhook-listen", "%v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+webhookPath, h)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(lis) }()
	log.Info("Zoom webhooks served", "addr", lis.Addr().String(), "path", webhookPath)
	return func() { _ = hs.Close() }, nil
}

// sleepCtx waits d; false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
