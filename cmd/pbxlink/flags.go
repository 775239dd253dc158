package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/pbxlink/pbxlink/internal/setting"
)

// newFlagSet is the flag set of one command. Its output is standard output:
// the flag package writes there only the usage that --help asks for
// (setting.Parse discards its error messages and reports one line instead),
// and asked-for help is the command's output, exit 0.
func newFlagSet(name string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	return fs
}

// noArgs refuses words after the flags of a command that takes none: a
// stray word is most often a flag's value without its flag, or a flag
// after a typo that ended flag parsing, and the rest would be silently
// ignored.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() == 0 {
		return nil
	}
	return &setting.Error{Msg: fmt.Sprintf("unexpected argument %q: every setting is a flag (see pbxlink %s --help)", fs.Arg(0), fs.Name())}
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}
