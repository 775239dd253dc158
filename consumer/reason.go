package consumer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
)

// logSafe renders an error for a log line above debug level. Zoom's messages
// can quote the name that was refused (a guest's name, personal data), so a
// Zoom error is reduced to its operation, status, code and field names; the
// full text goes to the dead letter's header and to debug logs.
func logSafe(err error) string {
	var ae *zoom.APIError
	if !errors.As(err, &ae) {
		return err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "zoom %s: HTTP %d", ae.Op, ae.Status)
	if ae.Code != 0 {
		fmt.Fprintf(&b, " code %d", ae.Code)
	}
	for _, f := range ae.Fields {
		b.WriteString(" field " + f.Field)
	}
	return b.String()
}

// reasonClasses are every value reasonClass returns.
var reasonClasses = []string{"bad_time", "bad_event", "unknown_extension", "feature_off", "zoom_permanent", "retries_exhausted", "interrupted", "other"}

// reasonClass is the "reason" label of pbxlink_dead_letters_total: a small,
// fixed set.
func reasonClass(err error) string {
	switch {
	case errors.Is(err, errBadTime):
		return "bad_time"
	case errors.Is(err, errInterrupted):
		return "interrupted"
	case errors.Is(err, schemas.ErrInvalidEvent):
		return "bad_event"
	case errors.Is(err, ErrUnknownExtension):
		return "unknown_extension"
	case errors.Is(err, errFeatureOff):
		return "feature_off"
	case errors.Is(err, zoom.ErrPermanent):
		return "zoom_permanent"
	case errors.Is(err, zoom.ErrRetryable), errors.Is(err, zoom.ErrRateLimited):
		return "retries_exhausted"
	}
	return "other"
}
