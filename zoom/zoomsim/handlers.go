package zoomsim

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// handlers maps every operation ID to its handler; New refuses to start if
// an operation of zoom.Operations() has none.
func (s *Server) handlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		zoom.OpListUsers.ID:          s.listUsers,
		zoom.OpGetUser.ID:            s.getUser,
		zoom.OpUpdateUser.ID:         s.updateUser,
		zoom.OpGetPresence.ID:        s.getPresence,
		zoom.OpSetPresence.ID:        s.setPresence,
		zoom.OpListPhoneUsers.ID:     s.listPhoneUsers,
		zoom.OpGetPhoneUser.ID:       s.getPhoneUser,
		zoom.OpListDevices.ID:        s.listDevices,
		zoom.OpGetDevice.ID:          s.getDevice,
		zoom.OpUpdateDevice.ID:       s.updateDevice,
		zoom.OpListCommonAreas.ID:    s.listCommonAreas,
		zoom.OpGetCommonArea.ID:      s.getCommonArea,
		zoom.OpUpdateCommonArea.ID:   s.updateCommonArea,
		zoom.OpListVoicemails.ID:     s.listVoicemails,
		zoom.OpGetVoicemail.ID:       s.getVoicemail,
		zoom.OpDeleteVoicemail.ID:    s.deleteVoicemail,
		zoom.OpListCallHistory.ID:    s.listCallHistory,
		zoom.OpUserCallHistory.ID:    s.userCallHistory,
		zoom.OpGetCallHistoryItem.ID: s.getCallHistoryItem,
	}
}

// siteRef is Zoom's {"id","name"} site object.
type siteRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// siteRef returns the site of an ID (nil when unknown). a.mu must be held.
func (a *account) siteRef(id string) *siteRef {
	if s, ok := a.site(id); ok {
		return &siteRef{ID: s.ID, Name: s.Name}
	}
	return nil
}

// zoomTime formats a time as Zoom does: RFC 3339, UTC, seconds.
func zoomTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// bannedWord reports whether name contains a configured banned word.
func (s *Server) bannedWord(name string) bool {
	low := strings.ToLower(name)
	for _, w := range s.cfg.BannedWords {
		if strings.Contains(low, strings.ToLower(w)) {
			return true
		}
	}
	return false
}

// checkNames refuses the first name field of f that holds a banned word.
func (s *Server) checkNames(f fields, names ...string) *apiError {
	for _, n := range names {
		if v, ok := f.str(n); ok && s.bannedWord(v) {
			return errBannedWord(v)
		}
	}
	return nil
}

// multi reads a query parameter given repeatedly or comma-separated.
func multi(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// containsFold reports whether s contains sub, ignoring case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
