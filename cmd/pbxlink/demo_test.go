package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestDemo runs the demo for both kinds of room and checks that it ends as
// the contract says: exit 0, every room back to its extension alone, and
// the calls of the stay stored as call records.
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
			// The stay's calls arrive as call records (issue 11): each
			// room's, the call between two rooms on both sides.
			for _, want := range []string{
				"call record stored: room 1201 outbound to +12125550100 (outside), answered, 2m5s",
				"call record stored: room 1202 outbound to 1203 (internal), answered, 40s",
				"call record stored: room 1203 inbound from 1202 (internal), answered, 40s",
				"call record stored: room 1203 inbound from +442071234567 (outside), missed",
			} {
				if strings.Count(out.String(), want) != 1 {
					t.Errorf("output shows %q %d times, want once:\n%s", want, strings.Count(out.String(), want), out.String())
				}
			}
			// Each step shows its own changes, not the step before's.
			steps := map[string]string{"6. ": "Alan Turing 1201", "7. ": `display_name "Alan Turing 1201" → "1201"`}
			if target == "users" {
				steps["5. "] = `presence "Available" → "Do_Not_Disturb"`
			}
			for step, want := range steps {
				if !strings.Contains(stepOutput(out.String(), step), want) {
					t.Errorf("step %s lacks %q:\n%s", step, want, out.String())
				}
			}
		})
	}
}

// stepOutput is the demo's output of the step numbered by prefix ("5. "):
// its line and those that follow, up to the next step's.
func stepOutput(out, prefix string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.Split(out, "\n") {
		if len(line) > 0 && line[0] >= '0' && line[0] <= '9' {
			in = strings.HasPrefix(line, prefix)
		}
		if in {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
