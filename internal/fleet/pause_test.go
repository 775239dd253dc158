package fleet_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/internal/fleet"
	"github.com/pbxlink/pbxlink/zoom"
)

// TestFleetPauseBeyondMaxWait: a replica does not sleep through a pause
// that another replica recorded; Wait says at once until when.
func TestFleetPauseBeyondMaxWait(t *testing.T) {
	kv := setup(t)
	b := zoom.Bucket{Family: zoom.FamilyPhone, Category: zoom.Medium}
	one := fleet.NewLimiter(kv, zoom.LimiterConfig{})
	other := fleet.NewLimiter(kv, zoom.LimiterConfig{MaxWait: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	until := time.Now().Add(30 * time.Second).Truncate(time.Millisecond)
	if err := one.Backoff(ctx, b, until); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := other.Wait(ctx, b)
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("Wait slept %v through the pause", took)
	}
	var pe *zoom.PausedError
	if !errors.As(err, &pe) || !errors.Is(err, zoom.ErrRateLimited) || !pe.Until.Equal(until) {
		t.Fatalf("Wait = %v, want a PausedError until %v", err, until)
	}
	if at, ok := zoom.RetryAt(err); !ok || !at.Equal(until) {
		t.Errorf("RetryAt = %v, %v", at, ok)
	}
	// Light and Medium phone calls are not held by the daily bucket.
	if err := other.Wait(ctx, zoom.DailyBucket(zoom.FamilyPhone)); err != nil {
		t.Errorf("daily bucket: %v", err)
	}
}

// TestFleetHealsAPersistedPause: a pause of year 9999 stored by an older
// version is capped when read (a minute for a per-second bucket) and the
// capped value written back, so that it ends.
func TestFleetHealsAPersistedPause(t *testing.T) {
	kv := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b := zoom.Bucket{Family: zoom.FamilyMain, Category: zoom.Medium}
	data, _ := json.Marshal(zoom.Pace{Paused: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)})
	if _, err := kv.Put(ctx, "rate.main.Medium", data); err != nil {
		t.Fatal(err)
	}
	l := fleet.NewLimiter(kv, zoom.LimiterConfig{})
	at, _ := zoom.RetryAt(l.Wait(ctx, b))
	if d := time.Until(at); d <= 0 || d > time.Minute {
		t.Fatalf("paused until %v, want at most a minute from now", at)
	}
	e, err := kv.Get(ctx, "rate.main.Medium")
	if err != nil {
		t.Fatal(err)
	}
	var p zoom.Pace
	if err := json.Unmarshal(e.Value(), &p); err != nil || !p.Paused.Equal(at) {
		t.Fatalf("stored pause %v (%v), want the capped %v", p.Paused, err, at)
	}
	// A Backoff of year 9999 is capped before it is stored.
	daily := zoom.DailyBucket(zoom.FamilyPhone)
	if err := l.Backoff(ctx, daily, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	at, _ = zoom.RetryAt(l.Wait(ctx, daily))
	if limit := zoom.PauseLimit(daily, time.Now()); at.After(limit) || time.Until(at) > 24*time.Hour+zoom.DailyMargin {
		t.Fatalf("daily pause until %v, beyond %v", at, limit)
	}
}

// TestFleetDailyBucketWritesNothing: waiting on the daily bucket reads the
// pause but records no call, so Heavy calls cost no extra write.
func TestFleetDailyBucketWritesNothing(t *testing.T) {
	kv := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l := fleet.NewLimiter(kv, zoom.LimiterConfig{})
	for range 20 {
		if err := l.Wait(ctx, zoom.DailyBucket(zoom.FamilyMain)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := kv.Get(ctx, "rate.main.Daily"); err == nil {
		t.Error("waits on the daily bucket wrote to the store")
	}
}
