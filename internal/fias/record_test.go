package fias

import (
	"bytes"
	"reflect"
	"testing"
)

func TestParseRecord(t *testing.T) {
	r, err := ParseRecord("GC|RN9327|GSN|G#12345|GNGuest, Mr.|GLEA|GV3|RO2781|GSY|SF|")
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "GC" || r.Value("RN") != "9327" || r.Value("GN") != "Guest, Mr." || r.Value("GS") != "N" || !r.Has("SF") || r.Value("SF") != "" {
		t.Fatalf("parsed %+v", r)
	}
	if n := len(r.Fields); n != 9 {
		t.Fatalf("%d fields, want 9 (GS twice)", n)
	}
	if got := r.String(); got != "GC|RN9327|GSN|G#12345|GNGuest, Mr.|GLEA|GV3|RO2781|GSY|SF|" {
		t.Fatalf("String() = %q", got)
	}
	for _, bad := range []string{"", "G", "GIX|RN1|", "GI|R|", "GI|\x01N1|"} {
		if _, err := ParseRecord(bad); err == nil {
			t.Errorf("ParseRecord(%q) accepted", bad)
		}
	}
	if r, err := ParseRecord("LS"); err != nil || r.ID != "LS" || len(r.Fields) != 0 {
		t.Errorf("a record without fields or trailing separator: %+v, %v", r, err)
	}
}

// TestScannerSplitJoinNoise: records cut across reads and several in one
// read come out whole and in order; bytes outside frames, a frame cut short
// by a new STX and an oversized frame are skipped and counted.
func TestScannerSplitJoinNoise(t *testing.T) {
	stream := []byte("noise\x03\x02GI|RN101|\x03\x02LA|\x03\x02GO|RN1\x02GO|RN102|\x03xx\x02" + string(bytes.Repeat([]byte("A"), 40)) + "\x03\x02LS|\x03")
	want := []string{"GI|RN101|", "LA|", "GO|RN102|", "LS|"}
	wantSkipped := uint64(len("noise\x03")) + uint64(len("GO|RN1")+1) + 2 + 40 + 2
	for _, chunk := range []int{1, 2, 3, 7, len(stream)} {
		sc := Scanner{MaxFrame: 20}
		var got []string
		for i := 0; i < len(stream); i += chunk {
			for _, f := range sc.Feed(stream[i:min(i+chunk, len(stream))]) {
				got = append(got, string(f))
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("chunks of %d: %q, want %q", chunk, got, want)
		}
		if sc.Skipped() != wantSkipped {
			t.Errorf("chunks of %d: skipped %d, want %d", chunk, sc.Skipped(), wantSkipped)
		}
	}
}

func TestCharsets(t *testing.T) {
	r := NewRecord("GI", "RN", "101", "GN", "Müller", "GF", "Jörg €")
	lat := Latin1.Frame(r)
	if !bytes.Contains(lat, []byte{'M', 0xfc, 'l'}) {
		t.Fatalf("Latin-1 frame %q lacks ü as one byte", lat)
	}
	back, err := ParseRecord(Latin1.Decode(lat[1 : len(lat)-1]))
	if err != nil || back.Value("GN") != "Müller" || back.Value("GF") != "Jörg ?" {
		t.Fatalf("Latin-1 round trip: %+v %v", back, err)
	}
	u := UTF8.Frame(r)
	back, err = ParseRecord(UTF8.Decode(u[1 : len(u)-1]))
	if err != nil || back.Value("GF") != "Jörg €" {
		t.Fatalf("UTF-8 round trip: %+v %v", back, err)
	}
	for _, s := range []string{"latin1", "ISO-8859-1", "utf8", "UTF-8"} {
		if _, err := ParseCharset(s); err != nil {
			t.Error(err)
		}
	}
	if _, err := ParseCharset("ebcdic"); err == nil {
		t.Error("ebcdic accepted")
	}
}

// FuzzParseRecord: the parser never panics; what it accepts prints back to
// a record it parses the same way, and framing and scanning that again
// yields it.
func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{"GI|RN2781|G#12345|GNGuest, Mr.|GLEA|GV3|GGA123|GSN|", "LS|DA001015|TI123045|", "GO|RN1|SF|", "PA|ASOK|P#1|", "XX", "GI||||", "GI|RN\xff\xfe|"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, cs := range []Charset{Latin1, UTF8} {
			r, err := ParseRecord(cs.Decode(data))
			if err != nil {
				continue
			}
			again, err := ParseRecord(r.String())
			if err != nil || !reflect.DeepEqual(again, r) {
				t.Fatalf("%q: printed %q parses to %+v, %v", data, r.String(), again, err)
			}
			if r.Valid() != nil {
				continue
			}
			var sc Scanner
			frames := sc.Feed(cs.Frame(r))
			if len(frames) != 1 {
				t.Fatalf("%q: framed and scanned into %d frames", data, len(frames))
			}
			back, err := ParseRecord(cs.Decode(frames[0]))
			if err != nil || back.ID != r.ID || len(back.Fields) != len(r.Fields) {
				t.Fatalf("%q: framing round trip %+v, %v", data, back, err)
			}
		}
	})
}
