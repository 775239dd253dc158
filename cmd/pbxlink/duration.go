package main

import (
	"errors"
	"math"
	"strconv"
	"time"
)

// durationValue is a flag holding a duration that also accepts a bare
// number in the unit the hotel's other systems use for the same setting
// (the DuVoice screens give the retry interval in seconds and the
// directory refresh in minutes), so a value copied from there means what
// it meant there: --retry-interval 5 is five seconds, --cache-refresh 480
// eight hours. Go durations (90s, 5m, 1h30m) work as well.
type durationValue struct {
	d    *time.Duration
	unit time.Duration
	name string // the unit in words, for the error: "seconds"
}

// durationVar defines a duration flag whose bare numbers count unit.
func durationVar(d *time.Duration, def, unit time.Duration, unitName string) *durationValue {
	*d = def
	return &durationValue{d: d, unit: unit, name: unitName}
}

func (v *durationValue) Set(s string) error {
	if d, err := time.ParseDuration(s); err == nil {
		*v.d = d
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f*float64(v.unit)) > math.MaxInt64 {
		return errors.New("want a duration such as 90s, 5m or 1h30m, or a number of " + v.name)
	}
	*v.d = time.Duration(f * float64(v.unit))
	return nil
}

func (v *durationValue) String() string {
	if v == nil || v.d == nil {
		return ""
	}
	// A whole number of the unit reads as such ("480m", not "8h0m0s"), in
	// --help and in the README alike.
	if suffix, ok := unitSuffix[v.unit]; ok && *v.d%v.unit == 0 {
		return strconv.FormatInt(int64(*v.d/v.unit), 10) + suffix
	}
	return v.d.String()
}

// unitSuffix is how time.ParseDuration writes the units of durationValue.
var unitSuffix = map[time.Duration]string{time.Second: "s", time.Minute: "m", time.Hour: "h"}
