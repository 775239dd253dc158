package zoomsim

import "time"

// The simulated account's objects. Their JSON form is the inspection format
// (GET /_sim/state) and the seed-file format (Config.SeedFile), so a saved
// state can seed another simulator. Field names follow Zoom's where Zoom has
// the field.

// Site is a Zoom Phone site.
type Site struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// User is a Zoom user; with an ExtensionNumber it is also a Zoom Phone user.
type User struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	DisplayName string `json:"display_name"`
	Dept        string `json:"dept,omitempty"`
	// Type is Zoom's user type: 1 basic (default), 2 licensed, 4 unassigned
	// without a meetings license, 99 none.
	Type int `json:"type"`
	// Status is active (default), inactive or pending.
	Status     string `json:"status"`
	JobTitle   string `json:"job_title,omitempty"`
	Company    string `json:"company,omitempty"`
	CostCenter string `json:"cost_center,omitempty"`
	Language   string `json:"language,omitempty"`
	Location   string `json:"location,omitempty"`
	Timezone   string `json:"timezone,omitempty"`
	Pronouns   string `json:"pronouns,omitempty"`
	Manager    string `json:"manager,omitempty"`
	// ExtensionNumber is the Zoom Phone extension; 0 means the user has no
	// Zoom Phone.
	ExtensionNumber int64 `json:"extension_number,omitempty"`
	// ExtensionID and PhoneUserID are Zoom Phone identifiers (derived when
	// empty and the user has an extension).
	ExtensionID string `json:"extension_id,omitempty"`
	PhoneUserID string `json:"phone_user_id,omitempty"`
	SiteID      string `json:"site_id,omitempty"`
	// Presence is the presence status as Zoom spells it (Available,
	// Do_Not_Disturb, Away, ...). Default Available.
	Presence string `json:"presence_status"`
	// PresenceChangedAt is when the presence last changed through the API
	// (zero when never); the once-a-minute rule counts from it.
	PresenceChangedAt time.Time `json:"presence_changed_at,omitzero"`
	// DNDUntil is when a Do_Not_Disturb set through the API ends.
	DNDUntil time.Time `json:"dnd_until,omitzero"`
	// NotSignedIn says the user is signed in to no Zoom client (a room
	// with only a desk phone): Zoom refuses to set its presence, 400 code
	// 5301. Default false: signed in.
	NotSignedIn bool      `json:"not_signed_in,omitempty"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
}

// CommonArea is a Zoom Phone common area (a shared phone's extension).
type CommonArea struct {
	ID              string `json:"id"`
	DisplayName     string `json:"display_name"`
	ExtensionNumber int64  `json:"extension_number"`
	ExtensionID     string `json:"extension_id,omitempty"`
	Department      string `json:"department,omitempty"`
	CostCenter      string `json:"cost_center,omitempty"`
	SiteID          string `json:"site_id,omitempty"`
	Timezone        string `json:"timezone,omitempty"`
	AreaCode        string `json:"area_code,omitempty"`
	CountryISOCode  string `json:"country_iso_code,omitempty"`
	// TranscriptionLanguage is default_transcription_language.
	TranscriptionLanguage string `json:"default_transcription_language,omitempty"`
	// DeskPhones lists the IDs of the devices assigned to the common area
	// (filled in by the simulator; ignored in a seed file).
	DeskPhones []string `json:"desk_phones,omitempty"`
}

// Device is a desk phone.
type Device struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	MACAddress  string `json:"mac_address"`
	// DeviceType is the maker and model, default "Yealink T54W".
	DeviceType string `json:"device_type"`
	// Status is online (default) or offline.
	Status string `json:"status"`
	SiteID string `json:"site_id,omitempty"`
	// AssigneeID is the ID of the user or common area the phone is
	// assigned to; empty when unassigned. A seed file may give an email or
	// an extension number instead.
	AssigneeID string `json:"assignee_id,omitempty"`
	// ProvisionTemplateID is provision_template_id.
	ProvisionTemplateID string `json:"provision_template_id,omitempty"`
}

// Voicemail is a voicemail message in a user's mailbox.
type Voicemail struct {
	ID string `json:"id"`
	// OwnerID is the mailbox's user ID. A seed file may give an email or an
	// extension number instead.
	OwnerID      string `json:"owner_id"`
	CallID       string `json:"call_id,omitempty"`
	CallerName   string `json:"caller_name"`
	CallerNumber string `json:"caller_number"`
	// CallerNumberType is 1 internal or 2 external (default).
	CallerNumberType int       `json:"caller_number_type,omitempty"`
	DateTime         time.Time `json:"date_time"`
	// Duration is in seconds.
	Duration int `json:"duration"`
	// Status is unread (default) or read.
	Status string `json:"status"`
}

// CallRecord is one entry of the account's call history (a call as the
// history shows it, with Zoom's field names).
type CallRecord struct {
	UUID             string    `json:"call_history_uuid"`
	CallID           string    `json:"call_id"`
	Direction        string    `json:"direction"`
	International    bool      `json:"international,omitempty"`
	StartTime        time.Time `json:"start_time"`
	AnswerTime       time.Time `json:"answer_time,omitzero"`
	EndTime          time.Time `json:"end_time,omitzero"`
	Duration         int       `json:"duration"`
	ConnectType      string    `json:"connect_type,omitempty"`
	CallType         string    `json:"call_type,omitempty"`
	CallResult       string    `json:"call_result"`
	CallerExtID      string    `json:"caller_ext_id,omitempty"`
	CallerExtNumber  string    `json:"caller_ext_number,omitempty"`
	CallerName       string    `json:"caller_name,omitempty"`
	CallerEmail      string    `json:"caller_email,omitempty"`
	CallerDIDNumber  string    `json:"caller_did_number,omitempty"`
	CallerExtType    string    `json:"caller_ext_type,omitempty"`
	CallerNumberType string    `json:"caller_number_type,omitempty"`
	CalleeExtID      string    `json:"callee_ext_id,omitempty"`
	CalleeExtNumber  string    `json:"callee_ext_number,omitempty"`
	CalleeName       string    `json:"callee_name,omitempty"`
	CalleeEmail      string    `json:"callee_email,omitempty"`
	CalleeDIDNumber  string    `json:"callee_did_number,omitempty"`
	CalleeExtType    string    `json:"callee_ext_type,omitempty"`
	CalleeNumberType string    `json:"callee_number_type,omitempty"`
	Department       string    `json:"department,omitempty"`
	CostCenter       string    `json:"cost_center,omitempty"`
	SiteID           string    `json:"site_id,omitempty"`
	SiteName         string    `json:"site_name,omitempty"`
	RecordingStatus  string    `json:"recording_status,omitempty"`
}

// State is a snapshot of the whole account. Its JSON form is also the seed
// file format.
type State struct {
	AccountID   string       `json:"account_id,omitempty"`
	Sites       []Site       `json:"sites"`
	Users       []User       `json:"users"`
	CommonAreas []CommonArea `json:"common_areas"`
	Devices     []Device     `json:"devices"`
	Voicemails  []Voicemail  `json:"voicemails"`
	CallHistory []CallRecord `json:"call_history"`
}

// VoicemailsOf returns the snapshot's voicemails of one owner.
func (s State) VoicemailsOf(ownerID string) []Voicemail {
	var out []Voicemail
	for _, v := range s.Voicemails {
		if v.OwnerID == ownerID {
			out = append(out, v)
		}
	}
	return out
}
