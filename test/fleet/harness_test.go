package fleet_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/producer"
	"github.com/pbxlink/pbxlink/schemas"
	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

var logsFlag = flag.String("fleet.logs", "", "copy every replica's and NATS node's log to this directory (a subdirectory per test)")

var seedFlag = flag.Uint64("fleet.seed", 0, "seed of the fleet tests' scripts and faults (0: each test's fixed seed)")

// seedFor skips the test under -short, and returns the -fleet.seed flag or
// the test's own fixed seed.
func seedFor(t *testing.T, fixed uint64) uint64 {
	t.Helper()
	skipShort(t)
	seed := fixed
	if *seedFlag != 0 {
		seed = *seedFlag
	}
	t.Logf("seed %d (rerun with -fleet.seed=%d)", seed, seed)
	return seed
}

// The simulated hotel.
const (
	rooms    = 200
	firstExt = 2001
)

// fleetOptions configure one fleet test.
type fleetOptions struct {
	seed     uint64
	replicas int
	// rooms is the size of the hotel (0: the rooms constant), from
	// extension firstExt on.
	rooms int
	// plan, when set, runs the simulator at that plan's real limits (every
	// bucket, daily caps included) and the workers at the same plan
	// without --zoom-limits: the whole account, paced by the limiter's own
	// headroom. limit is then unused.
	plan zoom.Plan
	// limit is the requests per second allowed for each API family, main
	// and phone (the simulator's Light and Medium buckets of both; pbxlink
	// charges every call at Medium).
	limit int
	// retries, retryInterval and concurrency are the workers' flags; zero
	// leaves the flag out, so that `pbxlink run` uses its default.
	retries       int
	retryInterval time.Duration
	concurrency   int
	// presenceInterval is the simulator's once-a-minute presence rule
	// (0: Zoom's minute).
	presenceInterval time.Duration
	faults           zoomsim.Faults
	tokenMode        zoomsim.TokenMode
	// timeout bounds the whole test.
	timeout time.Duration
}

// fleet is a whole deployment: a three-node NATS cluster and the Zoom
// simulator in the test process, and pbxlink replicas as OS processes.
type fleet struct {
	t        *testing.T
	o        fleetOptions
	ctx      context.Context
	limits   map[zoom.Family]int
	cluster  *natsCluster
	nc       *nats.Conn
	js       jetstream.JetStream
	sim      *zoomsim.Server
	prod     *producer.Producer
	replicas []*replica
	started  time.Time
	bg       sync.WaitGroup // goroutines of background, waited for at the end
}

