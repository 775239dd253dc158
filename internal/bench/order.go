package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// The order section: what per-extension order costs under load, at Zoom's
// real limits, with three replicas and the default ack wait.
const (
	// orderRooms × orderPerRoom check-ins (distinct guests) wait as a
	// backlog before three replicas start: every event changes the user
	// and the desk phone once, so any extra write is a duplicate.
	orderRooms   = 150
	orderPerRoom = 3
	// waveRooms occupied rooms with a desk phone check out at once in the
	// morning wave.
	waveRooms   = 300
	orderFleet  = 3
	waveTarget  = 0.95
	writeTarget = 1.00
)

// OrderResult is the order section's figures.
type OrderResult struct {
	// Backlog: Changes is what the events need (user and desk phone per
	// event); Writes is what reached Zoom; Duplicates the difference.
	BacklogEvents int     `json:"backlog_events"`
	Changes       int     `json:"changes"`
	Writes        int     `json:"writes"`
	Duplicates    int     `json:"duplicates"`
	WritesPer     float64 `json:"writes_per_change"`
	BacklogDrain  Seconds `json:"backlog_drain_s"`
	// Wave: the time from the first check-out's publication until every
	// room shows no guest, against the least Zoom's limits allow.
	WaveRooms   int     `json:"wave_rooms"`
	WaveTime    Seconds `json:"wave_s"`
	WaveMinimum Seconds `json:"wave_minimum_s"`
	WaveRatio   float64 `json:"wave_ratio"`
	RateLimited int     `json:"rate_limited"`
	DeadLetters uint64  `json:"dead_letters"`
}

func (b *bencher) order(ctx context.Context) error {
	r := &OrderResult{}
	b.report.Order = r
	if err := b.orderBacklog(ctx, r); err != nil {
		return fmt.Errorf("backlog: %w", err)
	}
	if err := b.orderWave(ctx, r); err != nil {
		return fmt.Errorf("check-out wave: %w", err)
	}
	b.row(SectionOrder, fmt.Sprintf("writes per change, %d-replica backlog (%d events)", orderFleet, r.BacklogEvents),
		fmt.Sprintf("%.2f (%d duplicates)", r.WritesPer, r.Duplicates), fmt.Sprintf("%.2f", writeTarget), verdict(r.Duplicates == 0 && r.Writes == r.Changes))
	b.row(SectionOrder, fmt.Sprintf("morning check-out wave, %d rooms with desk phones, %s", r.WaveRooms, b.cfg.Plan),
		fmt.Sprintf("%.3f (%.1f s, least %.1f s)", r.WaveRatio, r.WaveTime, r.WaveMinimum), fmt.Sprintf("≥ %.2f", waveTarget), verdict(r.WaveRatio >= waveTarget))
	b.row(SectionOrder, "429s and dead letters in the order section", fmt.Sprintf("%d, %d", r.RateLimited, r.DeadLetters), "0, 0",
		verdict(r.RateLimited == 0 && r.DeadLetters == 0))
	return nil
}

