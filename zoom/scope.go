package zoom

import (
	"maps"
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

// RequiredScopes returns the scopes without which pbxlink cannot work at
// all (a new slice each call: the package's own list cannot be changed).
func RequiredScopes() []string { return slices.Clone(requiredScopes) }

var requiredScopes = []string{
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

// Scopes returns the scopes the feature needs, all of them (a new slice
// each call).
func (f Feature) Scopes() []string { return slices.Clone(featureScopes[f]) }

var featureScopes = map[Feature][]string{
	FeatureDeviceNames:  {ScopeUpdateDevice},
	FeatureDoNotDisturb: {ScopeUpdatePresence},
	FeatureMessages:     {ScopeListVoicemails, ScopeDeleteVoicemail},
	FeatureCommonAreas:  {ScopeReadCommonArea, ScopeUpdateCommonArea},
	FeatureCallRecords:  {ScopeListCallLogs},
}

// Features returns the optional features in a stable order, for reports
// (a new slice each call).
func Features() []Feature { return slices.Clone(features) }

var features = []Feature{FeatureDeviceNames, FeatureDoNotDisturb, FeatureMessages, FeatureCommonAreas, FeatureCallRecords}

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
	for _, s := range requiredScopes {
		if !g.Has(s) {
			g.Missing = append(g.Missing, s)
		}
	}
	for f, need := range featureScopes {
		g.Enabled[f] = true
		for _, s := range need {
			if !g.Has(s) {
				g.Enabled[f] = false
			}
		}
	}
	return g
}

// Clone returns a deep copy of g, for handing out grants that the caller
// may change.
func (g Grants) Clone() Grants {
	return Grants{Scopes: slices.Clone(g.Scopes), Missing: slices.Clone(g.Missing), Enabled: maps.Clone(g.Enabled)}
}

// Has reports whether a scope was granted.
func (g Grants) Has(scope string) bool {
	_, ok := slices.BinarySearch(g.Scopes, scope)
	return ok
}

// MissingFor lists the scopes a feature lacks.
func (g Grants) MissingFor(f Feature) []string {
	var out []string
	for _, s := range featureScopes[f] {
		if !g.Has(s) {
			out = append(out, s)
		}
	}
	return out
}
