package zoomsim

import (
	"net/http"
	"slices"
	"time"
)

// Call history API: GET /phone/call_history (account), GET
// /phone/users/{userId}/call_history, GET /phone/call_history/{uuid}.

type callHistoryList struct {
	CallHistory   []CallRecord `json:"call_history"`
	From          string       `json:"from"`
	To            string       `json:"to"`
	NextPageToken string       `json:"next_page_token"`
	PageCount     int          `json:"page_count"`
	PageSize      int          `json:"page_size"`
	TotalRecords  int          `json:"total_records"`
}

// callParty is the caller and callee fields that every call-history shape
// shares.
type callParty struct {
	CallerExtID     string `json:"caller_ext_id,omitempty"`
	CallerName      string `json:"caller_name,omitempty"`
	CallerEmail     string `json:"caller_email,omitempty"`
	CallerDIDNumber string `json:"caller_did_number,omitempty"`
	CallerExtNumber string `json:"caller_ext_number,omitempty"`
	CallerExtType   string `json:"caller_ext_type,omitempty"`
	CalleeExtID     string `json:"callee_ext_id,omitempty"`
	CalleeName      string `json:"callee_name,omitempty"`
	CalleeEmail     string `json:"callee_email,omitempty"`
	CalleeDIDNumber string `json:"callee_did_number,omitempty"`
	CalleeExtNumber string `json:"callee_ext_number,omitempty"`
	CalleeExtType   string `json:"callee_ext_type,omitempty"`
	CallID          string `json:"call_id"`
	ConnectType     string `json:"connect_type,omitempty"`
	CallType        string `json:"call_type,omitempty"`
	Direction       string `json:"direction"`
	StartTime       string `json:"start_time"`
	AnswerTime      string `json:"answer_time,omitempty"`
	EndTime         string `json:"end_time,omitempty"`
}

// numberTypes are the *_number_type fields, which the call path's top level
// lacks.
type numberTypes struct {
	CallerNumberType string `json:"caller_number_type,omitempty"`
	CalleeNumberType string `json:"callee_number_type,omitempty"`
}

func partyOf(r *CallRecord) callParty {
	return callParty{
		CallerExtID: r.CallerExtID, CallerName: r.CallerName, CallerEmail: r.CallerEmail, CallerDIDNumber: r.CallerDIDNumber,
		CallerExtNumber: r.CallerExtNumber, CallerExtType: r.CallerExtType,
		CalleeExtID: r.CalleeExtID, CalleeName: r.CalleeName, CalleeEmail: r.CalleeEmail, CalleeDIDNumber: r.CalleeDIDNumber,
		CalleeExtNumber: r.CalleeExtNumber, CalleeExtType: r.CalleeExtType,
		CallID: r.CallID, ConnectType: r.ConnectType, CallType: r.CallType, Direction: r.Direction,
		StartTime: zoomTime(r.StartTime), AnswerTime: zoomTime(r.AnswerTime), EndTime: zoomTime(r.EndTime),
	}
}

// event is the call-log event of a record: incoming or outgoing.
func event(r *CallRecord) string {
	if r.Direction == "outbound" {
		return "outgoing"
	}
	return "incoming"
}

type userCallLog struct {
	ID         string `json:"id"`
	CallPathID string `json:"call_path_id"`
	callParty
	numberTypes
	Event    string `json:"event"`
	Result   string `json:"result"`
	TalkTime int    `json:"talk_time"`
}

type userCallHistoryList struct {
	CallLogs      []userCallLog `json:"call_logs"`
	From          string        `json:"from"`
	To            string        `json:"to"`
	NextPageToken string        `json:"next_page_token"`
	PageCount     int           `json:"page_count"`
	PageSize      int           `json:"page_size"`
	TotalRecords  int           `json:"total_records"`
}

type callPathLeg struct {
	ID string `json:"id"`
	callParty
	numberTypes
	Department string `json:"department,omitempty"`
	CostCenter string `json:"cost_center,omitempty"`
	SiteID     string `json:"site_id,omitempty"`
	SiteName   string `json:"site_name,omitempty"`
	Event      string `json:"event"`
	Result     string `json:"result"`
	Segment    int    `json:"segment"`
	Node       int    `json:"node"`
}

type callPathDetail struct {
	ID              string `json:"id"`
	CallHistoryUUID string `json:"call_history_uuid"`
	callParty
	International bool          `json:"international"`
	Department    string        `json:"department,omitempty"`
	CostCenter    string        `json:"cost_center,omitempty"`
	SiteID        string        `json:"site_id,omitempty"`
	SiteName      string        `json:"site_name,omitempty"`
	CallPath      []callPathLeg `json:"call_path"`
}

// talkTime is the answered part of a call, in seconds.
func talkTime(r *CallRecord) int {
	if r.AnswerTime.IsZero() || r.EndTime.IsZero() {
		return 0
	}
	return int(r.EndTime.Sub(r.AnswerTime) / time.Second)
}

