package zoom

import "net/http"

// Operation describes one Zoom REST operation that pbxlink calls: how to reach
// it, which rate-limit bucket Zoom charges it to, and the granular scope it
// needs. The table below is checked against Zoom's OpenAPI definitions by the
// tests.
type Operation struct {
	// ID is Zoom's operationId.
	ID string
	// Method and Path (a template such as /users/{userId}, relative to /v2).
	Method, Path string
	// Family and Category form Zoom's rate-limit bucket ("Rate Limit Label").
	Family   Family
	Category Category
	// Scope is the granular admin scope a Server-to-Server app needs.
	Scope string
}

// Bucket is the operation's exact rate-limit bucket.
func (o Operation) Bucket() Bucket { return Bucket{o.Family, o.Category} }

// The operations pbxlink uses.
var (
	OpListUsers          = Operation{"users", http.MethodGet, "/users", FamilyMain, Medium, ScopeListUsers}
	OpGetUser            = Operation{"user", http.MethodGet, "/users/{userId}", FamilyMain, Light, ScopeReadUser}
	OpUpdateUser         = Operation{"userUpdate", http.MethodPatch, "/users/{userId}", FamilyMain, Light, ScopeUpdateUser}
	OpGetPresence        = Operation{"getUserPresenceStatus", http.MethodGet, "/users/{userId}/presence_status", FamilyMain, Medium, "user:read:presence_status:admin"}
	OpSetPresence        = Operation{"updatePresenceStatus", http.MethodPut, "/users/{userId}/presence_status", FamilyMain, Medium, ScopeUpdatePresence}
	OpListPhoneUsers     = Operation{"listPhoneUsers", http.MethodGet, "/phone/users", FamilyPhone, Medium, ScopeListPhoneUsers}
	OpGetPhoneUser       = Operation{"phoneUser", http.MethodGet, "/phone/users/{userId}", FamilyPhone, Light, "phone:read:user:admin"}
	OpListDevices        = Operation{"listPhoneDevices", http.MethodGet, "/phone/devices", FamilyPhone, Medium, ScopeListDevices}
	OpGetDevice          = Operation{"getADevice", http.MethodGet, "/phone/devices/{deviceId}", FamilyPhone, Light, ScopeReadDevice}
	OpUpdateDevice       = Operation{"updateADevice", http.MethodPatch, "/phone/devices/{deviceId}", FamilyPhone, Light, ScopeUpdateDevice}
	OpListCommonAreas    = Operation{"listCommonAreas", http.MethodGet, "/phone/common_areas", FamilyPhone, Medium, ScopeReadCommonArea}
	OpGetCommonArea      = Operation{"getACommonArea", http.MethodGet, "/phone/common_areas/{commonAreaId}", FamilyPhone, Light, ScopeReadCommonArea}
	OpUpdateCommonArea   = Operation{"updateCommonArea", http.MethodPatch, "/phone/common_areas/{commonAreaId}", FamilyPhone, Light, ScopeUpdateCommonArea}
	OpListVoicemails     = Operation{"phoneUserVoiceMails", http.MethodGet, "/phone/users/{userId}/voice_mails", FamilyPhone, Medium, ScopeListVoicemails}
	OpGetVoicemail       = Operation{"getVoicemailDetails", http.MethodGet, "/phone/voice_mails/{voicemailId}", FamilyPhone, Light, "phone:read:voicemail:admin"}
	OpDeleteVoicemail    = Operation{"deleteVoicemail", http.MethodDelete, "/phone/voice_mails/{voicemailId}", FamilyPhone, Light, ScopeDeleteVoicemail}
	OpListCallHistory    = Operation{"accountCallHistory", http.MethodGet, "/phone/call_history", FamilyPhone, Heavy, ScopeListCallLogs}
	OpUserCallHistory    = Operation{"phoneUserCallHistory", http.MethodGet, "/phone/users/{userId}/call_history", FamilyPhone, Medium, ScopeListCallLogs}
	OpGetCallHistoryItem = Operation{"getCallPath", http.MethodGet, "/phone/call_history/{callHistoryUuid}", FamilyPhone, Light, "phone:read:call_log:admin"}
)

// Operations lists every operation pbxlink knows, for simulators and tests.
func Operations() []Operation {
	return []Operation{
		OpListUsers, OpGetUser, OpUpdateUser, OpGetPresence, OpSetPresence,
		OpListPhoneUsers, OpGetPhoneUser, OpListDevices, OpGetDevice, OpUpdateDevice,
		OpListCommonAreas, OpGetCommonArea, OpUpdateCommonArea,
		OpListVoicemails, OpGetVoicemail, OpDeleteVoicemail,
		OpListCallHistory, OpUserCallHistory, OpGetCallHistoryItem,
	}
}

// MaxPageSize is the largest page_size Zoom accepts on the list operation
// with this id, 0 for an operation that is not a list; the client always
// asks for it, so a directory loads in the fewest calls.
func MaxPageSize(opID string) int { return maxPageSize[opID] }

var maxPageSize = map[string]int{
	OpListUsers.ID:       2000,
	OpListPhoneUsers.ID:  100,
	OpListDevices.ID:     300,
	OpListCommonAreas.ID: 100,
	OpListVoicemails.ID:  300,
	OpListCallHistory.ID: 300,
	OpUserCallHistory.ID: 300,
}
