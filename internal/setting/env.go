// Package setting binds command-line flags to environment variables, so that
// every setting of every pbxlink command is both: --zoom-url and
// PBXLINK_ZOOM_URL name the same thing, and a flag given on the command line
// wins over the environment.
package setting

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// EnvName is the environment variable that carries a flag: the prefix, then
// the flag's name in upper case with dashes as underscores
// (prefix "PBXLINK_", flag "zoom-url" → PBXLINK_ZOOM_URL).
func EnvName(prefix, flagName string) string {
	return prefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Parse parses args into fs, then fills every flag that the command line left
// unset from its environment variable (looked up through getenv, os.Getenv
// when nil). A malformed value is reported naming both the variable and the
// flag, so the operator knows which of the two to fix.
func Parse(fs *flag.FlagSet, prefix string, args []string, getenv func(string) string) error {
	return ParseNamed(fs, Prefix(prefix), args, getenv)
}

// Names gives the environment variable of each flag. A command whose flags
// mean different things from the worker's settings of the same name gives
// those flags a prefix of their own (Prefixes).
type Names func(flagName string) string

// Prefix names every flag's variable with one prefix, as EnvName does.
func Prefix(prefix string) Names {
	return func(flagName string) string { return EnvName(prefix, flagName) }
}

// Prefixes names the variables of the flags that shared accepts with
// sharedPrefix, and of every other flag with own: "pbxlink publish" shares
// its connection settings with "pbxlink run" (PBXLINK_NATS_URL) and keeps
// its event fields apart (PBXLINK_PUBLISH_DEPARTMENT, never the worker's
// PBXLINK_DEPARTMENT).
func Prefixes(shared func(flagName string) bool, sharedPrefix, own string) Names {
	return func(flagName string) string {
		if shared(flagName) {
			return EnvName(sharedPrefix, flagName)
		}
		return EnvName(own, flagName)
	}
}

// ParseNamed is Parse with each flag's variable named by names.
func ParseNamed(fs *flag.FlagSet, names Names, args []string, getenv func(string) string) error {
	if getenv == nil {
		getenv = os.Getenv
	}
	// The flag package would print its error and the whole usage; a bad
	// setting gets one line instead, and --help the usage alone.
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return err
	}
	if err != nil {
		return &Error{Msg: oneFlagLine(names, err)}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] {
			return
		}
		name := names(f.Name)
		v := getenv(name)
		if v == "" {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = &Error{Msg: fmt.Sprintf("%s (--%s): invalid value %q: %v", name, f.Name, v, e)}
		}
	})
	return err
}

// Error is a bad setting, explained in one line that names the
// environment variable and the flag.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// flagError matches the flag package's messages that name a flag.
var flagError = regexp.MustCompile(`^(?:invalid (?:boolean )?value "(.*)" for (?:flag )?-(\S+): (.*)|flag provided but not defined: -(\S+)|flag needs an argument: -(\S+))$`)

// oneFlagLine rewrites a flag package error to name the variable too.
func oneFlagLine(names Names, err error) string {
	m := flagError.FindStringSubmatch(err.Error())
	switch {
	case m == nil:
		return err.Error()
	case m[2] != "":
		return fmt.Sprintf("%s (--%s): invalid value %q: %s", names(m[2]), m[2], m[1], m[3])
	case m[4] != "":
		return fmt.Sprintf("unknown flag --%s (see --help)", m[4])
	}
	return fmt.Sprintf("%s (--%s): needs a value", names(m[5]), m[5])
}

// Usage returns a FlagSet usage function that lists every flag with its
// environment variable, for --help.
func Usage(fs *flag.FlagSet, prefix, synopsis string) func() {
	return UsageNamed(fs, Prefix(prefix), synopsis)
}

// UsageNamed is Usage with each flag's variable named by names.
func UsageNamed(fs *flag.FlagSet, names Names, synopsis string) func() {
	return func() {
		w := fs.Output()
		fmt.Fprintf(w, "%s\n\nSettings (flag, environment variable, default):\n", synopsis)
		fs.VisitAll(func(f *flag.Flag) {
			def := f.DefValue
			if def == "" {
				def = `""`
			}
			fmt.Fprintf(w, "  --%s, %s (default %s)\n      %s\n", f.Name, names(f.Name), def, f.Usage)
		})
	}
}