// newFleet starts NATS and the simulator and prepares (but does not start)
// the replicas.
func newFleet(t *testing.T, o fleetOptions) *fleet {
	t.Helper()
	skipShort(t)
	bin := pbxlinkBinary(t)
	// The test's own bound, within go test's -timeout (with time left for
	// the diagnostics), so that a stuck fleet fails with them rather than
	// with a panic and a goroutine dump.
	if dl, ok := t.Deadline(); ok {
		if left := time.Until(dl) - 30*time.Second; left < o.timeout {
			if left < time.Minute {
				t.Fatalf("only %v left before go test's -timeout: run the fleet suite with -timeout 20m", time.Until(dl).Round(time.Second))
			}
			o.timeout = left
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	t.Cleanup(cancel)
	f := &fleet{t: t, o: o, ctx: ctx, started: time.Now()}

	f.cluster = startCluster(t, 3)
	f.nc, f.js = f.cluster.connect(ctx)
	streamReplicas := 1
	if build.hasReplicas {
		streamReplicas = 3
	}
	// The test publishes before the workers start, so it creates the events
	// stream itself, as the workers will (they update it idempotently).
	f.retry("create the events stream", func(ctx context.Context) error {
		_, err := f.js.CreateOrUpdateStream(ctx, broker.EventsStreamConfig(broker.Topology{Replicas: streamReplicas}))
		return err
	})
	var err error
	f.prod, err = producer.New(f.js, producer.Config{Source: "pms/fleet-test", MaxElapsed: time.Minute})
	if err != nil {
		t.Fatal(err)
	}

	var args []string
	f.limits = map[zoom.Family]int{zoom.FamilyMain: o.limit, zoom.FamilyPhone: o.limit}
	limits := map[zoom.Bucket]zoom.Limit{}
	simPlan := zoom.PlanBusiness
	switch {
	case o.plan != "":
		// Zoom's own table on both sides: the simulator enforces every
		// bucket of the plan, and the fleet (which charges every call at
		// Medium) is held to the Medium limit of each family.
		simPlan, limits = o.plan, nil
		f.limits = map[zoom.Family]int{}
		for _, fam := range []zoom.Family{zoom.FamilyMain, zoom.FamilyPhone} {
			l, _ := zoom.Limits(o.plan, zoom.Bucket{Family: fam, Category: zoom.Medium})
			f.limits[fam] = l.Count
		}
		args = append(args, "--zoom-plan", string(o.plan))
	case build.hasLimits:
		// The simulator's limit is the account's, and the fleet is given
		// all of it (--zoom-limits): no share held back to hide jitter.
		// The limiter's own 2% headroom covers the time between a call's
		// slot and its arrival, and a call whose trip took longer than
		// the others' is counted where it may have arrived (the client
		// tells the limiter when it was answered). The checks below hold
		// the fleet to the account's limit at arrival, as Zoom counts.
		args = append(args, "--zoom-plan", "business",
			"--zoom-limits", fmt.Sprintf("main/Medium=%d,phone/Medium=%d", o.limit, o.limit))
	default:
		// Fallback: the business plan's Medium limits, which the worker
		// knows without the flag.
		f.limits = map[zoom.Family]int{}
		for _, fam := range []zoom.Family{zoom.FamilyMain, zoom.FamilyPhone} {
			l, _ := zoom.Limits(zoom.PlanBusiness, zoom.Bucket{Family: fam, Category: zoom.Medium})
			f.limits[fam] = l.Count
		}
		args = append(args, "--zoom-plan", "business")
	}
	if limits != nil {
		for fam, n := range f.limits {
			for _, cat := range []zoom.Category{zoom.Light, zoom.Medium} {
				limits[zoom.Bucket{Family: fam, Category: cat}] = zoom.Limit{Count: n, Per: time.Second}
			}
		}
	}
	sc := zoomsim.Config{
		Plan:             simPlan,
		Limits:           limits,
		NoDailyLimits:    o.plan == "",
		Seed:             &zoomsim.Seed{Rooms: f.rooms(), FirstExtension: firstExt, PhonesPerRoom: 1},
		Faults:           o.faults,
		RandSeed:         o.seed,
		TokenMode:        o.tokenMode,
		PresenceInterval: o.presenceInterval,
		JournalLimit:     1_000_000,
	}
	f.sim, err = zoomsim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.sim.Close() })

	if o.retries != 0 {
		args = append(args, "--retries", strconv.Itoa(o.retries))
	}
	if o.retryInterval != 0 {
		args = append(args, "--retry-interval", o.retryInterval.String())
	}
	if o.concurrency != 0 {
		args = append(args, "--concurrency", strconv.Itoa(o.concurrency))
	}
	args = append(args,
		"--nats-url", f.cluster.urls(),
		"--zoom-url", f.sim.OAuthURL(),
		"--http-listen", "127.0.0.1:0",
		"--log-format", "json",
		"--shutdown-grace", "2s",
	)
	if build.hasReplicas {
		args = append(args, "--nats-replicas", "3")
	}
	cfg := f.sim.Config()
	env := workerEnv(cfg.AccountID, cfg.ClientID, cfg.ClientSecret)
	for i := range o.replicas {
		f.replicas = append(f.replicas, newReplica(t, fmt.Sprintf("replica%d", i+1), bin, args, env))
	}
	t.Logf("fleet: %d replicas, NATS %s, Zoom %s, limit %v/s per family, args: %s",
		o.replicas, f.cluster.urls(), f.sim.OAuthURL(), f.limits, strings.Join(args, " "))
	// Registered last, so it runs first: diagnostics while everything is
	// still up.
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(f.diagnostics())
		}
		if *logsFlag != "" {
			f.keepLogs(filepath.Join(*logsFlag, t.Name()))
		}
	})
	// Runs before the diagnostics: a test that stops early (t.Fatal) ends
	// its background goroutines before the test is over.
	t.Cleanup(func() {
		cancel()
		f.bg.Wait()
	})
	return f
}

