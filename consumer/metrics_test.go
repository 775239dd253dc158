package consumer

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestMetricsPresentAtZero: an alert on dead letters or on one event type
// must have a series to read before the first event.
func TestMetricsPresentAtZero(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	NewMetrics(reg)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]int{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if m.GetCounter().GetValue() != 0 {
				t.Errorf("%s %v = %v at start-up", f.GetName(), m.GetLabel(), m.GetCounter().GetValue())
			}
			series[f.GetName()]++
		}
	}
	if n := series["pbxlink_events_total"]; n != 6*6 {
		t.Errorf("%d pbxlink_events_total series at start-up, want every type × outcome (36)", n)
	}
	if n := series["pbxlink_dead_letters_total"]; n != len(reasonClasses) {
		t.Errorf("%d pbxlink_dead_letters_total series, want %d", n, len(reasonClasses))
	}
}
