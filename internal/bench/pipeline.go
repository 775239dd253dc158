package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/schemas"
)

// PipelineResult is what pbxlink itself costs per event, against an
// unlimited simulator without latency and a client without a limiter,
// beside nats bench on the same server.
type PipelineResult struct {
	Events int `json:"events"`
	// EventBytes is the size of one event's body, the message size given
	// to nats bench.
	EventBytes int `json:"event_bytes"`
	// Publish is the producer's rate, one synchronous publish after the
	// other (as `nats bench js pub sync` with one client).
	Publish float64 `json:"publish_per_s"`
	// Throughput is events per second through one replica, from consuming
	// the backlog to the last acknowledgement, one Zoom call each.
	Throughput float64 `json:"throughput_per_s"`
	Drain      Seconds `json:"drain_s"`
	// CPUPerEvent is this process's CPU time during the drain per event, in
	// milliseconds: the replica, the embedded NATS server and the simulator
	// together (0 where unknown).
	CPUPerEvent float64 `json:"cpu_per_event_ms"`
	// NATSInPerEvent and NATSOutPerEvent are the messages the NATS server
	// received and sent during the drain, per event (requests, replies,
	// deliveries, acks).
	NATSInPerEvent  float64 `json:"nats_in_msgs_per_event"`
	NATSOutPerEvent float64 `json:"nats_out_msgs_per_event"`
	// Latency is from the producer's publish call to the Zoom call's
	// arrival at the simulator, for events published one at a time at
	// LatencyRate.
	Latency LatencyResult `json:"latency"`
	// NATS is nats bench's figures, nil when skipped.
	NATS     *NATSBench `json:"nats_bench,omitempty"`
	NATSSkip string     `json:"nats_bench_skipped,omitempty"`
	// PublishOf is Publish ÷ nats bench's publish rate; ConsumeOf is
	// Throughput ÷ its consume rate.
	PublishOf  float64 `json:"publish_ratio,omitempty"`
	ConsumeOf  float64 `json:"throughput_ratio,omitempty"`
	DeadLetter uint64  `json:"dead_lettered"`
}

// LatencyResult are latency percentiles in milliseconds.
type LatencyResult struct {
	Events int     `json:"events"`
	Rate   float64 `json:"rate_per_s"`
	P50    float64 `json:"p50_ms"`
	P99    float64 `json:"p99_ms"`
	Max    float64 `json:"max_ms"`
}

func (b *bencher) pipeline(ctx context.Context) error {
	n := b.cfg.PipelineEvents
	b.progress("pipeline: one replica draining %d check-ins, simulator and client unlimited", n)
	e, err := newEnv(ctx, b.cfg, rooms{count: n}, true)
	if err != nil {
		return err
	}
	defer e.close()
	r := &PipelineResult{Events: n}
	b.report.Pipeline = r

	start := time.Now()
	var last uint64
	for i := range n {
		res, err := e.prod.CheckIn(ctx, extension(i), schemas.CheckIn{Guest: guest(i)})
		if err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		last = res.Ack.Sequence
		if i == 0 {
			body, _ := schemas.Marshal(res.Event)
			r.EventBytes = len(body)
		}
	}
	r.Publish = float64(n) / time.Since(start).Seconds()

	if err := e.startReplicas(ctx, 1, true); err != nil {
		return err
	}
	v0, _ := e.srv.Varz(nil)
	cpu0 := processCPU()
	start = time.Now()
	done, err := e.drained(ctx, last, 10*time.Millisecond, 10*time.Minute)
	if err != nil {
		return err
	}
	cpu1 := processCPU()
	v1, _ := e.srv.Varz(nil)
	r.Drain = secs(done.Sub(start))
	r.Throughput = float64(n) / done.Sub(start).Seconds()
	if cpu0 >= 0 && cpu1 >= cpu0 {
		r.CPUPerEvent = float64((cpu1 - cpu0).Microseconds()) / 1000 / float64(n)
	}
	if v0 != nil && v1 != nil {
		r.NATSInPerEvent = float64(v1.InMsgs-v0.InMsgs) / float64(n)
		r.NATSOutPerEvent = float64(v1.OutMsgs-v0.OutMsgs) / float64(n)
	}

	b.progress("pipeline: latency of %d check-ins published at %.0f/s", b.cfg.LatencyEvents, b.cfg.LatencyRate)
	if r.Latency, err = b.latency(ctx, e, n); err != nil {
		return err
	}
	r.DeadLetter = e.deadLetters(ctx)
	e.stopReplicas()

	if b.cfg.NATSCLI == "" {
		r.NATSSkip = b.cfg.SkipNATS
	} else {
		msgs := max(4*n, 1000)
		b.progress("pipeline: nats bench js pub sync and js consume, %d messages of %d bytes, same server", msgs, r.EventBytes)
		r.NATS, err = natsBench(ctx, b.cfg.NATSCLI, e.url, e.dir, msgs, r.EventBytes)
		if err != nil {
			r.NATS, r.NATSSkip = nil, err.Error()
		}
	}
	b.pipelineRows(r)
	return nil
}

