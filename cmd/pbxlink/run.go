package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"strings"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/app"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/setting"
)

func init() {
	register("run", "the worker: consume PMS events and update Zoom", runCmd)
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", stdout)
	var s runSettings
	s.flags(fs)
	fs.Usage = setting.Usage(fs, envPrefix, "Usage: pbxlink run [flags]\n\nThe worker: consumes PMS events from NATS JetStream and updates Zoom.")
	if err := setting.Parse(fs, envPrefix, args, nil); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := s.validate(); err != nil {
		return &setting.Error{Msg: err.Error()}
	}
	level := new(slog.LevelVar)
	if s.Debug {
		level.Set(slog.LevelDebug)
	}
	log := newLogger(stderr, s.LogFormat, level)
	return settingNamed(runWorker(ctx, s, log, level))
}

// runWorker runs one replica until ctx ends.
func runWorker(ctx context.Context, s runSettings, log *slog.Logger, level *slog.LevelVar) error {
	if err := s.NATS.resolveSecrets(); err != nil {
		return err
	}
	a, err := app.Open(ctx, s.appConfig(log, level))
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}

// appConfig is the app of these settings (validated), logging to log; the
// debug switch sets level.
func (s runSettings) appConfig(log *slog.Logger, level *slog.LevelVar) app.Config {
	return app.Config{
		NATS: app.NATSConfig{URL: s.NATS.URL, Listen: s.NATS.Listen, DataDir: s.NATS.DataDir, Connect: s.NATS.connectConfig("", "")},
		Zoom: app.ZoomConfig{URL: s.ZoomURL, AccountID: s.AccountID, ClientID: s.ClientID, ClientSecret: s.ClientSecret,
			Plan: s.Plan, Limits: s.ZoomLimits, ExactCategories: s.ExactCategories},
		Topology: broker.Topology{Replicas: s.NATSReplicas, History: s.EventRetention, DeadLetterRetention: s.DLQRetention},
		Worker: consumer.Config{
			Target: consumer.Target(s.Target), NameTemplate: s.Template, Department: consumer.Department(s.Department),
			MessageManagement: s.Messages, Retries: s.Retries, RetryInterval: s.RetryInterval,
			CacheRefresh: s.CacheRefresh, Concurrency: s.Concurrency,
			Location: s.Location, Secret: s.ClientSecret, SyncSchedule: mustSchedule(s.SyncSchedule),
			Reconcile: s.Reconcile.schedule(s.Plan, s.ZoomLimits),
		},
		HTTPListen: s.HTTPListen, ShutdownGrace: s.ShutdownGrace,
		Calls: app.CallRecordsConfig{Enabled: s.Calls.Enabled, AllExtensions: s.Calls.AllExtensions, DB: s.Calls.DB,
			Retention: s.Calls.Retention, Interval: s.Calls.Interval, Overlap: s.Calls.Overlap,
			StaleAfter: s.Calls.Stale, DailyShare: s.Calls.DailyShare},
		Webhook: app.WebhookConfig{Listen: s.Webhook.Listen, Secret: s.Webhook.Secret},
		Debug:   s.Debug, Level: level, Logger: log,
	}
}

// appFlag finds the app's "--flag: " naming of a setting in a line.
var appFlag = regexp.MustCompile(`(^|: )--([a-z][a-z0-9-]*): `)

// settingNamed names each setting in err by its variable and flag, as
// problem does: the app's "--flag: …" (*app.FlagError) and the libraries'
// Config fields (flagNamed). errors.Is and errors.As still see err.
func settingNamed(err error) error {
	var fe *app.FlagError
	if errors.As(err, &fe) {
		lines := strings.Split(err.Error(), "\n")
		for i, line := range lines {
			lines[i] = appFlag.ReplaceAllStringFunc(line, func(m string) string {
				sub := appFlag.FindStringSubmatch(m)
				return sub[1] + envPrefixed(sub[2]) + " (--" + sub[2] + "): "
			})
		}
		err = &renamedError{msg: strings.Join(lines, "\n"), errs: []error{err}}
	}
	return flagNamed(err, runFields, setting.Prefix(envPrefix))
}

// mustSchedule parses a schedule that validate already accepted.
func mustSchedule(s string) consumer.Schedule {
	sched, err := consumer.ParseSchedule(s)
	if err != nil {
		panic(err) // validate refuses it first
	}
	return sched
}
