package broker_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/internal/testenv"
)

// casKV is a fresh bucket on an embedded server.
func casKV(t *testing.T) (jetstream.KeyValue, context.Context) {
	t.Helper()
	n := testenv.StartNATS(t)
	ctx := testenv.Ctx(t)
	kv, err := n.JS.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "cas", History: 1})
	if err != nil {
		t.Fatal(err)
	}
	return kv, ctx
}

// r3Conflicts answers the first n writes as a replicated bucket answers a
// lost race (10164), after letting another writer's value land, so a
// re-read sees something new.
type r3Conflicts struct {
	jetstream.KeyValue
	n int
}

func (k *r3Conflicts) Update(ctx context.Context, key string, value []byte, rev uint64) (uint64, error) {
	if k.n > 0 {
		k.n--
		if _, err := k.KeyValue.Put(ctx, key, []byte(`{"n":100}`)); err != nil {
			return 0, err
		}
		return 0, &jetstream.APIError{Code: 400, ErrorCode: jetstream.JSErrCodeStreamWrongLastSequenceConstant, Description: "wrong last sequence"}
	}
	return k.KeyValue.Update(ctx, key, value, rev)
}

type counter struct {
	N int `json:"n"`
}

func TestUpdateJSON(t *testing.T) {
	errRefused := errors.New("refused")
	cases := []struct {
		name string
		// initial value of the key, "" for none
		initial string
		// conflicts: writes by another writer between Update's read and
		// its write, on the single server (10071)
		conflicts int
		// r3: lost races answered as a replicated bucket does (10164)
		r3     int
		change func(cur *counter, exists bool) (*counter, error)
		// want: the stored value after, "" for absent
		want     string
		wantErr  func(error) bool
		calls    int // calls of change
		sameRev  bool
		checkRev bool
	}{
		{name: "absent key is created", change: inc, want: `{"n":1}`, calls: 1, checkRev: true},
		{name: "present key is updated", initial: `{"n":4}`, change: inc, want: `{"n":5}`, calls: 1, checkRev: true},
		{name: "conflict re-reads and retries", initial: `{"n":4}`, conflicts: 2, change: inc, want: `{"n":101}`, calls: 3, checkRev: true},
		{name: "create conflict re-reads and updates", conflicts: 1, change: inc, want: `{"n":101}`, calls: 2, checkRev: true},
		{name: "R3 conflict code retried", initial: `{"n":4}`, r3: 1, change: inc, want: `{"n":101}`, calls: 2, checkRev: true},
		{name: "bound reached is a typed error", initial: `{"n":4}`, conflicts: broker.MaxUpdateAttempts, change: inc, want: `{"n":100}`,
			calls:   broker.MaxUpdateAttempts,
			wantErr: func(err error) bool { return errors.Is(err, broker.ErrContended) && broker.IsConflict(err) }},
		{name: "no change writes nothing", initial: `{"n":4}`, change: func(*counter, bool) (*counter, error) { return nil, nil },
			want: `{"n":4}`, calls: 1, sameRev: true},
		{name: "no change on an absent key writes nothing", change: func(*counter, bool) (*counter, error) { return nil, nil }, calls: 1},
		{name: "change error stops it", initial: `{"n":4}`, change: func(*counter, bool) (*counter, error) { return nil, errRefused },
			want: `{"n":4}`, calls: 1, sameRev: true, wantErr: func(err error) bool { return errors.Is(err, errRefused) }},
		{name: "unreadable value is a DecodeError", initial: `not json`, change: inc, want: `not json`, sameRev: true,
			wantErr: func(err error) bool { var de *broker.DecodeError; return errors.As(err, &de) && de.Key == "k" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kv, ctx := casKV(t)
			var before uint64
			if c.initial != "" {
				before, _ = kv.Put(ctx, "k", []byte(c.initial))
			}
			var store jetstream.KeyValue = kv
			if c.r3 > 0 {
				store = &r3Conflicts{KeyValue: kv, n: c.r3}
			}
			calls, conflicts := 0, c.conflicts
			rev, err := broker.UpdateJSON(ctx, store, "k", func(cur *counter, exists bool) (*counter, error) {
				calls++
				if conflicts > 0 { // another writer gets in between
					conflicts--
					if _, err := kv.Put(ctx, "k", []byte(`{"n":99}`)); err != nil {
						t.Fatal(err)
					}
					if _, err := kv.Put(ctx, "k", []byte(`{"n":100}`)); err != nil {
						t.Fatal(err)
					}
				}
				return c.change(cur, exists)
			})
			if c.wantErr != nil {
				if err == nil || !c.wantErr(err) {
					t.Fatalf("err = %v, want the case's error", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if calls != c.calls {
				t.Errorf("change called %d times, want %d", calls, c.calls)
			}
			e, gerr := kv.Get(ctx, "k")
			switch {
			case c.want == "":
				if !errors.Is(gerr, jetstream.ErrKeyNotFound) {
					t.Fatalf("key = %v, %v; want absent", e, gerr)
				}
				return
			case gerr != nil:
				t.Fatal(gerr)
			}
			if got := string(e.Value()); got != c.want {
				t.Errorf("stored %s, want %s", got, c.want)
			}
			if c.sameRev && e.Revision() != before {
				t.Errorf("revision moved from %d to %d: something was written", before, e.Revision())
			}
			if c.checkRev && rev != e.Revision() {
				t.Errorf("returned revision %d, stored %d", rev, e.Revision())
			}
			if c.sameRev && c.wantErr == nil && rev != before {
				t.Errorf("no-change returned revision %d, want the one read, %d", rev, before)
			}
		})
	}
}

func inc(cur *counter, _ bool) (*counter, error) {
	cur.N++
	return cur, nil
}

// TestUpdateStopsWithContext: a cancelled context ends the retries.
func TestUpdateStopsWithContext(t *testing.T) {
	kv, ctx := casKV(t)
	cctx, cancel := context.WithCancel(ctx)
	calls := 0
	_, err := broker.Update(cctx, kv, "k", func(jetstream.KeyValueEntry) ([]byte, error) {
		calls++
		cancel()
		_, _ = kv.Put(ctx, "k", []byte(fmt.Sprint(calls)))
		return []byte("mine"), nil
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Fatalf("err %v after %d calls, want context.Canceled after 1", err, calls)
	}
}
