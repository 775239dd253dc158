package consumer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer/naming"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/zoom"
)

// The reconciler reads every room back from Zoom, compares it with what the
// room's state record says it must show, and repairs a difference by
// publishing a corrective event on the room's subject, which the worker
// applies in order with the room's other events (docs/design.md,
// "Reconciling Zoom with the state").

// ReconcileConfig configures a Reconciler. Zero values take the documented
// defaults; the naming and department settings must be the workers'.
type ReconcileConfig struct {
	// JetStream is the connection's JetStream context. Required. The
	// worker's streams and buckets must exist.
	JetStream jetstream.JetStream
	// Zoom is the Zoom API client. Required.
	Zoom Zoom
	// Target, NameTemplate, Department, MessageManagement and Location are
	// the worker's settings of the same names (Config).
	Target            Target
	NameTemplate      string
	Department        Department
	MessageManagement bool
	Location          *time.Location
	// Rates is the reconciler's own pace, in Zoom calls a second per API
	// family, so that it uses only a share of the account's rate limit
	// (ReconcileRates). A family absent or at zero is not paced.
	Rates map[zoom.Family]float64
	// Logger receives one line per room that differs and one per run,
	// without guest names. Default: discard.
	Logger *slog.Logger
	// Metrics, when set, count what the reconciler finds and repairs.
	// Default: metrics registered nowhere.
	Metrics *Metrics
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// WithDefaults returns a copy of c with every unset field at its default.
func (c ReconcileConfig) WithDefaults() ReconcileConfig {
	roomDefaults(&c.Target, &c.NameTemplate, &c.Department, &c.Location)
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func (c ReconcileConfig) validate() error {
	var errs []error
	if c.JetStream == nil {
		errs = append(errs, errors.New("consumer: ReconcileConfig.JetStream is required"))
	}
	if c.Zoom == nil {
		errs = append(errs, errors.New("consumer: ReconcileConfig.Zoom is required"))
	}
	errs = append(errs, validateRooms("ReconcileConfig", c.Target, c.NameTemplate, c.Department)...)
	for f, r := range c.Rates {
		if r < 0 {
			errs = append(errs, fmt.Errorf("consumer: ReconcileConfig.Rates[%s] %v: must not be negative", f, r))
		}
	}
	return errors.Join(errs...)
}

// Reconciler compares Zoom with the rooms' state and repairs differences.
// It holds no state between runs; runs may overlap (a scheduled one and
// one on demand) without harm: a repair is one compare-and-swap and one
// event with an id derived from the room's state.
type Reconciler struct {
	cfg  ReconcileConfig
	tmpl *naming.Template
}

// NewReconciler checks the configuration and returns a reconciler.
func NewReconciler(cfg ReconcileConfig) (*Reconciler, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Reconciler{cfg: cfg, tmpl: naming.MustParse(cfg.NameTemplate)}, nil
}

// ReconcileOptions choose what one run does.
type ReconcileOptions struct {
	// Extension, when set, checks that room alone (with targeted Zoom
	// look-ups instead of the full lists).
	Extension string
	// DryRun compares and reports, and changes nothing.
	DryRun bool
}

// Room states.
const (
	RoomVacant   = "vacant"
	RoomOccupied = "occupied"
)

// Actions the reconciler takes on a room.
const (
	ActionOK          = "ok"           // Zoom shows what the state says
	ActionRepaired    = "repaired"     // a corrective event was published; the worker makes the writes
	ActionWouldRepair = "would repair" // a dry run found a difference
	ActionInFlight    = "in flight"    // a newer event of the room is queued or being applied: not raced, looked at next run
	ActionNotInZoom   = "not in Zoom"  // no Zoom user or common area has the extension
	ActionFailed      = "failed"       // reading or repairing the room failed; see Err
)

// Fields the reconciler compares, the "field" label of
// pbxlink_reconcile_differences_total.
const (
	FieldFirstName   = "first_name"
	FieldLastName    = "last_name"
	FieldDisplayName = "display_name"
	FieldDepartment  = "department"
	FieldDeskPhone   = "desk_phone"
	FieldDND         = "dnd"
	FieldVoicemail   = "voicemail"
)

// reconcileFields lists every field, for the metric's series.
var reconcileFields = []string{FieldFirstName, FieldLastName, FieldDisplayName, FieldDepartment, FieldDeskPhone, FieldDND, FieldVoicemail}

// Difference is one field a room shows otherwise than its state says.
// Zoom and Want may hold guest names: print them only at debug.
type Difference struct {
	Field string
	Zoom  string
	Want  string
}

// RoomReport is what a run found and did for one room.
type RoomReport struct {
	Extension   string
	State       string // RoomVacant or RoomOccupied
	Differences []Difference
	Action      string
	// EventSeq is the stream sequence of the corrective event (repaired).
	EventSeq uint64
	Err      error
}

// Fields lists the fields that differ, without values (safe to log).
func (r RoomReport) Fields() []string {
	out := make([]string, 0, len(r.Differences))
	for _, d := range r.Differences {
		if !slices.Contains(out, d.Field) {
			out = append(out, d.Field)
		}
	}
	return out
}

// ReconcileReport is what one run found and did.
type ReconcileReport struct {
	Started, Finished time.Time
	Rooms             []RoomReport
	// Calls counts the Zoom calls the run made, by API family (pages of a
	// list count one each).
	Calls map[zoom.Family]int
	// Skipped counts state records that are no guest room (extensions
	// given plain names only).
	Skipped int
}

// Count returns how many rooms ended with the action.
func (r ReconcileReport) Count(action string) int {
	n := 0
	for _, room := range r.Rooms {
		if room.Action == action {
			n++
		}
	}
	return n
}

// TotalCalls is the run's Zoom calls, every family.
func (r ReconcileReport) TotalCalls() int {
	n := 0
	for _, c := range r.Calls {
		n += c
	}
	return n
}

// Run checks every room whose state the worker keeps (or the one
// opts.Extension names) and repairs what differs, unless opts.DryRun. It
// returns an error only when the run could not be made at all (Zoom's
// lists or the state bucket unavailable); a room that fails is reported
// with ActionFailed.
func (r *Reconciler) Run(ctx context.Context, opts ReconcileOptions) (rep ReconcileReport, err error) {
	rep = ReconcileReport{Started: r.cfg.Now()}
	z := newPacedZoom(r.cfg.Zoom, r.cfg.Rates)
	defer func() { rep.Calls = z.calls() }()
	g, err := z.Grants(ctx)
	if err != nil {
		return rep, fmt.Errorf("reconcile: Zoom scopes: %w", err)
	}
	kv, err := r.cfg.JetStream.KeyValue(ctx, broker.BucketState)
	if err != nil {
		return rep, fmt.Errorf("reconcile: NATS bucket %s (start pbxlink run once to create it): %w", broker.BucketState, err)
	}
	st := store{js: r.cfg.JetStream, kv: kv}
	// The records are read before Zoom: a record unchanged from here to
	// its repair proves that no event wrote Zoom in between.
	rooms, skipped, err := r.rooms(ctx, st, kv, opts.Extension)
	if err != nil {
		return rep, err
	}
	rep.Skipped = skipped
	dir := newDirectory(z, r.cfg.Target, g.Enabled[zoom.FeatureCommonAreas], r.cfg.Now)
	if opts.Extension == "" {
		if err := dir.Load(ctx); err != nil {
			return rep, fmt.Errorf("reconcile: %w", err)
		}
	}
	c := checker{r: r, z: z, g: g, st: st, dryRun: opts.DryRun}
	for _, rm := range rooms {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		var e dirEntry
		var ok bool
		if opts.Extension == "" {
			e, ok = dir.entries[rm.ext]
		} else {
			e, err = dir.lookup(ctx, rm.ext)
			if err != nil {
				return rep, fmt.Errorf("reconcile: %w", err)
			}
			ok = e.ID != ""
		}
		var rr RoomReport
		if !ok {
			rr = RoomReport{Extension: rm.ext, State: rm.state(), Action: ActionNotInZoom}
		} else {
			rr = c.check(ctx, rm, e)
		}
		r.observe(rr)
		rep.Rooms = append(rep.Rooms, rr)
	}
	rep.Finished = r.cfg.Now()
	r.summarize(rep, opts)
	return rep, nil
}

// stateRoom is a room's state record as read before Zoom.
type stateRoom struct {
	ext string
	rec record
	rev uint64
}

func (s stateRoom) state() string {
	if s.rec.Stay != nil {
		return RoomOccupied
	}
	return RoomVacant
}

// rooms reads the state records of the guest rooms, sorted by extension.
// An extension only ever given plain names (extension events) and no stay
// is no guest room: it is counted in skipped.
func (r *Reconciler) rooms(ctx context.Context, st store, kv jetstream.KeyValue, only string) ([]stateRoom, int, error) {
	var exts []string
	if only != "" {
		exts = []string{only}
	} else {
		lister, err := kv.ListKeysFiltered(ctx, stateKey("*"))
		if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
			return nil, 0, fmt.Errorf("reconcile: list %s: %w", broker.BucketState, err)
		}
		if lister != nil {
			for k := range lister.Keys() {
				exts = append(exts, strings.TrimPrefix(k, "ext."))
			}
		}
	}
	var out []stateRoom
	skipped := 0
	for _, x := range exts {
		rec, rev, err := st.get(ctx, x)
		if err != nil {
			return nil, 0, fmt.Errorf("reconcile: %w", err)
		}
		if rev == 0 && only == "" {
			continue // erased meanwhile
		}
		if rec.Stay == nil && rec.Plain != nil {
			skipped++
			continue
		}
		out = append(out, stateRoom{ext: x, rec: rec, rev: rev})
	}
	slices.SortFunc(out, func(a, b stateRoom) int {
		na, _ := strconv.ParseUint(a.ext, 10, 64)
		nb, _ := strconv.ParseUint(b.ext, 10, 64)
		return cmp.Or(cmp.Compare(na, nb), cmp.Compare(a.ext, b.ext))
	})
	return out, skipped, nil
}

// observe counts one room and logs it when it is not in order. No guest
// name is logged: the fields that differ, never their values.
func (r *Reconciler) observe(rr RoomReport) {
	m := r.cfg.Metrics
	m.reconcile.rooms.Inc()
	for _, f := range rr.Fields() {
		m.reconcile.differences.WithLabelValues(f).Inc()
	}
	switch rr.Action {
	case ActionOK:
		return
	case ActionRepaired:
		m.reconcile.repairs.Inc()
	}
	attrs := []any{"ext", rr.Extension, "state", rr.State, "action", rr.Action}
	if f := rr.Fields(); len(f) > 0 {
		attrs = append(attrs, "differs", strings.Join(f, ","))
	}
	if rr.Err != nil {
		attrs = append(attrs, "err", logSafe(rr.Err))
		r.cfg.Logger.Warn("reconcile: room not checked", attrs...)
		return
	}
	r.cfg.Logger.Info("reconcile: room differs from its state", attrs...)
}

// summarize logs the run and sets the run's gauges.
func (r *Reconciler) summarize(rep ReconcileReport, opts ReconcileOptions) {
	m := r.cfg.Metrics
	d := rep.Finished.Sub(rep.Started)
	m.reconcile.lastRun.Set(float64(rep.Finished.UnixNano()) / 1e9)
	m.reconcile.duration.Set(d.Seconds())
	differing := len(rep.Rooms) - rep.Count(ActionOK) - rep.Count(ActionNotInZoom)
	r.cfg.Logger.Info("reconcile: run finished", "rooms", len(rep.Rooms), "ok", rep.Count(ActionOK),
		"differing", differing, "repaired", rep.Count(ActionRepaired), "in_flight", rep.Count(ActionInFlight),
		"not_in_zoom", rep.Count(ActionNotInZoom), "failed", rep.Count(ActionFailed),
		"dry_run", opts.DryRun, "zoom_calls", rep.TotalCalls(), "seconds", d.Seconds())
}
