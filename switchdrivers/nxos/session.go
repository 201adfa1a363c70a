package nxos

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
)

// sessionApply stages res.Lines in a new configuration session and
// commits it; retry allows one more attempt when the session could not be
// opened and removing leftovers made room. It falls back to
// checkpointApply when the device does not know `configure session`.
func (d *Driver) sessionApply(ctx context.Context, s *clisession.Session, res *switchdrivers.ApplyResult, retry bool) error {
	name := clisession.NewName(namePrefix)
	open := "configure session " + name
	block := append([]string{open}, res.Lines...)
	contentsAt := len(block)
	block = append(block, "show configuration session "+name, "verify")
	check, runAt := d.observed, -1
	if check != "" {
		runAt = len(block)
		block = append(block, CmdShowRunningConfig)
	}
	listAt := len(block)
	block = append(block, CmdShowSessionSummary, CmdShowCheckpointSummary)

	outs, err := s.StageSession(ctx, block)
	var ce *switchdrivers.CommandError
	if err != nil && !errors.As(err, &ce) {
		// The connection failed or the context ended: what was staged
		// stays pending, never committed; the next apply removes it.
		return d.abort(ctx, s, name, err, nil, res)
	}
	var left []leftover
	if outs != nil {
		left = leftovers(outs[listAt], outs[listAt+1], name)
	}
	if ce != nil && ce.Command == open {
		// NX-OS did not open the session: the lines that followed
		// landed in exec mode, where every configuration line is
		// refused. Nothing was staged.
		s.AssumeExec()
		if unknownCommand(ce.Output) {
			// A release without Session Manager: no session will open
			// on this device.
			d.noSessions = true
			d.log.Debug("configure session refused", "output", ce.Output)
			return d.checkpointApply(ctx, s, res)
		}
		if retry && hasSessions(left) {
			// At the limit of sessions, some of them netalign's
			// leftovers: remove them and try once more.
			n := len(res.Cleaned)
			_, _, _ = d.finish(ctx, s, nil, left, false, res) // without a save only a transport error, seen next
			if len(res.Cleaned) > n {
				return d.sessionApply(ctx, s, res, false)
			}
		}
		return clisession.NotOpened(d.cfg.Name, err)
	}
	if ce != nil {
		// A refused line, or verify.
		return d.abort(ctx, s, name, err, left, res)
	}
	d.log.Debug("configuration session staged", "session", name, "lines", len(res.Lines))
	res.Diff = outs[contentsAt]
	if runAt >= 0 && RunningDigest(outs[runAt]) != check {
		return d.abort(ctx, s, name, cause.New(cause.ConcurrentChange,
			"the running configuration changed since it was observed (by someone else?); nothing was committed: observe and plan again"), left, res)
	}
	if _, err := s.Send(ctx, "commit"); err != nil {
		if errors.As(err, &ce) || !s.Broken() {
			// The device refused the commit and said so (NX-OS applies
			// all of it or none), or the context ended before it was
			// sent: running-config is untouched.
			return d.abort(ctx, s, name, err, left, res)
		}
		// The commit was sent and its outcome never came back.
		d.observed = ""
		return &switchdrivers.RollbackError{Device: d.cfg.Name, Err: fmt.Errorf("commit: %w", err),
			RollbackErr: errors.New("the connection failed during commit, which applies all of the session or none of it; which is unknown: observe the device")}
	}
	// commit ends the session in privileged exec mode; the configuration
	// Observe read is gone.
	s.AssumeExec()
	d.observed = ""
	d.log.Info("configuration committed", "session", name, "lines", len(res.Lines))
	_, _, err = d.finish(ctx, s, nil, left, d.cfg.Save, res)
	var se *switchdrivers.SaveError
	if err != nil && !errors.As(err, &se) {
		d.log.Warn("leftovers of earlier applies not removed", "error", err)
		return nil
	}
	return err
}

// unknownCommand reports whether out is NX-OS's parser refusing a command
// it does not know ("% Invalid command at '^' marker."), as a release
// without Session Manager answers `configure session` — rather than a
// refusal of the session itself (the limit of sessions reached).
func unknownCommand(out string) bool {
	return strings.Contains(out, "% Invalid command")
}

// hasSessions reports whether left holds a configuration session.
func hasSessions(left []leftover) bool {
	for _, l := range left {
		if !l.checkpoint {
			return true
		}
	}
	return false
}

// abort discards the pending session after why, then removes left
// (leftovers of earlier applies). Nothing was committed, so running-config
// is untouched whatever happens here: the result is always rolled back. A
// session that cannot be aborted now stays pending with nothing of it
// live; the next apply removes it.
func (d *Driver) abort(ctx context.Context, s *clisession.Session, name string, why error, left []leftover, res *switchdrivers.ApplyResult) error {
	if s.AbortSession(ctx, d.log, name, why) {
		if _, _, err := d.finish(ctx, s, nil, left, false, res); err != nil {
			d.log.Warn("leftovers of earlier applies not removed", "error", err)
		}
	}
	return &switchdrivers.RollbackError{Device: d.cfg.Name, Err: why, RolledBack: true}
}
