package zoom

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestLocalLimiterInterval(t *testing.T) {
	l := NewLocalLimiter(LimiterConfig{Plan: PlanPro})
	spaced := func(per time.Duration, n float64) time.Duration {
		return time.Duration(float64(per) / n / 0.98)
	}
	tests := []struct {
		b    Bucket
		want time.Duration
	}{
		{Bucket{FamilyMain, Medium}, spaced(time.Second, 20)},
		{Bucket{FamilyPhone, Medium}, spaced(time.Second, 10)},
		{Bucket{FamilyPhone, ResourceIntensive}, spaced(time.Minute, 5)},
		{Bucket{"other", Medium}, spaced(time.Second, 1)},
	}
	for _, tt := range tests {
		if got := l.Interval(tt.b); got != tt.want {
			t.Errorf("Interval(%v) = %v, want %v", tt.b, got, tt.want)
		}
	}
	biz := NewLocalLimiter(LimiterConfig{Plan: PlanBusiness, Headroom: 0.5,
		Limits: map[Bucket]Limit{{FamilyPhone, Medium}: {Count: 100, Per: time.Second}}})
	if got, want := biz.Interval(Bucket{FamilyPhone, Medium}), 20*time.Millisecond; got != want {
		t.Errorf("override Interval = %v, want %v", got, want)
	}
	if got, want := biz.Interval(Bucket{FamilyMain, Medium}), time.Second/30; got != want {
		t.Errorf("business Interval = %v, want %v", got, want)
	}
}

// TestLocalLimiterSchedule checks the schedule on a frozen clock: calls
// are paced, may catch up a few intervals after a delay but never burst
// beyond that, never put more than Count calls into one window, and wait
// out a Backoff.
func TestLocalLimiterSchedule(t *testing.T) {
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	l := NewLocalLimiter(LimiterConfig{Plan: PlanPro, Now: now})
	b := Bucket{FamilyPhone, Medium} // 10/s on pro
	iv := l.Interval(b)
	immediate := func() bool { _, ok, err := l.take(b, l.bucket(b)); return ok && err == nil }
	// From idle, the catch-up allowance lets a few calls go together.
	n := 0
	for immediate() {
		n++
	}
	if n != catchUp+1 {
		t.Fatalf("%d calls went at once from idle, want %d", n, catchUp+1)
	}
	// Then one call per interval.
	for range 3 {
		advance(iv)
		if !immediate() || immediate() {
			t.Fatal("want exactly one call per interval")
		}
	}
	// However long the wait, never more than Count calls within a window.
	sentInWindow := 0
	for range 200 {
		advance(iv / 3)
		for immediate() {
			sentInWindow++
		}
	}
	if rate := float64(sentInWindow) / (200 * (iv / 3)).Seconds(); rate > 10 {
		t.Fatalf("sustained rate %.2f/s above 10/s", rate)
	}
	bg := context.Background()
	l.Backoff(bg, b, now().Add(50*time.Second))
	l.Backoff(bg, b, now().Add(10*time.Second)) // an earlier time never shortens a backoff
	advance(30 * time.Second)
	if immediate() {
		t.Fatal("call during a backoff went out")
	}
	advance(21 * time.Second)
	if !immediate() {
		t.Fatal("call after the backoff must go")
	}
}

// TestLocalLimiterWindow drives many calls with random delays on a fake
// clock and checks the hard bound: no window of Per holds more than Count.
func TestLocalLimiterWindow(t *testing.T) {
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	l := NewLocalLimiter(LimiterConfig{Plan: PlanPro, Now: now})
	b := Bucket{FamilyMain, Medium} // 20/s
	var sent []time.Time
	step := time.Millisecond
	for i := 0; len(sent) < 500; i++ {
		mu.Lock()
		clock = clock.Add(step * time.Duration(1+i%37)) // uneven steps, stalls included
		mu.Unlock()
		for {
			if _, ok, _ := l.take(b, l.bucket(b)); !ok {
				break
			}
			sent = append(sent, now())
		}
	}
	for i := range sent {
		j := i
		for j < len(sent) && sent[j].Sub(sent[i]) < time.Second {
			j++
		}
		if j-i > 20 {
			t.Fatalf("%d calls within one second from %v", j-i, sent[i])
		}
	}
}

