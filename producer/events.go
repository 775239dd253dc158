package producer

import (
	"context"

	"github.com/pbxlink/pbxlink/schemas"
)

// CheckIn publishes a check-in on extension ext: the extension shows the
// guest's name. d.Guest needs a first or last name that is not blank.
func (p *Producer) CheckIn(ctx context.Context, ext string, d schemas.CheckIn, opts ...PublishOption) (*Result, error) {
	return p.Publish(ctx, ext, schemas.TypeCheckIn, d, opts...)
}

// GuestChange publishes a change of the stay's guest data on extension ext:
// the fields d holds replace the stay's. At least one must be set.
func (p *Producer) GuestChange(ctx context.Context, ext string, d schemas.GuestChange, opts ...PublishOption) (*Result, error) {
	return p.Publish(ctx, ext, schemas.TypeGuest, d, opts...)
}

// CheckOut publishes a check-out on extension ext: no guest data is left.
func (p *Producer) CheckOut(ctx context.Context, ext string, d schemas.CheckOut, opts ...PublishOption) (*Result, error) {
	return p.Publish(ctx, ext, schemas.TypeCheckOut, d, opts...)
}

// DND publishes do-not-disturb on or off for extension ext.
func (p *Producer) DND(ctx context.Context, ext string, on bool, opts ...PublishOption) (*Result, error) {
	return p.Publish(ctx, ext, schemas.TypeDND, schemas.DND{On: on}, opts...)
}

// ClearMessages publishes the deletion of all of extension ext's voicemail.
func (p *Producer) ClearMessages(ctx context.Context, ext string, opts ...PublishOption) (*Result, error) {
	return p.Publish(ctx, ext, schemas.TypeClearMessages, schemas.ClearMessages{}, opts...)
}

// Extension publishes a plain change of a non-guest extension's names and
// department; nil fields of d are left as they are.
func (p *Producer) Extension(ctx context.Context, ext string, d schemas.Extension, opts ...PublishOption) (*Result, error) {
	return p.Publish(ctx, ext, schemas.TypeExtension, d, opts...)
}
