package fias

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
)

// Posting is one call charge for the PMS: an outgoing call from a room.
type Posting struct {
	// ID identifies the call (Zoom's call-history id); a posting is made
	// once per ID.
	ID string
	// Extension is the room's extension that made the call.
	Extension string
	// Dialled is the number dialled.
	Dialled string
	// Start is when the call started.
	Start time.Time
	// Duration is how long it lasted.
	Duration time.Duration
}

// PostingSource hands out the postings to make, one at a time, and is told
// when one is made. Next blocks until there is one or ctx ends; Done is
// called once the PMS answered the posting (or refused it for good), and
// only then may the source forget it. A source that crashes between Next
// and Done hands the same posting out again; the ledger ([Ledger]) keeps
// it from being posted twice.
type PostingSource interface {
	Next(ctx context.Context) (Posting, error)
	Done(ctx context.Context, p Posting) error
}

// Ledger gives every call its posting number (P#) once and remembers
// which calls were posted, in BucketFIAS: "post.<link>.seq" is the last
// number given, "post.<link>.<digest of the call id>" the call's entry.
// A posting resent after a broken link carries its first number, so the
// PMS (and the simulator) can tell the resend from a new charge.
type Ledger struct {
	kv   jetstream.KeyValue
	link string
}

// NewLedger returns link's ledger in kv.
func NewLedger(kv jetstream.KeyValue, link string) *Ledger {
	return &Ledger{kv: kv, link: link}
}

type ledgerEntry struct {
	Number uint64 `json:"p"`
	Done   bool   `json:"done,omitempty"`
	Result string `json:"result,omitempty"`
}

func (l *Ledger) key(callID string) string {
	sum := sha256.Sum256([]byte(callID))
	return "post." + l.link + "." + hex.EncodeToString(sum[:12])
}

// Number returns the call's posting number, giving it one the first time,
// and whether the call was already posted.
func (l *Ledger) Number(ctx context.Context, callID string) (n uint64, done bool, err error) {
	key := l.key(callID)
	var le ledgerEntry
	_, err = broker.UpdateJSON(ctx, l.kv, key, func(cur *ledgerEntry, exists bool) (*ledgerEntry, error) {
		if exists {
			le = *cur
			return nil, nil
		}
		n, err := l.next(ctx) // lost if another writer creates the entry first
		if err != nil {
			return nil, err
		}
		le = ledgerEntry{Number: n}
		return &le, nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("posting ledger %s: %w", key, err)
	}
	return le.Number, le.Done, nil
}

// next takes the next posting number (1 … 9 999 999 999, FIAS's N10).
func (l *Ledger) next(ctx context.Context) (uint64, error) {
	key := "post." + l.link + ".seq"
	var n uint64
	_, err := broker.Update(ctx, l.kv, key, func(e jetstream.KeyValueEntry) ([]byte, error) {
		n = 0
		if e != nil {
			n, _ = strconv.ParseUint(string(e.Value()), 10, 64)
		}
		n = n%9_999_999_999 + 1
		return []byte(strconv.FormatUint(n, 10)), nil
	})
	if err != nil {
		return 0, fmt.Errorf("posting ledger %s: %w", key, err)
	}
	return n, nil
}

// MarkDone records that the call was posted (result "OK") or refused for
// good (the PMS's answer status).
func (l *Ledger) MarkDone(ctx context.Context, callID string, n uint64, result string) error {
	data, _ := json.Marshal(ledgerEntry{Number: n, Done: true, Result: result})
	if _, err := l.kv.Put(ctx, l.key(callID), data); err != nil {
		return fmt.Errorf("posting ledger: %w", err)
	}
	return nil
}

// postingRecord is the PS record of p from room, number n, with times in
// loc: PT T (telephone), DD dialled digits, DU duration HHMMSS, DA/TI the
// call's start.
func postingRecord(p Posting, room string, n uint64, loc *time.Location) Record {
	d := int64(p.Duration.Round(time.Second) / time.Second)
	if d < 0 {
		d = 0
	}
	h := min(d/3600, 99)
	du := fmt.Sprintf("%02d%02d%02d", h, (d%3600)/60, d%60)
	start := p.Start.In(loc)
	return NewRecord("PS", "RN", room, "PT", "T", "DD", digitsOnly(p.Dialled), "DU", du,
		"DA", start.Format("060102"), "TI", start.Format("150405"), "P#", strconv.FormatUint(n, 10))
}

// digitsOnly keeps the dialled number's digits (and a leading +'s
// meaning: 00), which is what FIAS's DD holds.
func digitsOnly(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			out = append(out, c)
		case c == '+' && len(out) == 0:
			out = append(out, '0', '0')
		}
	}
	return string(out)
}
