package consumer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
	"golang.org/x/time/rate"
)

// Target says which Zoom objects carry the room extensions.
type Target string

// Targets.
const (
	TargetUsers       Target = "users"
	TargetCommonAreas Target = "common_areas"
	TargetAuto        Target = "auto"
)

// objectKind is the kind of Zoom object behind an extension.
type objectKind string

// Kinds.
const (
	kindUser       objectKind = "user"
	kindCommonArea objectKind = "common_area"
)

// errLookupBudget: this replica looked up too many extensions it does not
// know lately; the event waits (no attempt is used).
var errLookupBudget = errors.New("too many lookups of unknown extensions; will look again")

// Lookups of extensions the directory lacks: at most lookupRate a second,
// in bursts of lookupBurst, per replica; a miss is remembered missMemory.
const (
	lookupRate  = 1
	lookupBurst = 10
	missMemory  = 10 * time.Minute
)

// ErrUnknownExtension: no Zoom user or common area has the extension, even
// after a targeted lookup. Retrying will not help; the event is dead-lettered.
var ErrUnknownExtension = errors.New("no Zoom user or common area has this extension")

// dirEntry is one extension of the directory, with its names as Zoom showed
// them when the directory was loaded.
type dirEntry struct {
	Extension string
	Kind      objectKind
	// ID is the Zoom user id or common area id.
	ID                                     string
	FirstName, LastName, DisplayName, Dept string
	// Phones are the desk phones assigned to the extension.
	Phones   []deskPhone
	LoadedAt time.Time
}

// deskPhone is a desk phone and the name it shows.
type deskPhone struct {
	ID          string
	DisplayName string
}

// directory maps extensions to Zoom users or common areas and their desk
// phones. It is loaded whole at start-up and on every refresh; an extension
// it does not know gets one targeted lookup before it is declared unknown.
type directory struct {
	zoom        Zoom
	target      Target
	commonAreas bool // the common-area scopes are granted
	now         func() time.Time

	mu       sync.RWMutex
	entries  map[string]dirEntry
	loadedAt time.Time
	misses   map[string]time.Time // extension → when a lookup found nothing
	lookups  *rate.Limiter        // targeted lookups of unknown extensions
}

// newDirectory returns an empty directory; call Load.
func newDirectory(z Zoom, target Target, commonAreas bool, now func() time.Time) *directory {
	if now == nil {
		now = time.Now
	}
	return &directory{zoom: z, target: target, commonAreas: commonAreas, now: now,
		entries: map[string]dirEntry{}, misses: map[string]time.Time{},
		lookups: rate.NewLimiter(lookupRate, lookupBurst)}
}

// Len is the number of extensions known.
func (d *directory) Len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.entries)
}

// LoadedAt is when the last full load finished.
func (d *directory) LoadedAt() time.Time {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.loadedAt
}

func (d *directory) wantUsers() bool { return d.target != TargetCommonAreas }
func (d *directory) wantAreas() bool { return d.target != TargetUsers && d.commonAreas }

// Load reads every phone user, user, common area and assigned device, at
// Zoom's largest page sizes, and replaces the directory.
func (d *directory) Load(ctx context.Context) error {
	at := d.now()
	entries := map[string]dirEntry{}
	if d.wantUsers() {
		phoneUsers, err := d.zoom.ListPhoneUsers(ctx)
		if err != nil {
			return fmt.Errorf("load phone users: %w", err)
		}
		users, err := d.zoom.ListUsers(ctx)
		if err != nil {
			return fmt.Errorf("load users: %w", err)
		}
		byID := make(map[string]zoom.User, len(users))
		for _, u := range users {
			byID[u.ID] = u
		}
		for _, pu := range phoneUsers {
			if pu.ExtensionNumber <= 0 {
				continue
			}
			entries[ext(pu.ExtensionNumber)] = userEntry(pu, byID[pu.ID], at)
		}
	}
	if d.wantAreas() {
		areas, err := d.zoom.ListCommonAreas(ctx)
		if err != nil {
			return fmt.Errorf("load common areas: %w", err)
		}
		for _, a := range areas {
			x := ext(a.ExtensionNumber)
			if _, taken := entries[x]; a.ExtensionNumber <= 0 || taken {
				continue
			}
			entries[x] = areaEntry(a, at)
		}
	}
	devices, err := d.zoom.ListAssignedDevices(ctx)
	if err != nil {
		return fmt.Errorf("load devices: %w", err)
	}
	attachPhones(entries, devices)
	d.mu.Lock()
	d.entries, d.loadedAt, d.misses = entries, at, map[string]time.Time{}
	d.mu.Unlock()
	return nil
}

