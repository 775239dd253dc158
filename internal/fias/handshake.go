package fias

import "time"

// LinkRecords is the LR set pbxlink asks for: one LR per record type, with
// the fields it reads. DR, DS and DE need no LR.
var LinkRecords = []Record{
	NewRecord("LR", "RI", "GI", "FL", "RNG#GNGFGTGLGVGSSF"),
	NewRecord("LR", "RI", "GO", "FL", "RNG#GSSF"),
	NewRecord("LR", "RI", "GC", "FL", "RNG#GNGFGTGLGVGSRO"),
	NewRecord("LR", "RI", "RE", "FL", "RNDN"),
	NewRecord("LR", "RI", "PS", "FL", "RNPTDDDUDATIP#"),
	NewRecord("LR", "RI", "PA", "FL", "RNASDATIP#"),
}

// stamp returns the DA and TI fields of t.
func stamp(t time.Time) []string {
	return []string{"DA", t.Format("060102"), "TI", t.Format("150405")}
}

// handshake is pbxlink's answer to every LS: LD (interface family PB, a
// PBX), one LR per record type, LA.
func handshake(version string, now time.Time) []Record {
	out := []Record{NewRecord("LD", append(stamp(now), "V#", version, "IF", "PB")...)}
	out = append(out, LinkRecords...)
	return append(out, NewRecord("LA", stamp(now)...))
}

// dataRecords are the PMS records that change what pbxlink publishes.
var dataRecords = map[string]bool{"GI": true, "GO": true, "GC": true, "RE": true, "DS": true, "DE": true}
