package zoomsim_test

import (
	"slices"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

func TestFaultErrorRate(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Unlimited: true})
	u, _ := e.sim.UserByExtension(1201)
	if err := e.sim.SetFaults(zoomsim.Faults{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		r := e.call("PATCH", "/users/"+u.ID, map[string]string{"first_name": "Never"})
		if r.status != 500 && r.status != 503 {
			t.Fatalf("status %d, want 500 or 503", r.status)
		}
		if z := r.zerr(t); z.Code != r.status || z.Message == "" {
			t.Fatalf("body %s", r.body)
		}
	}
	if got, _ := e.sim.User(u.ID); got.FirstName == "Never" {
		t.Fatal("a failed call was applied")
	}
	if st := e.sim.Stats().Bucket(mainLight); st.ServerErrors != 10 {
		t.Fatalf("stats %+v", st)
	}
	j := e.sim.Journal()
	if last := j[len(j)-1]; last.Fault != "error" {
		t.Fatalf("journal fault %q", last.Fault)
	}

	if err := e.sim.SetFaults(zoomsim.Faults{AppliedErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	if r := e.call("PATCH", "/users/"+u.ID, map[string]string{"first_name": "Applied"}); r.status < 500 {
		t.Fatalf("status %d", r.status)
	}
	if got, _ := e.sim.User(u.ID); got.FirstName != "Applied" {
		t.Fatal("an applied_error call was not applied")
	}
	if err := e.sim.SetFaults(zoomsim.Faults{}); err != nil {
		t.Fatal(err)
	}
	want204(t, e.call("PATCH", "/users/"+u.ID, map[string]string{"first_name": "Back"}))
	if err := e.sim.SetFaults(zoomsim.Faults{ErrorRate: 0.7, AppliedErrorRate: 0.7}); err == nil {
		t.Fatal("rates above 1 accepted")
	}
}

func TestFaultsAreSeeded(t *testing.T) {
	run := func() []int {
		e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Unlimited: true, RandSeed: 42, Faults: zoomsim.Faults{ErrorRate: 0.5}})
		var out []int
		for range 30 {
			out = append(out, e.call("GET", "/users", nil).status)
		}
		return out
	}
	a, b := run(), run()
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	if !slices.Contains(a, 200) || (!slices.Contains(a, 500) && !slices.Contains(a, 503)) {
		t.Fatalf("error rate 0.5 gave %v", a)
	}
}

func TestFaultRateLimitUntil(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now})
	if err := e.sim.SetFaults(zoomsim.Faults{RateLimitUntil: fixedNow.Add(10 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	r := e.call("GET", "/phone/devices?type=assigned", nil)
	wantErr(t, r, 429, 429)
	if r.header.Get("Retry-After") != "10" || r.header.Get("X-RateLimit-Category") != "Medium" {
		t.Fatalf("headers %v", r.header)
	}
	clock.Advance(10 * time.Second)
	want200(t, e.call("GET", "/phone/devices?type=assigned", nil), nil)
	if st := e.sim.Stats().Bucket(zoom.Bucket{Family: zoom.FamilyPhone, Category: zoom.Medium}); st.RateLimited != 1 || st.Accepted != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaultLatency(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Faults: zoomsim.Faults{Latency: 40 * time.Millisecond, LatencyJitter: 10 * time.Millisecond}})
	begin := time.Now()
	want200(t, e.call("GET", "/users", nil), nil)
	if d := time.Since(begin); d < 40*time.Millisecond {
		t.Fatalf("call took %v, want at least 40ms", d)
	}
}
