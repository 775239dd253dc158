// Package bench measures pbxlink on the machine it runs on: how close the
// fleet comes to Zoom's account-wide rate limit, how many Zoom calls each
// event costs, what the pipeline costs beside NATS itself, how long a large
// directory takes to load, and what an idle replica holding it uses. Every
// measurement runs against an embedded JetStream server and the Zoom
// simulator (zoom/zoomsim); `pbxlink bench` prints the result as a table
// with the targets beside the figures.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// Sections of a run, in the order they run.
const (
	SectionQuota     = "quota"
	SectionCalls     = "calls"
	SectionPipeline  = "pipeline"
	SectionStartup   = "startup"
	SectionFootprint = "footprint"
	SectionReconcile = "reconcile"
	SectionOrder     = "order"
)

// Sections lists every section.
var Sections = []string{SectionQuota, SectionCalls, SectionPipeline, SectionStartup, SectionFootprint, SectionReconcile, SectionOrder, SectionCallRecords}

// Config configures a run. Zero values take the defaults of WithDefaults.
type Config struct {
	// Sections to run. Default: all of Sections.
	Sections []string
	// Plan is the simulated account's plan. Default zoom.PlanPro.
	Plan zoom.Plan

	// Events is the backlog of check-ins drained by each replica count.
	// Default 2000.
	Events int
	// Replicas are the replica counts of the quota measurement.
	// Default 1, 2 and 3.
	Replicas []int
	// PhonesPerRoom is the desk phones of each room in the quota
	// measurement. Default 0: a check-in costs one main-API call, so the
	// drain is quick; with phones the Phone API's lower limit paces it.
	PhonesPerRoom int
	// ZoomLatency is added by the simulator to every call of the quota
	// measurement (Zoom answers in 100-300 ms). Default 0.
	ZoomLatency time.Duration

	// PipelineEvents is the backlog one unlimited replica drains in the
	// pipeline measurement. Default 5000.
	PipelineEvents int
	// LatencyEvents are published at LatencyRate, one at a time, to measure
	// the latency from publish to the Zoom call. Default PipelineEvents/10,
	// at least 20.
	LatencyEvents int
	// LatencyRate is events per second of the latency measurement.
	// Default 100.
	LatencyRate float64
	// NATSCLI is the nats command (natscli v0.5.1) for the nats bench
	// comparison; empty skips it with SkipNATS as the reason.
	NATSCLI  string
	SkipNATS string

	// Extensions is the directory size of the start-up and footprint
	// measurements. Default 10000.
	Extensions int
	// Binary is the pbxlink executable of the footprint measurement; empty
	// skips it with SkipFootprint as the reason.
	Binary        string
	SkipFootprint string
	// Idle is the footprint's idle window after start-up. Default 10 s.
	Idle time.Duration

	// Log receives the workers' and the servers' logs. Default: discard.
	Log *slog.Logger
	// Progress receives one line as each step begins. Default: discard.
	Progress io.Writer
}

