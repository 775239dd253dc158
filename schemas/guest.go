package schemas

// Guest is the guest of a stay, as a check-in carries it. A check-in needs
// First or Last not blank; the other fields are optional and omitted from
// the JSON when empty. Each field holds at most 256 characters and no
// control characters.
type Guest struct {
	// First is the first name.
	First string `json:"first,omitempty"`
	// Last is the last name.
	Last string `json:"last,omitempty"`
	// Title is the title, such as "Dr".
	Title string `json:"title,omitempty"`
	// VIP is the VIP marker shown in the name, such as "VIP".
	VIP string `json:"vip,omitempty"`
	// Language is the preferred language, such as "en".
	Language string `json:"language,omitempty"`
	// Reservation is the PMS reservation number.
	Reservation string `json:"reservation,omitempty"`
}

// Mailbox holds the voicemail box details of a room. Both fields are
// optional and omitted from the JSON when empty.
type Mailbox struct {
	// Description is the mailbox description.
	Description string `json:"description,omitempty"`
	// RoomID is the PMS room identifier.
	RoomID string `json:"room_id,omitempty"`
}
