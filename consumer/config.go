package consumer

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/consumer/naming"
	"github.com/pbxlink/pbxlink/internal/broker"
)

// Topology is how the worker's streams, consumer and buckets are made:
// Replicas (default 1; 3 on a three-node cluster), History (how long
// PBXLINK_EVENTS keeps events, default 7 days), DeadLetterRetention
// (PBXLINK_DLQ, default 30 days), AckWait (default 15 s) and MaxAckPending
// (default 20,000). It is the provisioning package's own type, named here so
// that a library user can set it.
type Topology = broker.Topology

// Provisioned is the streams, the durable consumer and the buckets of a
// Topology once created: handles a process that provisions first (pbxlink's
// composition root) passes on, so nothing is created twice.
type Provisioned = broker.Provisioned

// Config configures a Worker. Zero values take the documented defaults.
type Config struct {
	// JetStream is the connection's JetStream context. Required.
	JetStream jetstream.JetStream
	// Zoom is the Zoom API client. Required.
	Zoom Zoom
	// Topology of the streams, consumer and buckets the worker creates or
	// updates at start-up.
	Topology Topology
	// Provisioned, when set, is that topology already created (by
	// pbxlink's composition root, which needs the fleet bucket before the
	// worker starts): Start uses it and provisions nothing, so the streams
	// and buckets are created once per process. Topology is then ignored.
	// Default nil: Start provisions.
	Provisioned *Provisioned

	// Target says which Zoom objects carry the room extensions.
	// Default TargetAuto.
	Target Target
	// NameTemplate is the full-name template. Default naming.Default.
	NameTemplate string
	// Department is what the department field is set to.
	// Default DeptDisabled.
	Department Department
	// MessageManagement deletes all of an extension's voicemail at check-in
	// and check-out. Default false.
	MessageManagement bool

	// Retries is the number of attempts to make a change in Zoom before the
	// event is dead-lettered. Default 3.
	Retries int
	// RetryInterval is the wait between attempts. Default 60 s.
	RetryInterval time.Duration
	// CacheRefresh is the interval between full directory loads.
	// Default 480 minutes.
	CacheRefresh time.Duration
	// SyncSchedule adds directory loads at set local times (in Location),
	// once per fleet per slot. Default none.
	SyncSchedule Schedule
	// Concurrency is how many extensions one replica works on at once.
	// Default 8.
	Concurrency int
	// MaxPerExtension is how many events of one extension count toward
	// what a replica takes in (4 × Concurrency ready events): a room flooded
	// with events cannot take a replica's intake from every other room; its
	// further events are held without counting. Default 4.
	MaxPerExtension int
	// ProbeInterval is how often a fleet paused for an account-wide Zoom
	// failure (credentials refused, app deactivated) asks Zoom whether the
	// account works again. Default 30 s.
	ProbeInterval time.Duration
	// DNDDuration is how long do-not-disturb is set for. Default 24 h,
	// Zoom's maximum.
	DNDDuration time.Duration

	// Location is the hotel's time zone: dates shown in Zoom (department
	// "state") are in it. Default time.Local.
	Location *time.Location
	// Secret seals the directory snapshot the replicas share through NATS:
	// the Zoom client secret, which every replica has and a NATS user
	// without the Zoom app's credentials does not. Empty: the replicas
	// neither share nor import snapshots; each loads from Zoom.
	Secret string
	// Reconcile schedules the fleet's reconciliation of Zoom with the
	// rooms' state (reconcile_schedule.go). Default: hourly, at a tenth of
	// the Medium rate.
	Reconcile ReconcileSchedule

	// Logger receives the worker's log. Guest names appear only at debug
	// level. Default: discard.
	Logger *slog.Logger
	// Metrics, when set, count what the worker does. Default: metrics
	// registered nowhere.
	Metrics *Metrics
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// WithDefaults returns a copy of c with every unset field at its default.
func (c Config) WithDefaults() Config {
	roomDefaults(&c.Target, &c.NameTemplate, &c.Department, &c.Location)
	if c.Retries == 0 {
		c.Retries = 3
	}
	if c.RetryInterval == 0 {
		c.RetryInterval = 60 * time.Second
	}
	if c.CacheRefresh == 0 {
		c.CacheRefresh = 480 * time.Minute
	}
	if c.Concurrency == 0 {
		c.Concurrency = 8
	}
	if c.MaxPerExtension == 0 {
		c.MaxPerExtension = 4
	}
	if c.ProbeInterval == 0 {
		c.ProbeInterval = 30 * time.Second
	}
	if c.DNDDuration == 0 {
		c.DNDDuration = 24 * time.Hour
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
	return c
}

// roomDefaults sets the defaults of the settings that say what a room
// shows, shared by the worker's and the reconciler's configurations.
func roomDefaults(target *Target, tmpl *string, dept *Department, loc **time.Location) {
	if *target == "" {
		*target = TargetAuto
	}
	if *tmpl == "" {
		*tmpl = naming.Default
	}
	if *dept == "" {
		*dept = DeptDisabled
	}
	if *loc == nil {
		*loc = time.Local
	}
}

// validateRooms checks the settings that say what a room shows, shared by
// the worker's and the reconciler's configurations (named by config).
func validateRooms(config string, target Target, tmpl string, dept Department) []error {
	var errs []error
	switch target {
	case TargetUsers, TargetCommonAreas, TargetAuto:
	default:
		errs = append(errs, fmt.Errorf("consumer: %s.Target %q: want users, common_areas or auto", config, target))
	}
	if _, err := naming.Parse(tmpl); err != nil {
		errs = append(errs, fmt.Errorf("consumer: %s.NameTemplate: %w", config, err))
	}
	if _, err := ParseDepartment(string(dept)); err != nil {
		errs = append(errs, fmt.Errorf("consumer: %s.Department: %w", config, err))
	}
	return errs
}

func (c Config) validate() error {
	var errs []error
	if c.JetStream == nil {
		errs = append(errs, errors.New("consumer: Config.JetStream is required"))
	}
	if c.Zoom == nil {
		errs = append(errs, errors.New("consumer: Config.Zoom is required"))
	}
	errs = append(errs, validateRooms("Config", c.Target, c.NameTemplate, c.Department)...)
	if c.Retries < 1 {
		errs = append(errs, fmt.Errorf("consumer: Config.Retries %d: must be at least 1", c.Retries))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"RetryInterval", c.RetryInterval}, {"CacheRefresh", c.CacheRefresh}, {"ProbeInterval", c.ProbeInterval}, {"DNDDuration", c.DNDDuration}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("consumer: Config.%s %v: must not be negative", d.name, d.v))
		}
	}
	if c.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("consumer: Config.Concurrency %d: must be at least 1", c.Concurrency))
	}
	if c.MaxPerExtension < 1 {
		errs = append(errs, fmt.Errorf("consumer: Config.MaxPerExtension %d: must be at least 1", c.MaxPerExtension))
	}
	if err := c.Reconcile.validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
