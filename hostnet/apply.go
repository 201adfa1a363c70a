package hostnet

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/netalign/netalign/internal/intent"
)

// DefaultCheckTimeout is how long Apply waits for its connectivity target
// before restoring the checkpoint (nmstate's default).
const DefaultCheckTimeout = 60 * time.Second

// DefaultLACPWait is how long Apply waits, after changing an 802.3ad bond,
// for LACP to bundle its slaves with the switch. LACP starts with fast
// PDUs whatever the rate, so partners bundle within a few seconds (2-3 s
// between two Linux bonds); a bond that faces no LACP partner never does,
// and costs the whole wait.
const DefaultLACPWait = 10 * time.Second

// Errors callers branch on.
var (
	// ErrProtected: a change would modify or delete an existing mgmt-br,
	// mgmt-bo or management VLAN device without ApplyOptions.AllowMgmt.
	ErrProtected = errors.New("management device is protected")
	// ErrNICMissing: a NIC to enslave does not exist.
	ErrNICMissing = errors.New("nic not present")
	// ErrNICEnslaved: a NIC to enslave already belongs to another master.
	ErrNICEnslaved = errors.New("nic enslaved elsewhere")
	// ErrKindConflict: a link has the name of a bond, bridge or VLAN device
	// but is another kind of link.
	ErrKindConflict = errors.New("link exists with another kind")
	// ErrConnectivityLost: the check target stayed unreachable after the
	// changes; the host was restored to its checkpoint.
	ErrConnectivityLost = errors.New("connectivity lost")
	// ErrWatchdogFired: the rollback watchdog's deadline passed before
	// Apply confirmed its changes (Apply was stopped or hung); the
	// watchdog restored the checkpoint and Apply made no write after it.
	ErrWatchdogFired = errors.New("rollback watchdog restored the host at its deadline")
	// ErrPendingCheckpoint: an earlier apply left a host checkpoint that
	// no live netalign or watchdog holds (both were killed); the host may
	// be half-changed, and Apply refuses to take it as its checkpoint.
	ErrPendingCheckpoint = errors.New("host checkpoint of an earlier apply pending")
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// AllowMgmt lets Apply modify or delete an existing mgmt-br, mgmt-bo or
	// management VLAN device.
	AllowMgmt bool
	// CheckTarget is the address that must answer ICMP echo after the
	// changes; empty means the default gateway as it was before the apply.
	CheckTarget string
	// CheckTimeout bounds the connectivity check (default 60 s).
	CheckTimeout time.Duration
	// NoCheck skips the connectivity check (and so the rollback).
	NoCheck bool
	// LACPWait bounds the wait for the 802.3ad bonds Apply changed to
	// bundle their slaves, so that what is validated after the apply is
	// LACP's outcome, not its start (default DefaultLACPWait; negative: do
	// not wait). A bond that does not bundle is not an error: Apply
	// returns it in ApplyResult.LACPUnbundled and validate reports its
	// members.
	LACPWait time.Duration
	// Watchdog, when set, arms a rollback watchdog process before the first
	// netlink write: the checkpoint goes to a file and a separate process
	// restores it if this process dies or stops before the connectivity
	// check passed (see Watchdog). nil: the restore runs in this process
	// only, and a killed caller leaves the host as far as it got.
	Watchdog *Watchdog
	// HoldAfterWrite and HoldFor are a test hook: Apply pauses for HoldFor
	// after its HoldAfterWrite-th netlink write (1 is the first), so that a
	// test can kill or signal the process in the middle of a transaction.
	// netalign sets them from NETALIGN_TEST_HOLD_AFTER_WRITE=N:DURATION
	// only; nothing else should.
	HoldAfterWrite int
	HoldFor        time.Duration
}

// DefaultWatchdogDir is where Apply writes host checkpoints for the
// rollback watchdog: a tmpfs (checkpoints never outlive a reboot, which
// resets the links anyway) that only root writes.
const DefaultWatchdogDir = "/run/netalign"

// WatchdogGrace is how long after the connectivity check would have ended
// the watchdog restores the checkpoint of an Apply that is still alive but
// neither confirmed nor rolled back (stopped or hung): time enough for the
// writes before the check and for Apply's own verdict.
const WatchdogGrace = 15 * time.Second

// Watchdog configures the rollback watchdog of ApplyOptions.Watchdog.
//
// Before the first write Apply writes its checkpoint (links, bridge VLANs,
// routes, the links the changes create, the deadline) to a file in Dir
// (0600) and starts Command with "--checkpoint FILE" appended, in a new
// session (setsid: no controlling terminal, so neither the operator's
// hangup nor a kill of netalign's process group reaches it) and, where
// systemd runs, in its own transient scope (systemd-run --scope), so that
// stopping the unit or session netalign runs in does not kill it either.
// The watchdog (RunWatchdog) holds the file and a pipe from Apply: it
// restores the checkpoint when the pipe closes without a "disarm" (Apply's
// process died), when Apply asks it to (a failed change or check), or at
// the deadline (Apply is stopped or hung). Apply disarms it once the check
// passed. Whoever acts first claims the file by an atomic rename or
// removal, so the host is restored at most once and never by two
// processes at a time.
type Watchdog struct {
	// Command is the program and leading arguments of the watchdog,
	// normally the netalign binary's hidden command: {"/usr/bin/netalign",
	// "host", "rollback-watchdog"}.
	Command []string
	// Dir holds the checkpoint files (default DefaultWatchdogDir).
	Dir string
	// Stderr receives the watchdog's log; nil discards it. It is a file
	// the watchdog writes itself, so the log does not depend on this
	// process staying alive to copy it. A restore is also recorded in the
	// kernel log (/dev/kmsg), where it is found after the operator's
	// session is gone.
	Stderr *os.File
	// NoSystemd starts the watchdog in a new session only, even where
	// systemd runs.
	NoSystemd bool
}

