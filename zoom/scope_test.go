package zoom

import (
	"slices"
	"strings"
	"testing"
)

func TestParseGrants(t *testing.T) {
	all := strings.Join(RequiredScopes, " ")
	tests := []struct {
		name    string
		scope   string
		missing []string
		off     []Feature
	}{
		{"required only", all, nil, Features},
		{"everything", all + " " + ScopeUpdateDevice + " " + ScopeUpdatePresence + " " + ScopeListVoicemails + " " +
			ScopeDeleteVoicemail + " " + ScopeReadCommonArea + " " + ScopeUpdateCommonArea + " " + ScopeListCallLogs, nil, nil},
		{"half of messages", all + " " + ScopeListVoicemails, nil, Features},
		{"missing two required", strings.Join(RequiredScopes[2:], "  "), RequiredScopes[:2], Features},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := ParseGrants(tt.scope)
			want := slices.Clone(tt.missing)
			if !slices.Equal(g.Missing, want) {
				t.Errorf("Missing = %v, want %v", g.Missing, want)
			}
			for _, f := range Features {
				if on := g.Enabled[f]; on == slices.Contains(tt.off, f) {
					t.Errorf("feature %s enabled = %v", f, on)
				}
			}
		})
	}
	if got := ParseGrants(strings.Join(RequiredScopes, " ") + " " + ScopeListVoicemails).MissingFor(FeatureMessages); !slices.Equal(got, []string{ScopeDeleteVoicemail}) {
		t.Errorf("MissingFor(messages) = %v", got)
	}
}
