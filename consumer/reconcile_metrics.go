package consumer

import "github.com/prometheus/client_golang/prometheus"

// reconcileMetrics count what the reconciler finds and repairs.
type reconcileMetrics struct {
	rooms       prometheus.Counter
	differences *prometheus.CounterVec
	repairs     prometheus.Counter
	lastRun     prometheus.Gauge
	duration    prometheus.Gauge
}

func newReconcileMetrics() *reconcileMetrics {
	m := &reconcileMetrics{
		rooms: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pbxlink_reconcile_rooms_checked_total", Help: "Rooms the reconciler compared with their state.",
		}),
		differences: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pbxlink_reconcile_differences_total", Help: "Room fields Zoom showed otherwise than the state says, by field.",
		}, []string{"field"}),
		repairs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pbxlink_reconcile_repairs_total", Help: "Corrective events the reconciler published.",
		}),
		lastRun: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "pbxlink_reconcile_last_run_timestamp_seconds", Help: "When the last reconciliation run finished (Unix time).",
		}),
		duration: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "pbxlink_reconcile_duration_seconds", Help: "How long the last reconciliation run took.",
		}),
	}
	for _, f := range reconcileFields {
		m.differences.WithLabelValues(f)
	}
	return m
}

func (m *reconcileMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.rooms, m.differences, m.repairs, m.lastRun, m.duration}
}
