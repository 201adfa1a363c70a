package eos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
)

// cmdSave copies the running configuration to startup-config.
const cmdSave = "copy running-config startup-config"

// commitSession pushes res.Lines in one configuration session over s:
//
//	configure session netalign-<8 hex digits>          }
//	<rendered lines, each checked for a "% " error>    } one write:
//	show session-config diffs   (ApplyResult.Diff)     } one round trip
//	show running-config         (after an Observe)     }
//	show configuration sessions | json                 }
//	commit  or  commit timer hh:mm:ss                    one round trip
//	no configure session <leftover>...   } one write, when there is
//	copy running-config startup-config   } either (no save until Confirm
//	                                       with a timer)
//
// Three round trips as before leftovers and the concurrency check were
// added (two with a timer, Confirm then takes two): the listing and the
// running configuration travel in the staging write, and leftovers are
// removed in the save's write. A session EOS will not open because its
// limit of pending sessions is reached costs two more when leftovers of
// netalign's free room: their removal and the staging write again.
func (d *Driver) commitSession(ctx context.Context, s *clisession.Session, res *switchdrivers.ApplyResult) error {
	if name, at := d.pendingCommit(); name != "" {
		if time.Now().Before(at) {
			return &switchdrivers.RollbackError{Device: d.cfg.Name, RolledBack: true,
				Err: fmt.Errorf("the previous apply (configuration session %s) awaits confirmation until %s: confirm it before applying again", name, at.Format(time.RFC3339))}
		}
		// Its timer expired: the switch reverted it.
		d.setPending("", time.Time{})
	}
	return d.transact(ctx, s, res, true)
}

// transact stages res.Lines in a new session and commits it; retry allows
// one more attempt when the session could not be opened and removing
// leftovers made room.
func (d *Driver) transact(ctx context.Context, s *clisession.Session, res *switchdrivers.ApplyResult, retry bool) error {
	name := clisession.NewName(sessionPrefix)
	open := "configure session " + name
	block := append([]string{open}, res.Lines...)
	diffAt := len(block)
	block = append(block, "show session-config diffs")
	check, runAt := d.observed, -1
	if check != "" {
		runAt = len(block)
		block = append(block, CmdShowRunningConfig)
	}
	block = append(block, CmdShowSessions)
	outs, err := s.StageSession(ctx, block)
	var ce *switchdrivers.CommandError
	if err != nil && !errors.As(err, &ce) {
		// The connection failed: what was staged stays pending, never
		// committed; the next apply removes it.
		return d.abort(ctx, s, name, err, nil, res)
	}
	var listing []byte
	if outs != nil && (ce == nil || ce.Command != CmdShowSessions) {
		listing = []byte(outs[len(outs)-1])
	}
	left := d.leftovers(listing, name)
	if ce != nil && ce.Command == open {
		// EOS refused to open the session (at its limit of pending
		// sessions): the lines that followed landed in exec mode, where
		// every configuration line is refused. Nothing was staged.
		s.AssumeExec()
		if retry && len(left.Pending) > 0 {
			n := len(res.Cleaned)
			_ = d.tidy(ctx, s, left.Pending, false, res) // without a save it cannot fail
			if len(res.Cleaned) > n {
				return d.transact(ctx, s, res, false)
			}
		}
		return clisession.NotOpened(d.cfg.Name, err)
	}
	if ce != nil && ce.Command != CmdShowSessions {
		return d.abort(ctx, s, name, err, left.Pending, res)
	}
	if ce != nil {
		d.log.Warn("configuration sessions not listed; leftovers of earlier runs stay", "output", ce.Output)
	}
	d.log.Debug("configuration session staged", "session", name, "lines", len(res.Lines))
	res.Diff = outs[diffAt]
	if len(left.Timed) > 0 {
		// EOS commits nothing while another session waits for its commit
		// timer, and that commit is another run's to confirm or let
		// revert.
		return d.abort(ctx, s, name, cause.New(cause.ConcurrentChange,
			"an unconfirmed netalign commit (configuration session %s) is live: it reverts by itself when its commit timer expires unless its run confirms it; nothing was applied, observe and plan again after that",
			strings.Join(left.Timed, ", ")), left.Pending, res)
	}
	if runAt >= 0 && RunningDigest(outs[runAt]) != check {
		return d.abort(ctx, s, name, cause.New(cause.ConcurrentChange,
			"the running configuration changed since it was observed: nothing was applied; observe and plan again"), left.Pending, res)
	}
	return d.commit(ctx, s, name, left.Pending, res)
}

