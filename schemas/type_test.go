package schemas

import (
	"errors"
	"strings"
	"testing"
)

func TestParseType(t *testing.T) {
	tests := []struct {
		in      string
		want    Type
		wantErr bool
	}{
		{"checkin", TypeCheckIn, false},
		{"guest", TypeGuest, false},
		{"checkout", TypeCheckOut, false},
		{"dnd", TypeDND, false},
		{"clearmessages", TypeClearMessages, false},
		{"extension", TypeExtension, false},
		{"CheckIn", "", true},
		{"pbxlink.checkin", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := ParseType(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseType(%q) = %q, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrUnknownType) {
			t.Errorf("ParseType(%q) error %v does not match ErrUnknownType", tt.in, err)
		}
	}
}

func TestParseEventType(t *testing.T) {
	for _, typ := range Types() {
		got, err := ParseEventType(typ.EventType())
		if got != typ || err != nil {
			t.Errorf("ParseEventType(%q) = %q, %v", typ.EventType(), got, err)
		}
		if !typ.Valid() || typ.String() != string(typ) {
			t.Errorf("%q: Valid or String wrong", typ)
		}
	}
	for _, in := range []string{"checkin", "pbxlink.", "pbxlink.nope", "com.example.checkin", strings.Repeat("pbxlink.", 100)} {
		if _, err := ParseEventType(in); !errors.Is(err, ErrUnknownType) {
			t.Errorf("ParseEventType(%q) = %v, want ErrUnknownType", in, err)
		}
	}
	// An error quotes the name safely and briefly.
	_, err := ParseType(strings.Repeat("x\n", 100))
	if strings.Contains(err.Error(), "\n") || len(err.Error()) > 300 {
		t.Errorf("error text %q", err)
	}
}

func TestTypesMatchesContract(t *testing.T) {
	want := []Type{"checkin", "guest", "checkout", "dnd", "clearmessages", "extension"}
	got := Types()
	if len(got) != len(want) {
		t.Fatalf("Types() = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Types()[%d] = %q, want %q", i, got[i], want[i])
		}
	}
	got[0] = "changed"
	if Types()[0] != TypeCheckIn {
		t.Error("Types() shares its slice")
	}
}
