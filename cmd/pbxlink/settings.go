package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/consumer/naming"
	"github.com/pbxlink/pbxlink/zoom"
)

// envPrefix starts every environment variable of pbxlink's settings.
const envPrefix = "PBXLINK_"

// natsSettings say where NATS is, for every command that talks to it.
type natsSettings struct {
	URL, Listen, DataDir                     string
	Creds, NKey, User, Password, Token, TLS  string
	PasswordFile, TokenFile, TLSCert, TLSKey string
}

func (s *natsSettings) flags(fs *flag.FlagSet) {
	fs.StringVar(&s.URL, "nats-url", "", "external NATS servers (comma-separated); empty runs an embedded JetStream server")
	fs.StringVar(&s.Listen, "nats-listen", "127.0.0.1:4222", "client address of the embedded server, for the nats CLI and the PMS")
	fs.StringVar(&s.DataDir, "data-dir", "./pbxlink-data", "the embedded server's storage")
	fs.StringVar(&s.Creds, "nats-creds", "", "NATS credentials file (JWT and seed)")
	fs.StringVar(&s.NKey, "nats-nkey", "", "NATS nkey seed file")
	fs.StringVar(&s.User, "nats-user", "", "NATS user")
	fs.StringVar(&s.Password, "nats-password", "", "NATS password")
	fs.StringVar(&s.Token, "nats-token", "", "NATS token")
	fs.StringVar(&s.TLS, "nats-tls-ca", "", "CA certificate file to verify the NATS server with")
	s.secretFlags(fs)
}

// runSettings are the settings of `pbxlink run`, as the contract lists them.
type runSettings struct {
	NATS                                       natsSettings
	ZoomURL, AccountID, ClientID, ClientSecret string
	ClientSecretFile, Plan, Target, Template   string
	Department                                 string
	Messages, Debug, ExactCategories           bool
	Retries, Concurrency, NATSReplicas         int
	ZoomLimits                                 string
	RetryInterval, CacheRefresh, ShutdownGrace time.Duration
	HTTPListen, LogFormat                      string
	EventRetention, DLQRetention               time.Duration
	Location                                   *time.Location
	SyncSchedule                               string
	Reconcile                                  reconcileSettings
	Calls                                      callSettings
	Webhook                                    webhookSettings
}

func (s *runSettings) flags(fs *flag.FlagSet) {
	s.NATS.flags(fs)
	fs.StringVar(&s.ZoomURL, "zoom-url", "https://zoom.us", "Zoom URL: the OAuth host; API calls go to the api_url the token names")
	fs.StringVar(&s.AccountID, "zoom-account-id", "", "Server-to-Server OAuth app: account id; empty: the account-level OAuth app authorised with pbxlink authorize")
	fs.StringVar(&s.ClientID, "zoom-client-id", "", "Server-to-Server OAuth app: client id")
	fs.StringVar(&s.ClientSecret, "zoom-client-secret", "", "Server-to-Server OAuth app: client secret")
	fs.StringVar(&s.ClientSecretFile, "zoom-client-secret-file", "", "file holding the client secret (instead of --zoom-client-secret)")
	fs.StringVar(&s.Plan, "zoom-plan", "pro", "the Zoom account's plan, which sets the rate limits: pro or business")
	fs.BoolVar(&s.ExactCategories, "zoom-exact-categories", false, "charge each call to its own Zoom rate-limit category instead of Medium")
	fs.StringVar(&s.ZoomLimits, "zoom-limits", "", "overrides of the plan's rate limits, e.g. main/Medium=10,phone/Medium=5 (requests per second): a share left to other apps, or a simulator's custom limit")
	fs.IntVar(&s.NATSReplicas, "nats-replicas", 1, "replicas of the streams and buckets: 1 on one server, 3 on a three-node cluster")
	fs.StringVar(&s.Target, "target", "auto", "Zoom objects that carry the room extensions: users, common_areas or auto")
	fs.StringVar(&s.Template, "name-template", naming.Default, "full-name template; variables: vip, first, last, title, language, reservation, extension, room_id, tenant, site")
	fs.StringVar(&s.Department, "department", "disabled", "department field: disabled, state, mailbox_description, mailbox_room_id, tenant or site")
	fs.BoolVar(&s.Messages, "message-management", false, "delete all of an extension's voicemail at check-in and check-out")
	fs.IntVar(&s.Retries, "retries", 3, "attempts to make a change in Zoom before giving up")
	fs.Var(durationVar(&s.RetryInterval, 60*time.Second, time.Second, "seconds"), "retry-interval", "wait between attempts: a duration (60s, 2m) or a number of seconds")
	fs.Var(durationVar(&s.CacheRefresh, 480*time.Minute, time.Minute, "minutes"), "cache-refresh", "interval between full refreshes of the extension directory: a duration (8h, 90m) or a number of minutes")
	fs.StringVar(&s.SyncSchedule, "sync-schedule", "", "directory syncs at set times in --timezone, once per fleet each, beside --cache-refresh: weekdays and a time, e.g. \"mon-fri 02:30, sat,sun 05:00\"")
	fs.IntVar(&s.Concurrency, "concurrency", 8, "extensions one replica works on at once")
	fs.Var(durationVar(&s.ShutdownGrace, 10*time.Second, time.Second, "seconds"), "shutdown-grace", "on SIGTERM, how long events in progress may take to finish: a duration (10s) or a number of seconds")
	fs.BoolVar(&s.Debug, "debug", false, "log every request to and response from Zoom (secrets masked); switchable at run time through the pbxlink-config bucket")
	fs.StringVar(&s.HTTPListen, "http-listen", "127.0.0.1:9090", "address of /livez, /readyz and /metrics")
	fs.StringVar(&s.LogFormat, "log-format", "auto", "text (colour, for a terminal), json, or auto")
	s.privacyFlags(fs)
	s.Reconcile.flags(fs)
	s.Calls.flags(fs)
	s.Webhook.flags(fs)
}

