package eos

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
)

// Platform is the inventory platform name this package serves.
const Platform = "eos"

// scrapliPlatform is scrapligo's platform definition for EOS.
const scrapliPlatform = "arista_eos"

// Register adds the EOS driver over SSH to r.
func Register(r *switchdrivers.Registry) {
	r.Register(Platform, "ssh", Open)
}

// Driver is an EOS switch reached over SSH.
type Driver struct {
	cfg  switchdrivers.Config
	log  *slog.Logger
	conn *clisession.Conn
	// stale are configuration sessions left pending by a lost connection;
	// guarded by conn's lock.
	stale []string
}

// Open connects to the switch cfg describes (see clisession.Open for
// authentication and host key verification).
func Open(ctx context.Context, cfg switchdrivers.Config, log *slog.Logger) (switchdrivers.Driver, error) {
	c, err := clisession.Dial(ctx, cfg, log, Platform, scrapliPlatform, clisession.ErrorPrefix)
	if err != nil {
		return nil, err
	}
	return &Driver{cfg: cfg, log: c.Log(), conn: c}, nil
}

// Observe reads the switch with one command each for VLANs, interfaces
// (MTU, link, description, LAG membership), switchport settings, LACP member
// state, MLAG ids, LLDP neighbours and the interfaces' running
// configuration (channel-group modes, LACP timer, min-links): a constant
// number of round trips whatever the number of ports.
func (d *Driver) Observe(ctx context.Context) (*intent.SwitchState, error) {
	return d.conn.Observe(ctx, d.observe)
}

func (d *Driver) observe(ctx context.Context, s *clisession.Session) (*intent.SwitchState, error) {
	var o Outputs
	cmds := []struct {
		cmd      string
		raw      *[]byte
		optional bool
	}{
		{CmdShowVLAN, &o.VLAN, false},
		{CmdShowInterfaces, &o.Interfaces, false},
		{CmdShowSwitchport, &o.Switchport, false},
		{CmdShowLACPNeighbor, &o.LACPNeighbor, false},
		// The MLAG id is also in the running-config; a switch without the
		// MLAG agent refuses the command.
		{CmdShowMLAGInterface, &o.MLAGInterfaces, true},
		{CmdShowLLDPDetail, &o.LLDPDetail, false},
		{CmdShowRunningConfig, nil, false},
	}
	lines := make([]string, len(cmds))
	for i, c := range cmds {
		lines[i] = c.cmd
	}
	outs, refused, err := s.ExecAll(ctx, lines)
	if err != nil {
		return nil, err
	}
	for i, c := range cmds {
		var ce *switchdrivers.CommandError
		if c.optional && errors.As(refused[i], &ce) {
			d.log.Debug("optional show command refused", "command", c.cmd, "output", ce.Output)
			continue
		}
		if refused[i] != nil {
			return nil, refused[i]
		}
		if c.raw == nil {
			o.RunningInterfaces = outs[i]
			continue
		}
		*c.raw = []byte(outs[i])
	}
	return BuildState(d.cfg.Name, o)
}

// Apply pushes changes in one EOS configuration session:
//
//	configure session netalign-<random>
//	<rendered lines, each checked for a "% " error>  } one write,
//	show session-config diffs (kept in ApplyResult.Diff) } one round trip
//	commit
//	copy running-config startup-config   (when Config.Save)
//
// On any refused line, a refused commit or a cancelled context before the
// commit, the session is aborted (or, with the connection gone, never
// committed), so running-config is untouched; the error is then a
// *switchdrivers.RollbackError. An empty change list sends nothing.
func (d *Driver) Apply(ctx context.Context, changes []intent.SwitchChange) (*switchdrivers.ApplyResult, error) {
	return d.conn.Apply(ctx, changes, Render, d.commitSession)
}

