package zoom

import (
	"slices"
	"strings"
	"testing"
)

func TestParseGrants(t *testing.T) {
	all := strings.Join(RequiredScopes(), " ")
	tests := []struct {
		name    string
		scope   string
		missing []string
		off     []Feature
	}{
		{"required only", all, nil, Features()},
		{"everything", all + " " + ScopeUpdateDevice + " " + ScopeUpdatePresence + " " + ScopeListVoicemails + " " +
			ScopeDeleteVoicemail + " " + ScopeReadCommonArea + " " + ScopeUpdateCommonArea + " " + ScopeListCallLogs, nil, nil},
		{"half of messages", all + " " + ScopeListVoicemails, nil, Features()},
		{"missing two required", strings.Join(RequiredScopes()[2:], "  "), RequiredScopes()[:2], Features()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := ParseGrants(tt.scope)
			want := slices.Clone(tt.missing)
			if !slices.Equal(g.Missing, want) {
				t.Errorf("Missing = %v, want %v", g.Missing, want)
			}
			for _, f := range Features() {
				if on := g.Enabled[f]; on == slices.Contains(tt.off, f) {
					t.Errorf("feature %s enabled = %v", f, on)
				}
			}
		})
	}
	if got := ParseGrants(strings.Join(RequiredScopes(), " ") + " " + ScopeListVoicemails).MissingFor(FeatureMessages); !slices.Equal(got, []string{ScopeDeleteVoicemail}) {
		t.Errorf("MissingFor(messages) = %v", got)
	}
}

// TestScopeListsAreCopies: what the package hands out cannot change its
// own lists (it once exported the slices and the map themselves).
func TestScopeListsAreCopies(t *testing.T) {
	RequiredScopes()[0] = "changed"
	Features()[0] = "changed"
	FeatureMessages.Scopes()[0] = "changed"
	if RequiredScopes()[0] == "changed" || Features()[0] == "changed" || FeatureMessages.Scopes()[0] == "changed" {
		t.Fatal("a caller changed the package's scope lists")
	}
	if MaxPageSize(OpListUsers.ID) != 2000 || MaxPageSize(OpUpdateUser.ID) != 0 {
		t.Errorf("MaxPageSize: users %d, update %d; want 2000 and 0", MaxPageSize(OpListUsers.ID), MaxPageSize(OpUpdateUser.ID))
	}
}