// rooms is the number of rooms of the simulated hotel.
func (f *fleet) rooms() int {
	return cmp.Or(f.o.rooms, rooms)
}

// retry runs op until it succeeds or the test's time is up.
func (f *fleet) retry(what string, op func(ctx context.Context) error) {
	f.t.Helper()
	var err error
	for f.ctx.Err() == nil {
		ctx, cancel := context.WithTimeout(f.ctx, 5*time.Second)
		err = op(ctx)
		cancel()
		if err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	f.t.Fatalf("%s: %v", what, err)
}

// startAll starts every replica.
func (f *fleet) startAll() {
	f.t.Helper()
	for _, r := range f.replicas {
		if err := r.start(); err != nil {
			f.t.Fatal(err)
		}
	}
}

// ensureRunning starts every replica that is not running (one that exited
// on its own is already recorded as an unexpected exit).
func (f *fleet) ensureRunning() {
	f.t.Helper()
	for _, r := range f.replicas {
		if !r.running() {
			if err := r.start(); err != nil && !errors.Is(err, errRunning) {
				f.t.Fatal(err)
			}
		}
	}
}

// publishAll publishes the script in order, at most perSecond events a
// second (0: as fast as the stream acknowledges), calling at(n) before
// event n. It returns the first error.
func (f *fleet) publishAll(s *script, perSecond int, at func(n int)) error {
	start := time.Now()
	for _, e := range s.events {
		if at != nil {
			at(e.n)
		}
		if perSecond > 0 {
			due := start.Add(time.Duration(e.n) * time.Second / time.Duration(perSecond))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
		}
		if err := publish(f.ctx, f.prod, e); err != nil {
			return err
		}
	}
	return nil
}

// progress is the consumer's and the streams' state.
type progress struct {
	streamMsgs             uint64
	pending, ackPending    uint64
	redelivered            int
	dlq                    uint64
	consumerLeader, errors string
}

func (p progress) String() string {
	s := fmt.Sprintf("stream %d msgs, consumer pending %d, ack pending %d, redelivered %d, DLQ %d, consumer leader %q",
		p.streamMsgs, p.pending, p.ackPending, p.redelivered, p.dlq, p.consumerLeader)
	if p.errors != "" {
		s += ", errors: " + p.errors
	}
	return s
}

func (p progress) drained(published int) bool {
	return p.errors == "" && p.streamMsgs >= uint64(published) && p.pending == 0 && p.ackPending == 0
}

// progress reads the consumer and the streams.
func (f *fleet) progress() progress {
	var p progress
	var errs []string
	// Not bound to f.ctx: diagnostics read it after the test's time ran out.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if s, err := f.js.Stream(ctx, schemas.StreamEvents); err != nil {
		errs = append(errs, "events stream: "+err.Error())
	} else if info, err := s.Info(ctx); err != nil {
		errs = append(errs, "events stream info: "+err.Error())
	} else {
		p.streamMsgs = info.State.Msgs
	}
	if c, err := f.js.Consumer(ctx, schemas.StreamEvents, schemas.ConsumerWorker); err != nil {
		errs = append(errs, "consumer: "+err.Error())
	} else if info, err := c.Info(ctx); err != nil {
		errs = append(errs, "consumer info: "+err.Error())
	} else {
		p.pending, p.ackPending, p.redelivered = info.NumPending, uint64(info.NumAckPending), info.NumRedelivered
		if info.Cluster != nil {
			p.consumerLeader = info.Cluster.Leader
		}
	}
	if s, err := f.js.Stream(ctx, schemas.StreamDLQ); errors.Is(err, jetstream.ErrStreamNotFound) {
		// Not created yet: no dead letter.
	} else if err != nil {
		errs = append(errs, "DLQ: "+err.Error())
	} else if info, err := s.Info(ctx); err != nil {
		errs = append(errs, "DLQ info: "+err.Error())
	} else {
		p.dlq = info.State.Msgs
	}
	p.errors = strings.Join(errs, "; ")
	return p
}

