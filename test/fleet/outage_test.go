package fleet_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
)

// The worker's fixed timings behind a resume (consumer.Config; `pbxlink
// run` has no flag for them).
const (
	// probeInterval is how often a paused replica tries Zoom again.
	probeInterval = 30 * time.Second
	// pauseDelay is how long an event waits while the fleet is paused:
	// half the probe interval, at most 15 s.
	pauseDelay = 15 * time.Second
	// pauseKey is the fleet bucket's key of the account pause.
	pauseKey = "account.pause"
	// pausedText starts the reason /readyz gives while paused.
	pausedText = "Zoom work paused"
	// notActivated is Zoom's reason for refusing a deactivated app's token
	// requests, which the pause must name.
	notActivated = "The app is not activated"
)

// TestFleetCredentialsOutage is issue 9's fleet run: the Zoom app is
// deactivated for a minute while events arrive (Zoom then refuses every
// token and every token request). Three replicas run at --retries 3 with
// a 1 s retry interval, so an outage charged to the events would
// dead-letter them within seconds. During the outage every replica's
// /readyz answers 503 with the pause's reason, the pause is in the fleet
// bucket and no event is dead-lettered; once the app is active again a
// probe resumes the fleet by itself within the probe interval plus one
// deferral, and every event, those published during the outage included,
// reaches Zoom in publish order.
func TestFleetCredentialsOutage(t *testing.T) {
	seed := seedFor(t, 20261109)
	const outage = time.Minute
	f := newFleet(t, fleetOptions{
		seed: seed, replicas: 3, limit: 100, retries: 3, retryInterval: time.Second, concurrency: 8,
		// A check-out turns do-not-disturb off; one whose presence call
		// went through before the outage repeats it after, which Zoom's
		// once-a-minute rule would hold up for a minute.
		presenceInterval: time.Millisecond,
		timeout:          6 * time.Minute,
	})
	s := newScript(seed, scriptOptions{events: events(900), rooms: rooms, firstExt: firstExt, checkouts: true})
	t.Log(s.counts())
	before, during := s.events[:len(s.events)/3], s.events[len(s.events)/3:]

	f.startAll()
	addrs := make([]string, len(f.replicas))
	for i, r := range f.replicas {
		addrs[i] = f.waitReady(r)
	}
	t.Logf("%5.1fs every replica ready: %v", time.Since(f.started).Seconds(), addrs)
	for _, e := range before {
		if err := publish(f.ctx, f.prod, e); err != nil {
			t.Fatal(err)
		}
	}
	p := f.waitDrained(len(before))
	t.Logf("%5.1fs %d events before the outage drained: %s", time.Since(f.started).Seconds(), len(before), p)

	f.sim.SetAppActivated(false)
	down := time.Now()
	t.Logf("%5.1fs the Zoom app is deactivated for %v", time.Since(f.started).Seconds(), outage)
	watch := newReadyWatch(addrs)
	stopWatch := make(chan struct{})
	waitWatch := f.background(func() { watch.run(f.ctx, stopWatch) })
	// The events of the outage arrive over its first 40 seconds.
	spacing := 40 * time.Second / time.Duration(len(during))
	for k, e := range during {
		if d := time.Until(down.Add(time.Duration(k) * spacing)); d > 0 {
			time.Sleep(d)
		}
		if err := publish(f.ctx, f.prod, e); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%5.1fs published %d events during the outage", time.Since(f.started).Seconds(), len(during))
	time.Sleep(time.Until(down.Add(outage)))

	// The end of the outage: every replica paused, the pause recorded,
	// nothing dead-lettered.
	close(stopWatch)
	waitWatch()
	for i, w := range watch.report() {
		t.Logf("%s /readyz during the outage: %s", f.replicas[i].name, w)
		if w.pausedAt.IsZero() {
			t.Errorf("%s: /readyz never answered 503 %q during the outage (last answer %d %q)", f.replicas[i].name, pausedText, w.lastStatus, w.lastBody)
			continue
		}
		if w.otherAfterPause > 0 {
			t.Errorf("%s: /readyz answered %d times otherwise than 503 %q while the fleet was paused (%s)", f.replicas[i].name, w.otherAfterPause, pausedText, w)
		}
		if !strings.Contains(w.pausedBody, notActivated) {
			t.Errorf("%s: /readyz's 503 %q does not give Zoom's reason %q", f.replicas[i].name, w.pausedBody, notActivated)
		}
		if late := w.pausedAt.Sub(down); late > 20*time.Second {
			t.Errorf("%s: /readyz first answered paused %.1fs into the outage; want within 20s (events arrive from its start)", f.replicas[i].name, late.Seconds())
		}
	}
	if reason, ok := f.pauseRecord(); !ok {
		t.Errorf("no %s key in %s at the end of the outage: %s", pauseKey, broker.BucketFleet, reason)
	} else {
		t.Logf("%s in %s: %s", pauseKey, broker.BucketFleet, reason)
	}
	if p := f.progress(); p.dlq != 0 || p.errors != "" {
		t.Errorf("at the end of the outage: %s; want no dead letter", p)
	}
	refused := 0
	for _, e := range f.sim.Journal() {
		if e.Fault == "app_not_activated" {
			refused++
		}
	}
	if refused == 0 {
		t.Errorf("Zoom refused no request during the outage: the app's deactivation was not exercised")
	}
	t.Logf("%5.1fs Zoom refused %d requests (app not activated); reactivating the app; %s", time.Since(f.started).Seconds(), refused, f.progress())

	f.sim.SetAppActivated(true)
	up := time.Now()
	resumed := f.firstWriteAfter(up)
	// A replica probes every probeInterval; the events it deferred come
	// back within pauseDelay of the resume; 10 s for the token and the
	// intake.
	if bound := probeInterval + pauseDelay + 10*time.Second; resumed.Sub(up) > bound {
		t.Errorf("the first write after the outage came %.1fs after the app's reactivation; want within %v", resumed.Sub(up).Seconds(), bound)
	}
	t.Logf("%5.1fs first write %.1fs after the reactivation", time.Since(f.started).Seconds(), resumed.Sub(up).Seconds())
	p = f.waitDrained(len(s.events))
	t.Logf("%5.1fs drained %.1fs after the reactivation: %s", time.Since(f.started).Seconds(), time.Since(up).Seconds(), p)
	for _, r := range f.replicas {
		f.waitReady(r)
	}
	if reason, ok := f.pauseRecord(); ok {
		t.Errorf("%s still in %s after the resume: %s", pauseKey, broker.BucketFleet, reason)
	}

	dls := f.deadLetters()
	if len(dls) > 0 {
		t.Errorf("%d events dead-lettered; an account outage must dead-letter none", len(dls))
	}
	f.reportDeadLetters(dls)
	f.checkOracle(s, deadIDs(dls))
	f.checkLimits()
	f.checkNo429()
	f.checkExits()
	t.Log(f.statsLine())
	t.Log(f.workerLog())
}

// httpAddr is the address the replica's current process serves /readyz
// on, from its log ("" before it says).
func (r *replica) httpAddr() string {
	fh, err := os.Open(r.logPath)
	if err != nil {
		return ""
	}
	defer fh.Close()
	addr := ""
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "=== fleet test: start ") {
			addr = "" // a new process: its address is still to come
		}
		if !strings.Contains(line, `"msg":"pbxlink worker running"`) {
			continue
		}
		var l struct {
			HTTP string `json:"http"`
		}
		if json.Unmarshal([]byte(line), &l) == nil {
			addr = l.HTTP
		}
	}
	return addr
}

