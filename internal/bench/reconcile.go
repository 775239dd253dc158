package bench

import (
	"context"
	"fmt"
	"github.com/pbxlink/pbxlink/internal/app"
	"time"

	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// The reconciler's cost: a hotel of reconcileRooms rooms, each a Zoom user
// with one desk phone, reconcileOccupied of them occupied and the rest
// checked out, with message management on (a vacant room's voicemail is
// listed). The run is a dry run without pacing, to count the calls; the
// time at the reconciler's share of the rate limit follows from them.
const (
	reconcileRooms    = 1000
	reconcileOccupied = 700
)

// ReconcileResult is what verifying every room costs.
type ReconcileResult struct {
	Rooms    int `json:"rooms"`
	Occupied int `json:"occupied"`
	// Calls by API family; every one is charged at Medium.
	CallsMain  int `json:"calls_main"`
	CallsPhone int `json:"calls_phone"`
	// Unpaced is the run's wall time against an unlimited simulator.
	Unpaced Seconds `json:"unpaced_s"`
	// Share is the share of the Medium rate the reconciler paces itself
	// to; Paced is the run's time at that pace (the slower family's).
	Share float64 `json:"share"`
	Paced Seconds `json:"paced_s"`
	// HourShare is the run's calls as a share of an hour's Medium quota
	// of the busier family: what an hourly run takes from the account.
	HourShare float64 `json:"hour_share"`
	// Differing counts the rooms the run found differing (0: it verified
	// the worker's work without false alarms).
	Differing int `json:"differing"`
}

func (b *bencher) reconcile(ctx context.Context) error {
	b.progress("reconcile: %d rooms with a desk phone, %d occupied, the rest checked out", reconcileRooms, reconcileOccupied)
	e, err := newEnv(ctx, b.cfg, rooms{count: reconcileRooms, phones: 1}, true)
	if err != nil {
		return err
	}
	defer e.close()
	if err := e.startReplicas(ctx, 1, true); err != nil {
		return err
	}
	var last uint64
	for i := range reconcileRooms {
		if last, err = e.checkIn(ctx, i, 0); err != nil {
			return err
		}
		if i >= reconcileOccupied {
			if last, err = seqOf(e.prod.CheckOut(ctx, extension(i), schemas.CheckOut{})); err != nil {
				return err
			}
		}
	}
	if _, err := e.drained(ctx, last, 20*time.Millisecond, 5*time.Minute); err != nil {
		return err
	}
	e.stopReplicas()
	zc, closeZoom, err := app.OpenZoom(ctx, e.js, app.Config{Zoom: e.zoomConfig(true), Logger: b.cfg.Log})
	if err != nil {
		return err
	}
	defer closeZoom()
	r, err := consumer.NewReconciler(consumer.ReconcileConfig{JetStream: e.js, Zoom: zc, MessageManagement: true})
	if err != nil {
		return err
	}
	b.progress("reconcile: a dry run over every room")
	start := time.Now()
	rep, err := r.Run(ctx, consumer.ReconcileOptions{DryRun: true})
	if err != nil {
		return err
	}
	res := ReconcileResult{Rooms: len(rep.Rooms), Occupied: reconcileOccupied, CallsMain: rep.Calls[zoom.FamilyMain],
		CallsPhone: rep.Calls[zoom.FamilyPhone], Unpaced: secs(time.Since(start)), Share: consumer.DefaultReconcileShare,
		Differing: len(rep.Rooms) - rep.Count(consumer.ActionOK)}
	rates, err := consumer.ReconcileRates(zoom.LimiterConfig{Plan: b.cfg.Plan}, res.Share)
	if err != nil {
		return err
	}
	var paced float64
	for f, n := range rep.Calls {
		paced = max(paced, float64(n)/rates[f])
		res.HourShare = max(res.HourShare, float64(n)/(float64(medium(b.cfg.Plan, f))*3600))
	}
	res.Paced = Seconds(paced)
	b.report.Reconcile = &res
	b.reconcileRows(res)
	return nil
}

func (b *bencher) reconcileRows(r ReconcileResult) {
	what := fmt.Sprintf("reconcile: verify %d rooms (%d occupied)", r.Rooms, r.Occupied)
	b.row(SectionReconcile, what+", Zoom calls",
		fmt.Sprintf("%d (main %d, phone %d)", r.CallsMain+r.CallsPhone, r.CallsMain, r.CallsPhone),
		"lists + per vacant room a voicemail list", Info)
	b.row(SectionReconcile, what+", unpaced", fmt.Sprintf("%.1f s", float64(r.Unpaced)), "-", Info)
	b.row(SectionReconcile, what+fmt.Sprintf(", at %.0f%% of Medium", r.Share*100),
		fmt.Sprintf("%.0f s", float64(r.Paced)), "< 3600 s (the hourly interval)", verdict(r.Paced < 3600))
	b.row(SectionReconcile, "reconcile: share of the hour's Medium quota", fmt.Sprintf("%.2f%%", r.HourShare*100),
		fmt.Sprintf("<= %.0f%%", r.Share*100), verdict(r.HourShare <= r.Share))
	b.row(SectionReconcile, "reconcile: rooms found differing after the worker's own changes", fmt.Sprint(r.Differing), "0",
		verdict(r.Differing == 0))
}