// waitDrained waits until every published event is in the stream and
// acknowledged (nothing pending, nothing in flight) and the DLQ count holds
// still over three looks a second apart; it fails the test with
// diagnostics when the test's time runs out first.
func (f *fleet) waitDrained(published int) progress {
	f.t.Helper()
	stable := 0
	var last progress
	lastLog := time.Now()
	for {
		p := f.progress()
		if p.drained(published) && last.drained(published) && p.dlq == last.dlq {
			stable++
		} else {
			stable = 0
		}
		if stable >= 2 {
			if p.streamMsgs != uint64(published) {
				f.t.Errorf("the events stream holds %d events; %d were published (each with its own Nats-Msg-Id)", p.streamMsgs, published)
			}
			return p
		}
		last = p
		if n := f.unexpectedExits(); n > 30 {
			f.t.Fatalf("replicas exited on their own %d times: giving up; %s", n, p)
		}
		if time.Since(lastLog) > 10*time.Second {
			f.t.Logf("%5.1fs waiting to drain: %s", time.Since(f.started).Seconds(), p)
			lastLog = time.Now()
		}
		select {
		case <-f.ctx.Done():
			f.t.Fatalf("not drained when the test's time (%v) ran out: %s", f.o.timeout, p)
		case <-time.After(time.Second):
		}
	}
}

// deadLetter is one message of PBXLINK_DLQ.
type deadLetter struct {
	id, subject, reason, attempts, origSeq string
}

// deadLetters reads every message of PBXLINK_DLQ.
func (f *fleet) deadLetters() []deadLetter {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, 30*time.Second)
	defer cancel()
	s, err := f.js.Stream(ctx, schemas.StreamDLQ)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil
	}
	if err != nil {
		f.t.Fatalf("DLQ: %v", err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		f.t.Fatalf("DLQ info: %v", err)
	}
	var out []deadLetter
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			f.t.Fatalf("DLQ message %d: %v", seq, err)
		}
		var body struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(m.Data, &body)
		out = append(out, deadLetter{id: body.ID, subject: m.Subject, reason: m.Header.Get(schemas.HeaderError),
			attempts: m.Header.Get(schemas.HeaderAttempts), origSeq: m.Header.Get(schemas.HeaderOriginalSeq)})
	}
	return out
}

// deadIDs are the event ids of dead letters.
func deadIDs(dls []deadLetter) map[string]bool {
	m := map[string]bool{}
	for _, d := range dls {
		m[d.id] = true
	}
	return m
}

// reportDeadLetters fails the test for every dead letter: in these tests
// Zoom always recovers within the retries, so none is expected.
func (f *fleet) reportDeadLetters(dls []deadLetter) {
	f.t.Helper()
	for i, d := range dls {
		if i == 10 {
			f.t.Errorf("... and %d more dead letters", len(dls)-10)
			break
		}
		f.t.Errorf("unexpected dead letter: event %s on %s (original seq %s), attempts %s: %s",
			d.id, d.subject, d.origSeq, d.attempts, d.reason)
	}
}