// readyz asks a replica's /readyz.
func readyz(ctx context.Context, addr string) (status int, body string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/readyz", nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, strings.TrimSpace(string(b)), nil
}

// waitReady waits until the replica serves /readyz and answers 200, and
// returns its address; it fails the test when the test's time runs out.
func (f *fleet) waitReady(r *replica) string {
	f.t.Helper()
	var last string
	for f.ctx.Err() == nil {
		if addr := r.httpAddr(); addr != "" {
			status, body, err := readyz(f.ctx, addr)
			if err == nil && status == http.StatusOK {
				return addr
			}
			last = fmt.Sprintf("%d %q %v", status, body, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	f.t.Fatalf("%s never answered /readyz 200 (last: %s)", r.name, last)
	return ""
}

// readyWatch asks every replica's /readyz twice a second.
type readyWatch struct {
	addrs []string
	mu    sync.Mutex
	seen  []readySeen
}

// readySeen is what one replica's /readyz answered.
type readySeen struct {
	asked      int
	lastStatus int
	lastBody   string
	// pausedAt is the first 503 with the pause's reason; pausedBody its
	// text.
	pausedAt   time.Time
	pausedBody string
	// otherAfterPause counts the answers after pausedAt that were not the
	// pause's 503; other is the first of them.
	otherAfterPause int
	other           string
}

func (s readySeen) String() string {
	if s.pausedAt.IsZero() {
		return fmt.Sprintf("%d answers, never paused", s.asked)
	}
	return fmt.Sprintf("%d answers, paused from %s: 503 %q; %d other answers after that (first: %s)",
		s.asked, s.pausedAt.Format("15:04:05.000"), s.pausedBody, s.otherAfterPause, s.other)
}

func newReadyWatch(addrs []string) *readyWatch {
	return &readyWatch{addrs: addrs, seen: make([]readySeen, len(addrs))}
}

func (w *readyWatch) run(ctx context.Context, stop <-chan struct{}) {
	for {
		for i, addr := range w.addrs {
			status, body, err := readyz(ctx, addr)
			if err != nil {
				body = err.Error()
			}
			w.mu.Lock()
			s := &w.seen[i]
			s.asked++
			s.lastStatus, s.lastBody = status, body
			paused := status == http.StatusServiceUnavailable && strings.Contains(body, pausedText)
			switch {
			case paused && s.pausedAt.IsZero():
				s.pausedAt, s.pausedBody = time.Now(), body
			case !paused && !s.pausedAt.IsZero():
				if s.otherAfterPause == 0 {
					s.other = fmt.Sprintf("%d %q", status, body)
				}
				s.otherAfterPause++
			}
			w.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-stop:
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (w *readyWatch) report() []readySeen {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]readySeen(nil), w.seen...)
}

// pauseRecord reads the fleet's account pause: its value, and whether it
// is there.
func (f *fleet) pauseRecord() (string, bool) {
	ctx, cancel := context.WithTimeout(f.ctx, 5*time.Second)
	defer cancel()
	kv, err := f.js.KeyValue(ctx, broker.BucketFleet)
	if err != nil {
		return "bucket: " + err.Error(), false
	}
	e, err := kv.Get(ctx, pauseKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "not found", false
	}
	if err != nil {
		return err.Error(), false
	}
	return string(e.Value()), true
}

// firstWriteAfter waits for the first write (a PATCH) Zoom accepts that
// arrived after t, and returns when it arrived; it fails the test when
// the test's time runs out first.
func (f *fleet) firstWriteAfter(t time.Time) time.Time {
	f.t.Helper()
	for f.ctx.Err() == nil {
		for _, e := range f.sim.Journal() {
			if e.Listener == "api" && e.Method == http.MethodPatch && e.Status/100 == 2 && e.Time.After(t) {
				return e.Time
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	f.t.Fatalf("no write reached Zoom after %s: %s", t.Format("15:04:05.000"), f.progress())
	return time.Time{}
}
