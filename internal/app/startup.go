package app

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/pbxlink/pbxlink/zoom"
)

// startupTokens reports each failed token request while the worker starts:
// the worker tries Zoom again for up to a minute before it gives up, and an
// operator whose Zoom URL is wrong or whose network blocks Zoom should see
// why at the first attempt, not a minute later. Once the worker runs
// (running set), failures are the worker's to handle and report.
type startupTokens struct {
	zoom.TokenSource
	log      *slog.Logger
	running  atomic.Bool
	attempts atomic.Int64
}

func (s *startupTokens) Token(ctx context.Context) (*zoom.Token, error) {
	t, err := s.TokenSource.Token(ctx)
	if err != nil && !s.running.Load() && ctx.Err() == nil {
		s.log.Warn("no Zoom access token at start-up; trying again", "attempt", s.attempts.Add(1), "err", err)
	}
	return t, err
}
