package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// StartupResult is one replica starting against a directory of
// Extensions rooms (one desk phone each), on the plan's limits.
type StartupResult struct {
	Extensions int `json:"extensions"`
	// Loaded is the directory's size after start-up.
	Loaded int `json:"loaded"`
	// Time is from building the replica to Start returning: token,
	// NATS topology, directory load. Load is from the first list call to
	// the last.
	Time Seconds `json:"time_s"`
	Load Seconds `json:"load_s"`
	// Calls is the API calls made, by operation.
	Calls       int            `json:"calls"`
	ByOperation map[string]int `json:"by_operation"`
	// Minimum is the pages at Zoom's largest page sizes, by operation.
	Minimum            int            `json:"minimum"`
	MinimumByOperation map[string]int `json:"minimum_by_operation"`
	// Floor is the least time those pages take at the plan's Medium limits
	// (the fleet limiter's pace: 98% of the limit).
	Floor Seconds `json:"floor_s"`
}

func (b *bencher) startup(ctx context.Context) error {
	n := b.cfg.Extensions
	b.progress("start-up: one replica loading a directory of %d extensions on the %s plan", n, b.cfg.Plan)
	e, err := newEnv(ctx, b.cfg, rooms{count: n, phones: 1}, false)
	if err != nil {
		return err
	}
	defer e.close()
	e.sim.ResetJournal()
	start := time.Now()
	if err := e.startReplicas(ctx, 1, false); err != nil {
		return err
	}
	took := time.Since(start)
	r := &StartupResult{Extensions: n, Loaded: e.replicas[0].app.Worker().Rooms().Len(), Time: secs(took),
		ByOperation: map[string]int{}, MinimumByOperation: map[string]int{}}
	b.report.Startup = r
	calls := e.apiCalls()
	perFamily := map[zoom.Family]int{}
	for i, c := range calls {
		r.Calls++
		r.ByOperation[c.OperationID]++
		perFamily[c.Bucket.Family]++
		if i == len(calls)-1 {
			r.Load = secs(c.Time.Sub(calls[0].Time))
		}
	}

	st := e.sim.State()
	var phoneUsers, assigned int
	for _, u := range st.Users {
		if u.ExtensionNumber > 0 {
			phoneUsers++
		}
	}
	for _, d := range st.Devices {
		if d.AssigneeID != "" {
			assigned++
		}
	}
	minimum := map[zoom.Operation]int{
		zoom.OpListUsers:       pages(len(st.Users), zoom.MaxPageSize(zoom.OpListUsers.ID)),
		zoom.OpListPhoneUsers:  pages(phoneUsers, zoom.MaxPageSize(zoom.OpListPhoneUsers.ID)),
		zoom.OpListDevices:     pages(assigned, zoom.MaxPageSize(zoom.OpListDevices.ID)),
		zoom.OpListCommonAreas: pages(len(st.CommonAreas), zoom.MaxPageSize(zoom.OpListCommonAreas.ID)),
	}
	floorPages := map[zoom.Family]int{}
	for op, p := range minimum {
		r.MinimumByOperation[op.ID] = p
		r.Minimum += p
		floorPages[op.Family] += p
	}
	for f, p := range floorPages {
		limit := medium(b.cfg.Plan, f)
		// The first Count calls go at once; the rest at 98% of the limit.
		t := float64(max(p-limit, 0)) / (0.98 * float64(limit))
		r.Floor = max(r.Floor, Seconds(t))
	}

	name := fmt.Sprintf("start-up, %s extensions", thousands(float64(n)))
	b.row(SectionStartup, name+": Zoom calls",
		fmt.Sprintf("%d (%d users, %d phone users, %d devices, %d common areas)", r.Calls,
			r.ByOperation[zoom.OpListUsers.ID], r.ByOperation[zoom.OpListPhoneUsers.ID],
			r.ByOperation[zoom.OpListDevices.ID], r.ByOperation[zoom.OpListCommonAreas.ID]),
		fmt.Sprintf("= %d pages", r.Minimum), verdict(r.Calls == r.Minimum))
	b.row(SectionStartup, name+": time",
		fmt.Sprintf("%s s (directory load %s s)", seconds(r.Time), seconds(r.Load)),
		fmt.Sprintf("≥ %s s at the limit", seconds(r.Floor)), Info)
	if r.Loaded != n {
		b.row(SectionStartup, name+": extensions in the directory", fmt.Sprint(r.Loaded), fmt.Sprint(n), Missed)
	}
	return nil
}

// pages is the list calls that n items take at page size size: at least
// one, which answers "none".
func pages(n, size int) int {
	return max(1, (n+size-1)/size)
}

// seconds formats a duration with a decimal, two under a second.
func seconds(s Seconds) string {
	if s < 1 {
		return fmt.Sprintf("%.2f", float64(s))
	}
	return fmt.Sprintf("%.1f", float64(s))
}
