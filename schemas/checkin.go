package schemas

// CheckIn is the data of a [TypeCheckIn] event: a guest checks in to the
// room of the extension.
type CheckIn struct {
	// Guest is the guest; First or Last must not be blank.
	Guest Guest `json:"guest"`
	// Mailbox, when not nil, describes the room's voicemail box.
	Mailbox *Mailbox `json:"mailbox,omitempty"`
	// Tenant is the tenant (hotel) name; optional.
	Tenant string `json:"tenant,omitempty"`
	// Site is the site name; optional.
	Site string `json:"site,omitempty"`
}

// Type returns [TypeCheckIn].
func (CheckIn) Type() Type { return TypeCheckIn }

func (CheckIn) isPayload() {}