// chaos kills a random running replica with SIGKILL every every[0] to
// every[1], restarting it after down[0] to down[1], until stop says so
// (looked at before each kill). It returns the number of kills.
func (f *fleet) chaos(r *rand.Rand, every, down [2]time.Duration, stop func() bool) int {
	kills := 0
	between := func(d [2]time.Duration) time.Duration {
		return d[0] + time.Duration(r.Int64N(int64(d[1]-d[0])+1))
	}
	for {
		select {
		case <-f.ctx.Done():
			return kills
		case <-time.After(between(every)):
		}
		if stop() {
			return kills
		}
		victim := f.replicas[r.IntN(len(f.replicas))]
		if !victim.running() {
			continue
		}
		victim.kill()
		kills++
		d := between(down)
		f.t.Logf("%5.1fs chaos: SIGKILL %s (kill #%d), restart in %v", time.Since(f.started).Seconds(), victim.name, kills, d)
		time.Sleep(d)
		if err := victim.start(); err != nil && !errors.Is(err, errRunning) {
			f.t.Errorf("restart %s: %v", victim.name, err)
		}
	}
}

// checkExits fails the test for every replica exit the test did not
// cause.
func (f *fleet) checkExits() {
	f.t.Helper()
	for _, r := range f.replicas {
		for _, e := range r.exits() {
			f.t.Errorf("%s exited on its own: %s (log %s)", r.name, e, r.logPath)
		}
	}
}

// unexpectedExits counts the replica exits the test did not cause.
func (f *fleet) unexpectedExits() int {
	n := 0
	for _, r := range f.replicas {
		n += len(r.exits())
	}
	return n
}

// workerLog counts notable lines in every replica's log.
func (f *fleet) workerLog() string {
	kinds := []struct{ name, msg string }{
		{"deferred (rate limited)", `"msg":"rate limited by Zoom`},
		{"retries", `"msg":"Zoom change failed; will retry"`},
		{"dead-lettered", `"msg":"event dead-lettered"`},
		{"stale skipped", `"msg":"skipped an event older`},
		{"NATS disconnects", `"msg":"NATS disconnected"`},
		{"consume errors", `"msg":"consume"`},
		{"warnings", `"level":"WARN"`},
		{"errors", `"level":"ERROR"`},
	}
	var parts []string
	for _, k := range kinds {
		n := 0
		for _, r := range f.replicas {
			n += grepCount(r.logPath, k.msg)
		}
		parts = append(parts, fmt.Sprintf("%s %d", k.name, n))
	}
	return "worker logs: " + strings.Join(parts, ", ")
}

// statsLine summarises the simulator's statistics.
func (f *fleet) statsLine() string {
	st := f.sim.Stats()
	var parts []string
	for _, fam := range []zoom.Family{zoom.FamilyMain, zoom.FamilyPhone} {
		c := st.Family(fam)
		parts = append(parts, fmt.Sprintf("%s: %d requests, %d ok, max %d/s (admitted %d/s), 429 %d, 401 %d, 4xx %d, 5xx %d",
			fam, c.Requests, c.Accepted, c.MaxPerSecond, c.MaxAdmittedPerSecond, c.RateLimited, c.Unauthorized, c.ClientErrors, c.ServerErrors))
	}
	return fmt.Sprintf("Zoom: %s; tokens issued %d, unrouted %d", strings.Join(parts, "; "), st.TokensIssued, st.Unrouted)
}

// diagnostics is everything worth reading when a fleet test fails.
func (f *fleet) diagnostics() string {
	var b strings.Builder
	fmt.Fprintf(&b, "=== fleet diagnostics (seed %d, %.1fs into the test)\n", f.o.seed, time.Since(f.started).Seconds())
	fmt.Fprintf(&b, "progress: %s\n", f.progress())
	fmt.Fprintf(&b, "%s\n", f.statsLine())
	st, _ := json.MarshalIndent(f.sim.Stats(), "", "  ")
	fmt.Fprintf(&b, "simulator stats: %s\n", st)
	fmt.Fprintf(&b, "%s\n", f.workerLog())
	for _, r := range f.replicas {
		fmt.Fprintf(&b, "--- %s (%s; running %v, unexpected exits %v)\n    starts, exits and errors:\n%s\n    last 25 lines:\n%s\n",
			r.name, r.logPath, r.running(), r.exits(), grep(r.logPath, 40, notable...), tail(r.logPath, 25))
	}
	b.WriteString(f.cluster.logTails(15))
	return b.String()
}

