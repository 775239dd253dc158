package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// MsgQuery says which message LeaderGet reads: the one at Seq, or the
// first one at or after Seq on NextBySubject, or the last one on
// LastBySubject.
type MsgQuery struct {
	Seq           uint64 `json:"seq,omitempty"`
	NextBySubject string `json:"next_by_subj,omitempty"`
	LastBySubject string `json:"last_by_subj,omitempty"`
}

// LeaderGet reads one stored message through the stream leader
// ($JS.API.STREAM.MSG.GET), never through a direct get. A direct get may be
// answered by a follower that has not yet applied the latest writes, so a
// decision taken on it (is this the next event of its extension? which
// revision of the state record is current?) could be taken on old facts.
// The leader has applied every write it acknowledged, so a read after an
// acknowledged write sees it. A missing message is jetstream.ErrMsgNotFound.
func LeaderGet(ctx context.Context, js jetstream.JetStream, stream string, q MsgQuery) (*jetstream.RawStreamMsg, error) {
	body, err := json.Marshal(q)
	if err != nil {
		return nil, err
	}
	nc := js.Conn()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
	}
	reply, err := nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET."+stream, body)
	if err != nil {
		if errors.Is(err, nats.ErrNoResponders) {
			return nil, fmt.Errorf("read %s: %w", stream, jetstream.ErrStreamNotFound)
		}
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	var resp struct {
		Error *jetstream.APIError `json:"error"`
		Msg   *struct {
			Subject string    `json:"subject"`
			Seq     uint64    `json:"seq"`
			Header  []byte    `json:"hdrs"`
			Data    []byte    `json:"data"`
			Time    time.Time `json:"time"`
		} `json:"message"`
	}
	if err := json.Unmarshal(reply.Data, &resp); err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	if resp.Error != nil {
		if resp.Error.ErrorCode == jetstream.JSErrCodeMessageNotFound {
			return nil, jetstream.ErrMsgNotFound
		}
		return nil, fmt.Errorf("read %s: %w", stream, resp.Error)
	}
	if resp.Msg == nil {
		return nil, fmt.Errorf("read %s: %w", stream, jetstream.ErrInvalidJetStreamResponse)
	}
	m := &jetstream.RawStreamMsg{Subject: resp.Msg.Subject, Sequence: resp.Msg.Seq, Data: resp.Msg.Data, Time: resp.Msg.Time}
	if len(resp.Msg.Header) > 0 {
		if m.Header, err = nats.DecodeHeadersMsg(resp.Msg.Header); err != nil {
			return nil, fmt.Errorf("read %s: %w", stream, err)
		}
	}
	return m, nil
}
