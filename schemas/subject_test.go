package schemas

import (
	"errors"
	"testing"
)

func TestValidExtension(t *testing.T) {
	tests := []struct {
		ext  string
		want bool
	}{
		{"1203", true}, {"1", true}, {"123456789012345", true}, {"0", false}, {"0123", false}, {"012345678901234", false},
		{"", false}, {"0123456789012345", false}, {"12a", false}, {"-1", false}, {"١٢", false}, {"12.3", false}, {"*", false}, {">", false},
	}
	for _, tt := range tests {
		if got := ValidExtension(tt.ext); got != tt.want {
			t.Errorf("ValidExtension(%q) = %v", tt.ext, got)
		}
	}
}

func TestEventSubject(t *testing.T) {
	if got := EventSubject("1203", TypeCheckIn); got != "pbxlink.ext.1203.checkin" {
		t.Errorf("EventSubject = %q", got)
	}
}

func TestParseSubject(t *testing.T) {
	tests := []struct {
		subject  string
		wantExt  string
		wantType Type
		wantRule string
	}{
		{"pbxlink.ext.1203.checkin", "1203", TypeCheckIn, ""},
		{"pbxlink.ext.7.clearmessages", "7", TypeClearMessages, ""},
		{"pbxlink.ext.1203.nope", "", "", "enum"},
		{"pbxlink.ext.12x.dnd", "", "", ruleExtension},
		{"pbxlink.ext..dnd", "", "", ruleExtension},
		{"pbxlink.ext.1203", "", "", "pbxlink.ext.<extension>.<type>"},
		{"pbxlink.ext.1203.dnd.x", "", "", "pbxlink.ext.<extension>.<type>"},
		{"pbxlink.dlq.ext.1203.dnd", "", "", "pbxlink.ext.<extension>.<type>"},
		{"", "", "", "pbxlink.ext.<extension>.<type>"},
	}
	for _, tt := range tests {
		ext, typ, err := ParseSubject(tt.subject)
		if ext != tt.wantExt || typ != tt.wantType {
			t.Errorf("ParseSubject(%q) = %q, %q, %v", tt.subject, ext, typ, err)
		}
		var ve *ValidationError
		switch {
		case tt.wantRule == "" && err != nil:
			t.Errorf("ParseSubject(%q) error %v", tt.subject, err)
		case tt.wantRule != "" && (!errors.As(err, &ve) || ve.Rule != tt.wantRule || ve.Field != FieldNATSSubject):
			t.Errorf("ParseSubject(%q) error %v, want rule %q", tt.subject, err, tt.wantRule)
		}
	}
}

func TestDLQSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"pbxlink.ext.1203.checkin", "pbxlink.dlq.ext.1203.checkin"},
		{"pbxlink.ext.12a.nope", "pbxlink.dlq.ext.12a.nope"},
		{"other.subject", "pbxlink.dlq.other.subject"},
		{"pbxlink.", "pbxlink.dlq.pbxlink."},
		{"", "pbxlink.dlq.invalid"},
	}
	for _, tt := range tests {
		if got := DLQSubject(tt.in); got != tt.want {
			t.Errorf("DLQSubject(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNamesMatchContract pins the NATS names to the contract's table.
func TestNamesMatchContract(t *testing.T) {
	tests := []struct{ got, want string }{
		{StreamEvents, "PBXLINK_EVENTS"},
		{StreamEventsSubjects, "pbxlink.ext.*.*"},
		{ConsumerWorker, "pbxlink-worker"},
		{StreamDLQ, "PBXLINK_DLQ"},
		{StreamDLQSubjects, "pbxlink.dlq.>"},
		{BucketConfig, "pbxlink-config"},
		{KeyDebug, "debug"},
		{HeaderMsgID, "Nats-Msg-Id"},
		{HeaderContentType, "Content-Type"},
		{HeaderError, "Pbxlink-Error"},
		{HeaderAttempts, "Pbxlink-Attempts"},
		{HeaderOriginalSubject, "Pbxlink-Original-Subject"},
		{HeaderOriginalSeq, "Pbxlink-Original-Seq"},
		{ContentTypeCloudEvents, "application/cloudevents+json"},
		{DataContentTypeJSON, "application/json"},
		{SpecVersion, "1.0"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
