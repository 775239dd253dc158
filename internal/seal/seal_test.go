package seal_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/pbxlink/pbxlink/internal/seal"
)

// A value opens only with the same secret, purpose and associated data,
// unaltered; anything else is ErrOpen.
func TestSealOpensOnlyWhatItSealed(t *testing.T) {
	box, err := seal.New("client-secret", "pbxlink test")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal([]byte("directory"), []byte("snapshot"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("directory")) {
		t.Fatal("sealed value holds the plain text")
	}
	plain, err := box.Open(sealed, []byte("snapshot"))
	if err != nil || string(plain) != "directory" {
		t.Fatalf("Open = %q, %v", plain, err)
	}
	otherSecret, _ := seal.New("another-secret", "pbxlink test")
	otherPurpose, _ := seal.New("client-secret", "pbxlink other")
	forged, _ := otherSecret.Seal([]byte("planted"), []byte("snapshot"))
	altered := bytes.Clone(sealed)
	altered[len(altered)-1] ^= 1
	for name, try := range map[string]func() ([]byte, error){
		"other secret":  func() ([]byte, error) { return otherSecret.Open(sealed, []byte("snapshot")) },
		"other purpose": func() ([]byte, error) { return otherPurpose.Open(sealed, []byte("snapshot")) },
		"other data":    func() ([]byte, error) { return box.Open(sealed, []byte("token")) },
		"altered":       func() ([]byte, error) { return box.Open(altered, []byte("snapshot")) },
		"forged":        func() ([]byte, error) { return box.Open(forged, []byte("snapshot")) },
		"plain JSON":    func() ([]byte, error) { return box.Open([]byte(`{"entries":[]}`), []byte("snapshot")) },
		"short":         func() ([]byte, error) { return box.Open([]byte("x"), []byte("snapshot")) },
	} {
		if _, err := try(); !errors.Is(err, seal.ErrOpen) {
			t.Errorf("%s: %v, want ErrOpen", name, err)
		}
	}
	if _, err := seal.New("", "pbxlink test"); err == nil {
		t.Error("an empty secret was accepted")
	}
}