func TestLocalLimiterWaitHonoursContext(t *testing.T) {
	l := NewLocalLimiter(LimiterConfig{})
	b := Bucket{FamilyMain, Medium}
	l.Backoff(context.Background(), b, time.Now().Add(3*time.Second)) // within MaxWait: Wait sleeps
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, b); err != context.DeadlineExceeded {
		t.Fatalf("Wait = %v, want DeadlineExceeded", err)
	}
}

func TestParseLimits(t *testing.T) {
	got, err := ParseLimits("main/Medium=200, phone/Medium=100/s,phone/Resource-intensive=7/min")
	if err != nil {
		t.Fatal(err)
	}
	want := map[Bucket]Limit{
		{FamilyMain, Medium}:             {Count: 200, Per: time.Second},
		{FamilyPhone, Medium}:            {Count: 100, Per: time.Second},
		{FamilyPhone, ResourceIntensive}: {Count: 7, Per: time.Minute},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for b, l := range want {
		if got[b] != l {
			t.Errorf("%v: got %v, want %v", b, got[b], l)
		}
	}
	for _, bad := range []string{"main=20", "main/Fast=20", "other/Medium=20", "main/Medium=0", "main/Medium=x", "main/Medium=5/h"} {
		if _, err := ParseLimits(bad); err == nil {
			t.Errorf("ParseLimits(%q) accepted", bad)
		}
	}
}

// TestLocalLimiterPauseBeyondMaxWait: Wait does not sleep through an
// account-wide pause; it says at once until when the bucket is paused.
func TestLocalLimiterPauseBeyondMaxWait(t *testing.T) {
	l := NewLocalLimiter(LimiterConfig{MaxWait: time.Second})
	b := Bucket{FamilyMain, Medium}
	until := time.Now().Add(30 * time.Second)
	if err := l.Backoff(context.Background(), b, until); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := l.Wait(context.Background(), b)
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Errorf("Wait slept %v through a pause", took)
	}
	var pe *PausedError
	if !errors.As(err, &pe) || pe.Bucket != b || !pe.Until.Equal(until) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("Wait = %v, want a PausedError of %v until %v", err, b, until)
	}
	if at, ok := RetryAt(err); !ok || !at.Equal(until) {
		t.Errorf("RetryAt = %v, %v; want %v", at, ok, until)
	}
	// Another bucket is not paused.
	if err := l.Wait(context.Background(), Bucket{FamilyPhone, Medium}); err != nil {
		t.Errorf("other bucket: %v", err)
	}
	if got := (LimiterConfig{}).WithDefaults().MaxWait; got != 5*time.Second {
		t.Errorf("default MaxWait %v, want 5s", got)
	}
}

// TestLocalLimiterCapsPauses: a Retry-After of year 9999 pauses a
// per-second bucket at most a minute and the daily bucket at most until
// the next 00:00 UTC plus the margin.
func TestLocalLimiterCapsPauses(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	l := NewLocalLimiter(LimiterConfig{Now: func() time.Time { return now }})
	forever := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	for b, want := range map[Bucket]time.Time{
		{FamilyMain, Medium}:     now.Add(time.Minute),
		DailyBucket(FamilyPhone): time.Date(2026, 11, 24, 0, 5, 0, 0, time.UTC),
	} {
		l.Backoff(context.Background(), b, forever)
		at, _ := RetryAt(l.Wait(context.Background(), b))
		if !at.Equal(want) {
			t.Errorf("%v paused until %v, want %v", b, at, want)
		}
	}
}

// TestDailyBucketIsNotPaced: the daily bucket only holds calls while
// paused; it never spaces them.
func TestDailyBucketIsNotPaced(t *testing.T) {
	l := NewLocalLimiter(LimiterConfig{})
	start := time.Now()
	for range 1000 {
		if err := l.Wait(context.Background(), DailyBucket(FamilyMain)); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("1000 waits on the daily bucket took %v", took)
	}
}
