package consumer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/lease"
	"github.com/pbxlink/pbxlink/internal/seal"
)

// The fleet loads the directory from Zoom once per CacheRefresh, not once
// per replica: the replica that wins a lease in the fleet bucket loads it
// and stores a snapshot in the directory object store; every replica
// imports the newest snapshot.
//
// The snapshot steers every rename (extension → Zoom user), so it is sealed
// (AES-GCM under a key derived from the Zoom client secret, like the fleet
// token): a NATS user without the Zoom app's secret can neither read the
// names in it nor plant one that redirects a room to another Zoom user. A
// snapshot that does not open is ignored, with a warning, and the directory
// is loaded from Zoom. Without Config.Secret nothing is shared.
const (
	// snapshotPurpose separates the snapshot's key from the fleet token's.
	snapshotPurpose = "pbxlink directory snapshot"
	snapshotName    = "snapshot"
	leaseKey        = "directory.lease"
	// startupReuse: a replica starting within this of the last load (a
	// fleet starting together, a quick restart) imports the snapshot
	// instead of loading again.
	startupReuse = time.Minute
	// leaseFor bounds how long a replica may hold the lease; another
	// takes over after it (the holder crashed).
	leaseFor = 2 * time.Minute
)

type snapshot struct {
	LoadedAt time.Time  `json:"loaded_at"`
	Entries  []dirEntry `json:"entries"`
}

// export encodes the directory for the fleet.
func (d *directory) export() ([]byte, time.Time) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	s := snapshot{LoadedAt: d.loadedAt, Entries: make([]dirEntry, 0, len(d.entries))}
	for _, e := range d.entries {
		s.Entries = append(s.Entries, e)
	}
	data, _ := json.Marshal(s)
	return data, d.loadedAt
}

// restore replaces the directory with a snapshot newer than it.
func (d *directory) restore(data []byte) (bool, error) {
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return false, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !s.LoadedAt.After(d.loadedAt) {
		return false, nil
	}
	entries := make(map[string]dirEntry, len(s.Entries))
	for _, e := range s.Entries {
		entries[e.Extension] = e
	}
	d.entries, d.loadedAt, d.misses = entries, s.LoadedAt, map[string]time.Time{}
	return true, nil
}

// errSnapshotSealed: the stored snapshot does not open with this
// replica's secret.
var errSnapshotSealed = errors.New("directory snapshot does not open with this Zoom app's secret")

// snapshotBox is the snapshot's seal, nil when Config.Secret is empty.
func (w *Worker) snapshotBox() *seal.Box {
	if w.cfg.Secret == "" {
		return nil
	}
	box, err := seal.New(w.cfg.Secret, snapshotPurpose)
	if err != nil {
		return nil
	}
	return box
}

// syncDirectory brings the directory up to date: it imports the fleet's
// snapshot when that was made after since, and otherwise loads from Zoom,
// if it wins the lease, and shares the result. A replica that loses the
// lease waits for the winner's snapshot, and loads itself if none comes
// within wait. Without a secret to seal snapshots with, it loads from Zoom
// when its own load is older than since, and shares nothing.
func (w *Worker) syncDirectory(ctx context.Context, since time.Time, wait time.Duration) error {
	if w.snapshotBox() == nil {
		if w.dir.LoadedAt().After(since) {
			return nil
		}
		return w.loadAndRecord(ctx)
	}
	deadline := w.cfg.Now().Add(wait)
	for {
		info, err := w.nats.Directory.GetInfo(ctx, snapshotName)
		switch {
		case err == nil && snapshotLoadedAt(info).After(since):
			err := w.importSnapshot(ctx)
			if errors.Is(err, errSnapshotSealed) {
				w.log.Warn("directory snapshot in NATS ignored: it is not sealed with this Zoom app's secret (planted, or from before a secret rotation); loading from Zoom",
					"object_store", broker.ObjectDirectory)
				return w.loadAndShare(ctx)
			}
			return err
		case err != nil && !errors.Is(err, jetstream.ErrObjectNotFound):
			return fmt.Errorf("directory snapshot: %w", err)
		}
		won, err := w.takeLease(ctx)
		if err != nil {
			return err
		}
		if won || !w.cfg.Now().Before(deadline) {
			return w.loadAndShare(ctx)
		}
		if !w.sleep(ctx, 250*time.Millisecond) {
			return ctx.Err()
		}
	}
}

