package zoomsim

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// adminMux serves the admin API described in the package documentation.
func (s *Server) adminMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.State()) })
	mux.HandleFunc("GET /_sim/journal", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.Journal()) })
	mux.HandleFunc("DELETE /_sim/journal", func(w http.ResponseWriter, r *http.Request) {
		s.ResetJournal()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_sim/stats", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.Stats()) })
	mux.HandleFunc("DELETE /_sim/stats", func(w http.ResponseWriter, r *http.Request) {
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_sim/faults", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.Faults()) })
	mux.HandleFunc("POST /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		f, err := parseFaults(body, s.now())
		if err != nil {
			writeAdminError(w, err)
			return
		}
		s.applyFaults(f)
		writeJSON(w, 200, f)
	})
	mux.HandleFunc("POST /_sim/app/deactivate", func(w http.ResponseWriter, r *http.Request) {
		s.SetAppActivated(false)
		writeJSON(w, 200, s.Faults())
	})
	mux.HandleFunc("POST /_sim/app/activate", func(w http.ResponseWriter, r *http.Request) {
		s.SetAppActivated(true)
		writeJSON(w, 200, s.Faults())
	})
	mux.HandleFunc("POST /_sim/app/deauthorize", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]int{"revoked_grants": s.Deauthorize()})
	})
	mux.HandleFunc("POST /_sim/oauth/consent", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Refuse bool `json:"refuse"`
		}
		body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err := strictUnmarshal(body, &in); err != nil {
			writeAdminError(w, err)
			return
		}
		s.SetConsentRefused(in.Refuse)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_sim/oauth/stats", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.OAuthStats()) })
	mux.HandleFunc("POST /_sim/revoke", func(w http.ResponseWriter, r *http.Request) {
		s.RevokeTokens()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_sim/voicemail", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Owner        string    `json:"owner"`
			CallerName   string    `json:"caller_name"`
			CallerNumber string    `json:"caller_number"`
			Duration     int       `json:"duration"`
			DateTime     time.Time `json:"date_time"`
			Status       string    `json:"status"`
		}
		body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err := strictUnmarshal(body, &in); err != nil {
			writeAdminError(w, err)
			return
		}
		v, err := s.AddVoicemail(in.Owner, Voicemail{CallerName: in.CallerName, CallerNumber: in.CallerNumber, Duration: in.Duration, DateTime: in.DateTime, Status: in.Status})
		if err != nil {
			writeAdminError(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, v)
	})
	mux.HandleFunc("POST /_sim/call_history", func(w http.ResponseWriter, r *http.Request) {
		var in CallRecord
		body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err := strictUnmarshal(body, &in); err != nil {
			writeAdminError(w, err)
			return
		}
		c, err := s.AddCallRecord(in)
		if err != nil {
			writeAdminError(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, c)
	})
	mux.HandleFunc("/_sim/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown admin endpoint " + r.Method + " " + r.URL.Path})
	})
	return mux
}

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) { s.admin.ServeHTTP(w, r) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"error":"cannot encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

func writeAdminError(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
}
