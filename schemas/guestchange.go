package schemas

// GuestChange is the data of a [TypeGuest] event: the fields present replace
// the stay's, the absent ones are kept. A nil pointer is an absent field; a
// pointer to "" is a field present and empty, which clears it. At least one
// field must be present, and so must one field of Guest or Mailbox when
// they are not nil.
type GuestChange struct {
	// Guest holds the guest fields that change.
	Guest *GuestPatch `json:"guest,omitempty"`
	// Mailbox holds the mailbox fields that change.
	Mailbox *MailboxPatch `json:"mailbox,omitempty"`
	// Tenant, when not nil, replaces the tenant name.
	Tenant *string `json:"tenant,omitempty"`
	// Site, when not nil, replaces the site name.
	Site *string `json:"site,omitempty"`
}

// GuestPatch holds the [Guest] fields that a [GuestChange] replaces; nil
// fields are kept.
type GuestPatch struct {
	// First, when not nil, replaces the first name.
	First *string `json:"first,omitempty"`
	// Last, when not nil, replaces the last name.
	Last *string `json:"last,omitempty"`
	// Title, when not nil, replaces the title.
	Title *string `json:"title,omitempty"`
	// VIP, when not nil, replaces the VIP marker.
	VIP *string `json:"vip,omitempty"`
	// Language, when not nil, replaces the preferred language.
	Language *string `json:"language,omitempty"`
	// Reservation, when not nil, replaces the reservation number.
	Reservation *string `json:"reservation,omitempty"`
}

// MailboxPatch holds the [Mailbox] fields that a [GuestChange] replaces; nil
// fields are kept.
type MailboxPatch struct {
	// Description, when not nil, replaces the mailbox description.
	Description *string `json:"description,omitempty"`
	// RoomID, when not nil, replaces the PMS room identifier.
	RoomID *string `json:"room_id,omitempty"`
}

// Type returns [TypeGuest].
func (GuestChange) Type() Type { return TypeGuest }

func (GuestChange) isPayload() {}

// Apply returns the stay after the change: stay with every field that g
// holds replaced. It lets a consumer keep a stay's state as the [CheckIn]
// that began it. A mailbox field set on a stay without one gives it a
// mailbox; stay itself is not modified.
func (g GuestChange) Apply(stay CheckIn) CheckIn {
	if p := g.Guest; p != nil {
		set(&stay.Guest.First, p.First)
		set(&stay.Guest.Last, p.Last)
		set(&stay.Guest.Title, p.Title)
		set(&stay.Guest.VIP, p.VIP)
		set(&stay.Guest.Language, p.Language)
		set(&stay.Guest.Reservation, p.Reservation)
	}
	if p := g.Mailbox; p != nil && (p.Description != nil || p.RoomID != nil) {
		mb := Mailbox{}
		if stay.Mailbox != nil {
			mb = *stay.Mailbox
		}
		set(&mb.Description, p.Description)
		set(&mb.RoomID, p.RoomID)
		stay.Mailbox = &mb
	}
	set(&stay.Tenant, g.Tenant)
	set(&stay.Site, g.Site)
	return stay
}

// set stores *v in dst when v is not nil.
func set(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}
