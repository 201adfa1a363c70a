package nxos

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
)

// Platform is the inventory platform name this package serves.
const Platform = "nxos"

const scrapliPlatform = "cisco_nxos"

// Register adds the NX-OS driver over SSH to r.
func Register(r *switchdrivers.Registry) {
	r.Register(Platform, "ssh", Open)
}

// Driver is an NX-OS switch reached over SSH.
type Driver struct {
	cfg  switchdrivers.Config
	log  *slog.Logger
	conn *clisession.Conn
}

// Open connects to the switch cfg describes. NX-OS also reports a refused
// line as "ERROR: ...".
func Open(ctx context.Context, cfg switchdrivers.Config, log *slog.Logger) (switchdrivers.Driver, error) {
	c, err := clisession.Dial(ctx, cfg, log, Platform, scrapliPlatform, clisession.ErrorPrefix, "ERROR:")
	if err != nil {
		return nil, err
	}
	return &Driver{cfg: cfg, log: c.Log(), conn: c}, nil
}

// Observe reads the switch with a fixed set of commands: VLANs, interfaces,
// port-channels with member flags, switchport settings, LLDP neighbours and
// the interfaces' running configuration.
func (d *Driver) Observe(ctx context.Context) (*intent.SwitchState, error) {
	return d.conn.Observe(ctx, d.observe)
}

func (d *Driver) observe(ctx context.Context, s *clisession.Session) (*intent.SwitchState, error) {
	cmds := []string{CmdShowVLANBrief, CmdShowInterface, CmdShowPortChannel, CmdShowSwitchport, CmdShowLLDPDetail, CmdShowRunningConfig}
	res, refused, err := s.ExecAll(ctx, cmds)
	if err != nil {
		return nil, err
	}
	outs := map[string]string{}
	for i, cmd := range cmds {
		var ce *switchdrivers.CommandError
		if cmd == CmdShowLLDPDetail && errors.As(refused[i], &ce) {
			// `feature lldp` is off: the state has no neighbours, and
			// validate reports the cabling as unverifiable.
			d.log.Warn("LLDP unavailable", "output", ce.Output)
			continue
		}
		if refused[i] != nil {
			return nil, refused[i]
		}
		outs[cmd] = res[i]
	}
	return BuildState(d.cfg.Name, Outputs{
		VLANBrief:         []byte(outs[CmdShowVLANBrief]),
		Interface:         []byte(outs[CmdShowInterface]),
		PortChannel:       jsonOrEmpty(outs[CmdShowPortChannel]),
		Switchport:        outs[CmdShowSwitchport],
		LLDPDetail:        outs[CmdShowLLDPDetail],
		RunningInterfaces: outs[CmdShowRunningConfig],
	})
}

// jsonOrEmpty: NX-OS prints nothing at all for `show port-channel summary |
// json` when no port-channel exists.
func jsonOrEmpty(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// Apply pushes changes as one transaction:
//
//	checkpoint netalign-<random>
//	configure terminal / <rendered lines, each checked> / end
//	show diff rollback-patch checkpoint netalign-<random> running-config
//	copy running-config startup-config   (when Config.Save)
//	no checkpoint netalign-<random>
//
// NX-OS applies configuration lines as they arrive, so on any refused line
// or lost connection the driver restores the checkpoint (`rollback
// running-config checkpoint`), reconnecting first if it must; the error is
// then a *switchdrivers.RollbackError saying whether the rollback worked. An
// empty change list sends nothing.
func (d *Driver) Apply(ctx context.Context, changes []intent.SwitchChange) (*switchdrivers.ApplyResult, error) {
	return d.conn.Apply(ctx, changes, Render, d.checkpointApply)
}

// checkpointApply pushes res.Lines over s between a checkpoint and, on
// failure, its rollback.
func (d *Driver) checkpointApply(ctx context.Context, s *clisession.Session, res *switchdrivers.ApplyResult) error {
	lines := res.Lines
	cp := clisession.NewName("netalign")
	if _, err := s.Exec(ctx, "checkpoint "+cp); err != nil {
		return &switchdrivers.RollbackError{Device: d.cfg.Name, Err: fmt.Errorf("checkpoint: %w", err), RolledBack: true}
	}
	// Line by line, not in one write as on EOS: NX-OS applies each line as
	// it arrives, so when the connection fails the lines still in flight
	// could land after the rollback. One line at a time bounds that to the
	// line being executed, which completes before a new connection can
	// roll back. (NX-OS's Session Manager, which would stage a block and
	// commit it at once, supports only ACLs.)
	block := append(append([]string{"configure terminal"}, lines...), "end")
	outs, err := s.SendLines(ctx, block)
	if err != nil {
		inConfig := len(outs) > 1
		return d.rollback(ctx, s, cp, inConfig, err)
	}
	// The block's end left configuration mode.
	s.AssumeExec()
	if diff, err := s.Exec(ctx, "show diff rollback-patch checkpoint "+cp+" running-config"); err == nil {
		res.Diff = diff
	} else {
		d.log.Debug("no rollback-patch diff", "error", err)
	}
	d.log.Info("configuration applied", "checkpoint", cp, "lines", len(lines))
	var saveErr error
	if d.cfg.Save {
		if _, err := s.Exec(ctx, "copy running-config startup-config"); err != nil {
			saveErr = &switchdrivers.SaveError{Device: d.cfg.Name, Err: err}
		} else {
			res.Saved = true
		}
	}
	if _, err := s.Exec(ctx, "no checkpoint "+cp); err != nil {
		d.log.Warn("checkpoint left on the device", "checkpoint", cp, "error", err)
	}
	return saveErr
}

// rollback restores checkpoint cp after cause. inConfig says the CLI is in
// configuration mode (a line was refused after `configure terminal`). A
// broken session is replaced by a new connection: NX-OS keeps checkpoints
// across sessions.
func (d *Driver) rollback(ctx context.Context, s *clisession.Session, cp string, inConfig bool, cause error) error {
	re := &switchdrivers.RollbackError{Device: d.cfg.Name, Err: cause}
	if ctx.Err() != nil {
		// The caller gave up; roll back on a fresh, bounded context so
		// that the device is not left half configured.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), d.cfg.Timeout)
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
	d.log.Warn("configuration rolled back", "checkpoint", cp, "error", cause)
	if _, err := s.Exec(ctx, "no checkpoint "+cp); err != nil {
		d.log.Warn("checkpoint left on the device", "checkpoint", cp, "error", err)
	}
	return re
}

// Close ends the SSH session.
func (d *Driver) Close() error { return d.conn.Close() }