// notable are the replica log lines worth seeing whatever the tail holds.
var notable = [][]string{
	{"=== fleet test"}, {"pbxlink run:"}, {`"level":"ERROR"`}, {`"msg":"worker consuming"`},
	{`"msg":"directory `}, {`"msg":"pbxlink worker running"`}, {`"msg":"event dead-lettered"`},
}

// keepLogs copies every log to dir.
func (f *fleet) keepLogs(dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		f.t.Log(err)
		return
	}
	var paths []string
	for _, r := range f.replicas {
		paths = append(paths, r.logPath)
	}
	for _, n := range f.cluster.nodes {
		paths = append(paths, n.logPath)
	}
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			_ = os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o644)
		}
	}
	f.t.Logf("logs kept in %s", dir)
}

// sent is what the simulator applied for one object, in arrival order:
// the display names of PATCH calls it applied (2xx, or applied and then
// answered 5xx by an injected fault).
type sent struct {
	names []string
	times []time.Time
}

// appliedNames reads the journal: user id or device id → names applied.
func (f *fleet) appliedNames() (users, devices map[string]*sent) {
	users, devices = map[string]*sent{}, map[string]*sent{}
	for _, e := range f.sim.Journal() {
		if e.Listener != "api" || e.Method != "PATCH" {
			continue
		}
		if e.Status/100 != 2 && e.Fault != "applied_error" {
			continue
		}
		var into map[string]*sent
		var id string
		switch e.OperationID {
		case zoom.OpUpdateUser.ID:
			into, id = users, strings.TrimPrefix(e.Path, "/v2/users/")
		case zoom.OpUpdateDevice.ID:
			into, id = devices, strings.TrimPrefix(e.Path, "/v2/phone/devices/")
		default:
			continue
		}
		var body struct {
			DisplayName string `json:"display_name"`
		}
		if json.Unmarshal(e.RequestBody, &body) != nil || body.DisplayName == "" {
			continue
		}
		s := into[id]
		if s == nil {
			s = &sent{}
			into[id] = s
		}
		s.names = append(s.names, body.DisplayName)
		s.times = append(s.times, e.Time)
	}
	return users, devices
}

// checkOracle compares Zoom with the oracle: every room's user and desk
// phone show the name of its last event (in publish order, dead letters
// skipped); the names Zoom received for each came in publish order (a name
// may repeat, as a redelivery repeats a call, but never go back to an
// earlier one); and every check-in and guest change was applied (its
// unique name reached Zoom).
func (f *fleet) checkOracle(s *script, dead map[string]bool) {
	f.t.Helper()
	if n := len(f.sim.Journal()); n >= f.sim.Config().JournalLimit {
		f.t.Fatalf("the simulator's journal is full (%d entries): the order check needs all of them", n)
	}
	exp := s.oracle(f.rooms(), firstExt, dead)
	state := f.sim.State()
	users := map[int64]zoomsim.User{}
	for _, u := range state.Users {
		users[u.ExtensionNumber] = u
	}
	phones := map[string][]zoomsim.Device{}
	for _, d := range state.Devices {
		phones[d.AssigneeID] = append(phones[d.AssigneeID], d)
	}
	userSent, deviceSent := f.appliedNames()

	type problem struct {
		ext  int64
		text string
	}
	var problems []problem
	add := func(ext int64, format string, args ...any) {
		problems = append(problems, problem{ext, fmt.Sprintf(format, args...)})
	}
	checked := 0
	for ext := int64(firstExt); ext < firstExt+int64(f.rooms()); ext++ {
		x := exp[ext]
		u, ok := users[ext]
		if !ok {
			add(ext, "no user has extension %d", ext)
			continue
		}
		checked++
		if !x.shows(u.DisplayName) {
			add(ext, "%d: user %s shows %q, want %q (after %s)\n%s", ext, u.ID, u.DisplayName, x.final, lastEvent(x), f.history(x, userSent[u.ID]))
		}
		if len(phones[u.ID]) == 0 {
			add(ext, "%d: no desk phone assigned to user %s", ext, u.ID)
		}
		for _, d := range phones[u.ID] {
			if !x.shows(d.DisplayName) {
				add(ext, "%d: desk phone %s shows %q, want %q (after %s)\n%s", ext, d.ID, d.DisplayName, x.final, lastEvent(x), f.history(x, deviceSent[d.ID]))
			}
			if msg := inOrder(x, deviceSent[d.ID]); msg != "" {
				add(ext, "%d: desk phone %s: %s\n%s", ext, d.ID, msg, f.history(x, deviceSent[d.ID]))
			}
		}
		if msg := inOrder(x, userSent[u.ID]); msg != "" {
			add(ext, "%d: user %s: %s\n%s", ext, u.ID, msg, f.history(x, userSent[u.ID]))
		}
		if msg := allApplied(x, userSent[u.ID]); msg != "" {
			add(ext, "%d: user %s: %s\n%s", ext, u.ID, msg, f.history(x, userSent[u.ID]))
		}
	}
	for i, p := range problems {
		if i == 15 {
			f.t.Errorf("... %d problems in all", len(problems))
			break
		}
		f.t.Error(p.text)
	}
	if len(problems) == 0 {
		f.t.Logf("oracle: all %d rooms (users and desk phones) show the name of their last event; every name change reached Zoom, in publish order", checked)
	} else {
		exts := map[int64]bool{}
		for _, p := range problems {
			exts[p.ext] = true
		}
		f.t.Errorf("oracle: %d problems on %d of %d rooms", len(problems), len(exts), checked)
	}
}

