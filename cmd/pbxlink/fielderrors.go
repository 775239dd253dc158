package main

import (
	"regexp"
	"strings"

	"github.com/pbxlink/pbxlink/internal/setting"
)

// The libraries name a bad setting by its Go field ("zoom: Config.URL:
// …"), as a library must; an operator set a flag or a variable, and reads
// those. The tables below map each field that a flag sets to that flag, and
// flagNamed rewrites the libraries' lines to name flag and variable
// instead. A field no flag sets (Config.JetStream) stays as it is: that is
// a fault of pbxlink, not of its settings.

// runFields: the settings of pbxlink run, by the library field they fill.
var runFields = map[string]string{
	"zoom.Config.URL":                "zoom-url",
	"zoom.Config.AccountID":          "zoom-account-id",
	"zoom.Config.ClientID":           "zoom-client-id",
	"zoom.Config.ClientSecret":       "zoom-client-secret",
	"zoom.Config.Plan":               "zoom-plan",
	"zoom.S2SConfig.URL":             "zoom-url",
	"consumer.Config.Target":         "target",
	"consumer.Config.NameTemplate":   "name-template",
	"consumer.Config.Department":     "department",
	"consumer.Config.Retries":        "retries",
	"consumer.Config.RetryInterval":  "retry-interval",
	"consumer.Config.CacheRefresh":   "cache-refresh",
	"consumer.Config.Concurrency":    "concurrency",
	"broker.EmbeddedConfig.Listen":   "nats-listen",
	"broker.EmbeddedConfig.StoreDir": "data-dir",
	"broker.ConnectConfig.URL":       "nats-url",
}

// zoomsimFields: the settings of pbxlink zoomsim, by zoomsim.Config field.
var zoomsimFields = map[string]string{
	"zoomsim.Config.OAuthListen":         "oauth-listen",
	"zoomsim.Config.APIListen":           "api-listen",
	"zoomsim.Config.AccountID":           "account-id",
	"zoomsim.Config.ClientID":            "client-id",
	"zoomsim.Config.ClientSecret":        "client-secret",
	"zoomsim.Config.Scopes":              "scopes",
	"zoomsim.Config.TokenTTL":            "token-ttl",
	"zoomsim.Config.TokenMode":           "token-mode",
	"zoomsim.Config.APIURLOverride":      "api-url",
	"zoomsim.Config.InvalidClientStatus": "invalid-client-status",
	"zoomsim.Config.Plan":                "plan",
	"zoomsim.Config.RateLimitTypeQPS":    "ratelimit-type-qps",
	"zoomsim.Config.RetryAfter":          "retry-after",
	"zoomsim.Config.PresenceInterval":    "presence-interval",
	"zoomsim.Config.PresenceAnswer":      "presence-answer",
	"zoomsim.Config.BannedWords":         "banned-words",
	"zoomsim.Config.SeedFile":            "seed-file",
	"zoomsim.Config.JournalLimit":        "journal-limit",
}

// fieldRef finds "<package>: … <Type>.<Field>" in one line of a library's
// error: the package that speaks, then the first Config field it names.
var fieldRef = regexp.MustCompile(`^([a-z]+): (.*?)\b((?:[A-Z]\w*)?Config)\.([A-Z]\w*)(.*)$`)

// flagNamed rewrites err, line by line, to name flags and variables
// (envName gives a flag's variable) instead of the library fields in
// fields. When every line then names a setting, the result also wraps a
// *setting.Error with the same words (exit 2: fix the setting). errors.Is
// and errors.As still see err.
func flagNamed(err error, fields map[string]string, envName setting.Names) error {
	if err == nil {
		return nil
	}
	lines := strings.Split(err.Error(), "\n")
	changed, named := false, 0
	for i, line := range lines {
		if strings.HasPrefix(line, envPrefix) {
			named++ // already a setting's line: "PBXLINK_X (--x): …"
			continue
		}
		m := fieldRef.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name, ok := fields[m[1]+"."+m[3]+"."+m[4]]
		if !ok {
			continue
		}
		// What the library said about the field, without the field:
		// "Config.URL: x" → "x"; "listener (Config.OAuthListen a): b" →
		// "listener (a): b"; "Config.AccountID is required" → "is required".
		rest := strings.TrimSpace(m[2] + strings.TrimLeft(m[5], " "))
		rest = strings.TrimPrefix(strings.ReplaceAll(rest, "( ", "("), ": ")
		rest = strings.ReplaceAll(rest, "()", "")
		lines[i] = envName(name) + " (--" + name + "): " + strings.TrimSpace(rest)
		changed, named = true, named+1
	}
	if !changed {
		return err
	}
	e := &renamedError{msg: strings.Join(lines, "\n"), errs: []error{err}}
	if named == len(lines) {
		e.errs = append(e.errs, &setting.Error{Msg: e.msg})
	}
	return e
}

// renamedError is a library's error in the words of the command line. It
// wraps the original (errors.Is and errors.As still find it) and, when
// every line names a setting, a *setting.Error with the same words.
type renamedError struct {
	msg  string
	errs []error
}

func (e *renamedError) Error() string   { return e.msg }
func (e *renamedError) Unwrap() []error { return e.errs }