// latency publishes LatencyEvents check-ins (new guests on the first rooms)
// at LatencyRate and measures each from its publish to its Zoom call.
func (b *bencher) latency(ctx context.Context, e *env, guests int) (LatencyResult, error) {
	count := min(b.cfg.LatencyEvents, b.cfg.PipelineEvents)
	res := LatencyResult{Events: count, Rate: b.cfg.LatencyRate}
	room := map[string]int{} // user id → room
	for i := range count {
		u, ok := e.sim.UserByExtension(int64(firstExtension + i))
		if !ok {
			return res, fmt.Errorf("no user with extension %s", extension(i))
		}
		room["/v2/users/"+u.ID] = i
	}
	e.sim.ResetJournal()
	published := make([]time.Time, count)
	tick := time.NewTicker(time.Duration(float64(time.Second) / b.cfg.LatencyRate))
	defer tick.Stop()
	var last uint64
	for i := range count {
		<-tick.C
		published[i] = time.Now()
		seq, err := e.checkIn(ctx, i, guests+i)
		if err != nil {
			return res, fmt.Errorf("publish: %w", err)
		}
		last = seq
	}
	if _, err := e.drained(ctx, last, 10*time.Millisecond, 2*time.Minute); err != nil {
		return res, err
	}
	var lat []float64
	for _, c := range e.apiCalls() {
		i, ok := room[c.Path]
		if !ok || c.Method != "PATCH" {
			continue
		}
		lat = append(lat, float64(c.Time.Sub(published[i]).Microseconds())/1000)
	}
	if len(lat) != count {
		return res, fmt.Errorf("latency: %d Zoom calls for %d events", len(lat), count)
	}
	slices.Sort(lat)
	res.P50, res.P99, res.Max = quantile(lat, 0.5), quantile(lat, 0.99), lat[len(lat)-1]
	return res, nil
}

func (b *bencher) pipelineRows(r *PipelineResult) {
	if r.NATS == nil {
		b.row(SectionPipeline, "pipeline: publish (producer, sync)", fmt.Sprintf("%s/s", thousands(r.Publish)), "-", Info)
		b.row(SectionPipeline, "pipeline: end to end, 1 replica", fmt.Sprintf("%s events/s", thousands(r.Throughput)), "-", Info)
		b.row(SectionPipeline, "pipeline: nats bench", "skipped: "+r.NATSSkip, "-", Skipped)
	} else {
		r.PublishOf = r.Publish / r.NATS.Publish
		r.ConsumeOf = r.Throughput / r.NATS.Consume
		b.row(SectionPipeline, "pipeline: publish ÷ nats bench js pub sync",
			fmt.Sprintf("%s/s ÷ %s/s = %.2f", thousands(r.Publish), thousands(r.NATS.Publish), r.PublishOf), "-", Info)
		b.row(SectionPipeline, "pipeline: 1 replica end to end ÷ nats bench js consume",
			fmt.Sprintf("%s/s ÷ %s/s = %.3f", thousands(r.Throughput), thousands(r.NATS.Consume), r.ConsumeOf), "-", Info)
	}
	if r.CPUPerEvent > 0 {
		b.row(SectionPipeline, "pipeline: CPU per event (replica + NATS + simulator)",
			fmt.Sprintf("%.2f ms; NATS messages %.1f in, %.1f out", r.CPUPerEvent, r.NATSInPerEvent, r.NATSOutPerEvent), "-", Info)
	}
	lat := fmt.Sprintf("%s / %s ms", ms(r.Latency.P50), ms(r.Latency.P99))
	if r.NATS != nil {
		lat += fmt.Sprintf(" (nats bench js pub sync %s / %s ms)", ms(r.NATS.PublishP50), ms(r.NATS.PublishP99))
	}
	b.row(SectionPipeline, "pipeline: latency publish → Zoom call, p50 / p99", lat, "-", Info)
	if r.DeadLetter > 0 {
		b.row(SectionPipeline, "pipeline: dead-lettered", fmt.Sprint(r.DeadLetter), "0", Missed)
	}
}

// thousands formats a rate without decimals, with thin separators.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var out strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out.WriteByte(',')
		}
		out.WriteRune(c)
	}
	return out.String()
}

// ms formats milliseconds with two significant decimals under 10.
func ms(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.0f", v)
}
