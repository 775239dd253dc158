package zoomsim

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// account is the simulated Zoom account's data. Every method expects mu to
// be held by the caller; the object slices keep creation order, which is the
// order of every list answer.
type account struct {
	mu  sync.Mutex
	id  string
	ids *idGen

	sites       []Site
	users       []*User
	commonAreas []*CommonArea
	devices     []*Device
	voicemails  []*Voicemail
	calls       []*CallRecord
	// vmTrash holds deleted voicemail under the soft-delete policy.
	vmTrash voicemailTrash

	userByID  map[string]*User
	userByKey map[string]*User // lower-case email
	caByID    map[string]*CommonArea
	devByID   map[string]*Device
	vmByID    map[string]*Voicemail
	callByID  map[string]*CallRecord
	byExt     map[int64]string // extension number → user or common area ID
}

func newAccount(id string) *account {
	return &account{
		id: id, ids: newIDGen(id),
		userByID: map[string]*User{}, userByKey: map[string]*User{},
		caByID: map[string]*CommonArea{}, devByID: map[string]*Device{},
		vmByID: map[string]*Voicemail{}, callByID: map[string]*CallRecord{},
		byExt: map[int64]string{},
	}
}

// errConflict marks an addition that clashes with an existing object.
var errConflict = errors.New("conflict")

func (a *account) site(id string) (Site, bool) {
	for _, s := range a.sites {
		if s.ID == id {
			return s, true
		}
	}
	return Site{}, false
}

func (a *account) defaultSiteID() string {
	if len(a.sites) == 0 {
		a.sites = append(a.sites, Site{ID: a.ids.id("site", "Main"), Name: "Main"})
	}
	return a.sites[0].ID
}

// user finds a user by ID or email (case-insensitive), as Zoom's {userId}.
func (a *account) user(idOrEmail string) *User {
	if u, ok := a.userByID[idOrEmail]; ok {
		return u
	}
	return a.userByKey[strings.ToLower(idOrEmail)]
}

func (a *account) addUser(u User, now time.Time) (User, error) {
	u.Email = strings.TrimSpace(u.Email)
	if u.Email == "" || !strings.Contains(u.Email, "@") {
		return User{}, fmt.Errorf("user %q: invalid email %q", u.ID, u.Email)
	}
	if u.ID == "" {
		u.ID = a.ids.id("user", strings.ToLower(u.Email))
	}
	if a.user(u.ID) != nil || a.userByKey[strings.ToLower(u.Email)] != nil {
		return User{}, fmt.Errorf("user %s <%s>: %w: ID or email exists", u.ID, u.Email, errConflict)
	}
	if u.ExtensionNumber < 0 {
		return User{}, fmt.Errorf("user %s: negative extension %d", u.ID, u.ExtensionNumber)
	}
	if u.ExtensionNumber != 0 {
		if other, ok := a.byExt[u.ExtensionNumber]; ok {
			return User{}, fmt.Errorf("user %s: %w: extension %d belongs to %s", u.ID, errConflict, u.ExtensionNumber, other)
		}
		if u.ExtensionID == "" {
			u.ExtensionID = a.ids.id("extension", u.ID)
		}
		if u.PhoneUserID == "" {
			u.PhoneUserID = a.ids.id("phone_user", u.ID)
		}
		if u.SiteID == "" {
			u.SiteID = a.defaultSiteID()
		}
	}
	if u.Type == 0 {
		u.Type = 1
	}
	if u.Status == "" {
		u.Status = "active"
	}
	if u.DisplayName == "" {
		u.DisplayName = deriveDisplayName(u.FirstName, u.LastName)
	}
	if u.Presence == "" {
		u.Presence = "Available"
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now.UTC().Truncate(time.Second)
	}
	p := &u
	a.users = append(a.users, p)
	a.userByID[u.ID] = p
	a.userByKey[strings.ToLower(u.Email)] = p
	if u.ExtensionNumber != 0 {
		a.byExt[u.ExtensionNumber] = u.ID
	}
	return u, nil
}

func deriveDisplayName(first, last string) string {
	return strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
}

