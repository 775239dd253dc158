package fias

import (
	"strings"
	"unicode"
)

// Guest is one guest of a room as pbxlink keeps it: the reservation (G#)
// and the fields the extension's name is made of.
type Guest struct {
	Reservation string `json:"res,omitempty"`
	Last        string `json:"last,omitempty"`
	First       string `json:"first,omitempty"`
	Title       string `json:"title,omitempty"`
	VIP         string `json:"vip,omitempty"`
	Language    string `json:"lang,omitempty"`
}

// guestPatch is the guest fields a record carries: nil when absent.
type guestPatch struct {
	Last, First, Title, VIP, Language, Reservation *string
}

// empty says whether the record carried no guest field at all.
func (p guestPatch) empty() bool {
	return p.Last == nil && p.First == nil && p.Title == nil && p.VIP == nil && p.Language == nil && p.Reservation == nil
}

// apply returns g with the fields present replaced.
func (p guestPatch) apply(g Guest) Guest {
	for _, f := range []struct {
		dst *string
		v   *string
	}{{&g.Last, p.Last}, {&g.First, p.First}, {&g.Title, p.Title}, {&g.VIP, p.VIP}, {&g.Language, p.Language}, {&g.Reservation, p.Reservation}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	return g
}

// VIPMode says how a FIAS VIP code (GV, usually a number) becomes the
// event's vip field, which the name template shows.
type VIPMode string

const (
	// VIPMarker: any code but "" and "0" becomes "VIP".
	VIPMarker VIPMode = "marker"
	// VIPRaw: the code as the PMS sends it; "0" still means none.
	VIPRaw VIPMode = "raw"
)

// languages maps FIAS's language codes, which are not ISO codes (GE is
// German), to ISO 639-1; other codes pass through in lower case.
var languages = map[string]string{"EA": "en", "GE": "de", "FR": "fr", "IT": "it", "JA": "ja", "SP": "es"}

// fieldText makes a record's value fit the contract's text: no control
// characters, at most 256 characters, no surrounding blanks.
func fieldText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 256 {
		s = strings.TrimSpace(string(r[:256]))
	}
	return s
}

// patchOf reads the guest fields of r: GN last name, GF first name, GT
// title, GV VIP, GL language, G# reservation.
func patchOf(r Record, vip VIPMode) guestPatch {
	var p guestPatch
	get := func(id string) *string {
		v, ok := r.Get(id)
		if !ok {
			return nil
		}
		v = fieldText(v)
		return &v
	}
	p.Last, p.First, p.Title, p.Reservation = get("GN"), get("GF"), get("GT"), get("G#")
	if v := get("GV"); v != nil {
		s := *v
		switch {
		case s == "" || s == "0":
			s = ""
		case vip != VIPRaw:
			s = "VIP"
		}
		p.VIP = &s
	}
	if v := get("GL"); v != nil {
		s := *v
		if iso, ok := languages[strings.ToUpper(s)]; ok {
			s = iso
		} else {
			s = strings.ToLower(s)
		}
		p.Language = &s
	}
	return p
}
