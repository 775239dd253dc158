package producer

import (
	"context"
	"testing"
)

// TestResendIsDeduplicated publishes the same event id twice: the stream
// keeps one copy and says the second was a duplicate.
func TestResendIsDeduplicated(t *testing.T) {
	js := startJetStream(t)
	st := createStream(t, js, nil)
	p := newProducer(t, js, testConfig())
	ctx := context.Background()
	first, err := p.DND(ctx, "1203", true, WithID("opera-000481"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := p.DND(ctx, "1203", true, WithID("opera-000481"))
	if err != nil {
		t.Fatal(err)
	}
	if first.Ack.Duplicate || !second.Ack.Duplicate || second.Ack.Sequence != first.Ack.Sequence {
		t.Errorf("first %+v, second %+v", first.Ack, second.Ack)
	}
	other, err := p.DND(ctx, "1203", true, WithID("opera-000482"))
	if err != nil {
		t.Fatal(err)
	}
	if other.Ack.Duplicate {
		t.Errorf("a new id was taken for a duplicate: %+v", other.Ack)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 2 {
		t.Errorf("stream holds %d messages, want 2", info.State.Msgs)
	}
}
