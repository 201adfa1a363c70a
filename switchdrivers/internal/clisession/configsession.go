package clisession

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/netalign/netalign/switchdrivers"
)

// NotOpened is the error of a configuration session the device would not
// open (its limit of sessions reached, a refused name): nothing was
// staged, the device is as it was.
func NotOpened(device string, err error) error {
	return &switchdrivers.RollbackError{Device: device, Err: fmt.Errorf("open configuration session: %w", err), RolledBack: true}
}

// AbortSession discards the configuration session name the CLI is in,
// after why (EOS and NX-OS both say `abort`, which ends in privileged
// exec mode). Nothing of a session is live before its commit, so the
// device is as it was whatever happens here. It reports whether the device
// discarded the session; when the connection is gone, ctx ended or the
// abort was refused, the session stays pending, the session is abandoned
// (the CLI mode is unknown) and the next apply removes the leftover.
func (s *Session) AbortSession(ctx context.Context, log *slog.Logger, name string, why error) bool {
	if s.Broken() || ctx.Err() != nil {
		s.Abandon()
		log.Warn("configuration session not committed: connection lost or context ended; the next apply removes it", "session", name, "error", why)
		return false
	}
	if _, err := s.Send(ctx, "abort"); err != nil {
		log.Warn("configuration session not committed; abort failed, the next apply removes it", "session", name, "error", err)
		s.Abandon()
		return false
	}
	s.AssumeExec()
	log.Warn("configuration session aborted", "session", name, "error", strings.TrimSpace(why.Error()))
	return true
}

// StageSession sends block, a configuration session's opening first and
// then its lines, in one write when the CLI is known to be in privileged
// exec mode (else the opening on its own first, which acquires the mode).
// Opened in the same write as the lines, a session the device refuses to
// open leaves the lines in exec mode, where every configuration line is
// refused: nothing is staged. The outputs are block's, in order.
func (s *Session) StageSession(ctx context.Context, block []string) ([]string, error) {
	if s.AtExec() {
		return s.SendBatch(ctx, block)
	}
	if _, err := s.Exec(ctx, block[0]); err != nil {
		return nil, err
	}
	outs, err := s.SendBatch(ctx, block[1:])
	if outs != nil {
		outs = append([]string{""}, outs...)
	}
	return outs, err
}
