package schemas

// CheckOut is the data of a [TypeCheckOut] event: the guest checks out and
// no guest data is left. Its optional fields feed the department setting.
type CheckOut struct {
	// Mailbox, when not nil, describes the room's voicemail box.
	Mailbox *Mailbox `json:"mailbox,omitempty"`
	// Tenant is the tenant (hotel) name; optional.
	Tenant string `json:"tenant,omitempty"`
	// Site is the site name; optional.
	Site string `json:"site,omitempty"`
}

// Type returns [TypeCheckOut].
func (CheckOut) Type() Type { return TypeCheckOut }

func (CheckOut) isPayload() {}
