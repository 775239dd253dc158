// Package zoomsim is a simulated Zoom for pbxlink: the product's
// "pbxlink zoomsim" for integrators without a Zoom account, and the test
// double that every pbxlink test uses in place of Zoom. It behaves like Zoom
// as shared/zoom-api documents it, choosing the strictest reading where Zoom
// is vague, so that a client that works against the simulator works against
// Zoom:
//
//   - two listeners: an OAuth host (POST /oauth/token, Server-to-Server
//     account_credentials grant) whose token response names the API host in
//     api_url, and the API host serving every operation of zoom.Operations()
//     under /v2, with Zoom's field names, error bodies and 204s;
//   - the account-level OAuth app (OAuthAppConfig): GET /oauth/authorize
//     with a simulated admin's consent, five-minute single-use codes bound
//     to their redirect_uri, and refresh tokens that rotate on every use
//     (the old one refused "Invalid Token!"); GET /users/me answers the
//     consenting admin; Deauthorize revokes every grant;
//   - access tokens that expire, can all stay valid or only the latest
//     (TokenMode), and carry the granted scopes (400 code 4711 without);
//   - Zoom's per-account rate limits per (family, category) bucket, on
//     sliding windows, plus the daily caps, answered with Zoom's 429s;
//   - the once-a-minute presence rule, field limits counted in characters,
//     refusal of unknown body fields, banned words, 15-minute page tokens;
//   - injected faults (errors, latency, forced 429s, revoked tokens);
//   - inspection: the account's state, a journal of every request and
//     per-bucket statistics, in Go and over HTTP under /_sim/.
//
// A hotel is generated from Seed (rooms as users or common areas, desk
// phones, voicemail, call history) or loaded from a seed file; IDs are
// deterministic. Settings that Zoom leaves unconfirmed are Config fields.
//
// # Admin API
//
// The API listener also serves an admin API under /_sim/, for demos and for
// tests in other processes. It needs no token, is not rate limited and is
// not journaled.
//
//	GET    /_sim/state          the account (State; also the seed-file format)
//	GET    /_sim/journal        the journal ([]Entry)
//	DELETE /_sim/journal        empty the journal
//	GET    /_sim/stats          the statistics (Stats)
//	DELETE /_sim/stats          zero the statistics
//	GET    /_sim/faults         the active faults
//	POST   /_sim/faults         replace them: {"error_rate":0.1,"applied_error_rate":0,
//	                            "latency":"100ms","latency_jitter":"50ms",
//	                            "rate_limit_until":"2026-01-02T15:04:05Z" or "rate_limit_for":"30s",
//	                            "app_not_activated":false}
//	POST   /_sim/revoke         invalidate every access token
//	POST   /_sim/app/deauthorize remove the OAuth app: revoke every grant and its
//	                            tokens → {"revoked_grants":1}
//	POST   /_sim/oauth/consent  {"refuse":true}: the admin declines authorisations
//	GET    /_sim/oauth/stats    the OAuth app's counters (OAuthStats)
//	POST   /_sim/voicemail      leave a message: {"owner":"1201" (extension, user ID or email),
//	                            "caller_name":"…","caller_number":"…","duration":12,
//	                            "date_time":"…" (default now),"status":"unread"} → 201 Voicemail
//	POST   /_sim/call_history   add a call: a CallRecord → 201 CallRecord
//
// Conformance with Zoom's published OpenAPI definitions is checked by the
// package's tests (internal/openapi validates every answer against them).
package zoomsim
