package callrecord

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the call records' Prometheus metrics, shared by the poller
// and the sink of one process.
type Metrics struct {
	leader         prometheus.Gauge
	polls          *prometheus.CounterVec
	requestsToday  prometheus.Gauge
	dailyBudget    prometheus.Gauge
	capShareUsed   prometheus.Gauge
	published      *prometheus.CounterVec
	watermark      prometheus.Gauge
	stored         *prometheus.CounterVec
	purged         prometheus.Counter
	lastReceived   prometheus.Gauge
	stale          prometheus.Gauge
	staleAfterSecs prometheus.Gauge
}

// NewMetrics registers the metrics with reg (nil: not registered, for
// tests and tools).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		leader: prometheus.NewGauge(prometheus.GaugeOpts{Name: "pbxlink_call_records_leader",
			Help: "1 while this replica holds the lease to read Zoom's call history, else 0."}),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pbxlink_call_records_polls_total",
			Help: "Reads of Zoom's call history by outcome: ok, error, budget (stopped at the daily share), paused (due but skipped: the fleet's Zoom work is paused)."}, []string{"outcome"}),
		requestsToday: prometheus.NewGauge(prometheus.GaugeOpts{Name: "pbxlink_call_records_zoom_requests_today",
			Help: "Heavy requests (GET /phone/call_history) the fleet's poller made today (UTC day, as Zoom's daily caps)."}),
		dailyBudget: prometheus.NewGauge(prometheus.GaugeOpts{Name: "pbxlink_call_records_daily_budget",
			Help: "Heavy requests a day the poller may make: PBXLINK_CALL_DAILY_SHARE of the account's daily cap."}),
		capShareUsed: prometheus.NewGauge(prometheus.GaugeOpts{Name: "pbxlink_call_records_daily_cap_used_ratio",
			Help: "Share of the account's daily cap of Heavy Phone API calls that call records used today (0 to 1)."}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pbxlink_call_records_published_total",
			Help: "Call-history entries by outcome: published, duplicate (dropped by the stream's duplicate window), seen (already published, read again in the overlap), skipped (not a room's)."}, []string{"outcome"}),
		watermark: prometheus.NewGauge(prometheus.GaugeOpts{Name: "pbxlink_call_records_watermark_timestamp_seconds",
			Help: "Every call that ended before this time (Unix seconds) has been read from Zoom."}),
		stored: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pbxlink_call_records_stored_total",
			Help: "Call records the database sink handled, by outcome: inserted, duplicate, invalid, error."}, []string{"outcome"}),
		purged: prometheus.NewCounter(prometheus.CounterOpts{Name: "pbxlink_call_records_purged_total",
			Help: "Call records removed from the database by PBXLINK_CALL_RETENTION."}),
		lastReceived: prometheus.NewGauge(prometheus.GaugeOpts{Name: "pbxlink_call_records_last_received_timestamp_seconds",
			Help: "When the database sink last received a call record (Unix seconds); its start when none came yet."}),
		stale: prometheus.NewGauge(prometheus.GaugeOpts{Name: "pbxlink_call_records_stale",
			Help: "1 when no call record has arrived for PBXLINK_CALL_STALE_AFTER (the no-CDR alert), else 0."}),
		staleAfterSecs: prometheus.NewGauge(prometheus.GaugeOpts{Name: "pbxlink_call_records_stale_after_seconds",
			Help: "PBXLINK_CALL_STALE_AFTER in seconds."}),
	}
	for _, o := range []string{"ok", "error", "budget", "paused"} {
		m.polls.WithLabelValues(o)
	}
	for _, o := range []string{"published", "duplicate", "seen", "skipped"} {
		m.published.WithLabelValues(o)
	}
	for _, o := range []string{"inserted", "duplicate", "invalid", "error"} {
		m.stored.WithLabelValues(o)
	}
	if reg != nil {
		reg.MustRegister(m.leader, m.polls, m.requestsToday, m.dailyBudget, m.capShareUsed, m.published, m.watermark,
			m.stored, m.purged, m.lastReceived, m.stale, m.staleAfterSecs)
	}
	return m
}