// orderBacklog drains a backlog of several check-ins per room with three
// replicas at the plan's real limits and counts the writes that reached
// Zoom.
func (b *bencher) orderBacklog(ctx context.Context, r *OrderResult) error {
	b.progress("order: %d replicas draining %d rooms × %d check-ins with desk phones, %s plan", orderFleet, orderRooms, orderPerRoom, b.cfg.Plan)
	e, err := newEnv(ctx, b.cfg, rooms{count: orderRooms, phones: 1}, false)
	if err != nil {
		return err
	}
	defer e.close()
	var last uint64
	for g := range orderPerRoom {
		for i := range orderRooms {
			if last, err = e.checkIn(ctx, i, g*orderRooms+i); err != nil {
				return err
			}
		}
	}
	e.sim.ResetJournal()
	e.sim.ResetStats()
	start := time.Now()
	if err := e.startReplicas(ctx, orderFleet, false); err != nil {
		return err
	}
	phone := medium(b.cfg.Plan, zoom.FamilyPhone)
	expect := time.Duration(float64(orderRooms*orderPerRoom)/float64(phone)) * time.Second
	if _, err := e.drained(ctx, last, 200*time.Millisecond, 3*expect+2*time.Minute); err != nil {
		return err
	}
	r.BacklogDrain = secs(time.Since(start))
	e.stopReplicas()
	r.BacklogEvents = orderRooms * orderPerRoom
	r.Changes = 2 * r.BacklogEvents
	for _, c := range e.apiCalls() {
		if isChange(c) && c.Status/100 == 2 {
			r.Writes++
		}
	}
	r.Duplicates = r.Writes - r.Changes
	r.WritesPer = float64(r.Writes) / float64(r.Changes)
	st := e.sim.Stats()
	r.RateLimited += st.Family(zoom.FamilyMain).RateLimited + st.Family(zoom.FamilyPhone).RateLimited
	r.DeadLetters += e.deadLetters(ctx)
	return nil
}

// orderWave checks every room in, lets the fleet settle, then publishes
// waveRooms check-outs at once and measures until every room shows the
// extension alone on the user and the desk phone.
func (b *bencher) orderWave(ctx context.Context, r *OrderResult) error {
	b.progress("order: %d replicas, a morning wave of %d check-outs with desk phones, %s plan", orderFleet, waveRooms, b.cfg.Plan)
	e, err := newEnv(ctx, b.cfg, rooms{count: waveRooms, phones: 1}, false)
	if err != nil {
		return err
	}
	defer e.close()
	var last uint64
	for i := range waveRooms {
		if last, err = e.checkIn(ctx, i, i); err != nil {
			return err
		}
	}
	if err := e.startReplicas(ctx, orderFleet, false); err != nil {
		return err
	}
	main, phone := medium(b.cfg.Plan, zoom.FamilyMain), medium(b.cfg.Plan, zoom.FamilyPhone)
	if _, err := e.drained(ctx, last, 200*time.Millisecond, 4*time.Duration(waveRooms/phone+1)*time.Second+2*time.Minute); err != nil {
		return err
	}
	e.sim.ResetJournal()
	e.sim.ResetStats()
	start := time.Now()
	for i := range waveRooms {
		if last, err = seqOf(e.prod.CheckOut(ctx, extension(i), schemas.CheckOut{})); err != nil {
			return err
		}
	}
	done, err := e.drained(ctx, last, 50*time.Millisecond, 4*time.Duration(waveRooms/phone+1)*time.Second+2*time.Minute)
	if err != nil {
		return err
	}
	r.WaveRooms = waveRooms
	r.WaveTime = secs(done.Sub(start))
	// The least time Zoom's limits allow: each family's calls at its
	// Medium rate (a check-out renames the user and turns presence off on
	// the main API, renames the desk phone on the Phone API).
	var mainCalls, phoneCalls int
	for _, c := range e.apiCalls() {
		if !isChange(c) {
			continue
		}
		if c.Bucket.Family == zoom.FamilyPhone {
			phoneCalls++
		} else {
			mainCalls++
		}
	}
	least := max(float64(mainCalls)/float64(main), float64(phoneCalls)/float64(phone))
	r.WaveMinimum = Seconds(least)
	r.WaveRatio = least / float64(r.WaveTime)
	for i := range waveRooms {
		u, ok := e.sim.UserByExtension(int64(firstExtension + i))
		if !ok || u.DisplayName != extension(i) {
			return fmt.Errorf("room %s shows %q after the wave", extension(i), u.DisplayName)
		}
	}
	st := e.sim.Stats()
	r.RateLimited += st.Family(zoom.FamilyMain).RateLimited + st.Family(zoom.FamilyPhone).RateLimited
	r.DeadLetters += e.deadLetters(ctx)
	return nil
}
