package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/callrecord"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// App is one worker replica and everything around it.
type App struct {
	cfg     Config
	log     *slog.Logger
	nats    *natsConn
	prov    *broker.Provisioned
	reg     *prometheus.Registry
	zoom    *zoomParts
	startup *startupTokens
	worker  *consumer.Worker
	lis     net.Listener // the health address, bound by Open

	// bg ends what runs beside the worker (the fleet clock, the debug
	// watch, a de-authorization's second pass); wg counts it.
	bg     context.Context
	stopBg context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex // guards the fields below
	started  bool
	stopped  bool
	health   *http.Server
	calls    *callRecords
	webhook  *webhookServer
	closed   bool
	stopErr  error
	stopDone chan struct{}
}

// Open checks cfg, connects to NATS (or starts the embedded server),
// provisions the streams, the consumer and the buckets once, and builds
// the metrics registry, the fleet's Zoom client and the worker, without
// starting it. It binds the health address, so that an address in use is
// refused here. Close what it returns.
func Open(ctx context.Context, cfg Config) (_ *App, err error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: cfg.Logger, reg: prometheus.NewRegistry(), stopDone: make(chan struct{})}
	a.bg, a.stopBg = context.WithCancel(context.WithoutCancel(ctx))
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if a.nats, err = openNATS(cfg.NATS, cfg.Name, a.log); err != nil {
		return nil, err
	}
	err = broker.Retry(ctx, time.Minute, nil, func() (err error) {
		a.prov, err = broker.Provision(ctx, a.nats.js, cfg.Topology)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("NATS: provision the streams and buckets: %w", err)
	}
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := consumer.NewMetrics(a.reg)
	a.startup = &startupTokens{log: a.log}
	a.zoom, err = newZoomClient(ctx, a.bg, &a.wg, a.prov.Fleet, cfg.Zoom, zoomOptions{
		concurrency: cfg.Worker.Concurrency, onCall: metrics.ObserveZoomCall, reg: a.reg,
		wrap: func(ts zoom.TokenSource) zoom.TokenSource { a.startup.TokenSource = ts; return a.startup },
	}, a.log.With("component", "zoom"))
	if err != nil {
		return nil, err
	}
	wc := cfg.Worker
	wc.JetStream, wc.Zoom, wc.Topology, wc.Provisioned = a.nats.js, a.zoom.client, cfg.Topology, a.prov
	wc.Logger, wc.Metrics = a.log, metrics
	if a.worker, err = consumer.New(wc); err != nil {
		return nil, err
	}
	if cfg.HTTPListen != "" {
		if a.lis, err = net.Listen("tcp", cfg.HTTPListen); err != nil {
			return nil, flagErr("http-listen", "%v", err)
		}
	}
	return a, nil
}

// Start serves the health address, starts the worker (which checks Zoom's
// scopes and loads the directory), then call records, Zoom's webhook and
// the debug switch, as configured. It returns once the worker consumes.
// After a failed Start, Close.
func (a *App) Start(ctx context.Context) error {
	a.mu.Lock()
	if a.started || a.closed {
		a.mu.Unlock()
		return errors.New("app: already started")
	}
	a.started = true
	if a.lis != nil {
		a.health = &http.Server{Handler: healthMux(a.worker, a.reg), ReadHeaderTimeout: 5 * time.Second}
		hs, lis := a.health, a.lis
		a.wg.Go(func() { _ = hs.Serve(lis) })
	}
	a.mu.Unlock()

	if err := a.worker.Start(ctx); err != nil {
		var se *zoom.ScopeError
		if errors.As(err, &se) {
			return fmt.Errorf("the Zoom app lacks required scopes: %v (add them in the Zoom App Marketplace): %w", se.Missing, err)
		}
		return err
	}
	a.startup.running.Store(true)
	if a.cfg.Calls.Enabled && !a.worker.Grants().Enabled[zoom.FeatureCallRecords] {
		a.log.Warn("call records off: the Zoom app lacks the scope to read the call history", "scopes", zoom.FeatureCallRecords.Scopes())
	} else if a.cfg.Calls.Enabled {
		calls, err := a.startCallRecords(a.bg, a.worker.Rooms())
		if err != nil {
			return err
		}
		a.mu.Lock()
		a.calls = calls
		a.mu.Unlock()
	}
	if a.cfg.Webhook.Listen != "" {
		ws, err := a.startWebhook(a.bg)
		if err != nil {
			return err
		}
		a.mu.Lock()
		a.webhook = ws
		a.mu.Unlock()
	}
	if a.cfg.Level != nil {
		a.wg.Go(func() { watchDebug(a.bg, a.nats.js, a.cfg.Debug, a.cfg.Level, a.log) })
	}
	attrs := []any{"zoom_plan", a.cfg.Zoom.Plan, "target", consumer.Config{Target: a.cfg.Worker.Target}.WithDefaults().Target}
	if a.lis != nil {
		attrs = append([]any{"http", a.lis.Addr().String()}, attrs...)
	}
	a.log.Info("pbxlink worker running", attrs...)
	return nil
}

