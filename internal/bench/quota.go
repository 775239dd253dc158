package bench

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// QuotaResult is one replica count draining the backlog.
type QuotaResult struct {
	Replicas int `json:"replicas"`
	Events   int `json:"events"`
	// Changes is the Zoom changes the backlog needs; Applied is the ones
	// the simulator accepted.
	Changes      int    `json:"changes"`
	Applied      int    `json:"applied"`
	DeadLettered uint64 `json:"dead_lettered"`
	// Drain is from the first change to the last.
	Drain Seconds `json:"drain_s"`
	// StartUp is from starting the replicas until all consumed.
	StartUp  Seconds       `json:"start_up_s"`
	Families []FamilyQuota `json:"families"`
	// Bottleneck is the family with the most changes for its limit; its
	// ratio is the quota use.
	Bottleneck zoom.Family `json:"bottleneck"`
	RateRatio  float64     `json:"rate_ratio"`
	// BusiestRatio is the highest busiest-window ratio of any family.
	BusiestRatio float64 `json:"busiest_ratio"`
	RateLimited  int     `json:"rate_limited"`
}

// FamilyQuota is one API family's share of a drain.
type FamilyQuota struct {
	Family zoom.Family `json:"family"`
	// Limit is the plan's Medium limit, requests per second: what pbxlink
	// budgets every call at.
	Limit int `json:"limit"`
	// Calls is the family's calls from its first change to its last.
	Calls int     `json:"calls"`
	Span  Seconds `json:"span_s"`
	// Rate is (Calls-1)/Span, calls per second; RateRatio is Rate/Limit.
	Rate      float64 `json:"rate"`
	RateRatio float64 `json:"rate_ratio"`
	// Busiest is the most requests that reached the simulator within any
	// one-second window of the whole run, start-up included.
	Busiest      int     `json:"busiest"`
	BusiestRatio float64 `json:"busiest_ratio"`
	RateLimited  int     `json:"rate_limited"`
	// Gaps between consecutive calls during the drain, in milliseconds
	// (the pacing interval is 1000/(0.98·Limit)).
	GapP50 float64 `json:"gap_p50_ms"`
	GapP99 float64 `json:"gap_p99_ms"`
	GapMax float64 `json:"gap_max_ms"`
}

func (b *bencher) quota(ctx context.Context) error {
	for _, n := range b.cfg.Replicas {
		q, err := b.quotaRun(ctx, n)
		if err != nil {
			return fmt.Errorf("%d replicas: %w", n, err)
		}
		b.report.Quota = append(b.report.Quota, *q)
		b.quotaRows(q)
	}
	return nil
}

func (b *bencher) quotaRun(ctx context.Context, n int) (*QuotaResult, error) {
	phones := b.cfg.PhonesPerRoom
	b.progress("quota: %d replica(s) draining %d check-ins (%d desk phone(s) per room, %v Zoom latency) on the %s plan",
		n, b.cfg.Events, phones, b.cfg.ZoomLatency, b.cfg.Plan)
	e, err := newEnv(ctx, b.cfg, rooms{count: b.cfg.Events, phones: phones, latency: b.cfg.ZoomLatency}, false)
	if err != nil {
		return nil, err
	}
	defer e.close()
	var last uint64
	for i := range b.cfg.Events {
		if last, err = e.checkIn(ctx, i, i); err != nil {
			return nil, fmt.Errorf("publish: %w", err)
		}
	}
	e.sim.ResetStats()
	e.sim.ResetJournal()

	// How long the drain should take at the limit, to bound the wait.
	main, phone := medium(b.cfg.Plan, zoom.FamilyMain), medium(b.cfg.Plan, zoom.FamilyPhone)
	expect := time.Duration(max(float64(b.cfg.Events)/float64(main), float64(b.cfg.Events*phones)/float64(phone)) * float64(time.Second))
	start := time.Now()
	if err := e.startReplicas(ctx, n, false); err != nil {
		return nil, err
	}
	started := time.Since(start)
	if _, err := e.drained(ctx, last, 200*time.Millisecond, 3*expect+2*time.Minute); err != nil {
		return nil, err
	}
	e.stopReplicas()

	q := &QuotaResult{Replicas: n, Events: b.cfg.Events, Changes: b.cfg.Events * (1 + phones),
		DeadLettered: e.deadLetters(ctx), StartUp: secs(started)}
	calls := e.apiCalls()
	stats := e.sim.Stats()
	var first, lastChange time.Time
	for _, c := range calls {
		if isChange(c) && c.Status/100 == 2 {
			q.Applied++
		}
		if isChange(c) {
			if first.IsZero() || c.Time.Before(first) {
				first = c.Time
			}
			if c.Time.After(lastChange) {
				lastChange = c.Time
			}
		}
	}
	q.Drain = secs(lastChange.Sub(first))
	best := -1.0
	for _, f := range []zoom.Family{zoom.FamilyMain, zoom.FamilyPhone} {
		fq := familyQuota(f, medium(b.cfg.Plan, f), calls, stats.Family(f))
		q.Families = append(q.Families, fq)
		q.RateLimited += fq.RateLimited
		q.BusiestRatio = max(q.BusiestRatio, fq.BusiestRatio)
		if fq.Calls > 1 && float64(fq.Calls)/float64(fq.Limit) > best {
			best = float64(fq.Calls) / float64(fq.Limit)
			q.Bottleneck, q.RateRatio = f, fq.RateRatio
		}
	}
	return q, nil
}

