package main

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"time"
)

// callbackPath is where pbxlink authorize takes Zoom's redirect.
const callbackPath = "/oauth/callback"

// callbackResult is a code from Zoom's redirect, or why there is none.
type callbackResult struct {
	code string
	err  error
}

// serveCallback serves Zoom's redirect on lis: the first request with this
// run's state delivers its code (or the admin's refusal); requests with
// another state are refused and waited past (a stale tab, a forged link).
func serveCallback(lis net.Listener, state string) (<-chan callbackResult, func()) {
	ch := make(chan callbackResult, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+callbackPath, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			http.Error(w, "pbxlink: this redirect is not of the authorisation pbxlink authorize is waiting for (state differs)", http.StatusBadRequest)
			return
		}
		var res callbackResult
		switch {
		case q.Get("error") != "":
			res.err = fmt.Errorf("Zoom did not authorise the app: %s", q.Get("error"))
			http.Error(w, "pbxlink: Zoom did not authorise the app ("+q.Get("error")+")", http.StatusOK)
		case q.Get("code") == "":
			http.Error(w, "pbxlink: the redirect has no code", http.StatusBadRequest)
			return
		default:
			res.code = q.Get("code")
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintln(w, "pbxlink: the app is authorised; you may close this window.")
		}
		select {
		case ch <- res:
		default: // a second redirect after the first: ignored
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(lis) }()
	return ch, func() { _ = srv.Close() }
}
