package zoomsim

import (
	"fmt"
	"strings"
	"time"
)

// Inspection and test mutators: what a test or a demo reads and changes
// directly, without going through the rate-limited API. Every getter returns
// copies.

// State returns a snapshot of the whole account.
func (s *Server) State() State {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	return s.acct.snapshot()
}

// User returns a user by ID or email.
func (s *Server) User(idOrEmail string) (User, bool) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	if u := s.acct.user(idOrEmail); u != nil {
		return *u, true
	}
	return User{}, false
}

// UserByExtension returns the phone user with an extension number.
func (s *Server) UserByExtension(ext int64) (User, bool) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	if u, ok := s.acct.userByID[s.acct.byExt[ext]]; ok {
		return *u, true
	}
	return User{}, false
}

// CommonArea returns a common area by ID, with its desk phones.
func (s *Server) CommonArea(id string) (CommonArea, bool) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	return s.commonAreaLocked(id)
}

// CommonAreaByExtension returns the common area with an extension number.
func (s *Server) CommonAreaByExtension(ext int64) (CommonArea, bool) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	return s.commonAreaLocked(s.acct.byExt[ext])
}

func (s *Server) commonAreaLocked(id string) (CommonArea, bool) {
	c, ok := s.acct.caByID[id]
	if !ok {
		return CommonArea{}, false
	}
	out := *c
	for _, d := range s.acct.deskPhones(c.ID) {
		out.DeskPhones = append(out.DeskPhones, d.ID)
	}
	return out, true
}

// Device returns a device by ID.
func (s *Server) Device(id string) (Device, bool) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	if d, ok := s.acct.devByID[id]; ok {
		return *d, true
	}
	return Device{}, false
}

// Devices returns every device, in creation order.
func (s *Server) Devices() []Device { return s.State().Devices }

// DevicesOf returns the devices assigned to a user or common area ID.
func (s *Server) DevicesOf(ownerID string) []Device {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	var out []Device
	for _, d := range s.acct.deskPhones(ownerID) {
		out = append(out, *d)
	}
	return out
}

// Voicemails returns a user's voicemails (by user ID or email), in creation
// order.
func (s *Server) Voicemails(userID string) []Voicemail {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	u := s.acct.user(userID)
	if u == nil {
		return nil
	}
	var out []Voicemail
	for _, v := range s.acct.voicemails {
		if v.OwnerID == u.ID {
			out = append(out, *v)
		}
	}
	return out
}

// CallHistory returns every call record, in creation order.
func (s *Server) CallHistory() []CallRecord { return s.State().CallHistory }

// Presence returns a user's presence now (by user ID or email).
func (s *Server) Presence(userID string) (Presence, bool) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	u := s.acct.user(userID)
	if u == nil {
		return Presence{}, false
	}
	return presenceOf(u, s.now()), true
}

// AddUser adds a user (see LoadSeedFile for the defaults of empty fields).
func (s *Server) AddUser(u User) (User, error) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	return s.acct.addUser(u, s.now())
}

