package zoomsim_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/testenv"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

var (
	phoneMedium = zoom.Bucket{Family: zoom.FamilyPhone, Category: zoom.Medium}
	phoneLight  = zoom.Bucket{Family: zoom.FamilyPhone, Category: zoom.Light}
	phoneHeavy  = zoom.Bucket{Family: zoom.FamilyPhone, Category: zoom.Heavy}
	mainMedium  = zoom.Bucket{Family: zoom.FamilyMain, Category: zoom.Medium}
	mainLight   = zoom.Bucket{Family: zoom.FamilyMain, Category: zoom.Light}
)

func TestRateLimitSlidingWindow(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now,
		Limits: map[zoom.Bucket]zoom.Limit{phoneMedium: {Count: 3, Per: time.Second}}})
	list := func() resp { return e.call("GET", "/phone/users", nil) }

	// t=0: one call; t=0.5s: two calls; the window is full until t=1s.
	want200(t, list(), nil)
	clock.Advance(500 * time.Millisecond)
	want200(t, list(), nil)
	want200(t, list(), nil)
	r := list()
	z := wantErr(t, r, 429, 429)
	if z.Message != "You have reached the maximum per-second rate limit for this API. Try again later." {
		t.Fatalf("message %q", z.Message)
	}
	for h, want := range map[string]string{
		"X-RateLimit-Category": "Medium", "X-RateLimit-Type": "QPS", "X-RateLimit-Limit": "3",
		"X-RateLimit-Remaining": "0", "Retry-After": "1",
	} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	// Other buckets and families are not affected.
	u, _ := e.sim.UserByExtension(1201)
	want200(t, e.call("GET", "/phone/users/"+u.ID, nil), nil)
	want200(t, e.call("GET", "/users", nil), nil)

	clock.Advance(499 * time.Millisecond) // t=0.999s: the t=0 call is still in the window
	wantErr(t, list(), 429, 429)
	clock.Advance(time.Millisecond) // t=1s: one slot frees
	want200(t, list(), nil)
	wantErr(t, list(), 429, 429) // a fixed one-second window would allow more here
	clock.Advance(500 * time.Millisecond)
	want200(t, list(), nil)
	want200(t, list(), nil)

	st := e.sim.Stats().Bucket(phoneMedium)
	if st.Requests != 9 || st.Accepted != 6 || st.RateLimited != 3 || st.MaxAdmittedPerSecond != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRateLimitWithoutHeaders(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now, OmitRateLimitHeaders: true,
		Limits: map[zoom.Bucket]zoom.Limit{mainMedium: {Count: 1, Per: time.Second}}})
	want200(t, e.call("GET", "/users", nil), nil)
	r := e.call("GET", "/users", nil)
	wantErr(t, r, 429, 429)
	for _, h := range []string{"X-RateLimit-Category", "X-RateLimit-Type", "X-RateLimit-Limit", "X-RateLimit-Remaining", "Retry-After"} {
		if v := r.header.Get(h); v != "" {
			t.Errorf("%s: %q sent although omitted", h, v)
		}
	}
}

func TestRateLimitRetryAfterFormats(t *testing.T) {
	for format, want := range map[zoomsim.RetryAfterFormat]string{
		zoomsim.RetryAfterSeconds:  "1",
		zoomsim.RetryAfterHTTPDate: "Mon, 02 Mar 2026 10:00:01 GMT",
		zoomsim.RetryAfterRFC3339:  "2026-03-02T10:00:01Z",
	} {
		t.Run(string(format), func(t *testing.T) {
			clock := testenv.NewClock(fixedNow)
			e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now, RetryAfter: format, RateLimitTypeQPS: "Per-second",
				Limits: map[zoom.Bucket]zoom.Limit{mainMedium: {Count: 1, Per: time.Second}}})
			want200(t, e.call("GET", "/users", nil), nil)
			clock.Advance(200 * time.Millisecond)
			r := e.call("GET", "/users", nil)
			if got := r.header.Get("Retry-After"); got != want {
				t.Fatalf("Retry-After %q, want %q", got, want)
			}
			if got := r.header.Get("X-RateLimit-Type"); got != "Per-second" {
				t.Fatalf("X-RateLimit-Type %q", got)
			}
		})
	}
}

func TestDailyLimit(t *testing.T) {
	clock := testenv.NewClock(time.Date(2026, 3, 2, 23, 59, 0, 0, time.UTC))
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now,
		Limits: map[zoom.Bucket]zoom.Limit{phoneHeavy: {Count: 100, Per: time.Second, Daily: 3}}})
	for i := range 3 {
		r := e.call("GET", "/phone/call_history", nil)
		want200(t, r, nil)
		if got, want := r.header.Get("X-RateLimit-Remaining"), []string{"2", "1", "0"}[i]; got != want || r.header.Get("X-RateLimit-Limit") != "3" {
			t.Fatalf("call %d: remaining %q limit %q", i, got, r.header.Get("X-RateLimit-Limit"))
		}
	}
	r := e.call("GET", "/phone/call_history", nil)
	z := wantErr(t, r, 429, 429)
	if z.Message != "You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request." {
		t.Fatalf("message %q", z.Message)
	}
	if got := r.header.Get("Retry-After"); got != "2026-03-03T00:00:00Z" {
		t.Fatalf("Retry-After %q, want next midnight UTC in RFC 3339", got)
	}
	if r.header.Get("X-RateLimit-Type") != "Daily-limit" || r.header.Get("X-RateLimit-Category") != "Heavy" {
		t.Fatalf("headers %v", r.header)
	}
	want200(t, e.call("GET", "/phone/users", nil), nil) // other buckets unaffected
	clock.Advance(time.Minute)                          // 00:00 UTC
	want200(t, e.call("GET", "/phone/call_history", nil), nil)
}