// callMatches applies the account list's filters.
func callMatches(c *call, r *CallRecord) bool {
	q := c.query
	if d := multi(q, "directions"); len(d) > 0 && !slices.Contains(d, r.Direction) {
		return false
	}
	if res := multi(q, "call_results"); len(res) > 0 && !slices.Contains(res, r.CallResult) {
		return false
	}
	if ids := multi(q, "call_ids"); len(ids) > 0 && !slices.Contains(ids, r.CallID) {
		return false
	}
	if sites := multi(q, "site_ids"); len(sites) > 0 && !slices.Contains(sites, r.SiteID) {
		return false
	}
	if d := q.Get("department"); d != "" && r.Department != d {
		return false
	}
	if kw := q.Get("keyword"); kw != "" {
		hit := false
		for _, f := range []string{r.CallerName, r.CalleeName, r.CallerExtNumber, r.CalleeExtNumber, r.CallerDIDNumber, r.CalleeDIDNumber, r.CallerEmail, r.CalleeEmail, r.CallID} {
			if containsFold(f, kw) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

// callIDs lists the records in range that keep passes, newest first. a.mu
// must be held.
func (a *account) callIDs(r timeRange, byEnd bool, keep func(*CallRecord) bool) []string {
	var recs []*CallRecord
	for _, c := range a.calls {
		t := c.StartTime
		if byEnd {
			t = c.EndTime
		}
		if r.contains(t) && keep(c) {
			recs = append(recs, c)
		}
	}
	slices.SortStableFunc(recs, func(x, y *CallRecord) int { return y.StartTime.Compare(x.StartTime) })
	ids := make([]string, len(recs))
	for i, c := range recs {
		ids[i] = c.UUID
	}
	return ids
}

func (s *Server) listCallHistory(c *call) (int, any, *apiError) {
	tt := c.query.Get("time_type")
	if tt != "" && tt != "start_time" && tt != "end_time" {
		return 0, nil, errValidation("time_type")
	}
	size, err := pageSize(c.query, c.op.ID, s.cfg.ClampPageSize)
	if err != nil {
		return 0, nil, err
	}
	r, err := firstPageRange(c, callHistoryDefaultSpan, errValidation)
	if err != nil {
		return 0, nil, err
	}
	if c.query.Get("next_page_token") == "" {
		if bad := callHistoryRangeProblem(c.query, c.now); bad != "" {
			return 0, nil, errValidation(bad)
		}
	}
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	st, err := s.pages.start(c.query, c.op, "", c.now, func() pageState {
		return pageState{rest: a.callIDs(r, tt == "end_time", func(rec *CallRecord) bool { return callMatches(c, rec) }), filter: r}
	})
	if err != nil {
		return 0, nil, err
	}
	r = st.filter.(timeRange)
	ids, next := s.pages.cut(st, size, c.now)
	out := callHistoryList{
		From: r.fromText, To: r.toText, NextPageToken: next, PageCount: pageCount(st.total, size),
		PageSize: size, TotalRecords: st.total, CallHistory: []CallRecord{},
	}
	for _, id := range ids {
		if rec, ok := a.callByID[id]; ok {
			out.CallHistory = append(out.CallHistory, *rec)
		}
	}
	return http.StatusOK, out, nil
}

func (s *Server) userCallHistory(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.user(c.params["userId"])
	if u == nil || u.ExtensionNumber == 0 {
		// This operation documents its missing user under code 300.
		return 0, nil, newError(404, 300, "User does not exist: %s.", c.params["userId"])
	}
	size, err := pageSize(c.query, c.op.ID, s.cfg.ClampPageSize)
	if err != nil {
		return 0, nil, err
	}
	r, err := firstPageRange(c, 24*time.Hour, func(p ...string) *apiError { return errInvalidParam(p[0]) })
	if err != nil {
		return 0, nil, err
	}
	ext := itoa(u.ExtensionNumber)
	st, err := s.pages.start(c.query, c.op, u.ID, c.now, func() pageState {
		ids := a.callIDs(r, c.query.Get("time_type") == "end_time", func(rec *CallRecord) bool {
			mine := (u.ExtensionID != "" && (rec.CallerExtID == u.ExtensionID || rec.CalleeExtID == u.ExtensionID)) ||
				rec.CallerExtNumber == ext || rec.CalleeExtNumber == ext
			return mine && callMatches(c, rec)
		})
		return pageState{rest: ids, filter: r}
	})
	if err != nil {
		return 0, nil, err
	}
	r = st.filter.(timeRange)
	ids, next := s.pages.cut(st, size, c.now)
	out := userCallHistoryList{
		From: r.fromText, To: r.toText, NextPageToken: next, PageCount: pageCount(st.total, size),
		PageSize: size, TotalRecords: st.total, CallLogs: []userCallLog{},
	}
	for _, id := range ids {
		if rec, ok := a.callByID[id]; ok {
			out.CallLogs = append(out.CallLogs, userCallLog{
				ID: rec.UUID, CallPathID: rec.UUID, callParty: partyOf(rec),
				numberTypes: numberTypes{rec.CallerNumberType, rec.CalleeNumberType},
				Event:       event(rec), Result: rec.CallResult, TalkTime: talkTime(rec),
			})
		}
	}
	return http.StatusOK, out, nil
}

func (s *Server) getCallHistoryItem(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	id := c.params["callHistoryUuid"]
	rec, ok := a.callByID[id]
	if !ok {
		return 0, nil, newError(404, 300, "Call history does not exist: %s.", id)
	}
	return http.StatusOK, callPathDetail{
		ID: rec.UUID, CallHistoryUUID: rec.UUID, callParty: partyOf(rec), International: rec.International,
		Department: rec.Department, CostCenter: rec.CostCenter, SiteID: rec.SiteID, SiteName: rec.SiteName,
		CallPath: []callPathLeg{{
			ID: rec.UUID, callParty: partyOf(rec), numberTypes: numberTypes{rec.CallerNumberType, rec.CalleeNumberType},
			Department: rec.Department, CostCenter: rec.CostCenter, SiteID: rec.SiteID, SiteName: rec.SiteName,
			Event: event(rec), Result: rec.CallResult,
		}},
	}, nil
}