func (w *Worker) importSnapshot(ctx context.Context) error {
	sealed, err := w.nats.Directory.GetBytes(ctx, snapshotName)
	if err != nil {
		return fmt.Errorf("directory snapshot: %w", err)
	}
	data, err := w.snapshotBox().Open(sealed, []byte(snapshotName))
	if err != nil {
		return errSnapshotSealed
	}
	if changed, err := w.dir.restore(data); err != nil {
		return fmt.Errorf("directory snapshot: %w", err)
	} else if changed {
		w.log.Info("directory imported from the fleet", "extensions", w.dir.Len(), "loaded_at", w.dir.LoadedAt())
	}
	return nil
}

func (w *Worker) loadAndShare(ctx context.Context) error {
	if err := w.loadAndRecord(ctx); err != nil {
		w.releaseLease(context.WithoutCancel(ctx))
		return err
	}
	data, _ := w.dir.export()
	sealed, err := w.snapshotBox().Seal(data, []byte(snapshotName))
	if err != nil {
		w.log.Warn("could not share the directory with the fleet", "err", err)
		return nil
	}
	meta := jetstream.ObjectMeta{Name: snapshotName,
		Metadata: map[string]string{loadedAtMeta: w.dir.LoadedAt().UTC().Format(time.RFC3339Nano)}}
	if _, err := w.nats.Directory.Put(ctx, meta, bytes.NewReader(sealed)); err != nil {
		w.log.Warn("could not share the directory with the fleet", "err", err)
	}
	return nil
}

// newDirectoryLease is this replica's handle on the right to load the
// directory for the fleet. It is not renewed: a load finishes well within
// leaseFor, and the lease then stays with the loader until it runs out.
func (w *Worker) newDirectoryLease() (*lease.Lease, error) {
	return lease.New(lease.Config{KV: w.nats.Fleet, Key: leaseKey, Holder: w.id, TTL: leaseFor, Now: w.cfg.Now})
}

// takeLease claims the right to load the directory for the fleet.
func (w *Worker) takeLease(ctx context.Context) (bool, error) {
	return w.dirLease.TryAcquire(ctx)
}

// releaseLease gives the lease up after a failed load, so that another
// replica need not wait for it to run out.
func (w *Worker) releaseLease(ctx context.Context) {
	_ = w.dirLease.Release(ctx) // else it runs out
}

// syncKey is the fleet bucket key where the last directory sync is told:
// for an operator (pbxlink status), whichever replica made it.
const syncKey = "directory.sync"

// SyncStatus is the value of syncKey.
type SyncStatus struct {
	LastAttempt time.Time `json:"last_attempt"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	// Outcome is "ok" or the error of the last attempt.
	Outcome    string `json:"outcome"`
	Extensions int    `json:"extensions"`
	Replica    string `json:"replica"`
}

// loadAndRecord loads the directory from Zoom and tells the fleet how it
// went.
func (w *Worker) loadAndRecord(ctx context.Context) error {
	err := w.dir.Load(ctx)
	st := SyncStatus{LastAttempt: w.cfg.Now(), Outcome: "ok", Extensions: w.dir.Len(), Replica: w.id}
	if err != nil {
		st.Outcome = logSafe(err)
		w.metrics.syncFailures.Inc()
	} else {
		w.log.Info("directory loaded from Zoom", "extensions", w.dir.Len())
		st.LastSuccess = st.LastAttempt
		w.metrics.lastSync.Set(float64(st.LastSuccess.Unix()))
	}
	if e, gerr := w.nats.Fleet.Get(ctx, syncKey); gerr == nil && err != nil {
		var old SyncStatus
		if json.Unmarshal(e.Value(), &old) == nil {
			st.LastSuccess = old.LastSuccess
		}
	}
	b, _ := json.Marshal(st)
	if _, perr := w.nats.Fleet.Put(context.WithoutCancel(ctx), syncKey, b); perr != nil {
		w.log.Debug("could not record the directory sync", "err", perr)
	}
	return err
}

// loadedAtMeta is the snapshot's metadata key telling when the directory in
// it was loaded from Zoom, on the loader's clock (the one the schedule and
// the refresh interval are reckoned on, not the NATS server's).
const loadedAtMeta = "loaded-at"

// snapshotLoadedAt is when the snapshot's directory was loaded; a snapshot
// without the metadata (an older version's) counts from when it was stored.
func snapshotLoadedAt(info *jetstream.ObjectInfo) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, info.Metadata[loadedAtMeta]); err == nil {
		return t
	}
	return info.ModTime
}
