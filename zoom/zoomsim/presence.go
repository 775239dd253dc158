package zoomsim

import (
	"net/http"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// Presence API: GET and PUT /users/{userId}/presence_status.

// Presence is a user's presence as the simulator holds it.
type Presence struct {
	// Status is the effective status now, as GET presence_status answers
	// it: a Do_Not_Disturb whose duration ran out reads Available.
	Status string `json:"status"`
	// ChangedAt is when the API last changed it (zero when never).
	ChangedAt time.Time `json:"changed_at,omitzero"`
	// DNDUntil is when an API-set Do_Not_Disturb ends.
	DNDUntil time.Time `json:"dnd_until,omitzero"`
}

const (
	dndStatus           = "Do_Not_Disturb"
	dndStatusMisspelled = "Do_No_Disturb" // as Zoom's request schema spells it
	defaultDNDMinutes   = 20
)

// presenceOf is a user's effective presence at now.
func presenceOf(u *User, now time.Time) Presence {
	p := Presence{Status: u.Presence, ChangedAt: u.PresenceChangedAt, DNDUntil: u.DNDUntil}
	if p.Status == dndStatus && !u.DNDUntil.IsZero() && !now.Before(u.DNDUntil) {
		p.Status = "Available"
	}
	return p
}

type presenceBody struct {
	Status string `json:"status"`
}

func (s *Server) getPresence(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.user(c.params["userId"])
	if u == nil {
		return 0, nil, errUserNotFound(c.params["userId"])
	}
	return http.StatusOK, presenceBody{Status: presenceOf(u, c.now).Status}, nil
}

// presenceRules are the fields of PUT presence_status's request schema,
// with both spellings of do-not-disturb.
var presenceRules = map[string]rule{
	"status": {kind: kString, strs: []string{
		"Away", "Available", "In_Calendar_Event", "Presenting", "In_A_Zoom_Meeting", "On_A_Call",
		"Out_of_Office", "Busy", dndStatus, dndStatusMisspelled,
	}},
	"duration": {kind: kInt, minInt: 1, maxInt: 1440},
}

func (s *Server) setPresence(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.user(c.params["userId"])
	if u == nil {
		return 0, nil, errUserNotFound(c.params["userId"])
	}
	f, err := decodeBody(c.body, presenceRules)
	if err != nil {
		return 0, nil, err
	}
	status, ok := f.str("status")
	if !ok {
		return 0, nil, errValidation("status")
	}
	if status == dndStatusMisspelled {
		status = dndStatus
	}
	minutes, hasDuration := f.int("duration")
	if hasDuration && status != dndStatus {
		return 0, nil, errValidation("duration")
	}
	if !hasDuration {
		minutes = defaultDNDMinutes
	}
	if u.NotSignedIn {
		// Zoom cannot set the presence of a user without a Zoom client.
		return 0, nil, errPresenceFailed()
	}
	if !u.PresenceChangedAt.IsZero() {
		if allowed := u.PresenceChangedAt.Add(s.cfg.PresenceInterval); c.now.Before(allowed) {
			return 0, nil, s.presenceTooSoon(allowed, c.now)
		}
	}
	u.Presence, u.PresenceChangedAt, u.DNDUntil = status, c.now, time.Time{}
	if status == dndStatus {
		u.DNDUntil = c.now.Add(time.Duration(minutes) * time.Minute)
	}
	return http.StatusNoContent, nil, nil
}

// presenceTooSoon is the answer to a second change within
// Config.PresenceInterval.
func (s *Server) presenceTooSoon(allowed, now time.Time) *apiError {
	if s.cfg.PresenceAnswer == PresenceAnswer5301 {
		return errPresenceFailed()
	}
	err := errPresenceTooMany()
	if s.cfg.OmitRateLimitHeaders || s.cfg.OmitPresenceHeaders {
		return err
	}
	err.header = http.Header{}
	err.header.Set("X-RateLimit-Category", string(zoom.OpSetPresence.Category))
	if s.cfg.RetryAfter != RetryAfterNone {
		err.header.Set("Retry-After", s.retryAfter(allowed, now))
	}
	return err
}
