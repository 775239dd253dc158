package consumer_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/seal"
	"github.com/pbxlink/pbxlink/schemas"
)

// TestPlantedDirectorySnapshotIgnored: a NATS user without the Zoom
// client secret plants a fresh directory snapshot that maps room 1201 to
// room 1202's Zoom user, in clear or sealed under another secret. The
// worker ignores it, loads the directory from Zoom, and the check-in of
// 1201 renames 1201's user, not the decoy.
func TestPlantedDirectorySnapshotIgnored(t *testing.T) {
	t.Parallel()
	for name, forge := range map[string]func([]byte) []byte{
		"clear": func(b []byte) []byte { return b },
		"other secret": func(b []byte) []byte {
			box, _ := seal.New("attacker-guess", "pbxlink directory snapshot")
			out, _ := box.Seal(b, []byte("snapshot"))
			return out
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, options{})
			b.cfg.Secret = b.sim.Config().ClientSecret
			decoy := b.user(1202)
			planted, _ := json.Marshal(map[string]any{
				"loaded_at": time.Now().UTC(),
				"entries": []consumer.Entry{{Extension: "1201", Kind: consumer.KindUser, ID: decoy.ID,
					FirstName: decoy.FirstName, LastName: decoy.LastName, DisplayName: decoy.DisplayName, LoadedAt: time.Now()}},
			})
			p := must[*broker.Provisioned](t)(broker.Provision(b.ctx(), b.js, b.cfg.Topology))
			must[*jetstream.ObjectInfo](t)(p.Directory.PutBytes(context.Background(), "snapshot", forge(planted)))

			b.start()
			must[any](t)(b.prod.CheckIn(b.ctx(), "1201", schemas.CheckIn{Guest: schemas.Guest{First: "Grace", Last: "Hopper"}}))
			b.finished()
			if got := b.user(1201).DisplayName; got != "Grace Hopper 1201" {
				t.Errorf("room 1201 shows %q, want the guest", got)
			}
			if got := b.user(1202).DisplayName; got != decoy.DisplayName {
				t.Errorf("the planted snapshot redirected the rename: 1202 shows %q", got)
			}
			// The worker replaced the planted snapshot with a sealed one of
			// its own, which opens with the secret.
			sealed := must[[]byte](t)(p.Directory.GetBytes(b.ctx(), "snapshot"))
			box, _ := seal.New(b.cfg.Secret, "pbxlink directory snapshot")
			if _, err := box.Open(sealed, []byte("snapshot")); err != nil {
				t.Errorf("the shared snapshot does not open with the secret: %v", err)
			}
		})
	}
}
