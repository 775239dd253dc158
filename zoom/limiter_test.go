package zoom

import (
	"context"
	"testing"
	"time"
)

func TestLocalLimiterInterval(t *testing.T) {
	l := NewLocalLimiter(LocalLimiterConfig{Plan: PlanPro})
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
	biz := NewLocalLimiter(LocalLimiterConfig{Plan: PlanBusiness, Headroom: 0.5,
		Limits: map[Bucket]Limit{{FamilyPhone, Medium}: {Count: 100, Per: time.Second}}})
	if got, want := biz.Interval(Bucket{FamilyPhone, Medium}), 20*time.Millisecond; got != want {
		t.Errorf("override Interval = %v, want %v", got, want)
	}
	if got, want := biz.Interval(Bucket{FamilyMain, Medium}), time.Second/30; got != want {
		t.Errorf("business Interval = %v, want %v", got, want)
	}
}

// TestLocalLimiterSchedule checks the slots handed out, on a frozen clock:
// evenly spaced, pushed back by Backoff, and never two in one interval.
func TestLocalLimiterSchedule(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	l := NewLocalLimiter(LocalLimiterConfig{Plan: PlanPro, Now: func() time.Time { return now }})
	b := Bucket{FamilyPhone, Medium}
	iv := l.Interval(b)
	for i := 0; i < 3; i++ {
		l.mu.Lock()
		at := l.next[b]
		l.mu.Unlock()
		if i > 0 && !at.Equal(now.Add(time.Duration(i)*iv)) {
			t.Fatalf("slot %d at %v, want %v", i, at, now.Add(time.Duration(i)*iv))
		}
		// A waiter whose context ends keeps its slot reserved.
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		_ = l.Wait(ctx, b)
		cancel()
	}
	l.Backoff(b, now.Add(time.Hour))
	l.Backoff(b, now.Add(time.Minute)) // an earlier time never shortens a backoff
	l.mu.Lock()
	defer l.mu.Unlock()
	if got := l.next[b]; !got.Equal(now.Add(time.Hour)) {
		t.Fatalf("after Backoff next = %v, want %v", got, now.Add(time.Hour))
	}
}

func TestLocalLimiterWaitHonoursContext(t *testing.T) {
	l := NewLocalLimiter(LocalLimiterConfig{})
	b := Bucket{FamilyMain, Medium}
	l.Backoff(b, time.Now().Add(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, b); err != context.DeadlineExceeded {
		t.Fatalf("Wait = %v, want DeadlineExceeded", err)
	}
}