// Stop stops the worker: events in progress may finish until ctx ends
// (soft stop), then they are cancelled and handed back (hard stop) and
// Stop returns ctx's error. Then it stops the webhook, call records, the
// debug watch and the health server, and waits for every goroutine the
// app started. Later calls wait for the first and return its result.
func (a *App) Stop(ctx context.Context) error {
	a.mu.Lock()
	if a.stopped {
		a.mu.Unlock()
		<-a.stopDone
		return a.stopErr
	}
	a.stopped = true
	a.mu.Unlock()
	var err error
	if a.worker != nil {
		err = a.worker.Stop(ctx)
	}
	a.mu.Lock()
	ws, calls, hs := a.webhook, a.calls, a.health
	a.mu.Unlock()
	if ws != nil {
		ws.close()
	}
	if calls != nil {
		calls.close()
	}
	a.stopBg()
	if hs != nil {
		_ = hs.Close()
	} else if a.lis != nil {
		_ = a.lis.Close()
	}
	a.wg.Wait()
	a.stopErr = err
	close(a.stopDone)
	return err
}

// Run starts the app and runs it until ctx ends, then stops it, giving
// events in progress the shutdown grace to finish.
func (a *App) Run(ctx context.Context) error {
	if err := a.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	a.log.Info("stopping: finishing events in progress", "grace", a.cfg.ShutdownGrace)
	stop, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	err := a.Stop(stop)
	a.log.Info("stopped")
	return err
}

// Close stops the app if it still runs (with the shutdown grace), then
// drains and closes the NATS connection, shuts the embedded server down
// and releases the data directory. It is safe to call more than once.
func (a *App) Close() {
	stop, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	_ = a.Stop(stop)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	a.closed = true
	if a.nats != nil {
		a.nats.close()
	}
}

// Conn is the app's NATS connection.
func (a *App) Conn() *nats.Conn { return a.nats.nc }

// JetStream is the app's JetStream context.
func (a *App) JetStream() jetstream.JetStream { return a.nats.js }

// Provisioned are the streams, the consumer and the buckets Open made.
func (a *App) Provisioned() *broker.Provisioned { return a.prov }

// Worker is the app's worker.
func (a *App) Worker() *consumer.Worker { return a.worker }

// Zoom is the fleet's Zoom client.
func (a *App) Zoom() *zoom.Client { return a.zoom.client }

// Registry holds the app's metrics.
func (a *App) Registry() *prometheus.Registry { return a.reg }

// HTTPAddr is the health address bound, "" when none is served.
func (a *App) HTTPAddr() string {
	if a.lis == nil {
		return ""
	}
	return a.lis.Addr().String()
}

// DataDir is the data directory, absolute ("" when none was set).
func (a *App) DataDir() string { return a.nats.dir }

// CallStore is the call database while call records run, else nil.
func (a *App) CallStore() callrecord.Store {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.calls == nil {
		return nil
	}
	return a.calls.store
}

// WebhookAddr is the webhook address bound, "" when none is served.
func (a *App) WebhookAddr() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.webhook == nil {
		return ""
	}
	return a.webhook.addr
}
