package consumer

import (
	"context"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/pbxlink/pbxlink/schemas"
)

// deadLetter publishes the event, body unchanged, to PBXLINK_DLQ with the
// contract's headers, and waits for the stream's acknowledgement. The dead
// letter's Nats-Msg-Id is derived from the event's stream sequence, so that
// dead-lettering the same event twice (a crash in between) keeps one copy.
func (w *Worker) deadLetter(ctx context.Context, j *job, reason string, attempts int) error {
	m := nats.NewMsg(schemas.DLQSubject(j.subject))
	m.Data = j.message().Data()
	// The letter keeps the event's own headers but none of JetStream's
	// (Nats-*: a Nats-Expected-Stream of PBXLINK_EVENTS would make the DLQ
	// refuse it for ever) and none of an earlier death (Pbxlink-*).
	for k, vs := range j.message().Headers() {
		if strings.HasPrefix(k, "Nats-") || strings.HasPrefix(k, "Pbxlink-") {
			continue
		}
		m.Header[k] = vs
	}
	m.Header.Set(schemas.HeaderError, oneLine(reason))
	m.Header.Set(schemas.HeaderAttempts, strconv.Itoa(attempts))
	m.Header.Set(schemas.HeaderOriginalSubject, j.subject)
	m.Header.Set(schemas.HeaderOriginalSeq, strconv.FormatUint(j.seq, 10))
	m.Header.Set(schemas.HeaderMsgID, "pbxlink-dlq-"+strconv.FormatUint(j.seq, 10))
	_, err := w.cfg.JetStream.PublishMsg(ctx, m)
	return err
}

// oneLine keeps a reason fit for a header: one line, bounded.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 1000 {
		s = string(r[:1000]) + "…"
	}
	return s
}