func (a *account) addCommonArea(c CommonArea) (CommonArea, error) {
	if c.ExtensionNumber <= 0 {
		return CommonArea{}, fmt.Errorf("common area %q: extension number %d must be positive", c.ID, c.ExtensionNumber)
	}
	if other, ok := a.byExt[c.ExtensionNumber]; ok {
		return CommonArea{}, fmt.Errorf("common area %q: %w: extension %d belongs to %s", c.ID, errConflict, c.ExtensionNumber, other)
	}
	if c.ID == "" {
		c.ID = a.ids.id("common_area", strconv.FormatInt(c.ExtensionNumber, 10))
	}
	if _, ok := a.caByID[c.ID]; ok || a.userByID[c.ID] != nil {
		return CommonArea{}, fmt.Errorf("common area %s: %w: ID exists", c.ID, errConflict)
	}
	if c.ExtensionID == "" {
		c.ExtensionID = a.ids.id("extension", c.ID)
	}
	if c.SiteID == "" {
		c.SiteID = a.defaultSiteID()
	}
	if c.DisplayName == "" {
		c.DisplayName = fmt.Sprintf("Common area %d", c.ExtensionNumber)
	}
	c.DeskPhones = nil
	p := &c
	a.commonAreas = append(a.commonAreas, p)
	a.caByID[c.ID] = p
	a.byExt[c.ExtensionNumber] = c.ID
	return c, nil
}

// owner resolves a reference to a phone extension's owner (a user with an
// extension, or a common area) given as an ID, an email or an extension
// number. It returns the owner's ID.
func (a *account) owner(ref string) (string, bool) {
	ref = strings.TrimSpace(ref)
	if c, ok := a.caByID[ref]; ok {
		return c.ID, true
	}
	if u := a.user(ref); u != nil {
		return u.ID, u.ExtensionNumber != 0
	}
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		id, ok := a.byExt[n]
		return id, ok
	}
	return "", false
}

func (a *account) addDevice(d Device) (Device, error) {
	key := a.ids.next("device")
	if d.ID == "" {
		d.ID = a.ids.id("device", key)
	}
	if _, ok := a.devByID[d.ID]; ok {
		return Device{}, fmt.Errorf("device %s: %w: ID exists", d.ID, errConflict)
	}
	if d.AssigneeID != "" {
		id, ok := a.owner(d.AssigneeID)
		if !ok {
			return Device{}, fmt.Errorf("device %s: assignee %q is neither a phone user nor a common area", d.ID, d.AssigneeID)
		}
		d.AssigneeID = id
	}
	if d.MACAddress == "" {
		d.MACAddress = a.ids.mac("device", key)
	}
	if d.DeviceType == "" {
		d.DeviceType = "Yealink T54W"
	}
	if d.Status == "" {
		d.Status = "online"
	}
	if d.SiteID == "" {
		d.SiteID = a.defaultSiteID()
	}
	if d.DisplayName == "" {
		d.DisplayName = d.MACAddress
	}
	p := &d
	a.devices = append(a.devices, p)
	a.devByID[d.ID] = p
	return d, nil
}

func (a *account) addVoicemail(v Voicemail) (Voicemail, error) {
	u := a.user(v.OwnerID)
	if u == nil {
		if id, ok := a.owner(v.OwnerID); ok {
			u = a.userByID[id]
		}
	}
	if u == nil || u.ExtensionNumber == 0 {
		return Voicemail{}, fmt.Errorf("voicemail: owner %q is not a phone user (common areas have no voicemail)", v.OwnerID)
	}
	v.OwnerID = u.ID
	key := a.ids.next("voicemail")
	if v.ID == "" {
		v.ID = a.ids.hex32("voicemail", key)
	}
	if _, ok := a.vmByID[v.ID]; ok {
		return Voicemail{}, fmt.Errorf("voicemail %s: %w: ID exists", v.ID, errConflict)
	}
	if v.CallID == "" {
		v.CallID = a.ids.digits("voicemail_call", key)
	}
	if v.CallerNumberType == 0 {
		v.CallerNumberType = 2
	}
	if v.Status == "" {
		v.Status = "unread"
	}
	if v.Status != "read" && v.Status != "unread" {
		return Voicemail{}, fmt.Errorf("voicemail %s: status %q: want read or unread", v.ID, v.Status)
	}
	if v.DateTime.IsZero() {
		return Voicemail{}, fmt.Errorf("voicemail %s: no date_time", v.ID)
	}
	v.DateTime = v.DateTime.UTC().Truncate(time.Second)
	p := &v
	a.voicemails = append(a.voicemails, p)
	a.vmByID[v.ID] = p
	return v, nil
}