func TestDailyLimitOff(t *testing.T) {
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), NoDailyLimits: true,
		Limits: map[zoom.Bucket]zoom.Limit{phoneHeavy: {Count: 100, Per: time.Second, Daily: 1}}})
	for range 3 {
		want200(t, e.call("GET", "/phone/call_history", nil), nil)
	}
}

func TestConcurrentBurstAndStats(t *testing.T) {
	clock := testenv.NewClock(fixedNow)                                // frozen: every request arrives at the same instant
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now}) // Pro: phone Medium 10/s
	var wg sync.WaitGroup
	statuses := make([]int, 30)
	for i := range statuses {
		wg.Go(func() { statuses[i] = e.call("GET", "/phone/users", nil).status })
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[200] != 10 || count[429] != 20 {
		t.Fatalf("statuses %v, want 10×200 and 20×429", count)
	}
	st := e.sim.Stats()
	b := st.Bucket(phoneMedium)
	if b.Requests != 30 || b.Accepted != 10 || b.RateLimited != 20 || b.MaxPerSecond != 30 || b.MaxAdmittedPerSecond != 10 {
		t.Fatalf("bucket stats %+v", b)
	}
	if f := st.Family(zoom.FamilyPhone); f.Requests != 30 || f.MaxPerSecond != 30 {
		t.Fatalf("family stats %+v", f)
	}
	if st.TokensIssued != 1 {
		t.Fatalf("tokens issued %d", st.TokensIssued)
	}
}

func TestStatsSlidingWindowMax(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now, Unlimited: true})
	u, _ := e.sim.UserByExtension(1201)
	// Phone Medium at 0, 0.3, 0.6, 0.9, 1.2, 1.5s: at most 4 in any second.
	// Phone Light at 0.95 and 1.25s: the family sees 6 in (0.25s, 1.25s].
	for i := range 6 {
		want200(t, e.call("GET", "/phone/users", nil), nil)
		if i == 3 {
			clock.Advance(50 * time.Millisecond)
			want200(t, e.call("GET", "/phone/users/"+u.ID, nil), nil)
			clock.Advance(250 * time.Millisecond)
			continue
		}
		if i == 4 {
			clock.Advance(50 * time.Millisecond)
			want200(t, e.call("GET", "/phone/users/"+u.ID, nil), nil)
			clock.Advance(250 * time.Millisecond)
			continue
		}
		clock.Advance(300 * time.Millisecond)
	}
	st := e.sim.Stats()
	if got := st.Bucket(phoneMedium).MaxPerSecond; got != 4 {
		t.Fatalf("phone Medium max per second %d, want 4", got)
	}
	if got := st.Bucket(phoneLight).MaxPerSecond; got != 2 {
		t.Fatalf("phone Light max per second %d, want 2", got)
	}
	if got := st.Family(zoom.FamilyPhone).MaxPerSecond; got != 6 {
		t.Fatalf("phone family max per second %d, want 6", got)
	}
	if got := st.Family(zoom.FamilyMain).Requests; got != 0 {
		t.Fatalf("main family requests %d", got)
	}
	e.sim.ResetStats()
	if got := e.sim.Stats().Bucket(phoneMedium); got != (zoomsim.Counters{}) {
		t.Fatalf("after reset %+v", got)
	}
}

func TestUnlimited(t *testing.T) {
	clock := testenv.NewClock(fixedNow)
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Now: clock.Now, Unlimited: true})
	for range 50 {
		r := e.call("GET", "/users", nil)
		want200(t, r, nil)
		if r.header.Get("X-RateLimit-Category") != "" {
			t.Fatal("rate-limit headers in unlimited mode")
		}
	}
}

func TestRealTimeLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time pacing")
	}
	e := newEnv(t, zoomsim.Config{Seed: smallHotel(), Limits: map[zoom.Bucket]zoom.Limit{mainLight: {Count: 5, Per: 200 * time.Millisecond}}})
	u, _ := e.sim.UserByExtension(1201)
	ok, limited := 0, 0
	deadline := time.Now().Add(500 * time.Millisecond)
	for time.Now().Before(deadline) {
		switch r := e.call("GET", "/users/"+u.ID, nil); r.status {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			limited++
		default:
			t.Fatalf("status %d", r.status)
		}
		time.Sleep(2 * time.Millisecond)
	}
	// 500ms holds at most 3 windows of 200ms: 15 admitted.
	if ok > 15 || ok < 5 || limited == 0 {
		t.Fatalf("%d admitted, %d limited", ok, limited)
	}
	if got := e.sim.Stats().Bucket(mainLight).MaxAdmittedPerSecond; got > 25 {
		t.Fatalf("max admitted per second %d exceeds 5 per 200ms", got)
	}
}
