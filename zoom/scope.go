package zoom

import (
	"slices"
	"strings"
)

// Granular scopes that decide what pbxlink may do.
const (
	ScopeReadUser         = "user:read:user:admin"
	ScopeListUsers        = "user:read:list_users:admin"
	ScopeUpdateUser       = "user:update:user:admin"
	ScopeListDevices      = "phone:read:list_devices:admin"
	ScopeReadDevice       = "phone:read:device:admin"
	ScopeListPhoneUsers   = "phone:read:list_users:admin"
	ScopeUpdateDevice     = "phone:update:device:admin"
	ScopeUpdatePresence   = "user:update:presence_status:admin"
	ScopeListVoicemails   = "phone:read:list_voicemails:admin"
	ScopeDeleteVoicemail  = "phone:delete:voicemail:admin"
	ScopeReadCommonArea   = "phone:read:common_area:admin"
	ScopeUpdateCommonArea = "phone:update:common_area:admin"
	ScopeListCallLogs     = "phone:read:list_call_logs:admin"
)

// RequiredScopes are the scopes without which pbxlink cannot work at all.
var RequiredScopes = []string{
	ScopeReadUser, ScopeListUsers, ScopeUpdateUser,
	ScopeListDevices, ScopeReadDevice, ScopeListPhoneUsers,
}

// Feature is an optional capability that one or more optional scopes enable.
type Feature string

// The optional features and the scopes each needs.
const (
	FeatureDeviceNames  Feature = "device_names"
	FeatureDoNotDisturb Feature = "do_not_disturb"
	FeatureMessages     Feature = "message_management"
	FeatureCommonAreas  Feature = "common_areas"
	FeatureCallRecords  Feature = "call_records"
)

// FeatureScopes maps each optional feature to the scopes it needs, all of them.
var FeatureScopes = map[Feature][]string{
	FeatureDeviceNames:  {ScopeUpdateDevice},
	FeatureDoNotDisturb: {ScopeUpdatePresence},
	FeatureMessages:     {ScopeListVoicemails, ScopeDeleteVoicemail},
	FeatureCommonAreas:  {ScopeReadCommonArea, ScopeUpdateCommonArea},
	FeatureCallRecords:  {ScopeListCallLogs},
}

// Features are the optional features in a stable order, for reports.
var Features = []Feature{FeatureDeviceNames, FeatureDoNotDisturb, FeatureMessages, FeatureCommonAreas, FeatureCallRecords}

// Grants is what a token's scope allows: the worker reads it at start-up to
// decide which features to switch on.
type Grants struct {
	// Scopes as granted, sorted.
	Scopes []string
	// Missing lists required scopes the token lacks; non-empty means pbxlink
	// must not start.
	Missing []string
	// Enabled reports, for every optional feature, whether all its scopes are
	// granted.
	Enabled map[Feature]bool
}

// ParseGrants reads an OAuth `scope` value (space-separated).
func ParseGrants(scope string) Grants {
	g := Grants{Scopes: strings.Fields(scope), Enabled: map[Feature]bool{}}
	slices.Sort(g.Scopes)
	g.Scopes = slices.Compact(g.Scopes)
	for _, s := range RequiredScopes {
		if !g.Has(s) {
			g.Missing = append(g.Missing, s)
		}
	}
	for f, need := range FeatureScopes {
		g.Enabled[f] = true
		for _, s := range need {
			if !g.Has(s) {
				g.Enabled[f] = false
			}
		}
	}
	return g
}

// Has reports whether a scope was granted.
func (g Grants) Has(scope string) bool {
	_, ok := slices.BinarySearch(g.Scopes, scope)
	return ok
}

// MissingFor lists the scopes a feature lacks.
func (g Grants) MissingFor(f Feature) []string {
	var out []string
	for _, s := range FeatureScopes[f] {
		if !g.Has(s) {
			out = append(out, s)
		}
	}
	return out
}
