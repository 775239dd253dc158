// Package setting binds command-line flags to environment variables, so that
// every setting of every pbxlink command is both: --zoom-url and
// PBXLINK_ZOOM_URL name the same thing, and a flag given on the command line
// wins over the environment.
package setting

import (
	"flag"
	"fmt"
	"os"
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
	if getenv == nil {
		getenv = os.Getenv
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] {
			return
		}
		name := EnvName(prefix, f.Name)
		v := getenv(name)
		if v == "" {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = fmt.Errorf("invalid value %q for %s (--%s): %v", v, name, f.Name, e)
		}
	})
	return err
}

// Usage returns a FlagSet usage function that lists every flag with its
// environment variable, for --help.
func Usage(fs *flag.FlagSet, prefix, synopsis string) func() {
	return func() {
		w := fs.Output()
		fmt.Fprintf(w, "%s\n\nSettings (flag, environment variable, default):\n", synopsis)
		fs.VisitAll(func(f *flag.Flag) {
			def := f.DefValue
			if def == "" {
				def = `""`
			}
			fmt.Fprintf(w, "  --%s, %s (default %s)\n      %s\n", f.Name, EnvName(prefix, f.Name), def, f.Usage)
		})
	}
}