// medium is the plan's Medium limit of a family, per second.
func medium(p zoom.Plan, f zoom.Family) int {
	l, _ := zoom.Limits(p, zoom.Bucket{Family: f, Category: zoom.Medium})
	return l.Count
}

// isChange reports whether a call changes Zoom (PATCH, PUT, POST, DELETE).
func isChange(c zoomsim.Entry) bool { return c.Method != "GET" }

// familyQuota measures one family's calls between its first and its last
// change.
func familyQuota(f zoom.Family, limit int, calls []zoomsim.Entry, st zoomsim.Counters) FamilyQuota {
	fq := FamilyQuota{Family: f, Limit: limit, Busiest: st.MaxPerSecond, RateLimited: st.RateLimited}
	fq.BusiestRatio = float64(fq.Busiest) / float64(limit)
	var first, last time.Time
	for _, c := range calls {
		if c.Bucket.Family == f && isChange(c) {
			if first.IsZero() {
				first = c.Time
			}
			last = c.Time
		}
	}
	var times []time.Time
	for _, c := range calls {
		if c.Bucket.Family == f && !c.Time.Before(first) && !c.Time.After(last) {
			times = append(times, c.Time)
		}
	}
	fq.Calls = len(times)
	if len(times) < 2 {
		return fq
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	span := times[len(times)-1].Sub(times[0])
	fq.Span = secs(span)
	fq.Rate = float64(len(times)-1) / span.Seconds()
	fq.RateRatio = fq.Rate / float64(limit)
	gaps := make([]float64, 0, len(times)-1)
	for i := 1; i < len(times); i++ {
		gaps = append(gaps, float64(times[i].Sub(times[i-1]).Microseconds())/1000)
	}
	slices.Sort(gaps)
	fq.GapP50, fq.GapP99, fq.GapMax = quantile(gaps, 0.50), quantile(gaps, 0.99), gaps[len(gaps)-1]
	return fq
}

// quantile of sorted values (nearest rank).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func (b *bencher) quotaRows(q *QuotaResult) {
	who := fmt.Sprintf("quota, %d replica", q.Replicas)
	if q.Replicas > 1 {
		who += "s"
	}
	var bottleneck FamilyQuota
	for _, f := range q.Families {
		if f.Family == q.Bottleneck {
			bottleneck = f
		}
	}
	b.row(SectionQuota, fmt.Sprintf("%s: %s calls/s ÷ limit (%d/s)", who, q.Bottleneck, bottleneck.Limit),
		fmt.Sprintf("%.3f (%.2f/s over %.1f s)", q.RateRatio, bottleneck.Rate, float64(bottleneck.Span)), "≥ 0.97", verdict(q.RateRatio >= 0.97))
	busiest := bottleneck
	for _, f := range q.Families {
		if f.BusiestRatio > busiest.BusiestRatio {
			busiest = f
		}
	}
	b.row(SectionQuota, fmt.Sprintf("%s: busiest 1-s window ÷ limit", who),
		fmt.Sprintf("%.2f (%s: %d in 1 s)", q.BusiestRatio, busiest.Family, busiest.Busiest), "≤ 1.00", verdict(q.BusiestRatio <= 1.0))
	b.row(SectionQuota, fmt.Sprintf("%s: 429 answers", who), fmt.Sprint(q.RateLimited), "0", verdict(q.RateLimited == 0))
	if q.Applied != q.Changes || q.DeadLettered > 0 {
		b.row(SectionQuota, fmt.Sprintf("%s: changes applied", who),
			fmt.Sprintf("%d of %d, %d dead-lettered", q.Applied, q.Changes, q.DeadLettered), fmt.Sprintf("%d, 0 dead", q.Changes), Missed)
	}
}
