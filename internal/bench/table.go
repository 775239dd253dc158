package bench

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteText writes the report as a table: each measurement with its
// figure, its target and the verdict (OK, MISSED, "-" where there is no
// target, skipped).
func WriteText(w io.Writer, r *Report) error {
	m := r.Machine
	fmt.Fprintf(w, "pbxlink bench, %s: %d CPUs (%s), %s, %s/%s, load average %s before, %s after\n",
		m.Date, m.NumCPU, orUnknown(m.CPU), m.GoVersion, m.OS, m.Arch, loads(m.LoadBefore), loads(m.LoadAfter))
	fmt.Fprintf(w, "plan %s; quota: %d check-ins, %s replicas, %d desk phone(s) per room, %.0f ms Zoom latency; pipeline: %d events; directory: %d extensions; idle window %.0f s\n\n",
		r.Settings.Plan, r.Settings.Events, ints(r.Settings.Replicas), r.Settings.PhonesPerRoom, 1000*float64(r.Settings.ZoomLatency),
		r.Settings.PipelineEvents, r.Settings.Extensions, float64(r.Settings.Idle))
	rows := append([]Row{{Name: "MEASUREMENT", Figure: "FIGURE", Target: "TARGET", Verdict: "VERDICT"}}, r.Rows...)
	var wName, wFigure, wTarget int
	for _, row := range rows {
		wName = max(wName, utf8.RuneCountInString(row.Name))
		wFigure = max(wFigure, utf8.RuneCountInString(row.Figure))
		wTarget = max(wTarget, utf8.RuneCountInString(row.Target))
	}
	for i, row := range rows {
		if i > 1 && row.Section != rows[i-1].Section {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s  %s  %s  %s\n", pad(row.Name, wName), pad(row.Figure, wFigure), pad(row.Target, wTarget), row.Verdict)
	}
	missed := "every target met"
	if r.Missed > 0 {
		missed = fmt.Sprintf("%d target(s) MISSED", r.Missed)
	}
	_, err := fmt.Fprintf(w, "\n%s; run took %.0f s.\n", missed, float64(r.Duration))
	return err
}

func loads(l []float64) string {
	if len(l) == 0 {
		return "n/a"
	}
	s := make([]string, len(l))
	for i, v := range l {
		s[i] = fmt.Sprintf("%.2f", v)
	}
	return strings.Join(s, " ")
}

func ints(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ",")
}

func orUnknown(s string) string {
	if s == "" {
		return "CPU unknown"
	}
	return s
}

func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(width-utf8.RuneCountInString(s), 0))
}
