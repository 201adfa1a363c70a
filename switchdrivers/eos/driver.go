package eos

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
)

// Platform is the inventory platform name this package serves.
const Platform = "eos"

// scrapliPlatform is scrapligo's platform definition for EOS.
const scrapliPlatform = "arista_eos"

// Register adds the EOS driver over SSH to r.
func Register(r *switchdrivers.Registry) error {
	return r.Register(Platform, "ssh", Open, switchdrivers.Rules{Port: dialect.CheckPort})
}

// Driver is an EOS switch reached over SSH. It implements
// switchdrivers.Confirmer when Config.ConfirmTimeout is set.
type Driver struct {
	cfg  switchdrivers.Config
	log  *slog.Logger
	conn *clisession.Conn

	// observed is the RunningDigest of the running configuration the last
	// Observe read; "" when there is nothing to hold an apply to (no
	// Observe yet, or a commit since). Guarded by conn's lock.
	observed string

	mu sync.Mutex
	// pending is the configuration session whose commit reverts unless
	// confirmed ("" none), and pendingAt when it reverts.
	pending   string
	pendingAt time.Time
}

var _ switchdrivers.Confirmer = (*Driver)(nil)

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
// state, MLAG ids, LLDP neighbours, the MLAG peering, the interfaces'
// running configuration (channel-group modes, LACP timer, min-links) and
// the configuration sessions, all in one write: one round trip whatever the
// number of ports.
//
// It keeps a digest of the running configuration, which the next Apply
// compares before committing (see Apply). A commit of another netalign run
// that is live but not confirmed (its process died, or it is still checking
// its work) makes the observation transient: that is CONCURRENT_CHANGE
// until the commit is confirmed or reverts by itself.
func (d *Driver) Observe(ctx context.Context) (*intent.SwitchState, error) {
	return d.conn.Observe(ctx, d.observe)
}

