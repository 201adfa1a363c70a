package hostnet

import (
	"errors"
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
