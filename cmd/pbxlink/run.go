package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/dirlock"
	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/internal/setting"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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
	return flagNamed(runWorker(ctx, s, log, level), runFields, setting.Prefix(envPrefix))
}

// natsStack is a NATS connection and, when no external server is set, the
// embedded server behind it.
type natsStack struct {
	srv  *server.Server
	nc   *nats.Conn
	js   jetstream.JetStream
	lock *dirlock.Lock // the embedded server's data directory
}

// openNATS connects to the configured servers, or starts the embedded one.
func openNATS(s natsSettings, name string, log *slog.Logger) (*natsStack, error) {
	var st natsStack
	if err := s.resolveSecrets(); err != nil {
		return nil, err
	}
	url := s.URL
	if url == "" {
		dir, err := filepath.Abs(s.DataDir)
		if err != nil {
			return nil, problem("data-dir", "%v", err)
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, problem("data-dir", "%v", err)
		}
		if st.lock, err = dirlock.Acquire(dir); err != nil {
			return nil, problem("data-dir", "%v", err)
		}
		st.srv, err = broker.StartEmbedded(broker.EmbeddedConfig{Listen: s.Listen, StoreDir: dir, Logger: log, Token: s.Token})
		if err != nil {
			st.close()
			return nil, problem("nats-listen", "%v", err)
		}
		url = st.srv.ClientURL()
		log.Info("embedded NATS JetStream server", "url", url, "data_dir", dir)
	}
	cc := s.connectConfig(url, name)
	cc.Disconnected = func(err error) {
		if err != nil { // nil: we closed it
			log.Warn("NATS disconnected", "err", err)
		}
	}
	cc.Reconnected = func(url string) { log.Info("NATS reconnected", "url", url) }
	cc.Error = func(err error) { log.Warn("NATS", "err", err) }
	nc, err := broker.Connect(cc)
	if err != nil {
		st.close()
		return nil, err
	}
	if broker.PlainCredentials(nc, cc) {
		log.Warn(plainWarning, "url", nc.ConnectedUrlRedacted())
	}
	st.nc = nc
	st.js, err = jetstream.New(nc)
	if err != nil {
		st.close()
		return nil, err
	}
	return &st, nil
}

