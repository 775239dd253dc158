package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/pbxlink/pbxlink/internal/broker"
	"github.com/pbxlink/pbxlink/schemas"
)

// streamKey is the state bucket key that names the PBXLINK_EVENTS stream
// the records were written for. Records hold stream sequences: a stream
// deleted and created again restarts its sequences, and under the old
// records its new events would all look finished already.
const streamKey = "meta.events-stream"

type streamIdentity struct {
	Created time.Time `json:"created"`
}

// ErrStreamRecreated: PBXLINK_EVENTS was created again under a state
// bucket kept from the stream before it.
var ErrStreamRecreated = errors.New("PBXLINK_EVENTS was recreated under a surviving pbxlink-state bucket")

// checkStreamIdentity records the stream's creation time beside the state,
// or refuses to run when the stream is not the one the state belongs to.
func (w *Worker) checkStreamIdentity(ctx context.Context) error {
	info, err := w.nats.Events.Info(ctx)
	if err != nil {
		return fmt.Errorf("stream %s: %w", schemas.StreamEvents, err)
	}
	mine := streamIdentity{Created: info.Created.UTC()}
	b, _ := json.Marshal(mine)
	m, err := broker.LeaderGet(ctx, w.cfg.JetStream, "KV_"+broker.BucketState,
		broker.MsgQuery{LastBySubject: "$KV." + broker.BucketState + "." + streamKey})
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		if _, err := w.nats.State.Create(ctx, streamKey, b); err != nil && !broker.IsConflict(err) {
			return fmt.Errorf("record the stream's identity: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("read the stream's identity: %w", err)
	}
	var theirs streamIdentity
	if err := json.Unmarshal(m.Data, &theirs); err != nil {
		return fmt.Errorf("read the stream's identity: %w", err)
	}
	if !theirs.Created.Equal(mine.Created) {
		return fmt.Errorf("%w: the stream was created %s, the state belongs to the one created %s; "+
			"to start afresh stop every worker and delete the state (nats kv del %s --force), then start again",
			ErrStreamRecreated, mine.Created.Format(time.RFC3339Nano), theirs.Created.Format(time.RFC3339Nano), broker.BucketState)
	}
	return nil
}
