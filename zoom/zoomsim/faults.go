package zoomsim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Faults are failures the simulator injects into API calls, to test how a
// client copes with an unreliable Zoom. The zero value injects nothing.
type Faults struct {
	// ErrorRate is the share (0 to 1) of API calls answered 500 or 503
	// with a Zoom-like body, without being applied.
	ErrorRate float64
	// AppliedErrorRate is the share of API calls that are applied and then
	// answered 500 or 503 anyway, as when Zoom's answer is lost: the client
	// cannot tell and must retry safely.
	AppliedErrorRate float64
	// Latency delays every API call; LatencyJitter adds a random delay up
	// to itself.
	Latency, LatencyJitter time.Duration
	// RateLimitUntil answers every API call 429 (per-second style) until
	// then.
	RateLimitUntil time.Time
	// AppNotActivated is a deactivated app: token requests get 400
	// {"reason":"The app is not activated","error":"invalid_request"}, and
	// API calls 401 code 124 "Invalid access token." whatever their token.
	// Switching it on revokes every token, so that after reactivation a
	// client needs a new one, as with Zoom.
	AppNotActivated bool
	// AccountDeleted is an account that no longer exists: token requests
	// get 400 {"reason":"Account does not exist","error":"invalid_request"}
	// and API calls 401 code 124 "Account does not exist: {accountId}.".
	AccountDeleted bool
}

// faultsJSON is the JSON form of Faults (POST /_sim/faults): durations as Go
// duration strings ("150ms"), times in RFC 3339; rate_limit_for, a duration,
// sets RateLimitUntil relative to the simulator's clock.
type faultsJSON struct {
	ErrorRate        float64   `json:"error_rate"`
	AppliedErrorRate float64   `json:"applied_error_rate"`
	Latency          string    `json:"latency,omitempty"`
	LatencyJitter    string    `json:"latency_jitter,omitempty"`
	RateLimitUntil   time.Time `json:"rate_limit_until,omitzero"`
	RateLimitFor     string    `json:"rate_limit_for,omitempty"`
	AppNotActivated  bool      `json:"app_not_activated"`
	AccountDeleted   bool      `json:"account_deleted"`
}

// MarshalJSON writes the JSON form described at faultsJSON.
func (f Faults) MarshalJSON() ([]byte, error) {
	j := faultsJSON{ErrorRate: f.ErrorRate, AppliedErrorRate: f.AppliedErrorRate, RateLimitUntil: f.RateLimitUntil, AppNotActivated: f.AppNotActivated, AccountDeleted: f.AccountDeleted}
	if f.Latency != 0 {
		j.Latency = f.Latency.String()
	}
	if f.LatencyJitter != 0 {
		j.LatencyJitter = f.LatencyJitter.String()
	}
	return json.Marshal(j)
}

// parseFaults reads the JSON form; now anchors rate_limit_for.
func parseFaults(data []byte, now time.Time) (Faults, error) {
	var j faultsJSON
	if err := strictUnmarshal(data, &j); err != nil {
		return Faults{}, err
	}
	f := Faults{ErrorRate: j.ErrorRate, AppliedErrorRate: j.AppliedErrorRate, RateLimitUntil: j.RateLimitUntil, AppNotActivated: j.AppNotActivated, AccountDeleted: j.AccountDeleted}
	for _, d := range []struct {
		name string
		s    string
		dst  *time.Duration
	}{{"latency", j.Latency, &f.Latency}, {"latency_jitter", j.LatencyJitter, &f.LatencyJitter}} {
		if d.s == "" {
			continue
		}
		v, err := time.ParseDuration(d.s)
		if err != nil {
			return Faults{}, fmt.Errorf("%s: %w", d.name, err)
		}
		*d.dst = v
	}
	if j.RateLimitFor != "" {
		d, err := time.ParseDuration(j.RateLimitFor)
		if err != nil {
			return Faults{}, fmt.Errorf("rate_limit_for: %w", err)
		}
		f.RateLimitUntil = now.Add(d)
	}
	return f, f.validate("faults")
}

func (f Faults) validate(where string) error {
	switch {
	case f.ErrorRate < 0 || f.ErrorRate > 1:
		return fmt.Errorf("zoomsim: %s.ErrorRate %v: want 0 to 1", where, f.ErrorRate)
	case f.AppliedErrorRate < 0 || f.AppliedErrorRate > 1:
		return fmt.Errorf("zoomsim: %s.AppliedErrorRate %v: want 0 to 1", where, f.AppliedErrorRate)
	case f.ErrorRate+f.AppliedErrorRate > 1:
		return fmt.Errorf("zoomsim: %s: ErrorRate + AppliedErrorRate %v exceeds 1", where, f.ErrorRate+f.AppliedErrorRate)
	case f.Latency < 0 || f.LatencyJitter < 0:
		return fmt.Errorf("zoomsim: %s: negative Latency or LatencyJitter", where)
	}
	return nil
}

// faultState holds the active faults and the seeded random source behind
// them.
type faultState struct {
	mu     sync.Mutex
	faults Faults
	rng    *rand.Rand
}

func newFaultState(f Faults, seed uint64) *faultState {
	return &faultState{faults: f, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (s *faultState) get() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// set replaces the faults and returns the previous ones.
func (s *faultState) set(f Faults) Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.faults
	s.faults = f
	return old
}

// delay is the latency to inject into one call.
func (s *faultState) delay() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.faults.Latency
	if j := s.faults.LatencyJitter; j > 0 {
		d += time.Duration(s.rng.Int64N(int64(j)))
	}
	return d
}

// fault kinds a call can draw.
const (
	faultNone = iota
	faultError
	faultAppliedError
)

// draw decides whether one call fails, how, and with which status.
func (s *faultState) draw() (kind, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	if f.ErrorRate == 0 && f.AppliedErrorRate == 0 {
		return faultNone, 0
	}
	x := s.rng.Float64()
	status = 500
	if s.rng.IntN(2) == 1 {
		status = 503
	}
	switch {
	case x < f.ErrorRate:
		return faultError, status
	case x < f.ErrorRate+f.AppliedErrorRate:
		return faultAppliedError, status
	}
	return faultNone, 0
}
