package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/pbxlink/pbxlink/internal/callrecord"
	"github.com/pbxlink/pbxlink/internal/erase"
	"github.com/pbxlink/pbxlink/internal/fias"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/internal/webhook"
)

// WebhookPath is where Zoom posts its event notifications.
const WebhookPath = "/zoom/webhook"

// secondPassAfter is when the second erasure pass of a de-authorization
// runs: after what workers busy at the time wrote.
const secondPassAfter = 2 * time.Second

// webhookServer serves Zoom's notifications; close stops it and waits for
// a second erasure pass under way.
type webhookServer struct {
	hs     *http.Server
	addr   string
	mu     sync.Mutex // guards closed and wg.Go against close's wg.Wait
	closed bool
	wg     sync.WaitGroup
}

// goSecond runs f unless close has begun.
func (ws *webhookServer) goSecond(f func()) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if !ws.closed {
		ws.wg.Go(f)
	}
}

// startWebhook serves Zoom's notifications at the webhook address. An
// app_deauthorized of this account pauses the fleet's Zoom work for good
// (Worker.Deauthorize) and erases every guest's data as pbxlink forget
// --all does: one pass before Zoom is answered, and a second a little
// later for what workers busy at the time wrote after it. ctx is the
// run's: the work finishes even if Zoom hangs up, and ends with the run.
func (a *App) startWebhook(ctx context.Context) (*webhookServer, error) {
	log, js, c := a.log.With("component", "webhook"), a.nats.js, a.cfg
	ws := &webhookServer{}
	eraseAll := func(ctx context.Context) (erase.Report, error) {
		cfg := erase.Config{Settle: -1, FIAS: fias.Eraser{JS: js}}
		store, err := callrecord.OpenExisting(ctx, c.Calls.DB, a.nats.dir)
		switch {
		case errors.Is(err, callrecord.ErrNoDatabase):
		case err != nil:
			return nil, flagErr("call-db", "%v", err)
		default:
			defer store.Close()
			cfg.Calls = store
		}
		return erase.All(ctx, js, cfg)
	}
	account, err := a.webhookAccount(ctx)
	if err != nil {
		return nil, err
	}
	h, err := webhook.New(webhook.Config{
		Secret: c.Webhook.Secret, AccountID: account,
		OnError: func(err error) { log.Warn("Zoom webhook refused or ignored", "err", err) },
		OnDeauthorized: func(_ context.Context, d webhook.Deauthorization) error {
			dctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			reason := fmt.Sprintf("de-authorized: the Zoom app was removed from account %s at %s (app_deauthorized); every guest's data is erased; "+
				"pbxlink authorize lifts this pause (or, once the app is authorized again: nats kv del pbxlink-fleet account.pause -f)", d.AccountID, d.Time)
			if err := a.worker.Deauthorize(dctx, reason); err != nil {
				return err
			}
			log.Error("Zoom app de-authorized: the fleet's Zoom work stops; erasing every guest's data", "account_id", d.AccountID, "user_id", d.UserID)
			r, err := eraseAll(dctx)
			if err != nil {
				return err
			}
			log.Info("de-authorization: guest data erased", "messages", r.Total())
			ws.goSecond(func() { a.secondPass(ctx, eraseAll) })
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", c.Webhook.Listen)
	if err != nil {
		return nil, flagErr("webhook-listen", "%v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+WebhookPath, h)
	ws.hs = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	ws.addr = lis.Addr().String()
	ws.wg.Go(func() { _ = ws.hs.Serve(lis) })
	log.Info("Zoom webhooks served", "addr", ws.addr, "path", WebhookPath)
	return ws, nil
}

// secondPass erases again after secondPassAfter, unless ctx ends first.
func (a *App) secondPass(ctx context.Context, eraseAll func(context.Context) (erase.Report, error)) {
	log := a.log.With("component", "webhook")
	t := time.NewTimer(secondPassAfter)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if r, err := eraseAll(ctx); err != nil {
		log.Warn("de-authorization: second erasure pass failed; run pbxlink forget --all", "err", err)
	} else {
		log.Info("de-authorization: second erasure pass", "messages", r.Total())
	}
}

// close stops serving and waits for a second pass under way (which ends
// with the run's context).
func (ws *webhookServer) close() {
	_ = ws.hs.Close()
	ws.mu.Lock()
	ws.closed = true
	ws.mu.Unlock()
	ws.wg.Wait()
}

// webhookAccount is the account whose de-authorization the webhook acts on:
// the Server-to-Server app's account id, else the account that authorised
// the OAuth app (its grant in pbxlink-fleet).
func (a *App) webhookAccount(ctx context.Context) (string, error) {
	if id := a.cfg.Zoom.AccountID; id != "" {
		return id, nil
	}
	info, err := fleet.LoadGrant(ctx, a.prov.Fleet)
	if err != nil {
		return "", fmt.Errorf("webhook: the OAuth app's grant: %w", err)
	}
	if info.AccountID == "" {
		return "", flagErr("zoom-account-id", "required with --webhook-listen: the stored OAuth grant does not name its account (GET /users/me failed when it was authorised); set it, or run pbxlink authorize again")
	}
	return info.AccountID, nil
}
