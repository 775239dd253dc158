package zoomsim_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

// callClient is a client of s without rate limits of its own.
func callClient(t *testing.T, s *zoomsim.Server) *zoom.Client {
	t.Helper()
	sc := s.Config()
	c, err := zoom.New(zoom.Config{URL: s.OAuthURL(), AccountID: sc.AccountID, ClientID: sc.ClientID, ClientSecret: sc.ClientSecret,
		DefaultAPIURL: "http://127.0.0.1:1", Limiter: zoom.Unlimited{}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSimulateCallsMix: a day of a hotel's calls holds every kind a hotel
// has, each with the fields Zoom gives it, at hotel hours.
func TestSimulateCallsMix(t *testing.T) {
	s := start(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 50, Staff: 2}})
	now := time.Now().UTC().Truncate(time.Second)
	calls, err := s.SimulateCalls(zoomsim.CallTraffic{From: now.Add(-24 * time.Hour), To: now, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 190 || len(calls) > 260 {
		t.Fatalf("%d calls for 50 rooms at 4 a day", len(calls))
	}
	kinds := map[string]int{}
	byCallID := map[string]int{}
	for _, c := range calls {
		kinds[c.ConnectType+"/"+c.Direction+"/"+c.CallResult]++
		byCallID[c.CallID]++
		if c.StartTime.Before(now.Add(-24*time.Hour)) || !c.StartTime.Before(now) || c.EndTime.Before(c.StartTime) {
			t.Errorf("call %s: start %v end %v outside the day", c.UUID, c.StartTime, c.EndTime)
		}
		if (c.CallResult == "answered") != !c.AnswerTime.IsZero() {
			t.Errorf("call %s: result %s, answer time %v", c.UUID, c.CallResult, c.AnswerTime)
		}
		if c.ConnectType == "internal" && (c.CallerExtNumber == "" || c.CalleeExtNumber == "") {
			t.Errorf("internal call %s without both extensions: %+v", c.UUID, c)
		}
	}
	for _, k := range []string{"external/inbound/answered", "external/inbound/no_answer", "external/inbound/voicemail",
		"external/outbound/answered", "external/outbound/busy", "internal/outbound/answered", "internal/inbound/answered"} {
		if kinds[k] == 0 {
			t.Errorf("no %s call in %v", k, kinds)
		}
	}
	pairs := 0
	for _, n := range byCallID {
		if n == 2 {
			pairs++
		}
	}
	if pairs == 0 {
		t.Error("no room-to-room call listed once per room (two entries, one call_id)")
	}
	again := start(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 50, Staff: 2}})
	same, _ := again.SimulateCalls(zoomsim.CallTraffic{From: now.Add(-24 * time.Hour), To: now, Seed: 7})
	if len(same) != len(calls) || same[0].CallID != calls[0].CallID {
		t.Error("the same seed gave other calls")
	}
}

// TestCallHistoryWindowPaging: a window to the second, by end time,
// through Zoom's pages of 300, returns each call in it once and no other.
func TestCallHistoryWindowPaging(t *testing.T) {
	s := start(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 200, Staff: 2}})
	now := time.Now().UTC().Truncate(time.Second)
	calls, err := s.SimulateCalls(zoomsim.CallTraffic{From: now.Add(-24 * time.Hour), To: now, CallsPerRoomPerDay: 5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	from, to := now.Add(-20*time.Hour), now.Add(-2*time.Hour)
	want := map[string]bool{}
	for _, c := range calls {
		if !c.EndTime.Before(from) && !c.EndTime.After(to) {
			want[c.UUID] = true
		}
	}
	got := map[string]bool{}
	requests, err := callClient(t, s).CallHistoryPages(context.Background(), zoom.CallHistoryWindow{From: from, To: to, ByEndTime: true},
		func(page []zoom.CallHistoryEntry, _ bool) error {
			for _, e := range page {
				if got[e.CallHistoryUUID] {
					t.Errorf("%s listed twice", e.CallHistoryUUID)
				}
				got[e.CallHistoryUUID] = true
				if e.ConnectType == "" {
					t.Errorf("%s without connect_type", e.CallHistoryUUID)
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("%d calls listed, %d in the window", len(got), len(want))
	}
	for id := range want {
		if !got[id] {
			t.Errorf("%s is in the window but was not listed", id)
		}
	}
	if wantReq := (len(want) + 299) / 300; requests != wantReq {
		t.Errorf("%d requests for %d calls, want %d pages of 300", requests, len(want), wantReq)
	}
}

// TestCallHistoryRangeRules: one window covers at most a month, within the
// last six months.
func TestCallHistoryRangeRules(t *testing.T) {
	s := start(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 2}})
	c := callClient(t, s)
	now := time.Now().UTC()
	none := func([]zoom.CallHistoryEntry, bool) error { return nil }
	for name, w := range map[string]zoom.CallHistoryWindow{
		"longer than a month": {From: now.AddDate(0, -2, 0), To: now},
		"older than 6 months": {From: now.AddDate(0, -7, 0), To: now.AddDate(0, -7, 10)},
	} {
		_, err := c.CallHistoryPages(context.Background(), w, none)
		var ae *zoom.APIError
		if !errors.As(err, &ae) || ae.Status != 400 {
			t.Errorf("%s: %v, want 400", name, err)
		}
	}
	if _, err := c.CallHistoryPages(context.Background(), zoom.CallHistoryWindow{From: now.AddDate(0, -1, 0), To: now}, none); err != nil {
		t.Errorf("a month up to now: %v", err)
	}
}

// TestCallHistoryDailyCap: Heavy calls of the Phone API stop at the
// account's daily cap with Zoom's daily 429, counted as requests made.
func TestCallHistoryDailyCap(t *testing.T) {
	s := start(t, zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 2}, PhoneDailyShared: 3})
	c := callClient(t, s)
	now := time.Now().UTC()
	w := zoom.CallHistoryWindow{From: now.Add(-time.Hour), To: now, ByEndTime: true}
	for i := range 3 {
		if _, err := c.CallHistoryPages(context.Background(), w, func([]zoom.CallHistoryEntry, bool) error { return nil }); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	n, err := c.CallHistoryPages(context.Background(), w, func([]zoom.CallHistoryEntry, bool) error { return nil })
	var ae *zoom.APIError
	if !errors.As(err, &ae) || ae.Status != 429 || !ae.Daily {
		t.Fatalf("fourth request: %v, want the daily 429", err)
	}
	if n != 1 {
		t.Errorf("a refused request counted %d, want 1 (Zoom answered it)", n)
	}
}
