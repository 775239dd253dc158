// Package zoom is everything pbxlink knows about Zoom: Server-to-Server OAuth,
// the REST operations the worker calls, Zoom's rate-limit tables, and the
// typed errors that tell a caller whether to give up, wait or retry.
//
// The client is safe for concurrent use. It charges every call to a Limiter
// before sending it, so that a process (or, with a shared Limiter, a fleet)
// stays under the account's rate limit instead of discovering it through 429s.
// It never logs on its own: packet logging goes to the slog.Logger in Config
// and only at debug level.
package zoom