// Lookup returns an extension's entry. An extension the directory lacks is
// looked up in Zoom once (a new room since the last load); one still not
// found is remembered as missing for a minute.
func (d *directory) Lookup(ctx context.Context, x string) (dirEntry, error) {
	d.mu.RLock()
	e, ok := d.entries[x]
	missed, wasMissed := d.misses[x]
	d.mu.RUnlock()
	if ok {
		return e, nil
	}
	if wasMissed && d.now().Sub(missed) < missMemory {
		return dirEntry{}, ErrUnknownExtension
	}
	if !d.lookups.Allow() {
		// A PMS sending events for many extensions Zoom does not know
		// must not spend the account's rate limit on lookups.
		return dirEntry{}, errLookupBudget
	}
	e, err := d.lookup(ctx, x)
	if err != nil {
		return dirEntry{}, err
	}
	d.mu.Lock()
	if e.ID == "" {
		d.misses[x] = d.now()
	} else {
		d.entries[x] = e
	}
	d.mu.Unlock()
	if e.ID == "" {
		return dirEntry{}, ErrUnknownExtension
	}
	return e, nil
}

// any returns some entry of the directory, preferring a user.
func (d *directory) any() (dirEntry, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var found dirEntry
	for _, e := range d.entries {
		found = e
		if e.Kind == kindUser {
			return e, true
		}
	}
	return found, found.ID != ""
}

// Forget drops an extension's entry (Zoom said it no longer exists), so
// that the next Lookup asks Zoom again.
func (d *directory) Forget(x string) {
	d.mu.Lock()
	delete(d.entries, x)
	delete(d.misses, x)
	d.mu.Unlock()
}

func (d *directory) lookup(ctx context.Context, x string) (dirEntry, error) {
	n, err := strconv.ParseInt(x, 10, 64)
	if err != nil {
		return dirEntry{}, ErrUnknownExtension
	}
	at := d.now()
	var e dirEntry
	if d.wantUsers() {
		found, err := d.zoom.SearchPhoneUsers(ctx, x)
		if err != nil {
			return dirEntry{}, fmt.Errorf("look up extension: %w", err)
		}
		for _, pu := range found {
			if pu.ExtensionNumber == n {
				u, err := d.zoom.GetUser(ctx, pu.ID)
				if err != nil {
					return dirEntry{}, fmt.Errorf("look up user of extension: %w", err)
				}
				e = userEntry(pu, u, at)
				break
			}
		}
	}
	if e.ID == "" && d.wantAreas() {
		areas, err := d.zoom.ListCommonAreas(ctx)
		if err != nil {
			return dirEntry{}, fmt.Errorf("look up common areas: %w", err)
		}
		for _, a := range areas {
			if a.ExtensionNumber == n {
				e = areaEntry(a, at)
				break
			}
		}
	}
	if e.ID == "" {
		return e, nil
	}
	devices, err := d.zoom.SearchAssignedDevices(ctx, x)
	if err != nil {
		return dirEntry{}, fmt.Errorf("look up desk phones: %w", err)
	}
	one := map[string]dirEntry{x: e}
	attachPhones(one, devices)
	return one[x], nil
}

func ext(n int64) string { return strconv.FormatInt(n, 10) }

func userEntry(pu zoom.PhoneUser, u zoom.User, at time.Time) dirEntry {
	dept := u.Dept
	if dept == "" {
		dept = pu.Department
	}
	display := u.DisplayName
	if display == "" {
		display = pu.Name
	}
	return dirEntry{Extension: ext(pu.ExtensionNumber), Kind: kindUser, ID: pu.ID,
		FirstName: u.FirstName, LastName: u.LastName, DisplayName: display, Dept: dept, LoadedAt: at}
}

func areaEntry(a zoom.CommonArea, at time.Time) dirEntry {
	e := dirEntry{Extension: ext(a.ExtensionNumber), Kind: kindCommonArea, ID: a.ID,
		DisplayName: a.DisplayName, Dept: a.Department, LoadedAt: at}
	for _, p := range a.DeskPhones {
		e.Phones = append(e.Phones, deskPhone{ID: p.ID, DisplayName: p.DisplayName})
	}
	return e
}

// attachPhones gives each entry the devices assigned to its extension.
func attachPhones(entries map[string]dirEntry, devices []zoom.Device) {
	for _, dev := range devices {
		assignees := dev.Assignees
		if dev.Assignee != nil {
			assignees = append([]zoom.Assignee{*dev.Assignee}, assignees...)
		}
		for _, a := range assignees {
			e, ok := entries[ext(a.ExtensionNumber)]
			if !ok || !matchesKind(e.Kind, a.ExtensionType) || hasPhone(e.Phones, dev.ID) {
				continue
			}
			e.Phones = append(e.Phones, deskPhone{ID: dev.ID, DisplayName: dev.DisplayName})
			entries[e.Extension] = e
		}
	}
}

func matchesKind(k objectKind, extensionType string) bool {
	switch extensionType {
	case zoom.AssigneeUser:
		return k == kindUser
	case zoom.AssigneeCommonArea:
		return k == kindCommonArea
	}
	return true
}

func hasPhone(phones []deskPhone, id string) bool {
	for _, p := range phones {
		if p.ID == id {
			return true
		}
	}
	return false
}