func (st *natsStack) close() {
	if st.nc != nil {
		_ = st.nc.Drain()
		for st.nc.IsDraining() {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if st.srv != nil {
		st.srv.Shutdown()
		st.srv.WaitForShutdown()
	}
	_ = st.lock.Release()
}

// runWorker runs one replica until ctx ends.
func runWorker(ctx context.Context, s runSettings, log *slog.Logger, level *slog.LevelVar) error {
	st, err := openNATS(s.NATS, "pbxlink-worker", log)
	if err != nil {
		return err
	}
	defer st.close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := consumer.NewMetrics(reg)
	topology := broker.Topology{Replicas: s.NATSReplicas, History: s.EventRetention, DeadLetterRetention: s.DLQRetention}
	startup := &startupTokens{log: log}
	zc, err := fleetZoomClient(ctx, st.js, s, topology, log.With("component", "zoom"), metrics.ObserveZoomCall, nil, reg, startup)
	if err != nil {
		return err
	}
	w, err := consumer.New(consumer.Config{
		JetStream: st.js, Zoom: zc, Topology: topology,
		Target: consumer.Target(s.Target), NameTemplate: s.Template, Department: consumer.Department(s.Department),
		MessageManagement: s.Messages, Retries: s.Retries, RetryInterval: s.RetryInterval,
		CacheRefresh: s.CacheRefresh, Concurrency: s.Concurrency,
		Logger: log, Metrics: metrics,
		Location: s.Location, Secret: s.ClientSecret, SyncSchedule: mustSchedule(s.SyncSchedule),
		Reconcile: s.Reconcile.schedule(s.Plan, s.ZoomLimits),
	})
	if err != nil {
		return err
	}

	lis, err := net.Listen("tcp", s.HTTPListen)
	if err != nil {
		return problem("http-listen", "%v", err)
	}
	hs := &http.Server{Handler: healthMux(w, reg), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(lis) }()
	defer hs.Close()

	if err := w.Start(ctx); err != nil {
		var se *zoom.ScopeError
		if errors.As(err, &se) {
			return fmt.Errorf("the Zoom app lacks required scopes: %v (add them in the Zoom App Marketplace)", se.Missing)
		}
		return err
	}
	startup.running.Store(true)
	if s.Calls.Enabled && !w.Grants().Enabled[zoom.FeatureCallRecords] {
		log.Warn("call records off: the Zoom app lacks the scope to read the call history", "scopes", zoom.FeatureScopes[zoom.FeatureCallRecords])
		s.Calls.Enabled = false
	}
	stopCalls, err := startCallRecords(ctx, st.js, s, zc, w.Directory(), reg, log)
	if err != nil {
		return err
	}
	defer stopCalls()
	stopWebhook, err := startWebhook(ctx, st.js, s, w, log)
	if err != nil {
		return err
	}
	defer stopWebhook()
	go watchDebug(ctx, st.js, s.Debug, level, log)
	log.Info("pbxlink worker running", "http", lis.Addr().String(), "zoom_plan", s.Plan, "target", s.Target)
	<-ctx.Done()
	log.Info("stopping: finishing events in progress", "grace", s.ShutdownGrace)
	stop, cancel := context.WithTimeout(context.Background(), s.ShutdownGrace)
	defer cancel()
	err = w.Stop(stop)
	log.Info("stopped")
	return err
}

// fleetZoomClient is a Zoom client whose rate limit and access token are
// shared, through the fleet bucket, with every replica: the fleet stays
// under the account's limit however many replicas run, and one token serves
// them all. A non-nil limiter replaces the fleet's (the benchmark's
// unlimited pipeline). Both run on the fleet's clock (fleet.Clock: the NATS
// server's time), so that a replica's skewed clock cannot crowd Zoom's
// window; its offset is the pbxlink_clock_skew_seconds gauge in reg, if
// set, and an offset beyond 250 ms is logged once as a warning. A non-nil
// startup reports failed token requests while the worker starts.
func fleetZoomClient(ctx context.Context, js jetstream.JetStream, s runSettings, t broker.Topology, log *slog.Logger, onCall func(zoom.Call), limiter zoom.Limiter, reg prometheus.Registerer, startup *startupTokens) (*zoom.Client, error) {
	var kv jetstream.KeyValue
	err := broker.Retry(ctx, time.Minute, nil, func() (err error) {
		kv, err = js.CreateOrUpdateKeyValue(ctx, broker.FleetBucketConfig(t))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("NATS bucket %s: %w", broker.BucketFleet, err)
	}
	plan, _ := zoom.ParsePlan(s.Plan)
	limits, _ := zoom.ParseLimits(s.ZoomLimits)
	minter := zoom.NewS2S(zoom.S2SConfig{URL: s.ZoomURL, AccountID: s.AccountID, ClientID: s.ClientID,
		ClientSecret: s.ClientSecret, HTTPClient: zoom.PacketLogging(nil, log, s.ClientSecret)})
	holder := fleet.ReplicaID()
	clock := fleet.NewClock(kv, fleet.ClockConfig{Holder: holder, OnSkew: func(d time.Duration) {
		log.Warn("this host's clock is off from the NATS server's; the fleet corrects for it, but check the host's time sync",
			"offset_seconds", d.Seconds(), "warn_above_seconds", 0.25)
	}})
	if err := clock.Sync(ctx); err != nil {
		log.Warn("fleet clock: not measured yet; using this host's clock", "err", err)
	}
	go clock.Run(ctx, func(err error) { log.Debug("fleet clock", "err", err) })
	if reg != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "pbxlink_clock_skew_seconds",
			Help: "The NATS server's clock minus this host's, measured from key-value timestamps; the fleet corrects for it. Alert above 0.25 either way.",
		}, func() float64 { d, _ := clock.Offset(); return d.Seconds() }))
	}
	tokens, err := fleet.NewTokenSource(kv, minter, fleet.TokenConfig{Secret: s.ClientSecret, Holder: holder, Now: clock.Now})
	if err != nil {
		return nil, err
	}
	var ts zoom.TokenSource = tokens
	if startup != nil {
		startup.TokenSource, ts = tokens, startup
	}
	if limiter == nil {
		limiter = fleet.NewLimiter(kv, zoom.LimiterConfig{Plan: plan, Limits: limits, Now: clock.Now})
	}
	return zoom.New(zoom.Config{
		URL: s.ZoomURL, AccountID: s.AccountID, ClientID: s.ClientID, ClientSecret: s.ClientSecret,
		Plan: plan, ExactCategories: s.ExactCategories,
		Limiter:     limiter,
		TokenSource: ts,
		Logger:      log, OnCall: onCall,
		// Every runner keeps its connection to Zoom: no TLS handshake per call.
		MaxIdleConnsPerHost: max(32, s.Concurrency),
	})
}

// healthMux serves /livez, /readyz and /metrics.
func healthMux(w *consumer.Worker, reg *prometheus.Registry) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", func(rw http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(rw, "ok")
	})
	mux.HandleFunc("GET /readyz", func(rw http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := w.Ready(ctx); err != nil {
			http.Error(rw, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(rw, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return mux
}

// mustSchedule parses a schedule that validate already accepted.
func mustSchedule(s string) consumer.Schedule {
	sched, err := consumer.ParseSchedule(s)
	if err != nil {
		panic(err) // validate refuses it first
	}
	return sched
}
