package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/pbxlink/pbxlink/internal/setting"
)

func init() {
	register("version", "print the version of this binary", versionCmd)
}

func versionCmd(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("version", stdout)
	fs.Usage = setting.Usage(fs, envPrefix+"VERSION_", "Usage: pbxlink version\n\nPrints the module version of this binary, the commit it was built from\n(when the build recorded it) and the Go version. Also: pbxlink --version.")
	if err := setting.Parse(fs, envPrefix+"VERSION_", args, nil); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	fmt.Fprintln(stdout, versionLine())
	return nil
}

// versionLine is what pbxlink --version prints: the module version that
// "go install …@version" records (else "(devel)"), the commit, its time and
// whether the tree had changes when "go build" in a checkout recorded them,
// and the Go version. A binary built with -buildvcs=false has no commit.
func versionLine() string {
	version, vcs := "(devel)", []string(nil)
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" {
			version = v
		}
		var rev, at string
		var modified bool
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if rev != "" {
			vcs = append(vcs, "commit "+rev[:min(12, len(rev))])
			if at != "" {
				vcs = append(vcs, at)
			}
			if modified {
				vcs = append(vcs, "with local changes")
			}
		}
	}
	line := "pbxlink " + version
	if len(vcs) > 0 {
		line += " (" + strings.Join(vcs, ", ") + ")"
	}
	return line + " " + runtime.Version()
}
