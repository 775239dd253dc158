package zoomsim

import (
	"maps"
	"slices"
	"time"
)

// The voicemail trash. With the account's soft-delete policy on, Zoom keeps
// a deleted voicemail in the owner's trash, restorable, for 30 days; the
// listing shows it with trash=true. Deleting it again through the API finds
// nothing (it is not in the mailbox): only the policy being off makes a
// delete final. Off by default, like a new account.

// trashKeep is how long a deleted voicemail stays restorable.
const trashKeep = 30 * 24 * time.Hour

// voicemailTrash is the account's trash and its policy. The zero value is
// an empty trash with soft delete off. a.mu guards it.
type voicemailTrash struct {
	softDelete bool
	items      map[string]trashedVoicemail
}

type trashedVoicemail struct {
	Voicemail
	deletedAt time.Time
}

// put keeps a deleted voicemail when soft delete is on.
func (t *voicemailTrash) put(v Voicemail, now time.Time) {
	if !t.softDelete {
		return
	}
	if t.items == nil {
		t.items = map[string]trashedVoicemail{}
	}
	t.items[v.ID] = trashedVoicemail{Voicemail: v, deletedAt: now}
}

// expire drops what has been in the trash longer than trashKeep.
func (t *voicemailTrash) expire(now time.Time) {
	maps.DeleteFunc(t.items, func(_ string, v trashedVoicemail) bool { return now.Sub(v.deletedAt) >= trashKeep })
}

// of returns an owner's trashed voicemails, as of now.
func (t *voicemailTrash) of(ownerID string, now time.Time) []*Voicemail {
	t.expire(now)
	var out []*Voicemail
	for _, id := range slices.Sorted(maps.Keys(t.items)) {
		if v := t.items[id]; v.OwnerID == ownerID {
			out = append(out, &v.Voicemail)
		}
	}
	return out
}

// SetVoicemailSoftDelete switches the account's voicemail soft-delete
// policy: on, a deleted voicemail goes to its owner's trash and stays
// restorable for 30 days. Switching it off does not empty the trash.
func (s *Server) SetVoicemailSoftDelete(on bool) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	s.acct.vmTrash.softDelete = on
}

// VoicemailTrash returns a user's trashed voicemails (by user ID or email),
// oldest ID first.
func (s *Server) VoicemailTrash(userID string) []Voicemail {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	u := s.acct.user(userID)
	if u == nil {
		return nil
	}
	var out []Voicemail
	for _, v := range s.acct.vmTrash.of(u.ID, s.now()) {
		out = append(out, *v)
	}
	return out
}

// RestoreVoicemail moves a trashed voicemail back to its owner's mailbox,
// as a user can in Zoom's client; false when the trash does not hold it.
func (s *Server) RestoreVoicemail(id string) bool {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	t := &s.acct.vmTrash
	t.expire(s.now())
	v, ok := t.items[id]
	if !ok {
		return false
	}
	delete(t.items, id)
	if _, err := s.acct.addVoicemail(v.Voicemail); err != nil {
		return false
	}
	return true
}
