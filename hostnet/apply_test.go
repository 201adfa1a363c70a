package hostnet

import (
	"errors"
	"slices"
	"testing"

	"github.com/netalign/netalign/internal/intent"
)

func TestPrecheck(t *testing.T) {
	cp := realKernelState(t)
	cp.Links = append(cp.Links, intent.Link{Name: "eth9", Kind: intent.LinkDevice}, intent.Link{Name: "data-br", Kind: intent.LinkDevice})
	for _, tc := range []struct {
		name    string
		changes []intent.HostChange
		opts    ApplyOptions
		want    []error
	}{
		{name: "existing mgmt-bo needs the override",
			changes: []intent.HostChange{{Action: intent.Update, Object: intent.ObjBond, Name: "mgmt-bo"}},
			want:    []error{ErrProtected}},
		{name: "override given",
			changes: []intent.HostChange{{Action: intent.Update, Object: intent.ObjBond, Name: "mgmt-bo", Bond: &intent.DesiredBond{ClusterNetwork: "mgmt"}}},
			opts:    ApplyOptions{AllowMgmt: true}},
		{name: "joining an existing mgmt-bo touches it",
			changes: []intent.HostChange{{Action: intent.Create, Object: intent.ObjBondSlave, Name: "eth9", Master: "mgmt-bo"}},
			want:    []error{ErrProtected}},
		{name: "stale management VLAN device",
			changes: []intent.HostChange{{Action: intent.Delete, Object: intent.ObjSubIf, Name: "mgmt-br.10", Master: "mgmt-br"}},
			want:    []error{ErrProtected}},
		{name: "a new management device is not protected yet",
			changes: []intent.HostChange{{Action: intent.Create, Object: intent.ObjSubIf, Name: "mgmt-br.20", Master: "mgmt-br"}},
			opts:    ApplyOptions{AllowMgmt: true}},
		{name: "missing NIC and NIC of another bond, both reported",
			changes: []intent.HostChange{
				{Action: intent.Create, Object: intent.ObjBondSlave, Name: "eno9", Master: "data-bo"},
				{Action: intent.Create, Object: intent.ObjBondSlave, Name: "va2", Master: "data-bo"},
			},
			want: []error{ErrNICMissing, ErrNICEnslaved}},
		{name: "bridge name taken by another kind of link",
			changes: []intent.HostChange{{Action: intent.Create, Object: intent.ObjBridge, Name: "data-br", Bond: &intent.DesiredBond{ClusterNetwork: "data"}}},
			want:    []error{ErrKindConflict}},
		{name: "free NIC joins a new bond",
			changes: []intent.HostChange{{Action: intent.Create, Object: intent.ObjBondSlave, Name: "eth9", Master: "data-bo"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := precheck(tc.changes, &cp, tc.opts)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("err %v, want it to wrap %v", err, w)
				}
			}
		})
	}
}

// TestDiffThenPrecheck: a plan computed for the captured host passes the
// precheck only with the override, because it changes mgmt-bo.
func TestDiffThenPrecheck(t *testing.T) {
	cp := realKernelState(t)
	d := realKernelDesired()
	d.Bonds[1].VLANs = d.Bonds[1].VLANs.Union(intent.VLANSet{300})
	ch := Diff(d, cp)
	if len(ch) != 1 {
		t.Fatalf("want one change, got %+v", ch)
	}
	if err := precheck(ch, &cp, ApplyOptions{}); !errors.Is(err, ErrProtected) {
		t.Errorf("without override: %v", err)
	}
	if err := precheck(ch, &cp, ApplyOptions{AllowMgmt: true}); err != nil {
		t.Errorf("with override: %v", err)
	}
}

func TestPrecheckNeedsTheBond(t *testing.T) {
	cp := realKernelState(t)
	err := precheck([]intent.HostChange{{Action: intent.Create, Object: intent.ObjBond, Name: "x-bo"}}, &cp, ApplyOptions{})
	if err == nil {
		t.Fatal("a bond change without its cluster network must be refused (its mode would default to balance-rr)")
	}
}

// TestLACPWaitSelection: Apply waits for the 802.3ad bonds a change
// created, changed or gave a slave, until none of their slaves is outside
// the active aggregator or out of sync; captured states decide.
func TestLACPWaitSelection(t *testing.T) {
	applied := []intent.HostChange{
		{Action: intent.Create, Object: intent.ObjBond, Name: "mgmt-bo"},
		{Action: intent.Create, Object: intent.ObjBondSlave, Name: "h0", Master: "mgmt-bo"},
		{Action: intent.Create, Object: intent.ObjBondSlave, Name: "va2", Master: "oob-bo"},
		{Action: intent.Delete, Object: intent.ObjBondSlave, Name: "eth9", Master: "data-bo"},
		{Action: intent.Create, Object: intent.ObjBridge, Name: "mgmt-br"},
	}
	bonds := lacpCandidates(applied)
	if want := []string{"mgmt-bo", "oob-bo"}; !slices.Equal(bonds, want) {
		t.Fatalf("candidates %v, want %v", bonds, want)
	}
	// Bundled mgmt-bo, and active-backup oob-bo (never waited for).
	bundled := realKernelState(t)
	if got := unbundled(&bundled, bonds); len(got) != 0 {
		t.Errorf("bundled capture: still waiting for %v", got)
	}
	for _, c := range []struct{ ipLink, bonding string }{
		{"ip_-d_-j_link_show.realkernel-8023ad-two-partners.json", "proc_net_bonding_mgmt-bo.realkernel-8023ad-two-partners.txt"},
		{"ip_-d_-j_link_show.realkernel-8023ad-facing-bridge.json", "proc_net_bonding_mgmt-bo.realkernel-8023ad-facing-bridge.txt"},
		{"ip_-d_-j_link_show.realkernel-8023ad-bond-down.json", "proc_net_bonding_mgmt-bo.realkernel-8023ad-bond-down.txt"},
	} {
		st, err := HostStateFromIproute2("h", readTestdata(t, c.ipLink), nil, map[string][]byte{"mgmt-bo": readTestdata(t, c.bonding)})
		if err != nil {
			t.Fatal(err)
		}
		if got := unbundled(st, bonds); !slices.Equal(got, []string{"mgmt-bo"}) {
			t.Errorf("%s: waiting for %v, want mgmt-bo", c.bonding, got)
		}
	}
}
