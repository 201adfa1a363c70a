package nxos

import (
	"context"
	"errors"
	"log/slog"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
)

// Platform is the inventory platform name this package serves.
const Platform = "nxos"

const scrapliPlatform = "cisco_nxos"

// Register adds the NX-OS driver over SSH to r.
func Register(r *switchdrivers.Registry) error {
	return r.Register(Platform, "ssh", Open, switchdrivers.Rules{Port: dialect.CheckPort})
}

// Driver is an NX-OS switch reached over SSH.
type Driver struct {
	cfg  switchdrivers.Config
	log  *slog.Logger
	conn *clisession.Conn
	// observed is the RunningDigest of the running configuration the last
	// Observe read, "" when none is to be checked; guarded by conn's lock.
	observed string
	// noSessions is set once the device refused `configure session` as
	// an unknown command; guarded by conn's lock.
	noSessions bool
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

// Observe reads the switch with a fixed set of commands in one write: VLANs,
// interfaces, port-channels with member flags, switchport settings, LLDP
// neighbours, the vPC peering and the interfaces' running configuration.
// It remembers a digest of the running configuration: the next Apply
// commits only if the device still has it.
func (d *Driver) Observe(ctx context.Context) (*intent.SwitchState, error) {
	return d.conn.Observe(ctx, d.observe)
}

func (d *Driver) observe(ctx context.Context, s *clisession.Session) (*intent.SwitchState, error) {
	d.observed = ""
	cmds := []string{CmdShowVLANBrief, CmdShowInterface, CmdShowPortChannel, CmdShowSwitchport, CmdShowLLDPDetail, CmdShowVPC, CmdShowRunningConfig}
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
		if cmd == CmdShowVPC && errors.As(refused[i], &ce) {
			// No `feature vpc`: the switch is in no vPC pair, and
			// the state has no vPC peering.
			d.log.Debug("vPC unavailable", "output", ce.Output)
			continue
		}
		if refused[i] != nil {
			return nil, refused[i]
		}
		outs[cmd] = res[i]
	}
	st, err := BuildState(d.cfg.Name, Outputs{
		VLANBrief:         []byte(outs[CmdShowVLANBrief]),
		Interface:         []byte(outs[CmdShowInterface]),
		PortChannel:       jsonOrEmpty(outs[CmdShowPortChannel]),
		Switchport:        outs[CmdShowSwitchport],
		LLDPDetail:        outs[CmdShowLLDPDetail],
		RunningInterfaces: outs[CmdShowRunningConfig],
	})
	if err != nil {
		return nil, err
	}
	if st.MLAG, err = ObserveVPC([]byte(outs[CmdShowVPC])); err != nil {
		return nil, err
	}
	d.observed = RunningDigest(outs[CmdShowRunningConfig])
	return st, nil
}

// jsonOrEmpty: NX-OS prints nothing at all for `show port-channel summary |
// json` when no port-channel exists.
func jsonOrEmpty(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// Apply pushes changes as one transaction. Where the device has
// configuration sessions (Session Manager: Nexus 9000, 7000, 3000):
//
//	configure session netalign-<8 hex digits>     }
//	<rendered lines, each checked>                } one write: staged,
//	show configuration session netalign-<…>       } nothing live yet
//	verify                                        }
//	show running-config      (after an Observe)   }
//	show configuration session summary            }
//	show checkpoint summary                       }
//	commit                                          all or nothing
//	no configure session / no checkpoint <leftover>...  } one write, when
//	copy running-config startup-config (Config.Save)    } there is either
//
// Three round trips however many lines. The two summaries list what
// earlier applies left — sessions and checkpoints named as netalign names
// them, nothing else — which is removed after the commit (or the abort)
// and listed in ApplyResult.Cleaned; when NX-OS refuses to open a session
// because its limit is reached, leftovers are removed first and the
// session opened again. A refused line, a failed verify or commit, or a
// running configuration that differs from the one the last Observe read
// (CONCURRENT_CHANGE: someone else changed the device) aborts the session:
// nothing was applied and nothing of anyone else's is undone. A lost
// connection or a killed netalign before the commit leaves a pending
// session and nothing live, which the next apply removes. The check for
// concurrent changes needs an Observe on this driver before the Apply (an
// Apply without one skips it); one Observe covers the Apply after it, and
// a failed check holds until the device is observed again.
//
// Where the device does not know `configure session` (no Session Manager),
// Apply falls back to a checkpoint and its rollback (see checkpointApply)
// for this and every later apply of the driver, and says so in a warning,
// in ApplyResult.Diff and in its errors. Failures are
// *switchdrivers.RollbackError saying whether the device is as it was. An
// empty change list sends nothing.
func (d *Driver) Apply(ctx context.Context, changes []intent.SwitchChange) (*switchdrivers.ApplyResult, error) {
	return d.conn.Apply(ctx, changes, Render, d.transaction)
}

// transaction pushes res.Lines in a configuration session, or between a
// checkpoint and its rollback where the device has no sessions.
func (d *Driver) transaction(ctx context.Context, s *clisession.Session, res *switchdrivers.ApplyResult) error {
	if d.noSessions {
		return d.checkpointApply(ctx, s, res)
	}
	return d.sessionApply(ctx, s, res, true)
}

// Close ends the SSH session.
func (d *Driver) Close() error { return d.conn.Close() }
