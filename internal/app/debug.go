package app

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/schemas"
)

// watchDebug follows the "debug" key of the pbxlink-config bucket and
// switches debug logging (Zoom packet logs among it) on every change,
// until ctx ends. While the key is absent, the initial setting stands.
func watchDebug(ctx context.Context, js jetstream.JetStream, initial bool, level *slog.LevelVar, log *slog.Logger) {
	set := func(on bool, why string) {
		want := slog.LevelInfo
		if on {
			want = slog.LevelDebug
		}
		if level.Level() != want {
			level.Set(want)
			log.Info("debug logging switched", "debug", on, "by", why)
		}
	}
	for ctx.Err() == nil {
		kv, err := js.KeyValue(ctx, schemas.BucketConfig)
		if err == nil {
			var w jetstream.KeyWatcher
			if w, err = kv.Watch(ctx, schemas.KeyDebug); err == nil {
				for e := range w.Updates() {
					switch {
					case e == nil: // initial values delivered
					case e.Operation() != jetstream.KeyValuePut:
						set(initial, "the debug key was deleted")
					default:
						on, perr := strconv.ParseBool(strings.TrimSpace(string(e.Value())))
						if perr != nil {
							log.Warn("ignoring pbxlink-config debug value: want true or false", "value", string(e.Value()))
							continue
						}
						set(on, "pbxlink-config")
					}
				}
				_ = w.Stop()
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
