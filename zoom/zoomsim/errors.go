package zoomsim

import (
	"fmt"
	"net/http"
	"slices"
)

// apiError is an error answer of the API, in Zoom's body format:
// {"code":…,"message":…[,"errors":[{"field":…,"message":…}]]}.
type apiError struct {
	status  int
	Code    int          `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
	// header holds extra response headers (rate-limit headers).
	header http.Header
	// fault names the injected fault behind the answer, for the journal.
	fault string
}

// fieldError is one entry of a validation answer's errors list.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d code %d: %s", e.status, e.Code, e.Message) }

func newError(status, code int, format string, args ...any) *apiError {
	return &apiError{status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func errInvalidToken() *apiError { return newError(401, 124, "Invalid access token.") }

func errScope(scope string) *apiError {
	return newError(400, 4711, "Invalid access token, does not contain scopes:[%s].", scope)
}

// errValidation is 400 code 300 "Validation Failed." naming each bad field
// (sorted, so answers are stable).
func errValidation(fields ...string) *apiError {
	e := newError(400, 300, "Validation Failed.")
	fields = slices.Compact(slices.Sorted(slices.Values(fields)))
	for _, f := range fields {
		e.Errors = append(e.Errors, fieldError{Field: f, Message: "Invalid field."})
	}
	return e
}

func errBadJSON() *apiError { return newError(400, 300, "Request Body should be a valid JSON object.") }

func errInvalidParam(name string) *apiError {
	return newError(400, 301, "Invalid request param: %s.", name)
}

func errUserNotFound(id string) *apiError { return newError(404, 1001, "User does not exist: %s.", id) }

func errPageToken(code int) *apiError {
	return newError(400, code, "The next page token is invalid or expired.")
}

func errBannedWord(name string) *apiError {
	return newError(400, 300, "Your request could not be completed because the name contains an invalid word: %s", name)
}

func errRoute(method, path string) *apiError {
	return newError(404, 404, "The requested API %s %s does not exist.", method, path)
}

func errPerSecond() *apiError {
	return newError(429, 429, "You have reached the maximum per-second rate limit for this API. Try again later.")
}

func errDaily() *apiError {
	return newError(429, 429, "You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.")
}

// errPresenceTooMany is Zoom's answer to a second presence change of one
// user within a minute.
func errPresenceTooMany() *apiError {
	return newError(429, 429, "Too many requests submitted to update the presence status of this user. Please wait...")
}

// errTokenExpired is Zoom's 400 for an expired token (documented on GET
// /users).
func errTokenExpired() *apiError { return newError(400, 124, "Access token is expired.") }

// errAccountMissing is Zoom's 401 for a call on a deleted account
// (documented on deleteVoicemail).
func errAccountMissing(id string) *apiError {
	return newError(401, 124, "Account does not exist: %s.", id)
}

// errNameTooManyChinese is 400 code 300 naming a field with more Chinese
// characters than Zoom allows.
func errNameTooManyChinese(field string) *apiError {
	e := newError(400, 300, "Validation Failed.")
	e.Errors = []fieldError{{Field: field, Message: "Invalid field."}}
	return e
}

func errPresenceFailed() *apiError {
	return newError(400, 5301, "Request to update the presence status of this user failed.")
}

func errServer(status int) *apiError {
	if status == http.StatusServiceUnavailable {
		return newError(503, 503, "Service is temporarily unavailable. Try again later.")
	}
	return newError(500, 500, "Internal server error. Try again later.")
}