// ApplyResult says what Apply did.
type ApplyResult struct {
	// Applied are the changes that were carried out, in order.
	Applied []intent.HostChange `json:"applied"`
	// Writes is the number of netlink write calls the changes needed; zero
	// means the host already matched.
	Writes int `json:"writes"`
	// Checkpoint is the host as observed before the first write.
	Checkpoint *intent.HostState `json:"checkpoint,omitempty"`
	// CheckTarget is the address the connectivity check pinged ("" when it
	// did not run); CheckSkipped says why it did not.
	CheckTarget  string        `json:"checkTarget,omitempty"`
	CheckSkipped string        `json:"checkSkipped,omitempty"`
	CheckTook    time.Duration `json:"checkTook,omitempty"`
	// RolledBack is set when the host was restored to the checkpoint, after
	// a failed change or a failed connectivity check; RollbackWrites counts
	// the netlink writes the restore needed and RollbackErr is set when the
	// restore itself failed.
	RolledBack     bool   `json:"rolledBack,omitempty"`
	RollbackWrites int    `json:"rollbackWrites,omitempty"`
	RollbackErr    string `json:"rollbackError,omitempty"`
	// RollbackBy says which process restored the host: "netalign" (this
	// one) or "watchdog" (ApplyOptions.Watchdog).
	RollbackBy string `json:"rollbackBy,omitempty"`
	// LACPTook is how long Apply waited for the 802.3ad bonds it changed
	// to bundle; LACPUnbundled are those that had not when the wait ended.
	LACPTook      time.Duration `json:"lacpTook,omitempty"`
	LACPUnbundled []string      `json:"lacpUnbundled,omitempty"`
}

// lacpCandidates are the bonds an applied change created, changed or gave
// a new slave: the ones whose LACP restarts.
func lacpCandidates(applied []intent.HostChange) []string {
	var out []string
	for _, c := range applied {
		name := ""
		switch {
		case c.Object == intent.ObjBond && c.Action != intent.Delete:
			name = c.Name
		case c.Object == intent.ObjBondSlave && c.Action != intent.Delete:
			name = c.Master
		}
		if name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// unbundled returns those of bonds that are 802.3ad with a slave that LACP
// has not bundled: outside the active aggregator, or not in sync with a
// partner (BondSlaveInfo.Bundled).
func unbundled(st *intent.HostState, bonds []string) []string {
	var out []string
	for _, name := range bonds {
		b := st.Link(name)
		if b == nil || b.Bond == nil || b.Bond.Mode != intent.LACP {
			continue
		}
		for _, l := range st.Links {
			if l.Master != name {
				continue
			}
			s := l.BondSlave
			if !s.Bundled() || s.AggregatorID == 0 || (b.Bond.ActiveAggregator != 0 && s.AggregatorID != b.Bond.ActiveAggregator) {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

// precheck refuses a change list that would touch existing management
// devices without the override or enslave a NIC that cannot be enslaved.
func precheck(changes []intent.HostChange, cp *intent.HostState, opts ApplyOptions) error {
	var errs []error
	for _, c := range changes {
		if !opts.AllowMgmt {
			for _, n := range touched(c) {
				if IsProtected(n) && cp.Link(n) != nil {
					errs = append(errs, fmt.Errorf("%s %s %s touches %s: %w", c.Action, c.Object, c.Name, n, ErrProtected))
					break
				}
			}
		}
		if c.Bond == nil && c.Action != intent.Delete && (c.Object == intent.ObjBond || c.Object == intent.ObjBridge) {
			errs = append(errs, fmt.Errorf("%s %s %s: the change carries no cluster network (HostChange.Bond)", c.Action, c.Object, c.Name))
		}
		if c.Object == intent.ObjBondSlave && c.Action != intent.Delete {
			l := cp.Link(c.Name)
			switch {
			case l == nil:
				errs = append(errs, fmt.Errorf("nic %s: %w", c.Name, ErrNICMissing))
			case l.Master != "" && l.Master != c.Master:
				errs = append(errs, fmt.Errorf("nic %s is a port of %s, not %s: %w", c.Name, l.Master, c.Master, ErrNICEnslaved))
			}
		}
		want := map[intent.HostObject]intent.LinkKind{intent.ObjBond: intent.LinkBond, intent.ObjBridge: intent.LinkBridge, intent.ObjSubIf: intent.LinkVLAN}
		if k, ok := want[c.Object]; ok && c.Action != intent.Delete {
			if l := cp.Link(c.Name); l != nil && l.Kind != k {
				errs = append(errs, fmt.Errorf("%s is a %s link, want %s: %w", c.Name, l.Kind, k, ErrKindConflict))
			}
		}
	}
	return errors.Join(errs...)
}

// touched lists the links a change writes to.
func touched(c intent.HostChange) []string {
	out := []string{c.Name}
	switch c.Object {
	case intent.ObjBondSlave:
		out = append(out, c.Master)
	case intent.ObjBridge:
		if c.Bond != nil {
			out = append(out, c.Bond.Bond)
		}
	}
	return out
}