// WithDefaults returns a copy of c with every unset field at its default.
func (c Config) WithDefaults() Config {
	if len(c.Sections) == 0 {
		c.Sections = Sections
	}
	if c.Plan == "" {
		c.Plan = zoom.PlanPro
	}
	if c.Events == 0 {
		c.Events = 2000
	}
	if len(c.Replicas) == 0 {
		c.Replicas = []int{1, 2, 3}
	}
	if c.PipelineEvents == 0 {
		c.PipelineEvents = 5000
	}
	if c.LatencyEvents == 0 {
		c.LatencyEvents = max(c.PipelineEvents/10, 20)
	}
	if c.LatencyRate == 0 {
		c.LatencyRate = 100
	}
	if c.Extensions == 0 {
		c.Extensions = 10000
	}
	if c.Idle == 0 {
		c.Idle = 10 * time.Second
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	return c
}

// Validate reports every setting that cannot work (after WithDefaults).
func (c Config) Validate() error {
	var errs []error
	for _, s := range c.Sections {
		if !contains(Sections, s) {
			errs = append(errs, fmt.Errorf("bench: unknown section %q (want %v)", s, Sections))
		}
	}
	if _, err := zoom.ParsePlan(string(c.Plan)); err != nil {
		errs = append(errs, fmt.Errorf("bench: Config.Plan: %w", err))
	}
	if c.Events < 1 || c.PipelineEvents < 1 || c.LatencyEvents < 1 || c.Extensions < 1 {
		errs = append(errs, errors.New("bench: Events, PipelineEvents, LatencyEvents and Extensions must be at least 1"))
	}
	if c.Events > maxRooms || c.PipelineEvents > maxRooms || c.Extensions > maxRooms {
		errs = append(errs, fmt.Errorf("bench: at most %d events or extensions (one room each)", maxRooms))
	}
	for _, n := range c.Replicas {
		if n < 1 || n > 16 {
			errs = append(errs, fmt.Errorf("bench: %d replicas: want 1 to 16", n))
		}
	}
	if c.PhonesPerRoom < 0 || c.PhonesPerRoom > 10 {
		errs = append(errs, fmt.Errorf("bench: %d phones per room: want 0 to 10", c.PhonesPerRoom))
	}
	if c.LatencyRate <= 0 {
		errs = append(errs, errors.New("bench: LatencyRate must be positive"))
	}
	if c.ZoomLatency < 0 || c.ZoomLatency > 10*time.Second {
		errs = append(errs, errors.New("bench: ZoomLatency: want 0 to 10 s"))
	}
	if c.Idle < 0 {
		errs = append(errs, errors.New("bench: Idle must not be negative"))
	}
	return errors.Join(errs...)
}

// maxRooms is the simulator's largest seed.
const maxRooms = 100000

// Report is the result of a run: the figures of each section that ran and
// the table rows that compare them with their targets.
type Report struct {
	Machine     Machine            `json:"machine"`
	Settings    Settings           `json:"settings"`
	Quota       []QuotaResult      `json:"quota,omitempty"`
	Calls       []CallsResult      `json:"calls_per_event,omitempty"`
	Pipeline    *PipelineResult    `json:"pipeline,omitempty"`
	Startup     *StartupResult     `json:"startup,omitempty"`
	Footprint   *FootprintResult   `json:"footprint,omitempty"`
	Reconcile   *ReconcileResult   `json:"reconcile,omitempty"`
	Order       *OrderResult       `json:"order,omitempty"`
	CallRecords *CallRecordsResult `json:"call_records,omitempty"`
	Rows        []Row              `json:"rows"`
	// Missed counts the rows whose target was missed.
	Missed int `json:"missed"`
	// Duration is the whole run's wall time.
	Duration Seconds `json:"duration_s"`
}

// Settings are the sizes a run used.
type Settings struct {
	Plan           zoom.Plan `json:"plan"`
	Sections       []string  `json:"sections"`
	Events         int       `json:"events"`
	Replicas       []int     `json:"replicas"`
	PhonesPerRoom  int       `json:"phones_per_room"`
	ZoomLatency    Seconds   `json:"zoom_latency_s"`
	PipelineEvents int       `json:"pipeline_events"`
	LatencyEvents  int       `json:"latency_events"`
	LatencyRate    float64   `json:"latency_rate"`
	Extensions     int       `json:"extensions"`
	Idle           Seconds   `json:"idle_s"`
}

// Verdicts of a row.
const (
	OK      = "OK"
	Missed  = "MISSED"
	Info    = "-"
	Skipped = "skipped"
)

// Row is one line of the table.
type Row struct {
	Section string `json:"section"`
	Name    string `json:"name"`
	Figure  string `json:"figure"`
	Target  string `json:"target"`
	Verdict string `json:"verdict"`
}

// Seconds is a duration written in seconds.
type Seconds float64

func secs(d time.Duration) Seconds { return Seconds(d.Seconds()) }

// Run runs the configured sections, one after the other, each on a fresh
// embedded JetStream server and simulator. A section that cannot run is
// an error; a target missed is only a row marked MISSED.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	r := &Report{Machine: machine(), Settings: Settings{
		Plan: cfg.Plan, Sections: cfg.Sections, Events: cfg.Events, Replicas: cfg.Replicas, PhonesPerRoom: cfg.PhonesPerRoom,
		ZoomLatency: secs(cfg.ZoomLatency), PipelineEvents: cfg.PipelineEvents, LatencyEvents: cfg.LatencyEvents, LatencyRate: cfg.LatencyRate,
		Extensions: cfg.Extensions, Idle: secs(cfg.Idle),
	}}
	b := &bencher{cfg: cfg, report: r}
	steps := map[string]func(context.Context) error{
		SectionQuota: b.quota, SectionCalls: b.calls, SectionPipeline: b.pipeline,
		SectionStartup: b.startup, SectionFootprint: b.footprint, SectionReconcile: b.reconcile, SectionOrder: b.order,
		SectionCallRecords: b.callRecords,
	}
	for _, s := range Sections {
		if !contains(cfg.Sections, s) {
			continue
		}
		if err := steps[s](ctx); err != nil {
			return r, fmt.Errorf("%s: %w", s, err)
		}
	}
	r.Machine.LoadAfter = loadAverage()
	for _, row := range r.Rows {
		if row.Verdict == Missed {
			r.Missed++
		}
	}
	r.Duration = secs(time.Since(start))
	return r, nil
}

// bencher runs the sections of one Report.
type bencher struct {
	cfg    Config
	report *Report
}

func (b *bencher) progress(format string, args ...any) {
	fmt.Fprintf(b.cfg.Progress, "bench: "+format+"\n", args...)
}

func (b *bencher) row(section, name, figure, target, verdict string) {
	b.report.Rows = append(b.report.Rows, Row{Section: section, Name: name, Figure: figure, Target: target, Verdict: verdict})
}

func verdict(ok bool) string {
	if ok {
		return OK
	}
	return Missed
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