// lastEvent names the room's last event that was not dead-lettered.
func lastEvent(x *expectation) string {
	for i := len(x.by) - 1; i >= 0; i-- {
		if !x.dead[i] {
			return x.by[i].String()
		}
	}
	return "no event"
}

// inOrder reports the first name that Zoom received out of publish order:
// got must be a subsequence of the expected names, each possibly repeated.
func inOrder(x *expectation, got *sent) string {
	if got == nil {
		return ""
	}
	pos := 0
	for k, name := range got.names {
		i := pos
		for i < len(x.names) && x.names[i] != name {
			i++
		}
		if i == len(x.names) {
			prev := "(none yet)"
			if k > 0 {
				prev = fmt.Sprintf("%q", got.names[k-1])
			}
			return fmt.Sprintf("received %q (call %d of %d, at %s) after %s: not at or after that point of the publish order",
				name, k+1, len(got.names), got.times[k].Format("15:04:05.000"), prev)
		}
		pos = i
	}
	return ""
}

// allApplied reports the check-ins and guest changes whose name never
// reached Zoom.
func allApplied(x *expectation, got *sent) string {
	have := map[string]bool{}
	if got != nil {
		for _, n := range got.names {
			have[n] = true
		}
	}
	var missing []string
	for i, e := range x.by {
		if e.typ == schemas.TypeCheckOut || x.dead[i] {
			continue
		}
		if !have[x.names[i]] {
			missing = append(missing, fmt.Sprintf("%s → %q", e, x.names[i]))
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return fmt.Sprintf("%d events never applied (lost): %s", len(missing), strings.Join(missing, "; "))
}

// history shows a room's expected names next to what Zoom received.
func (f *fleet) history(x *expectation, got *sent) string {
	var b strings.Builder
	b.WriteString("    expected, in publish order:")
	from := max(0, len(x.by)-12)
	if from > 0 {
		fmt.Fprintf(&b, " (last 12 of %d)", len(x.by))
	}
	for i := from; i < len(x.by); i++ {
		dead := ""
		if x.dead[i] {
			dead = " (dead-lettered)"
		}
		fmt.Fprintf(&b, "\n      %s at %s → %q%s", x.by[i], x.by[i].at.Format("15:04:05.0"), x.names[i], dead)
	}
	b.WriteString("\n    received by Zoom (journal):")
	if got == nil {
		b.WriteString(" nothing")
		return b.String()
	}
	from = max(0, len(got.names)-15)
	if from > 0 {
		fmt.Fprintf(&b, " (last 15 of %d)", len(got.names))
	}
	for i := from; i < len(got.names); i++ {
		fmt.Fprintf(&b, "\n      %s %q", got.times[i].Format("15:04:05.000"), got.names[i])
	}
	return b.String()
}

// familyRate is what the journal says of one API family's calls.
type familyRate struct {
	calls       int
	first, last time.Time
}

func (r familyRate) perSecond() float64 {
	d := r.last.Sub(r.first).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(r.calls) / d
}

// rates counts each family's API calls and the span from its first call to
// its last, from the journal.
func (f *fleet) rates() map[zoom.Family]familyRate {
	out := map[zoom.Family]familyRate{}
	for _, e := range f.sim.Journal() {
		if e.Listener != "api" || e.OperationID == "" {
			continue
		}
		r := out[e.Bucket.Family]
		if r.calls == 0 || e.Time.Before(r.first) {
			r.first = e.Time
		}
		if e.Time.After(r.last) {
			r.last = e.Time
		}
		r.calls++
		out[e.Bucket.Family] = r
	}
	return out
}

// perSecond is a family's API calls in each whole second from its first
// call, as "n n n …", for the log.
func (f *fleet) perSecond(fam zoom.Family) string {
	var counts []int
	var first time.Time
	for _, e := range f.sim.Journal() {
		if e.Listener != "api" || e.OperationID == "" || e.Bucket.Family != fam {
			continue
		}
		if first.IsZero() {
			first = e.Time
		}
		i := int(e.Time.Sub(first) / time.Second)
		for len(counts) <= i {
			counts = append(counts, 0)
		}
		counts[i]++
	}
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, " ")
}

// checkLimits fails the test when a family's busiest one-second window
// held more requests than its limit.
func (f *fleet) checkLimits() {
	f.t.Helper()
	st := f.sim.Stats()
	for _, fam := range sortedFamilies(f.limits) {
		c := st.Family(fam)
		if c.MaxPerSecond > f.limits[fam] {
			f.t.Errorf("%s API: %d requests arrived within one second, over the limit of %d/s (fleet-wide); busiest second: %s",
				fam, c.MaxPerSecond, f.limits[fam], f.busiestSecond(fam))
		}
	}
}

// busiestSecond describes the one-second window with the most requests of
// a family: when, and how many each token serial sent (a hint of which
// replicas sent them when tokens are per replica).
func (f *fleet) busiestSecond(fam zoom.Family) string {
	var entries []zoomsim.Entry
	for _, e := range f.sim.Journal() {
		if e.Listener == "api" && e.OperationID != "" && e.Bucket.Family == fam {
			entries = append(entries, e)
		}
	}
	// The journal is in order of completion; windows count arrivals.
	slices.SortStableFunc(entries, func(a, b zoomsim.Entry) int { return a.Time.Compare(b.Time) })
	best, at := 0, 0
	j := 0
	for i := range entries {
		for entries[i].Time.Sub(entries[j].Time) >= time.Second {
			j++
		}
		if n := i - j + 1; n > best {
			best, at = n, j
		}
	}
	if best == 0 {
		return "no requests"
	}
	ops := map[string]int{}
	for _, e := range entries[at : at+best] {
		ops[fmt.Sprintf("%s/%d", e.OperationID, e.Status)]++
	}
	return fmt.Sprintf("%d requests from %s to %s (operation/status: %v)", best,
		entries[at].Time.Format("15:04:05.000"), entries[at+best-1].Time.Format("15:04:05.000"), ops)
}

func sortedFamilies(m map[zoom.Family]int) []zoom.Family {
	var out []zoom.Family
	for f := range m {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// background runs fn in a goroutine and returns a function that waits for
// it; the test's end cancels f.ctx and waits for it too.
func (f *fleet) background(fn func()) (wait func()) {
	done := make(chan struct{})
	f.bg.Go(func() {
		defer close(done)
		fn()
	})
	return func() { <-done }
}
