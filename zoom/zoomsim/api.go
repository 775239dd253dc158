package zoomsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// maxBody bounds a request body; Zoom's bodies are small.
const maxBody = 1 << 20

// serveAPI is the API listener: /_sim/ goes to the admin API, the rest to
// the simulated Zoom API, in Zoom's order: authentication, route, rate
// limit, scope, then the operation.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveAdmin(w, r)
		return
	}
	arrival := s.now()
	rt, params := match(s.routes, r.Method, r.URL.EscapedPath())
	if rt != nil {
		s.stats.arrive(rt.op.Bucket())
	} else {
		s.stats.noRoute()
	}
	body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	e := Entry{Time: arrival, Listener: "api", Method: r.Method, Path: r.URL.Path, RequestBody: body}
	e.Query = r.URL.RawQuery
	if q := r.URL.Query(); hasSecretParam(q) {
		e.Query = redactValues(q)
	}
	if rt != nil {
		e.OperationID, e.Bucket = rt.op.ID, rt.op.Bucket()
	}

	a := s.process(r, rt, params, body, &e)

	h := w.Header()
	h.Set("X-Zm-Trackingid", "sim_"+randomToken(12))
	for k, v := range a.header {
		h[k] = v
	}
	status := a.status
	var respBody []byte
	switch {
	case a.err != nil:
		for k, v := range a.err.header {
			h[k] = v
		}
		status = a.err.status
		respBody = marshal(a.err)
		e.Fault = a.err.fault
	case status != http.StatusNoContent:
		respBody = marshal(a.body)
	}
	if len(respBody) > 0 {
		h.Set("Content-Type", "application/json;charset=UTF-8")
		h.Set("Content-Length", strconv.Itoa(len(respBody)))
	}
	// Record before answering, so that a client that has its answer finds
	// the call in the journal and the statistics.
	e.Status, e.ResponseBody, e.Duration = status, respBody, s.now().Sub(arrival)
	s.jrnl.add(e)
	if rt != nil {
		s.stats.finish(rt.op.Bucket(), status)
	}
	w.WriteHeader(status)
	_, _ = w.Write(respBody)
	s.log.Debug("zoomsim api", "method", r.Method, "path", r.URL.Path, "operation", e.OperationID,
		"status", status, "token_serial", e.TokenSerial, "fault", e.Fault, "duration", e.Duration)
}

// answer is the outcome of one API request: a status and body to encode,
// or an error answer; header holds the rate-limit headers of an admitted
// call.
type answer struct {
	status int
	body   any
	err    *apiError
	header http.Header
}

func failed(err *apiError) answer { return answer{err: err} }

// process runs one API request through Zoom's checks and the operation.
func (s *Server) process(r *http.Request, rt *route, params map[string]string, body []byte, e *Entry) answer {
	if d := s.faults.delay(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			// The client gave up (or the simulator is closing) during the
			// injected latency: nothing is applied.
			t.Stop()
			err := errServer(http.StatusServiceUnavailable)
			err.fault = "canceled"
			return failed(err)
		}
	}
	now := s.now()
	f := s.faults.get()
	switch {
	case f.AccountDeleted:
		err := errAccountMissing(s.cfg.AccountID)
		err.fault = "account_deleted"
		return failed(err)
	case f.AppNotActivated:
		// A deactivated app's tokens all stop working.
		err := errInvalidToken()
		err.fault = "app_not_activated"
		return failed(err)
	}
	tok, expired := s.authenticate(r, now)
	if tok == nil {
		if expired && s.cfg.ExpiredToken400 {
			return failed(errTokenExpired())
		}
		return failed(errInvalidToken())
	}
	e.TokenSerial = tok.serial
	if rt == nil {
		return failed(errRoute(r.Method, r.URL.Path))
	}
	b := rt.op.Bucket()
	if until := f.RateLimitUntil; now.Before(until) {
		err := s.rateLimited(b, decision{retryAt: until}, now)
		err.fault = "rate_limit_until"
		return failed(err)
	}
	var a answer
	if !s.cfg.Unlimited {
		d := s.limit.admit(b, now)
		if !d.ok {
			return failed(s.rateLimited(b, d, now))
		}
		a.header = s.successHeaders(b, d)
	}
	s.stats.admit(b, now)
	if !tok.has(rt.op.Scope) {
		a.err = errScope(rt.op.Scope)
		return a
	}
	kind, failStatus := s.faults.draw()
	if kind == faultError {
		a.err = errServer(failStatus)
		a.err.fault = "error"
		return a
	}
	a.status, a.body, a.err = rt.handle(&call{op: rt.op, params: params, query: r.URL.Query(), body: body, now: now, me: tok.user})
	if a.err != nil && a.err.status == http.StatusTooManyRequests {
		a.header = nil // the operation's own 429 (presence) carries only its headers
	}
	if kind == faultAppliedError {
		a.err = errServer(failStatus)
		a.err.fault = "applied_error"
	}
	return a
}

