// Command pbxlink links a hotel's property-management system to Zoom Phone.
// Run "pbxlink help" for its commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/pbxlink/pbxlink/internal/setting"
)

// command is one pbxlink sub-command. It parses its own args (flags and
// environment), runs until done or until ctx is cancelled, and returns an
// error that main prints as one line.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) {
	commands[name] = command{summary, run}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0: // a usage error: the usage goes where errors go
		usage(stderr)
		return 2
	case isHelp(args[0]):
		usage(stdout)
		return 0
	case args[0] == "--version" || args[0] == "-version":
		args = []string{"version"}
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "pbxlink: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := cmd.run(ctx, args[1:], stdout, stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.As(err, new(*setting.Error)):
		fmt.Fprintf(stderr, "pbxlink %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "pbxlink %s: %v\n", args[0], err)
		return 1
	}
}

// errUsage marks an error already explained to the user by the flag package.
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "pbxlink links a hotel PMS to Zoom Phone through NATS JetStream.\n\nUsage: pbxlink <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nEvery command answers --help, which names each flag's environment variable\n(--zoom-url of run is PBXLINK_ZOOM_URL). pbxlink --version prints the version.")
}
