package app

import (
	"errors"
	"log/slog"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/callrecord"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/zoom"
)

// DefaultShutdownGrace is how long events in progress may take to finish
// when Run's context ends (--shutdown-grace).
const DefaultShutdownGrace = 10 * time.Second

// Config configures an App. Zero values take the documented defaults.
type Config struct {
	// Name names the NATS connection in the server's monitoring.
	// Default "pbxlink-worker".
	Name string
	// NATS says where JetStream is, or where the embedded server keeps
	// its data.
	NATS NATSConfig
	// Zoom is the Zoom app and account.
	Zoom ZoomConfig
	// Topology of the streams, consumer and buckets, provisioned once by
	// Open.
	Topology broker.Topology
	// Worker configures the worker. Its JetStream, Zoom, Topology,
	// Provisioned, Logger and Metrics are the app's own and are ignored
	// here; Concurrency also sizes the Zoom client's idle connections.
	Worker consumer.Config
	// HTTPListen is the address of /livez, /readyz and /metrics
	// (--http-listen). Default "": none is served.
	HTTPListen string
	// ShutdownGrace is how long Run lets events in progress finish once
	// its context ends (--shutdown-grace). Default DefaultShutdownGrace.
	ShutdownGrace time.Duration
	// Calls configures call records. Default off.
	Calls CallRecordsConfig
	// Webhook configures Zoom's event notifications. Default off.
	Webhook WebhookConfig
	// Debug is the debug setting at start-up (--debug); the "debug" key of
	// the pbxlink-config bucket switches Level at run time. Level nil: no
	// switching (and no watch).
	Debug bool
	Level *slog.LevelVar
	// Logger receives the log. Default: discard.
	Logger *slog.Logger
}

// NATSConfig says where NATS is: external servers, or the embedded
// JetStream server and its data directory.
type NATSConfig struct {
	// URL of external servers, comma-separated (--nats-url). Default "":
	// the embedded server.
	URL string
	// Listen is the embedded server's client address (--nats-listen).
	// Default "127.0.0.1:4222"; port 0 picks a free one.
	Listen string
	// DataDir is the embedded server's storage, locked while open, and
	// where the SQLite call database lives by default (--data-dir).
	// Required without URL.
	DataDir string
	// Connect holds the credentials and TLS settings (--nats-creds …);
	// its URL and Name are set by the app. Its Token is also the embedded
	// server's (--nats-token).
	Connect broker.ConnectConfig
}

// ZoomConfig is the Zoom app and account the fleet's client talks to.
type ZoomConfig struct {
	// URL is Zoom's OAuth host (--zoom-url). Default zoom.DefaultURL.
	URL string
	// AccountID, ClientID and ClientSecret are the Zoom app's
	// (--zoom-account-id, --zoom-client-id, --zoom-client-secret).
	// ClientID and ClientSecret are required. With AccountID the app is a
	// Server-to-Server OAuth app; without it, an account-level OAuth app
	// whose grant pbxlink authorize stored in pbxlink-fleet. The secret
	// also seals what the fleet shares in NATS.
	AccountID, ClientID, ClientSecret string
	// Plan is the account's plan, pro or business (--zoom-plan).
	// Default "pro".
	Plan string
	// Limits overrides the plan's rate limits, e.g. "phone/Medium=5"
	// (--zoom-limits). Default none.
	Limits string
	// ExactCategories charges each call to its own rate-limit category
	// (--zoom-exact-categories).
	ExactCategories bool
	// PresenceInterval is the least time between two presence changes of
	// one user. Default Zoom's (zoom.Config).
	PresenceInterval time.Duration
	// Limiter, when set, replaces the fleet's rate limiter (the
	// benchmark's unlimited pipeline: zoom.Unlimited{}).
	Limiter zoom.Limiter
	// Minter, when set, replaces the source of new access tokens (see
	// newMinter). Default the Server-to-Server app's.
	Minter fleet.Minter
}

// CallRecordsConfig switches call records on and says where they are
// kept. The zero durations and share take callrecord's defaults.
type CallRecordsConfig struct {
	// Enabled reads Zoom's call history and keeps the rooms' calls
	// (--call-records).
	Enabled bool
	// AllExtensions publishes every extension's calls
	// (--call-all-extensions).
	AllExtensions bool
	// DB is the call database (--call-db): "" for SQLite in DataDir.
	DB string
	// Retention, Interval, Overlap, StaleAfter and DailyShare are
	// --call-retention, --call-interval, --call-overlap,
	// --call-stale-after and --call-daily-share.
	Retention, Interval, Overlap, StaleAfter time.Duration
	DailyShare                               float64
	// LeaseTTL is the poller's lease (callrecord.PollerConfig); it also
	// sets how often the poller looks whether a read is due (a third of
	// it). Default callrecord.DefaultLeaseTTL. The demo shortens it.
	LeaseTTL time.Duration
}

// WebhookConfig serves Zoom's event notifications.
type WebhookConfig struct {
	// Listen is the address of POST /zoom/webhook (--webhook-listen).
	// Default "": none.
	Listen string
	// Secret is the app's webhook secret token (--zoom-webhook-secret).
	// Required with Listen.
	Secret string
}

// WithDefaults returns a copy of c with every unset field at its default.
func (c Config) WithDefaults() Config {
	if c.Name == "" {
		c.Name = "pbxlink-worker"
	}
	if c.NATS.URL == "" && c.NATS.Listen == "" {
		c.NATS.Listen = "127.0.0.1:4222"
	}
	if c.Zoom.URL == "" {
		c.Zoom.URL = zoom.DefaultURL
	}
	if c.Zoom.Plan == "" {
		c.Zoom.Plan = string(zoom.PlanPro)
	}
	if c.ShutdownGrace == 0 {
		c.ShutdownGrace = DefaultShutdownGrace
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports every setting that cannot work, each as a *FlagError
// naming its flag. Call it on WithDefaults' result (Open does both).
func (c Config) Validate() error {
	var errs []error
	if c.NATS.URL == "" && c.NATS.DataDir == "" {
		errs = append(errs, flagErr("data-dir", "required for the embedded server"))
	}
	// The account id may be empty: the OAuth app's stored grant stands in
	// for it (newMinter says so when there is none).
	for _, req := range []struct{ flag, v string }{
		{"zoom-client-id", c.Zoom.ClientID}, {"zoom-client-secret", c.Zoom.ClientSecret},
	} {
		if req.v == "" && (c.Zoom.Minter == nil || req.flag == "zoom-client-secret") {
			errs = append(errs, flagErr(req.flag, "required: the Zoom app's credentials"))
		}
	}
	if _, err := zoom.ParsePlan(c.Zoom.Plan); err != nil {
		errs = append(errs, flagErr("zoom-plan", "%v", err))
	}
	if _, err := zoom.ParseLimits(c.Zoom.Limits); err != nil {
		errs = append(errs, flagErr("zoom-limits", "%v", err))
	}
	if c.ShutdownGrace < 0 {
		errs = append(errs, flagErr("shutdown-grace", "%v: must be positive", c.ShutdownGrace))
	}
	if c.Calls.Enabled {
		if _, _, err := callrecord.Target(c.Calls.DB, c.NATS.DataDir); err != nil {
			errs = append(errs, flagErr("call-db", "%v", err))
		}
	}
	if c.Webhook.Listen != "" && c.Webhook.Secret == "" {
		errs = append(errs, flagErr("zoom-webhook-secret", "required with --webhook-listen: the secret token of the Zoom app's event subscription"))
	}
	return errors.Join(errs...)
}
