package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestDemo runs the demo for both kinds of room and checks that it ends as
// the contract says: exit 0, every room back to its extension alone.
func TestDemo(t *testing.T) {
	for _, target := range []string{"users", "common_areas"} {
		t.Run(target, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var out, errs bytes.Buffer
			if code := dispatch(ctx, []string{"demo", "--target", target}, &out, &errs); code != 0 {
				t.Fatalf("demo exited %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errs.String())
			}
			for _, want := range []string{"VIP Ada Lovelace 1201", "Ada Byron 1201", "Done: every room shows its extension alone"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
			if target == "users" && !strings.Contains(out.String(), `presence "Available" → "Do_Not_Disturb"`) {
				t.Errorf("output lacks the do-not-disturb change:\n%s", out.String())
			}
		})
	}
}
