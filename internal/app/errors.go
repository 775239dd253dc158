package app

import (
	"errors"
	"fmt"
)

// ErrConfig is matched (errors.Is) by every *FlagError.
var ErrConfig = errors.New("app: invalid setting")

// FlagError is a problem with one setting, named by the flag of pbxlink
// run that sets it (without its dashes: "nats-listen").
type FlagError struct {
	Flag string
	Err  error
}

func (e *FlagError) Error() string { return "--" + e.Flag + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *FlagError) Unwrap() error { return e.Err }

// Is makes every FlagError match ErrConfig.
func (e *FlagError) Is(target error) bool { return target == ErrConfig }

// flagErr is a *FlagError of flag with a formatted cause.
func flagErr(flag, format string, args ...any) error {
	return &FlagError{Flag: flag, Err: fmt.Errorf(format, args...)}
}
