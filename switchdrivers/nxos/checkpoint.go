package nxos

import (
	"context"
	"errors"
	"fmt"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
)

// fallbackNote says, in ApplyResult.Diff and in errors, that an apply ran
// without a configuration session.
const fallbackNote = "no configuration sessions on this device: applied line by line after a checkpoint, rolled back on failure"

// checkpointApply is the transaction where the device has no configuration
// sessions:
//
//	show checkpoint summary                 }
//	checkpoint netalign-<8 hex digits>      } one write
//	show running-config                     }
//	configure terminal / <rendered lines, each checked> / end   (a round trip each)
//	show diff rollback-patch checkpoint netalign-<…> running-config  }
//	no checkpoint netalign-<…>                                       } one write
//	no checkpoint <leftover>...                                      }
//	copy running-config startup-config    (when Config.Save)         }
//
// NX-OS applies configuration lines as they arrive, so on any refused line
// or lost connection the checkpoint is restored (`rollback running-config
// checkpoint`), reconnecting first if need be. Weaker than a session: a
// netalign killed mid-apply leaves the lines it sent live (and its
// checkpoint, which the next apply removes), and a rollback restores the
// whole configuration of the checkpoint, undoing changes others made
// meanwhile. The check for concurrent changes runs before any line is
// sent.
func (d *Driver) checkpointApply(ctx context.Context, s *clisession.Session, res *switchdrivers.ApplyResult) error {
	d.log.Warn("no configuration sessions on this device: applying between a checkpoint and its rollback instead; a netalign killed mid-apply can leave lines live")
	res.Diff = "!netalign: " + fallbackNote + "\n"
	cp := clisession.NewName(namePrefix)
	notApplied := func(err error) error {
		return &switchdrivers.RollbackError{Device: d.cfg.Name, Err: fmt.Errorf("%s: %w", fallbackNote, err), RolledBack: true}
	}
	outs, refused, err := s.ExecAll(ctx, []string{CmdShowCheckpointSummary, "checkpoint " + cp, CmdShowRunningConfig})
	if err == nil {
		err = refused[1]
	}
	if err != nil {
		return notApplied(fmt.Errorf("checkpoint: %w", err))
	}
	left := leftovers("", outs[0], cp)
	if refused[2] == nil && d.observed != "" && RunningDigest(outs[2]) != d.observed {
		if _, _, err := d.finish(ctx, s, []string{"no checkpoint " + cp}, left, false, res); err != nil {
			d.log.Warn("checkpoint left on the device until the next apply", "checkpoint", cp, "error", err)
		}
		return notApplied(cause.New(cause.ConcurrentChange,
			"the running configuration changed since it was observed (by someone else?); nothing was applied: observe and plan again"))
	}
	// Line by line, not in one write: NX-OS applies each line as it
	// arrives, so when the connection fails the lines still in flight
	// could land after the rollback. One line at a time bounds that to the
	// line being executed, which completes before a new connection can
	// roll back.
	d.observed = ""
	block := append(append([]string{"configure terminal"}, res.Lines...), "end")
	sent, err := s.SendLines(ctx, block)
	if err != nil {
		inConfig := len(sent) > 1
		return d.rollback(ctx, s, cp, inConfig, fmt.Errorf("%s: %w", fallbackNote, err))
	}
	// The block's end left configuration mode.
	s.AssumeExec()
	d.log.Info("configuration applied", "checkpoint", cp, "lines", len(res.Lines))
	outs, refused, err = d.finish(ctx, s, []string{"show diff rollback-patch checkpoint " + cp + " running-config", "no checkpoint " + cp}, left, d.cfg.Save, res)
	var se *switchdrivers.SaveError
	switch {
	case errors.As(err, &se):
		return err
	case err != nil:
		// Applied; what failed is bookkeeping, which the next apply
		// finishes.
		d.log.Warn("checkpoint left on the device until the next apply", "checkpoint", cp, "error", err)
		return nil
	}
	if refused[0] == nil {
		res.Diff += outs[0]
	} else {
		d.log.Debug("no rollback-patch diff", "error", refused[0])
	}
	if refused[1] != nil {
		d.log.Warn("checkpoint left on the device until the next apply", "checkpoint", cp, "error", refused[1])
	}
	return nil
}

// dropCheckpoint removes checkpoint cp, which nothing was applied after.
func (d *Driver) dropCheckpoint(ctx context.Context, s *clisession.Session, cp string) {
	if _, err := s.Exec(ctx, "no checkpoint "+cp); err != nil {
		d.log.Warn("checkpoint left on the device until the next apply", "checkpoint", cp, "error", err)
	}
}

// rollback restores checkpoint cp after why. inConfig says the CLI is in
// configuration mode (a line was refused after `configure terminal`). A
// broken session is replaced by a new connection: NX-OS keeps checkpoints
// across sessions.
func (d *Driver) rollback(ctx context.Context, s *clisession.Session, cp string, inConfig bool, why error) error {
	re := &switchdrivers.RollbackError{Device: d.cfg.Name, Err: why}
	if ctx.Err() != nil {
		// The caller gave up; roll back on a fresh, bounded context so
		// that the device is not left half configured.
		timeout := d.cfg.Timeout
		if timeout <= 0 {
			timeout = switchdrivers.DefaultTimeout
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
	}
	if s.Broken() {
		ns, err := d.conn.Session(ctx)
		if err != nil {
			re.RollbackErr = fmt.Errorf("reconnect to roll back to checkpoint %s: %w", cp, err)
			return re
		}
		s = ns
	} else if inConfig {
		if _, err := s.Send(ctx, "end"); err != nil {
			ns, err := d.conn.Session(ctx)
			if err != nil {
				re.RollbackErr = fmt.Errorf("reconnect to roll back to checkpoint %s: %w", cp, err)
				return re
			}
			s = ns
		}
	}
	if _, err := s.Exec(ctx, "rollback running-config checkpoint "+cp); err != nil {
		re.RollbackErr = fmt.Errorf("rollback to checkpoint %s: %w", cp, err)
		d.log.Error("rollback failed: the device may be partly configured", "checkpoint", cp, "error", err)
		return re
	}
	re.RolledBack = true
	d.log.Warn("configuration rolled back", "checkpoint", cp, "error", why)
	d.dropCheckpoint(ctx, s, cp)
	return re
}