func (d *Driver) observe(ctx context.Context, s *clisession.Session) (*intent.SwitchState, error) {
	d.observed = ""
	var o Outputs
	var sessions, mlag []byte
	cmds := []struct {
		cmd      string
		raw      *[]byte
		optional bool
	}{
		// First: a commit timer of another run that expires while the
		// rest is read would mix the configuration before and after its
		// revert; read before, a pending timer makes the observation
		// CONCURRENT_CHANGE, and a revert done before reads consistently.
		{CmdShowSessions, &sessions, true},
		{CmdShowVLAN, &o.VLAN, false},
		{CmdShowInterfaces, &o.Interfaces, false},
		{CmdShowSwitchport, &o.Switchport, false},
		{CmdShowLACPNeighbor, &o.LACPNeighbor, false},
		// The MLAG id is also in the running-config; a switch without the
		// MLAG agent refuses the command.
		{CmdShowMLAGInterface, &o.MLAGInterfaces, true},
		{CmdShowLLDPDetail, &o.LLDPDetail, false},
		{CmdShowMLAG, &mlag, true},
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
	st, err := BuildState(d.cfg.Name, o)
	if err != nil {
		return nil, err
	}
	if st.MLAG, err = ObserveMLAG(mlag); err != nil {
		return nil, err
	}
	own, _ := d.pendingCommit()
	if left := d.leftovers(sessions, own); len(left.Timed) > 0 {
		return nil, cause.New(cause.ConcurrentChange, "an unconfirmed netalign commit (configuration session %s) is live: it reverts by itself when its commit timer expires unless its run confirms it; observe again after that",
			strings.Join(left.Timed, ", "))
	}
	d.observed = RunningDigest(o.RunningInterfaces)
	return st, nil
}

// leftovers reads raw, the output of CmdShowSessions, for netalign's
// sessions other than skip. Output that cannot be read (nil: not asked, or
// refused) leaves nothing to remove: removing leftovers is housekeeping,
// the transaction's safety does not depend on it.
func (d *Driver) leftovers(raw []byte, skip string) Leftovers {
	if len(raw) == 0 {
		return Leftovers{}
	}
	ss, err := ParseSessions(raw)
	if err != nil {
		d.log.Warn("configuration sessions not read; leftovers of earlier runs stay", "error", err)
		return Leftovers{}
	}
	return ss.Leftovers(skip)
}

// Apply pushes changes in one EOS configuration session (see
// commitSession for the commands and the round trips):
//
//   - Leftovers first: netalign sessions that earlier runs left pending (a
//     lost connection, a killed process) are listed in the write that
//     stages this apply's session and removed (`no configure session
//     NAME`), before EOS's limit of pending sessions is reached — and when
//     it is, removed and the session opened again. They are named in
//     ApplyResult.Cleaned. Sessions not named netalign-<8 hex digits> are
//     never touched, nor is a netalign commit waiting for its timer (its
//     run may still confirm it; EOS commits nothing else meanwhile, so the
//     apply fails with CONCURRENT_CHANGE until it is confirmed or reverts).
//   - Concurrent changes: after an Observe on this driver, the running
//     configuration is read again in the write that stages the session;
//     when it differs from what Observe read, the session is aborted and the
//     apply fails with CONCURRENT_CHANGE, nothing applied. Without an Observe
//     (or after a commit since the last one) there is nothing to compare
//     with and the check is skipped. A change in the one round trip
//     between that read and the commit is not seen: EOS's commit
//     overwrites it.
//   - With Config.ConfirmTimeout the commit is `commit timer hh:mm:ss`: it
//     takes effect at once and the switch reverts it by itself unless
//     Confirm is called in time (Pending says until when); the copy to
//     startup-config waits for Confirm.
//
// On any refused line, a refused commit or a cancelled context before the
// commit, the session is aborted (or, with the connection gone, never
// committed and removed by the next apply), so running-config is untouched;
// the error is then a *switchdrivers.RollbackError. An empty change list
// sends nothing.
func (d *Driver) Apply(ctx context.Context, changes []intent.SwitchChange) (*switchdrivers.ApplyResult, error) {
	return d.conn.Apply(ctx, changes, Render, d.commitSession)
}

// Pending reports whether the last Apply committed with a timer that was
// not confirmed yet, and when the switch reverts that commit.
func (d *Driver) Pending() (bool, time.Time) {
	name, at := d.pendingCommit()
	return name != "", at
}

func (d *Driver) pendingCommit() (string, time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pending, d.pendingAt
}

func (d *Driver) setPending(name string, at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending, d.pendingAt = name, at
}

// Confirm makes the last Apply's timed commit permanent:
//
//	show configuration sessions | json   } one write
//	configure session NAME commit        }
//	copy running-config startup-config     (when Config.Save)
//
// The listing in the confirmation's write tells a confirmed commit from a
// session that had already reverted (its timer expired, or someone aborted
// it): that is an error, TIMEOUT or CONCURRENT_CHANGE, and nothing is
// saved. The copy to startup-config is sent only once the confirmation was
// accepted, so an unconfirmed commit never reaches startup-config; its
// failure is a *switchdrivers.SaveError. Without a pending commit Confirm
// does nothing.
func (d *Driver) Confirm(ctx context.Context) error {
	name, at := d.pendingCommit()
	if name == "" {
		return nil
	}
	lines := []string{"configure session " + name + " commit"}
	if d.cfg.Save {
		lines = append(lines, cmdSave)
	}
	_, err := d.conn.Apply(ctx, nil,
		func([]intent.SwitchChange) ([]string, error) { return lines, nil },
		func(ctx context.Context, s *clisession.Session, _ *switchdrivers.ApplyResult) error {
			return d.confirm(ctx, s, name, at)
		})
	return err
}

// Close ends the SSH session. A commit still pending confirmation reverts
// by itself when its timer expires.
func (d *Driver) Close() error { return d.conn.Close() }
