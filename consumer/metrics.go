package consumer

import (
	"strconv"

	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of an event, the "outcome" label of pbxlink_events_total.
const (
	OutcomeApplied   = "applied"   // Zoom shows what the event asked for
	OutcomeStale     = "stale"     // a replayed dead letter older than what the extension shows: skipped
	OutcomeDuplicate = "duplicate" // already finished (a redelivery)
	OutcomeRetry     = "retry"     // failed, handed back to try again later
	OutcomeDeferred  = "deferred"  // rate limited, handed back until Zoom's time
	OutcomeDead      = "dead"      // dead-lettered
)

// Metrics are the worker's Prometheus metrics. Names follow Prometheus
// conventions: base units, _total on counters, no per-room labels. Make them
// before the Zoom client, so that its OnCall hook can count calls.
type Metrics struct {
	events      *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	deadLetters *prometheus.CounterVec
	zoomCalls   *prometheus.CounterVec
	zoom429     *prometheus.CounterVec
	backlog     prometheus.Gauge
	directory   prometheus.Gauge
	// lastSync and syncFailures tell the directory's loads from Zoom.
	lastSync     prometheus.Gauge
	syncFailures prometheus.Counter
	reconcile    *reconcileMetrics // reconcile_metrics.go
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered anywhere).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pbxlink_events_total", Help: "Events handled, by type and outcome.",
		}, []string{"type", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pbxlink_event_processing_seconds",
			Help:    "Time from an event's publication to its outcome, by event type.",
			Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900},
		}, []string{"type"}),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pbxlink_dead_letters_total", Help: "Events dead-lettered, by reason class.",
		}, []string{"reason"}),
		zoomCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pbxlink_zoom_calls_total", Help: "Zoom API calls, by operation and HTTP status (0: no answer).",
		}, []string{"operation", "status"}),
		zoom429: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pbxlink_zoom_rate_limited_total", Help: "Zoom answers 429, by operation.",
		}, []string{"operation"}),
		backlog: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "pbxlink_consumer_backlog", Help: "Events not yet delivered plus delivered but not yet finished.",
		}),
		directory: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "pbxlink_directory_extensions", Help: "Extensions in the directory.",
		}),
		lastSync: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "pbxlink_directory_last_sync_timestamp_seconds", Help: "When this replica last loaded the directory from Zoom (Unix time).",
		}),
		syncFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pbxlink_directory_sync_failures_total", Help: "Directory loads from Zoom that failed.",
		}),
		reconcile: newReconcileMetrics(),
	}
	// Every series an operator alerts on exists from start-up, at zero.
	for _, t := range schemas.Types() {
		for _, o := range []string{OutcomeApplied, OutcomeStale, OutcomeDuplicate, OutcomeRetry, OutcomeDeferred, OutcomeDead} {
			m.events.WithLabelValues(string(t), o)
		}
	}
	for _, r := range reasonClasses {
		m.deadLetters.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.events, m.latency, m.deadLetters, m.zoomCalls, m.zoom429, m.backlog, m.directory, m.lastSync, m.syncFailures)
		reg.MustRegister(m.reconcile.collectors()...)
	}
	return m
}

// ObserveZoomCall counts one Zoom call; give it to zoom.Config.OnCall.
func (m *Metrics) ObserveZoomCall(c zoom.Call) {
	m.zoomCalls.WithLabelValues(c.Op.ID, strconv.Itoa(c.Status)).Inc()
	if c.Status == 429 {
		m.zoom429.WithLabelValues(c.Op.ID).Inc()
	}
}