// commitSession pushes res.Lines in one configuration session over s.
func (d *Driver) commitSession(ctx context.Context, s *clisession.Session, res *switchdrivers.ApplyResult) error {
	lines := res.Lines
	d.dropStaleSessions(ctx, s)

	name := clisession.NewName("netalign")
	open := "configure session " + name
	block := append(append([]string{}, lines...), "show session-config diffs")
	if s.AtExec() {
		// The session is opened in the same write as the lines: when EOS
		// refuses to open it, the lines that follow land in exec mode,
		// where every configuration line is refused.
		block = append([]string{open}, block...)
	} else if _, err := s.Exec(ctx, open); err != nil {
		return d.notOpened(err)
	}
	d.log.Debug("configuration session open", "session", name, "lines", len(lines))
	// All lines and the diff in one write: one round trip whatever the
	// number of ports, each line's reply still checked.
	outs, err := s.SendBatch(ctx, block)
	var ce *switchdrivers.CommandError
	if errors.As(err, &ce) && ce.Command == open {
		s.AssumeExec()
		return d.notOpened(err)
	}
	if err != nil {
		return d.abort(ctx, s, name, err)
	}
	res.Diff = outs[len(outs)-1]
	if _, err := s.Send(ctx, "commit"); err != nil {
		if errors.As(err, &ce) || !s.Broken() {
			// The device refused the commit and said so, or the
			// context ended before it was sent: the session is still
			// pending and running-config untouched.
			return d.abort(ctx, s, name, err)
		}
		// The commit was sent and its outcome never came back.
		return &switchdrivers.RollbackError{Device: d.cfg.Name, Err: fmt.Errorf("commit: %w", err),
			RollbackErr: errors.New("the connection failed during commit; the outcome is unknown, observe the device")}
	}
	// commit ends the session in privileged exec mode.
	s.AssumeExec()
	d.log.Info("configuration committed", "session", name, "lines", len(lines))
	if d.cfg.Save {
		if _, err := s.Exec(ctx, "copy running-config startup-config"); err != nil {
			return &switchdrivers.SaveError{Device: d.cfg.Name, Err: err}
		}
		res.Saved = true
	}
	return nil
}

// notOpened is the result of a configuration session EOS would not open:
// nothing was staged, the device is as it was.
func (d *Driver) notOpened(err error) error {
	return &switchdrivers.RollbackError{Device: d.cfg.Name, Err: fmt.Errorf("open configuration session: %w", err), RolledBack: true}
}

// abort discards the pending session after cause. Nothing was committed,
// so running-config is untouched whatever happens here: the result is
// always rolled back. A session that cannot be aborted now (connection
// gone, abort refused) is removed on the next apply, so sessions never pile
// up to EOS's limit of pending sessions.
func (d *Driver) abort(ctx context.Context, s *clisession.Session, name string, cause error) error {
	re := &switchdrivers.RollbackError{Device: d.cfg.Name, Err: cause, RolledBack: true}
	if s.Broken() || ctx.Err() != nil {
		d.stale = append(d.stale, name)
		d.log.Warn("configuration session not committed: connection lost", "session", name, "error", cause)
		return re
	}
	if _, err := s.Send(ctx, "abort"); err != nil {
		d.stale = append(d.stale, name)
		d.log.Warn("configuration session not committed; abort failed", "session", name, "error", err)
		// The CLI is in an unknown mode: start afresh next time.
		s.Abandon()
		return re
	}
	// abort ends the session in privileged exec mode.
	s.AssumeExec()
	d.log.Warn("configuration session aborted", "session", name, "error", strings.TrimSpace(cause.Error()))
	return re
}

// dropStaleSessions removes sessions a lost connection left pending, so
// they never pile up to EOS's limit of pending sessions. Failures are only
// logged: a session that is gone already is what was wanted.
func (d *Driver) dropStaleSessions(ctx context.Context, s *clisession.Session) {
	for _, name := range d.stale {
		if _, err := s.Exec(ctx, "no configure session "+name); err != nil {
			d.log.Debug("stale configuration session not removed", "session", name, "error", err)
		}
	}
	d.stale = nil
}

// Close ends the SSH session.
func (d *Driver) Close() error { return d.conn.Close() }