// authenticate returns the valid token of the request's bearer
// Authorization, or nil and whether the token was one that expired.
func (s *Server) authenticate(r *http.Request, now time.Time) (*token, bool) {
	scheme, v, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(v) == "" {
		return nil, false
	}
	return s.tokens.check(strings.TrimSpace(v), now)
}

// rateLimited builds the 429 of a refused request with Zoom's headers
// (unless Config.OmitRateLimitHeaders).
func (s *Server) rateLimited(b zoom.Bucket, d decision, now time.Time) *apiError {
	err := errPerSecond()
	if d.daily {
		err = errDaily()
	}
	if s.cfg.OmitRateLimitHeaders {
		return err
	}
	h := http.Header{}
	h.Set("X-RateLimit-Category", string(b.Category))
	if d.daily {
		h.Set("X-RateLimit-Type", "Daily-limit")
		h.Set("Retry-After", d.retryAt.UTC().Format(time.RFC3339))
	} else {
		h.Set("X-RateLimit-Type", s.cfg.RateLimitTypeQPS)
		if s.cfg.RetryAfter != RetryAfterNone {
			h.Set("Retry-After", s.retryAfter(d.retryAt, now))
		}
	}
	if d.limit > 0 {
		h.Set("X-RateLimit-Limit", strconv.Itoa(d.limit))
	}
	h.Set("X-RateLimit-Remaining", "0")
	err.header = h
	return err
}

// retryAfter formats a per-second Retry-After per Config.RetryAfter.
func (s *Server) retryAfter(at, now time.Time) string {
	switch s.cfg.RetryAfter {
	case RetryAfterHTTPDate:
		return at.Add(time.Second - 1).UTC().Truncate(time.Second).Format(http.TimeFormat)
	case RetryAfterRFC3339:
		return at.Add(time.Second - 1).UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	secs := int64((at.Sub(now) + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(secs, 1), 10)
}

// successHeaders are the rate-limit headers of an admitted call: its
// category and, for a bucket with a daily cap, the cap and what is left.
func (s *Server) successHeaders(b zoom.Bucket, d decision) http.Header {
	if s.cfg.OmitRateLimitHeaders {
		return nil
	}
	h := http.Header{}
	h.Set("X-RateLimit-Category", string(b.Category))
	if d.hasDaily {
		h.Set("X-RateLimit-Type", "Daily-limit")
		h.Set("X-RateLimit-Limit", strconv.Itoa(d.limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(d.remaining))
	}
	return h
}

// marshal encodes an answer as Zoom does: compact, without escaping &, <
// and > (encoding/json would write "F\u0026B" for "F&B").
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(`{"code":500,"message":"The simulator could not encode its answer."}`)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func hasSecretParam(q map[string][]string) bool {
	for k := range q {
		if isSecretParam(k) {
			return true
		}
	}
	return false
}
