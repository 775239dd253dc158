package zoomsim

import (
	"net/http"
	"slices"
)

// Voicemail API: GET /phone/users/{userId}/voice_mails, GET and DELETE
// /phone/voice_mails/{voicemailId}.

type voicemailItem struct {
	ID               string `json:"id"`
	CallID           string `json:"call_id,omitempty"`
	CallerName       string `json:"caller_name"`
	CallerNumber     string `json:"caller_number"`
	CallerNumberType int    `json:"caller_number_type,omitempty"`
	CalleeName       string `json:"callee_name,omitempty"`
	CalleeNumber     string `json:"callee_number,omitempty"`
	CalleeNumberType int    `json:"callee_number_type,omitempty"`
	DateTime         string `json:"date_time"`
	Duration         int    `json:"duration"`
	Status           string `json:"status"`
}

type voicemailList struct {
	From          string          `json:"from"`
	To            string          `json:"to"`
	NextPageToken string          `json:"next_page_token"`
	PageCount     int             `json:"page_count"`
	PageSize      int             `json:"page_size"`
	TotalRecords  int             `json:"total_records"`
	VoiceMails    []voicemailItem `json:"voice_mails"`
}

// voicemailItem renders a voicemail; the callee is the mailbox's owner.
// a.mu must be held.
func (a *account) voicemailItem(v *Voicemail) voicemailItem {
	out := voicemailItem{
		ID: v.ID, CallID: v.CallID, CallerName: v.CallerName, CallerNumber: v.CallerNumber,
		CallerNumberType: v.CallerNumberType, DateTime: zoomTime(v.DateTime), Duration: v.Duration, Status: v.Status,
	}
	if u, ok := a.userByID[v.OwnerID]; ok {
		out.CalleeName, out.CalleeNumber, out.CalleeNumberType = u.DisplayName, itoa(u.ExtensionNumber), 1
	}
	return out
}

func (s *Server) listVoicemails(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.user(c.params["userId"])
	if u == nil || u.ExtensionNumber == 0 {
		return 0, nil, errUserNotFound(c.params["userId"])
	}
	status := c.query.Get("status")
	if status == "" {
		status = "all"
	}
	if !slices.Contains([]string{"all", "read", "unread"}, status) {
		return 0, nil, errValidation("status")
	}
	size, err := pageSize(c.query, c.op.ID, s.cfg.ClampPageSize)
	if err != nil {
		return 0, nil, err
	}
	trash := c.query.Get("trash")
	if trash != "" && trash != "true" && trash != "false" {
		return 0, nil, errValidation("trash")
	}
	r, err := firstPageRange(c, voicemailDefaultSpan, errValidation)
	if err != nil {
		return 0, nil, err
	}
	if c.query.Get("next_page_token") == "" {
		if bad := voicemailRangeProblem(c.query, c.now); bad != "" {
			return 0, nil, errValidation(bad)
		}
	}
	// box finds a listed voicemail again for a later page: the mailbox's,
	// or the trash's with trash=true.
	box := func(id string) (*Voicemail, bool) { v, ok := a.vmByID[id]; return v, ok }
	from := a.voicemails
	if trash == "true" {
		from = a.vmTrash.of(u.ID, c.now)
		box = func(id string) (*Voicemail, bool) { v, ok := a.vmTrash.items[id]; return &v.Voicemail, ok }
	}
	st, err := s.pages.start(c.query, c.op, u.ID, c.now, func() pageState {
		var vms []*Voicemail
		for _, v := range from {
			if v.OwnerID == u.ID && (status == "all" || v.Status == status) && r.contains(v.DateTime) {
				vms = append(vms, v)
			}
		}
		// Newest first; creation order among equals.
		slices.SortStableFunc(vms, func(x, y *Voicemail) int { return y.DateTime.Compare(x.DateTime) })
		ids := make([]string, len(vms))
		for i, v := range vms {
			ids[i] = v.ID
		}
		return pageState{rest: ids, filter: r}
	})
	if err != nil {
		return 0, nil, err
	}
	r = st.filter.(timeRange)
	ids, next := s.pages.cut(st, size, c.now)
	out := voicemailList{
		From: dateOnly(r.fromText), To: dateOnly(r.toText), NextPageToken: next,
		PageCount: pageCount(st.total, size), PageSize: size, TotalRecords: st.total, VoiceMails: []voicemailItem{},
	}
	for _, id := range ids {
		if v, ok := box(id); ok {
			out.VoiceMails = append(out.VoiceMails, a.voicemailItem(v))
		}
	}
	return http.StatusOK, out, nil
}

// errVoicemailNotFound: GET documents HTTP 400, DELETE HTTP 404, both code
// 300.
func errVoicemailNotFound(status int, id string) *apiError {
	return newError(status, 300, "Voice mail does not exist: %s.", id)
}

func (s *Server) getVoicemail(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	v, ok := a.vmByID[c.params["voicemailId"]]
	if !ok {
		return 0, nil, errVoicemailNotFound(400, c.params["voicemailId"])
	}
	return http.StatusOK, a.voicemailItem(v), nil
}

func (s *Server) deleteVoicemail(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	v, ok := a.vmByID[c.params["voicemailId"]]
	if !ok || !a.deleteVoicemail(v.ID) {
		return 0, nil, errVoicemailNotFound(404, c.params["voicemailId"])
	}
	a.vmTrash.put(*v, c.now)
	return http.StatusNoContent, nil, nil
}
