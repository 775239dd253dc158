package naming

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// checkin is the contract's example stay.
var checkin = Vars{VIP: "VIP", First: "Ada", Last: "Lovelace", Title: "Dr", Language: "en",
	Reservation: "778812", Extension: "1203", RoomID: "1203", Tenant: "Grand Hotel", Site: "Main"}

// checkout is what the same room has after check-out: no guest fields.
var checkout = Vars{Extension: "1203", RoomID: "1203", Tenant: "Grand Hotel", Site: "Main"}

func TestFull(t *testing.T) {
	all := "${title} ${first} ${last} (${language}, res ${reservation}) ${extension} ${room_id} ${tenant}/${site} ${vip}"
	noVIP := checkin
	noVIP.VIP = ""
	onlyLast := Vars{Last: "Lovelace", Extension: "1203"}
	onlyFirst := Vars{First: "Ada", Extension: "1203"}
	messy := Vars{VIP: "\t", First: "  Ada\tMaria ", Last: "Love\u00a0lace\n", Extension: " 1203\r\n"}
	guest := Vars{VIP: "${vip}", First: "${extension}", Last: "$${last}", Extension: "1203"}
	tests := []struct {
		tmpl string
		v    Vars
		want string
	}{
		{Default, checkin, "VIP Ada Lovelace 1203"},
		{Default, noVIP, "Ada Lovelace 1203"},
		{Default, onlyLast, "Lovelace 1203"},
		{Default, onlyFirst, "Ada 1203"},
		{Default, checkout, "1203"},
		{Default, messy, "Ada Maria Love lace 1203"},
		{Default, guest, "${vip} ${extension} $${last} 1203"},
		{all, checkin, "Dr Ada Lovelace (en, res 778812) 1203 1203 Grand Hotel/Main VIP"},
		{all, checkout, "(, res ) 1203 1203 Grand Hotel/Main"},
		{"${last}, ${first} [${extension}]", checkin, "Lovelace, Ada [1203]"},
		{"${last}, ${first} [${extension}]", onlyLast, "Lovelace, [1203]"},
		{"${last}${first} ${extension}", Vars{First: "太郎", Last: "山田", Extension: "1203"}, "山田太郎 1203"},
		{"Zimmer ${extension}: ${first} ${last}", checkin, "Zimmer 1203: Ada Lovelace"},
		{"Zimmer ${extension}: ${first} ${last}", checkout, "Zimmer 1203:"},
	}
	for _, tt := range tests {
		if got := MustParse(tt.tmpl).Full(tt.v, 128); got != tt.want {
			t.Errorf("%q.Full(%+v) = %q, want %q", tt.tmpl, tt.v, got, tt.want)
		}
	}
}

func TestFullNeverExpandsGuestText(t *testing.T) {
	tp := MustParse(Default)
	for _, s := range []string{"${extension}", "$${last}", "${", "${first}${last}", "$", "}"} {
		v := Vars{First: s, Last: s, VIP: s, Extension: "1203"}
		want := s + " " + s + " " + s + " 1203"
		if got := tp.Full(v, 255); got != want {
			t.Errorf("guest text %q rendered as %q, want %q", s, got, want)
		}
	}
}

func TestFullPanicsOnNoLimit(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Full(v, 0) did not panic")
		}
	}()
	MustParse(Default).Full(checkin, 0)
}

func BenchmarkFull(b *testing.B) {
	tp := MustParse(Default)
	long := checkin
	long.First, long.Last = strings.Repeat("Maximiliane ", 8), "Wolfeschlegelsteinhausenbergerdorff"
	for _, bc := range []struct {
		name string
		v    Vars
	}{{"fits", checkin}, {"cut", long}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if s := tp.Full(bc.v, 64); !utf8.ValidString(s) {
					b.Fatal(s)
				}
			}
		})
	}
}