func (a *account) deleteVoicemail(id string) bool {
	if _, ok := a.vmByID[id]; !ok {
		return false
	}
	delete(a.vmByID, id)
	a.voicemails = slices.DeleteFunc(a.voicemails, func(v *Voicemail) bool { return v.ID == id })
	return true
}

func (a *account) addCallRecord(c CallRecord) (CallRecord, error) {
	if c.StartTime.IsZero() {
		return CallRecord{}, errors.New("call record: no start_time")
	}
	c.StartTime = c.StartTime.UTC().Truncate(time.Second)
	key := a.ids.next("call")
	if c.UUID == "" {
		c.UUID = a.ids.uuid("call", key, c.StartTime.Format("20060102"))
	}
	if _, ok := a.callByID[c.UUID]; ok {
		return CallRecord{}, fmt.Errorf("call record %s: %w: UUID exists", c.UUID, errConflict)
	}
	if c.CallID == "" {
		c.CallID = a.ids.digits("call_id", key)
	}
	if c.Direction == "" {
		c.Direction = "inbound"
	}
	if c.CallResult == "" {
		c.CallResult = "answered"
	}
	if c.CallType == "" {
		c.CallType = "general"
	}
	if c.ConnectType == "" {
		c.ConnectType = "external"
	}
	if c.EndTime.IsZero() {
		c.EndTime = c.StartTime.Add(time.Duration(c.Duration) * time.Second)
	}
	c.EndTime = c.EndTime.UTC().Truncate(time.Second)
	if !c.AnswerTime.IsZero() {
		c.AnswerTime = c.AnswerTime.UTC().Truncate(time.Second)
	}
	p := &c
	a.calls = append(a.calls, p)
	a.callByID[c.UUID] = p
	return c, nil
}

// deskPhones lists the devices assigned to an owner, in creation order.
func (a *account) deskPhones(ownerID string) []*Device {
	var out []*Device
	for _, d := range a.devices {
		if d.AssigneeID == ownerID {
			out = append(out, d)
		}
	}
	return out
}

// devicesByOwner indexes the assigned devices by owner ID, in creation
// order, for answers that list many owners.
func (a *account) devicesByOwner() map[string][]*Device {
	m := map[string][]*Device{}
	for _, d := range a.devices {
		if d.AssigneeID != "" {
			m[d.AssigneeID] = append(m[d.AssigneeID], d)
		}
	}
	return m
}

// snapshot copies the whole account.
func (a *account) snapshot() State {
	s := State{AccountID: a.id, Sites: slices.Clone(a.sites)}
	s.Users = make([]User, 0, len(a.users))
	for _, u := range a.users {
		s.Users = append(s.Users, *u)
	}
	s.CommonAreas = make([]CommonArea, 0, len(a.commonAreas))
	byOwner := a.devicesByOwner()
	for _, c := range a.commonAreas {
		cc := *c
		for _, d := range byOwner[c.ID] {
			cc.DeskPhones = append(cc.DeskPhones, d.ID)
		}
		s.CommonAreas = append(s.CommonAreas, cc)
	}
	s.Devices = make([]Device, 0, len(a.devices))
	for _, d := range a.devices {
		s.Devices = append(s.Devices, *d)
	}
	s.Voicemails = make([]Voicemail, 0, len(a.voicemails))
	for _, v := range a.voicemails {
		s.Voicemails = append(s.Voicemails, *v)
	}
	s.CallHistory = make([]CallRecord, 0, len(a.calls))
	for _, c := range a.calls {
		s.CallHistory = append(s.CallHistory, *c)
	}
	return s
}
