package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/prometheus/client_golang/prometheus"
)

// skewWarn is the clock offset from the NATS server's beyond which a
// replica warns once.
const skewWarn = 250 * time.Millisecond

// zoomParts are the fleet's Zoom client and what runs behind it.
type zoomParts struct {
	client *zoom.Client
	tokens *fleet.TokenSource
	clock  *fleet.Clock
}

// zoomOptions are the parts of the client that differ between a worker
// and a tool beside it.
type zoomOptions struct {
	concurrency int
	onCall      func(zoom.Call)
	reg         prometheus.Registerer // the skew gauge; nil: none
	wrap        func(zoom.TokenSource) zoom.TokenSource
}

// newZoomClient is a Zoom client whose rate limit and access token are
// shared, through the fleet bucket kv, with every replica: the fleet stays
// under the account's limit however many replicas run, and one token
// serves them all. Both run on the fleet's clock (fleet.Clock: the NATS
// server's time), so that a replica's skewed clock cannot crowd Zoom's
// window; its offset is the pbxlink_clock_skew_seconds gauge and an offset
// beyond skewWarn is logged once. The clock is measured until bg ends; wg
// counts that goroutine.
func newZoomClient(ctx, bg context.Context, wg *sync.WaitGroup, kv jetstream.KeyValue, c ZoomConfig, o zoomOptions, log *slog.Logger) (*zoomParts, error) {
	plan, err := zoom.ParsePlan(c.Plan)
	if err != nil {
		return nil, flagErr("zoom-plan", "%v", err)
	}
	limits, err := zoom.ParseLimits(c.Limits)
	if err != nil {
		return nil, flagErr("zoom-limits", "%v", err)
	}
	holder := fleet.ReplicaID()
	clock := fleet.NewClock(kv, fleet.ClockConfig{Holder: holder, OnSkew: func(d time.Duration) {
		log.Warn("this host's clock is off from the NATS server's; the fleet corrects for it, but check the host's time sync",
			"offset_seconds", d.Seconds(), "warn_above_seconds", skewWarn.Seconds())
	}})
	if err := clock.Sync(ctx); err != nil {
		log.Warn("fleet clock: not measured yet; using this host's clock", "err", err)
	}
	wg.Go(func() { clock.Run(bg, func(err error) { log.Debug("fleet clock", "err", err) }) })
	if o.reg != nil {
		o.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "pbxlink_clock_skew_seconds",
			Help: "The NATS server's clock minus this host's, measured from key-value timestamps; the fleet corrects for it. Alert above 0.25 either way.",
		}, func() float64 { d, _ := clock.Offset(); return d.Seconds() }))
	}
	minter, err := newMinter(ctx, kv, c, holder, clock.Now, log)
	if err != nil {
		return nil, err
	}
	tokens, err := fleet.NewTokenSource(kv, minter, fleet.TokenConfig{Secret: c.ClientSecret, Holder: holder, Now: clock.Now})
	if err != nil {
		return nil, err
	}
	var ts zoom.TokenSource = tokens
	if o.wrap != nil {
		ts = o.wrap(tokens)
	}
	limiter := c.Limiter
	if limiter == nil {
		limiter = fleet.NewLimiter(kv, zoom.LimiterConfig{Plan: plan, Limits: limits, Now: clock.Now})
	}
	zc, err := zoom.New(zoom.Config{
		URL: c.URL, AccountID: c.AccountID, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		Plan: plan, ExactCategories: c.ExactCategories, PresenceInterval: c.PresenceInterval,
		Limiter: limiter, TokenSource: ts, Logger: log, OnCall: o.onCall,
		// Every runner keeps its connection to Zoom: no TLS handshake per call.
		MaxIdleConnsPerHost: max(32, o.concurrency),
	})
	if err != nil {
		return nil, err
	}
	return &zoomParts{client: zc, tokens: tokens, clock: clock}, nil
}

// newMinter is where the fleet's access tokens come from: c.Minter when
// set; else the Server-to-Server OAuth app when an account id is set; else
// the account-level OAuth app's grant that pbxlink authorize stored in kv,
// refreshed once for the whole fleet (fleet.GrantMinter). Neither is an
// error naming --zoom-account-id. Token requests are packet-logged at
// debug, the secret, codes and tokens masked.
func newMinter(ctx context.Context, kv jetstream.KeyValue, c ZoomConfig, holder string, now func() time.Time, log *slog.Logger) (fleet.Minter, error) {
	if c.Minter != nil {
		return c.Minter, nil
	}
	hc := zoom.PacketLogging(nil, log, c.ClientSecret)
	if c.AccountID != "" {
		return zoom.NewS2S(zoom.S2SConfig{URL: c.URL, AccountID: c.AccountID, ClientID: c.ClientID,
			ClientSecret: c.ClientSecret, HTTPClient: hc}), nil
	}
	ok, err := fleet.HasGrant(ctx, kv)
	if err != nil {
		return nil, fmt.Errorf("NATS bucket %s: %w", broker.BucketFleet, err)
	}
	if !ok {
		return nil, flagErr("zoom-account-id", "required for a Server-to-Server OAuth app; for an account-level OAuth app, authorise it first with pbxlink authorize (no grant is stored in %s)", broker.BucketFleet)
	}
	ac, err := zoom.NewAuthCode(zoom.AuthCodeConfig{URL: c.URL, ClientID: c.ClientID, ClientSecret: c.ClientSecret, HTTPClient: hc, Now: now})
	if err != nil {
		return nil, err
	}
	return fleet.NewGrantMinter(kv, fleet.GrantConfig{Zoom: ac, Secret: c.ClientSecret, Holder: holder, Now: now})
}

// OpenZoom is the fleet's Zoom client for a command that works beside the
// running workers on its own connection js (pbxlink reconcile): the same
// shared rate limit, token and clock as theirs, on the fleet bucket, which
// it creates only when no worker has yet (an existing bucket is left as the
// workers configured it). cfg's Zoom and Topology count; the rest is
// ignored. Call closeZoom when done: it stops the clock's measurements.
func OpenZoom(ctx context.Context, js jetstream.JetStream, cfg Config) (zc *zoom.Client, closeZoom func(), err error) {
	cfg = cfg.WithDefaults()
	kv, err := broker.OpenFleetBucket(ctx, js, cfg.Topology)
	if err != nil {
		return nil, nil, err
	}
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	closeZoom = func() { stop(); wg.Wait() }
	parts, err := newZoomClient(ctx, bg, &wg, kv, cfg.Zoom, zoomOptions{}, cfg.Logger.With("component", "zoom"))
	if err != nil {
		closeZoom()
		return nil, nil, err
	}
	return parts.client, closeZoom, nil
}