// UpdateUser changes a user (by ID or email) directly, for instance to
// deactivate it or set its presence without the once-a-minute rule. fn gets
// a copy; its ID may not change, a changed email or extension must be free.
func (s *Server) UpdateUser(idOrEmail string, fn func(*User)) error {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.user(idOrEmail)
	if u == nil {
		return fmt.Errorf("zoomsim: no user %q", idOrEmail)
	}
	c := *u
	fn(&c)
	if c.ID != u.ID {
		return fmt.Errorf("zoomsim: user %s: the ID cannot change", u.ID)
	}
	if !strings.Contains(c.Email, "@") {
		return fmt.Errorf("zoomsim: user %s: invalid email %q", u.ID, c.Email)
	}
	oldKey, newKey := strings.ToLower(u.Email), strings.ToLower(c.Email)
	if other := a.userByKey[newKey]; newKey != oldKey && other != nil {
		return fmt.Errorf("zoomsim: user %s: email %s: %w", u.ID, c.Email, errConflict)
	}
	if owner, taken := a.byExt[c.ExtensionNumber]; c.ExtensionNumber != 0 && taken && owner != u.ID {
		return fmt.Errorf("zoomsim: user %s: extension %d: %w", u.ID, c.ExtensionNumber, errConflict)
	}
	if c.ExtensionNumber < 0 {
		return fmt.Errorf("zoomsim: user %s: negative extension %d", u.ID, c.ExtensionNumber)
	}
	delete(a.userByKey, oldKey)
	a.userByKey[newKey] = u
	if u.ExtensionNumber != 0 {
		delete(a.byExt, u.ExtensionNumber)
	}
	if c.ExtensionNumber != 0 {
		a.byExt[c.ExtensionNumber] = u.ID
		if c.ExtensionID == "" {
			c.ExtensionID = a.ids.id("extension", u.ID)
		}
		if c.PhoneUserID == "" {
			c.PhoneUserID = a.ids.id("phone_user", u.ID)
		}
		if c.SiteID == "" {
			c.SiteID = a.defaultSiteID()
		}
	}
	*u = c
	return nil
}

// AddCommonArea adds a common area.
func (s *Server) AddCommonArea(c CommonArea) (CommonArea, error) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	return s.acct.addCommonArea(c)
}

// AddDevice adds a desk phone; AssigneeID may be an ID, an email or an
// extension number.
func (s *Server) AddDevice(d Device) (Device, error) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	return s.acct.addDevice(d)
}

// AddVoicemail leaves a message in a phone user's mailbox; owner is a user
// ID, an email or an extension number. An empty DateTime means now.
func (s *Server) AddVoicemail(owner string, v Voicemail) (Voicemail, error) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	v.OwnerID = owner
	if v.DateTime.IsZero() {
		v.DateTime = s.now()
	}
	return s.acct.addVoicemail(v)
}

// AddCallRecord adds a call to the history. An empty StartTime means now.
func (s *Server) AddCallRecord(c CallRecord) (CallRecord, error) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	if c.StartTime.IsZero() {
		c.StartTime = s.now().Add(-time.Duration(c.Duration) * time.Second)
	}
	return s.acct.addCallRecord(c)
}

// Journal returns the journaled requests, oldest first.
func (s *Server) Journal() []Entry { return s.jrnl.list() }

// ResetJournal empties the journal.
func (s *Server) ResetJournal() { s.jrnl.reset() }

// Stats returns the request statistics.
func (s *Server) Stats() Stats { return s.stats.snapshot(s.tokens.issued()) }

// ResetStats zeroes the request statistics (TokensIssued counts on).
func (s *Server) ResetStats() { s.stats.reset() }

// Faults returns the active faults.
func (s *Server) Faults() Faults { return s.faults.get() }

// SetFaults replaces the active faults.
func (s *Server) SetFaults(f Faults) error {
	if err := f.validate("Faults"); err != nil {
		return err
	}
	s.applyFaults(f)
	return nil
}

// applyFaults makes f the active faults; deactivating the app revokes
// every token.
func (s *Server) applyFaults(f Faults) {
	if old := s.faults.set(f); f.AppNotActivated && !old.AppNotActivated {
		s.tokens.revokeAll()
	}
}

// SetAppActivated deactivates (false) or reactivates (true) the app, the
// AppNotActivated fault, leaving the other faults as they are. While
// deactivated, token requests get 400 "The app is not activated" and API
// calls 401 code 124; deactivation revokes every token.
func (s *Server) SetAppActivated(active bool) {
	s.mu.Lock() // serialise read-modify-write of the faults
	defer s.mu.Unlock()
	f := s.faults.get()
	f.AppNotActivated = !active
	s.applyFaults(f)
}

// RevokeTokens invalidates every issued access token at once, as when an
// admin deactivates and reactivates the app.
func (s *Server) RevokeTokens() { s.tokens.revokeAll() }
