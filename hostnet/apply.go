package hostnet

import (
	"errors"
	"fmt"
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
