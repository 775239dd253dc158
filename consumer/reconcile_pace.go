package consumer

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// DefaultReconcileShare is the share of the account's Medium rate the
// reconciler uses by default.
const DefaultReconcileShare = 0.1

// ReconcileRates is the reconciler's pace for each API family: share of the
// Medium limit that lc sets (the plan's, or an override). Every call the
// reconciler makes is a list or presence read, Medium on Zoom's labels.
func ReconcileRates(lc zoom.LimiterConfig, share float64) (map[zoom.Family]float64, error) {
	if share <= 0 || share > 1 {
		return nil, fmt.Errorf("share %v: want more than 0 and at most 1", share)
	}
	lc = lc.WithDefaults()
	out := map[zoom.Family]float64{}
	for _, f := range []zoom.Family{zoom.FamilyMain, zoom.FamilyPhone} {
		out[f] = lc.Limit(zoom.Bucket{Family: f, Category: zoom.Medium}).Rate() * share
	}
	return out, nil
}

// pacedZoom is the reconciler's view of Zoom: every read waits for its
// turn in the reconciler's own pace, so that a run spreads over time and
// leaves the account's rate limit to the events. A list that Zoom answers
// in several pages is charged one call a page (after it returns: the pages
// are the client's business). The client's limiter still applies beneath.
type pacedZoom struct {
	Zoom
	mu    sync.Mutex
	every map[zoom.Family]time.Duration
	next  map[zoom.Family]time.Time
	n     map[zoom.Family]int
}

func newPacedZoom(z Zoom, rates map[zoom.Family]float64) *pacedZoom {
	p := &pacedZoom{Zoom: z, every: map[zoom.Family]time.Duration{}, next: map[zoom.Family]time.Time{}, n: map[zoom.Family]int{}}
	for f, r := range rates {
		if r > 0 {
			p.every[f] = time.Duration(float64(time.Second) / r)
		}
	}
	return p
}

// take waits for the family's next slot and books one call.
func (p *pacedZoom) take(ctx context.Context, f zoom.Family) error {
	p.mu.Lock()
	p.n[f]++
	iv := p.every[f]
	now := time.Now()
	at := p.next[f]
	if at.Before(now) {
		at = now
	}
	if iv > 0 {
		p.next[f] = at.Add(iv)
	}
	p.mu.Unlock()
	if iv == 0 || !at.After(now) {
		return ctx.Err()
	}
	return zoom.SleepUntil(ctx, at, now)
}

// charge books the further pages of a list that returned n items at
// pageSize a page.
func (p *pacedZoom) charge(f zoom.Family, n, pageSize int) {
	pages := max(1, (n+pageSize-1)/pageSize)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n[f] += pages - 1
	if iv := p.every[f]; iv > 0 {
		p.next[f] = p.next[f].Add(time.Duration(pages-1) * iv)
	}
}

// calls is how many calls were booked, by family.
func (p *pacedZoom) calls() map[zoom.Family]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[zoom.Family]int, len(p.n))
	for f, n := range p.n {
		out[f] = n
	}
	return out
}

func pacedList[T any](ctx context.Context, p *pacedZoom, op zoom.Operation, list func() ([]T, error)) ([]T, error) {
	if err := p.take(ctx, op.Family); err != nil {
		return nil, err
	}
	out, err := list()
	p.charge(op.Family, len(out), zoom.MaxPageSize(op.ID))
	return out, err
}

func (p *pacedZoom) ListUsers(ctx context.Context) ([]zoom.User, error) {
	return pacedList(ctx, p, zoom.OpListUsers, func() ([]zoom.User, error) { return p.Zoom.ListUsers(ctx) })
}

func (p *pacedZoom) ListPhoneUsers(ctx context.Context) ([]zoom.PhoneUser, error) {
	return pacedList(ctx, p, zoom.OpListPhoneUsers, func() ([]zoom.PhoneUser, error) { return p.Zoom.ListPhoneUsers(ctx) })
}

func (p *pacedZoom) SearchPhoneUsers(ctx context.Context, keyword string) ([]zoom.PhoneUser, error) {
	return pacedList(ctx, p, zoom.OpListPhoneUsers, func() ([]zoom.PhoneUser, error) { return p.Zoom.SearchPhoneUsers(ctx, keyword) })
}

func (p *pacedZoom) ListCommonAreas(ctx context.Context) ([]zoom.CommonArea, error) {
	return pacedList(ctx, p, zoom.OpListCommonAreas, func() ([]zoom.CommonArea, error) { return p.Zoom.ListCommonAreas(ctx) })
}

func (p *pacedZoom) ListAssignedDevices(ctx context.Context) ([]zoom.Device, error) {
	return pacedList(ctx, p, zoom.OpListDevices, func() ([]zoom.Device, error) { return p.Zoom.ListAssignedDevices(ctx) })
}

func (p *pacedZoom) SearchAssignedDevices(ctx context.Context, keyword string) ([]zoom.Device, error) {
	return pacedList(ctx, p, zoom.OpListDevices, func() ([]zoom.Device, error) { return p.Zoom.SearchAssignedDevices(ctx, keyword) })
}

func (p *pacedZoom) ListVoicemails(ctx context.Context, userID string, from, to time.Time) ([]zoom.Voicemail, error) {
	return pacedList(ctx, p, zoom.OpListVoicemails, func() ([]zoom.Voicemail, error) { return p.Zoom.ListVoicemails(ctx, userID, from, to) })
}

func (p *pacedZoom) GetUser(ctx context.Context, userID string) (zoom.User, error) {
	if err := p.take(ctx, zoom.OpGetUser.Family); err != nil {
		return zoom.User{}, err
	}
	return p.Zoom.GetUser(ctx, userID)
}

func (p *pacedZoom) getPresence(ctx context.Context, pr presenceReader, userID string) (string, error) {
	if err := p.take(ctx, zoom.OpGetPresence.Family); err != nil {
		return "", err
	}
	return pr.GetPresence(ctx, userID)
}
