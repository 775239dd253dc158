package consumer

import (
	"context"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// Zoom is what the worker needs of Zoom. *zoom.Client implements it; a
// test can put a recording decorator in between.
type Zoom interface {
	Grants(ctx context.Context) (zoom.Grants, error)
	ListUsers(ctx context.Context) ([]zoom.User, error)
	GetUser(ctx context.Context, userID string) (zoom.User, error)
	ListPhoneUsers(ctx context.Context) ([]zoom.PhoneUser, error)
	SearchPhoneUsers(ctx context.Context, keyword string) ([]zoom.PhoneUser, error)
	ListCommonAreas(ctx context.Context) ([]zoom.CommonArea, error)
	ListAssignedDevices(ctx context.Context) ([]zoom.Device, error)
	SearchAssignedDevices(ctx context.Context, keyword string) ([]zoom.Device, error)
	writer
}

// writer is what the applier needs of Zoom for one event: the calls that
// change a room, and the voicemail listing that goes with deleting it. In
// the worker every one of them runs inside the event's claim (fenced).
type writer interface {
	UpdateUser(ctx context.Context, userID string, u zoom.UserUpdate) error
	UpdateCommonArea(ctx context.Context, id string, u zoom.CommonAreaUpdate) error
	UpdateDeviceName(ctx context.Context, id, displayName string) error
	SetDoNotDisturb(ctx context.Context, userID string, d time.Duration) error
	SetAvailable(ctx context.Context, userID string) error
	ListVoicemails(ctx context.Context, userID string, from, to time.Time) ([]zoom.Voicemail, error)
	DeleteVoicemail(ctx context.Context, id string) error
}

var _ Zoom = (*zoom.Client)(nil)