// problem names a setting by its variable and flag.
func problem(flagName, format string, args ...any) error {
	return fmt.Errorf("%s (--%s): %s", envPrefixed(flagName), flagName, fmt.Sprintf(format, args...))
}

func envPrefixed(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// validate checks every setting and reads the secret file; each problem is
// one line naming the setting.
func (s *runSettings) validate() error {
	var errs []error
	secretFrom := "zoom-client-secret"
	if s.ClientSecretFile != "" && s.ClientSecret != "" {
		// Never mind which one wins: two sources of one secret are a
		// mistake (an old variable left behind) that must not go unseen.
		return fmt.Errorf("%s (--%s) and %s (--%s) are both set: give the client secret one way only",
			envPrefixed("zoom-client-secret"), "zoom-client-secret", envPrefixed("zoom-client-secret-file"), "zoom-client-secret-file")
	}
	if s.ClientSecretFile != "" {
		secretFrom = "zoom-client-secret-file"
		b, err := os.ReadFile(s.ClientSecretFile)
		switch {
		case err != nil:
			errs = append(errs, problem(secretFrom, "%v", err))
		case strings.TrimSpace(string(b)) == "":
			errs = append(errs, problem(secretFrom, "%s is empty", s.ClientSecretFile))
		default:
			s.ClientSecret = strings.TrimSpace(string(b))
		}
	}
	for _, req := range []struct{ flag, v string }{
		{"zoom-client-id", s.ClientID}, {secretFrom, s.ClientSecret},
	} {
		if req.v == "" && (req.flag != "zoom-client-secret-file" || len(errs) == 0) {
			errs = append(errs, problem(req.flag, "required: the Zoom app's credentials"))
		}
	}
	if _, err := zoom.ParsePlan(s.Plan); err != nil {
		errs = append(errs, problem("zoom-plan", "%v", err))
	}
	switch consumer.Target(s.Target) {
	case consumer.TargetUsers, consumer.TargetCommonAreas, consumer.TargetAuto:
	default:
		errs = append(errs, problem("target", "%q: want users, common_areas or auto", s.Target))
	}
	if _, err := naming.Parse(s.Template); err != nil {
		errs = append(errs, problem("name-template", "%v", err))
	}
	if _, err := consumer.ParseDepartment(s.Department); err != nil {
		errs = append(errs, problem("department", "%v", err))
	}
	if s.Retries < 1 {
		errs = append(errs, problem("retries", "%d: must be at least 1", s.Retries))
	}
	if _, err := zoom.ParseLimits(s.ZoomLimits); err != nil {
		errs = append(errs, problem("zoom-limits", "%v", err))
	}
	if s.NATSReplicas < 1 || s.NATSReplicas > 5 {
		errs = append(errs, problem("nats-replicas", "%d: want 1 to 5", s.NATSReplicas))
	}
	if s.Concurrency < 1 {
		errs = append(errs, problem("concurrency", "%d: must be at least 1", s.Concurrency))
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"retry-interval", s.RetryInterval}, {"cache-refresh", s.CacheRefresh}, {"shutdown-grace", s.ShutdownGrace}} {
		if d.v <= 0 {
			errs = append(errs, problem(d.flag, "%v: must be positive", d.v))
		}
	}
	if _, err := consumer.ParseSchedule(s.SyncSchedule); err != nil {
		errs = append(errs, problem("sync-schedule", "%v", err))
	}
	errs = append(errs, s.Reconcile.validate()...)
	errs = append(errs, s.Calls.validate(s.Plan, s.NATS.DataDir)...)
	errs = append(errs, s.Webhook.validate()...)
	switch s.LogFormat {
	case "auto", "text", "json":
	default:
		errs = append(errs, problem("log-format", "%q: want text, json or auto", s.LogFormat))
	}
	if s.NATS.URL == "" && s.NATS.DataDir == "" {
		errs = append(errs, problem("data-dir", "required for the embedded server"))
	}
	return errors.Join(errs...)
}
