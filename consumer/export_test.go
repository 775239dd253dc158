package consumer

import "time"

// What the external tests (package consumer_test) may see beyond the API.

// Entry is an extension of the directory, for tests that forge a shared
// snapshot.
type Entry = dirEntry

// KindUser is the kind of an extension carried by a Zoom user.
const KindUser = kindUser

// DirectoryLoadedAt is when the worker's directory was last loaded.
func (w *Worker) DirectoryLoadedAt() time.Time { return w.dir.LoadedAt() }