// commit commits the staged session name, with a timer when
// Config.ConfirmTimeout is set, then removes stale (leftover sessions) and
// saves (without a timer) in one write.
func (d *Driver) commit(ctx context.Context, s *clisession.Session, name string, stale []string, res *switchdrivers.ApplyResult) error {
	cmd, timeout := "commit", d.cfg.ConfirmTimeout
	if timeout > 0 {
		cmd = "commit timer " + timerArg(timeout)
	}
	sent := time.Now()
	if _, err := s.Send(ctx, cmd); err != nil {
		var ce *switchdrivers.CommandError
		if errors.As(err, &ce) || !s.Broken() {
			// The device refused the commit and said so, or the
			// context ended before it was sent: the session is still
			// pending and running-config untouched.
			return d.abort(ctx, s, name, err, stale, res)
		}
		// The commit was sent and its outcome never came back.
		msg := "the connection failed during commit; the outcome is unknown, observe the device"
		if timeout > 0 {
			msg += fmt.Sprintf(" (if it was committed, the switch reverts it by itself at %s)", sent.Add(timeout).Format(time.RFC3339))
		}
		return &switchdrivers.RollbackError{Device: d.cfg.Name, Err: fmt.Errorf("commit: %w", err), RollbackErr: errors.New(msg)}
	}
	// commit ends the session in privileged exec mode.
	s.AssumeExec()
	// The running configuration is no longer what Observe read.
	d.observed = ""
	if timeout > 0 {
		// The switch starts the timer when it runs the commit, after it
		// was sent: it reverts no earlier than this.
		at := sent.Add(timeout)
		d.setPending(name, at)
		d.log.Info("configuration committed; it reverts unless confirmed", "session", name, "lines", len(res.Lines), "reverts_at", at.Format(time.RFC3339))
		_ = d.tidy(ctx, s, stale, false, res) // without a save it cannot fail
		return nil
	}
	d.log.Info("configuration committed", "session", name, "lines", len(res.Lines))
	return d.tidy(ctx, s, stale, d.cfg.Save, res)
}

// timerArg is t as `commit timer` takes it, hh:mm:ss, rounded up to a
// whole second.
func timerArg(t time.Duration) string {
	n := int64((t + time.Second - 1) / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", n/3600, n/60%60, n%60)
}

// tidy removes stale sessions (`no configure session NAME`, in privileged
// exec mode) and, when save, copies running-config to startup-config, in
// one write. A session not removed is only logged (it may be gone
// already, and the next apply tries again); those removed are added to
// res.Cleaned ("session NAME"). The only error is a failed save, a *switchdrivers.SaveError.
func (d *Driver) tidy(ctx context.Context, s *clisession.Session, stale []string, save bool, res *switchdrivers.ApplyResult) error {
	var cmds []string
	for _, n := range stale {
		cmds = append(cmds, "no configure session "+n)
	}
	if save {
		cmds = append(cmds, cmdSave)
	}
	if len(cmds) == 0 {
		return nil
	}
	_, refused, err := s.ExecAll(ctx, cmds)
	if err != nil {
		if save {
			return &switchdrivers.SaveError{Device: d.cfg.Name, Err: err}
		}
		d.log.Warn("configuration sessions earlier runs left pending not removed", "sessions", stale, "error", err)
		return nil
	}
	var cleaned []string
	for i, n := range stale {
		if refused[i] != nil {
			d.log.Warn("configuration session an earlier run left pending not removed", "session", n, "error", refused[i])
			continue
		}
		cleaned = append(cleaned, n)
		res.Cleaned = append(res.Cleaned, "session "+n)
	}
	if len(cleaned) > 0 {
		d.log.Info("removed configuration sessions earlier runs left pending", "sessions", cleaned)
	}
	if save {
		if err := refused[len(cmds)-1]; err != nil {
			return &switchdrivers.SaveError{Device: d.cfg.Name, Err: err}
		}
		res.Saved = true
	}
	return nil
}

// abort discards the pending session after why, then removes stale
// (leftovers of earlier runs). Nothing was committed, so running-config is
// untouched whatever happens here: the result is always rolled back. A
// session that cannot be aborted now is a leftover the next apply removes,
// so sessions never pile up to EOS's limit of pending sessions.
func (d *Driver) abort(ctx context.Context, s *clisession.Session, name string, why error, stale []string, res *switchdrivers.ApplyResult) error {
	if s.AbortSession(ctx, d.log, name, why) {
		_ = d.tidy(ctx, s, stale, false, res) // without a save it cannot fail
	}
	return &switchdrivers.RollbackError{Device: d.cfg.Name, Err: why, RolledBack: true}
}

// confirm sends the confirmation of name's timed commit (see Confirm).
func (d *Driver) confirm(ctx context.Context, s *clisession.Session, name string, at time.Time) error {
	cmd := "configure session " + name + " commit"
	outs, refused, err := s.ExecAll(ctx, []string{CmdShowSessions, cmd})
	if err != nil {
		return fmt.Errorf("confirm configuration session %s: %w (unless the confirmation reached the switch, it reverts the commit by itself at %s)", name, err, at.Format(time.RFC3339))
	}
	d.setPending("", time.Time{})
	waiting := refused[1] == nil
	if refused[0] == nil {
		if ss, perr := ParseSessions([]byte(outs[0])); perr == nil {
			e, ok := ss.Sessions[name]
			waiting = waiting && ok && e.State == StateCommitTimer
		}
	}
	if !waiting {
		why := refused[1]
		if why == nil {
			why = fmt.Errorf("configuration session %s was not waiting for confirmation", name)
		}
		if time.Now().After(at) {
			return cause.Wrap(cause.Timeout, why, "the commit timer of configuration session %s expired (at %s) before the confirmation: the switch reverted the commit", name, at.Format(time.RFC3339))
		}
		return cause.Wrap(cause.ConcurrentChange, why, "configuration session %s was no longer waiting for confirmation (aborted by someone else): the switch reverted the commit", name)
	}
	d.log.Info("configuration confirmed", "session", name)
	if !d.cfg.Save {
		return nil
	}
	if _, err := s.Exec(ctx, cmdSave); err != nil {
		return &switchdrivers.SaveError{Device: d.cfg.Name, Err: err}
	}
	return nil
}
