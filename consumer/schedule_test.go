package consumer

import (
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	t.Parallel()
	s, err := ParseSchedule("mon-fri 02:30, sat,sun 05:00")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); got != "mon,tue,wed,thu,fri 02:30, sun,sat 05:00" {
		t.Errorf("String = %q", got)
	}
	if s, err := ParseSchedule("fri-mon 23:00"); err != nil || !s[0].Days[time.Saturday] || s[0].Days[time.Wednesday] {
		t.Errorf("a range across the week's end: %v %v", s, err)
	}
	if s, err := ParseSchedule(""); err != nil || len(s) != 0 {
		t.Errorf("empty: %v %v", s, err)
	}
	for _, bad := range []string{"mon", "02:30", "funday 02:30", "mon 24:00", "mon 02:60", "mon 02:30 tue", "mon-xyz 01:00"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
}

// TestScheduleAcrossDST: slots are the hotel's local times. On the night
// the clocks go forward the 02:30 slot, which does not exist, still runs
// (after the gap); on the night they go back the 02:30 that comes twice
// runs once.
func TestScheduleAcrossDST(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	s, _ := ParseSchedule("daily 02:30, sat,sun 05:00")
	at := func(v string) time.Time {
		x, err := time.ParseInLocation("2006-01-02 15:04", v, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	// Spring: 2026-03-29 02:00 CET jumps to 03:00 CEST.
	next, name, _ := s.Next(at("2026-03-29 00:00"), berlin)
	if name != "2026-03-29 02:30" || next.Before(at("2026-03-29 03:00")) || next.After(at("2026-03-29 03:30")) {
		t.Errorf("spring: %s at %v", name, next)
	}
	next, name, _ = s.Next(next, berlin)
	if name != "2026-03-29 05:00" || next.Hour() != 5 {
		t.Errorf("after the spring slot: %s at %v", name, next)
	}
	// Autumn: 2026-10-25 03:00 CEST goes back to 02:00 CET; 02:30 comes twice.
	first, name, _ := s.Next(at("2026-10-25 00:00"), berlin)
	if name != "2026-10-25 02:30" {
		t.Fatalf("autumn: %s at %v", name, first)
	}
	seen := map[string]int{}
	for x, n := first, name; x.Before(at("2026-10-27 00:00")); x, n, _ = s.Next(x, berlin) {
		seen[n]++
	}
	if seen["2026-10-25 02:30"] != 1 || seen["2026-10-25 05:00"] != 1 || seen["2026-10-26 02:30"] != 1 {
		t.Errorf("slots around the autumn change: %v", seen)
	}
	// A week-day slot only on its days: Monday 2026-11-30, after 02:30.
	w, _ := ParseSchedule("mon-fri 02:30, sat,sun 05:00")
	if _, name, _ := w.Next(at("2026-12-04 03:00"), berlin); name != "2026-12-05 05:00" {
		t.Errorf("Friday after the slot: next %s, want Saturday 05:00", name)
	}
}
