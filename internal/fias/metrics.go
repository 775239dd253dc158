package fias

import "github.com/prometheus/client_golang/prometheus"

// Metrics are a link's Prometheus metrics, labelled by link name.
type Metrics struct {
	LinkUp    *prometheus.GaugeVec
	LeaseHeld *prometheus.GaugeVec
	Records   *prometheus.CounterVec
	BadBytes  *prometheus.CounterVec
	Postings  *prometheus.CounterVec
	Connects  *prometheus.CounterVec
}

// NewMetrics registers the metrics with reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		LinkUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "pbxlink_fias_link_up",
			Help: "1 while this replica's FIAS link to the PMS is alive (LS/LD/LR/LA done), else 0."}, []string{"link"}),
		LeaseHeld: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "pbxlink_fias_lease_held",
			Help: "1 while this replica holds the FIAS link's lease (it is the one that connects), else 0."}, []string{"link"}),
		Records: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pbxlink_fias_records_total",
			Help: "FIAS records received from the PMS, by record id and outcome (applied, resent, early, ignored, bad)."}, []string{"link", "record", "outcome"}),
		BadBytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pbxlink_fias_skipped_bytes_total",
			Help: "Bytes received outside a STX…ETX frame, or in a frame cut short, and skipped."}, []string{"link"}),
		Postings: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pbxlink_fias_postings_total",
			Help: "Call charges posted to the PMS (PS), by the PMS's answer status."}, []string{"link", "status"}),
		Connects: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pbxlink_fias_connects_total",
			Help: "TCP connections attempted to the PMS interface, by result (ok, failed)."}, []string{"link", "result"}),
	}
	if reg != nil {
		reg.MustRegister(m.LinkUp, m.LeaseHeld, m.Records, m.BadBytes, m.Postings, m.Connects)
	}
	return m
}
