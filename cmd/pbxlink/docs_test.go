package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestContractCopy: docs/contract.md is the public contract as the project
// that commissions pbxlink publishes it (../shared/CONTRACT.md beside the
// repository, where that exists), so that a clone carries the contract its
// README refers to. Where the original is absent (a plain clone), only the
// copy is checked to exist.
func TestContractCopy(t *testing.T) {
	copied, err := os.ReadFile(filepath.Join("..", "..", "docs", "contract.md"))
	if err != nil {
		t.Fatal(err)
	}
	original, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "CONTRACT.md"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("../shared/CONTRACT.md is not beside this repository: nothing to compare docs/contract.md with")
	}
	if err != nil {
		t.Fatal(err)
	}
	if string(copied) != string(original) {
		t.Error("docs/contract.md differs from ../shared/CONTRACT.md: copy it again (cp ../shared/CONTRACT.md docs/contract.md)")
	}
}
