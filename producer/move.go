package producer

import (
	"context"
	"errors"
	"fmt"

	"github.com/pbxlink/pbxlink/schemas"
)

// ErrInvalidMove is returned by [Producer.Move] when from and to are the
// same extension.
var ErrInvalidMove = errors.New("producer: invalid move")

// Move publishes a room move: a check-out on extension from, then, once the
// stream has acknowledged it, a check-in of d on extension to. The
// check-out carries d's Tenant and Site but not its Mailbox, which
// describes the new room.
//
// Both events are validated before either is sent, so a bad move sends
// nothing, and so does a move whose from and to are equal ([ErrInvalidMove]).
// If the check-in fails after the check-out was acknowledged, the
// result holds the check-out and the error the check-in's; call Move again
// with the same [WithID] to finish it: the stream drops the check-out as a
// duplicate within its duplicate window. With WithID(id) the events get the
// ids id+"-checkout" and id+"-checkin"; with [WithTime] both get that time.
func (p *Producer) Move(ctx context.Context, from, to string, d schemas.CheckIn, opts ...PublishOption) (MoveResult, error) {
	if from == to {
		return MoveResult{}, fmt.Errorf("%w: from and to are the same extension", ErrInvalidMove)
	}
	o := applyOptions(opts)
	outOpts, inOpts := o, o
	if o.id != "" {
		outOpts.id, inOpts.id = o.id+"-checkout", o.id+"-checkin"
	}
	out := schemas.CheckOut{Tenant: d.Tenant, Site: d.Site}
	outEv, outBody, err := p.prepare(from, schemas.TypeCheckOut, out, outOpts)
	if err != nil {
		return MoveResult{}, err
	}
	inEv, inBody, err := p.prepare(to, schemas.TypeCheckIn, d, inOpts)
	if err != nil {
		return MoveResult{}, err
	}
	var res MoveResult
	if res.CheckOut, err = p.send(ctx, outEv, outBody); err != nil {
		return res, err
	}
	res.CheckIn, err = p.send(ctx, inEv, inBody)
	return res, err
}
