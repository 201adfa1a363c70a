package plan_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/plan/plantest"
	"github.com/netalign/netalign/inventory"
)

// loadPolicy loads configs/lab.yaml with leaf1's vlanPolicy set to policy.
func loadPolicy(t *testing.T, policy string) *intent.Desired {
	t.Helper()
	inv, err := inventory.Load(filepath.Join("..", "..", "configs", "lab.yaml"), intent.InventoryOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i := range inv.Switches {
		if inv.Switches[i].Name == "leaf1" {
			inv.Switches[i].VLANPolicy = policy
		}
	}
	d, err := intent.Derive(inv)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestVLANPolicyExact: with vlanPolicy exact, a host-facing LAG that allows
// every VLAN gets the extras removed, as their own field, and converges;
// with add (the default) the extras are left alone; the management port
// and a LAG it is a member of are never pruned.
func TestVLANPolicyExact(t *testing.T) {
	drifted := func(d *intent.Desired) (*intent.Observed, *intent.DesiredLAG, *intent.Interface) {
		obs := plantest.Blank(d)
		p, err := plan.Compute(d, obs, plan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		plantest.Simulate(t, obs, p)
		var ds *intent.DesiredSwitch
		for i := range d.Switches {
			if d.Switches[i].Name == "leaf1" {
				ds = &d.Switches[i]
			}
		}
		lag := &ds.LAGs[0]
		member := obs.Switch("leaf1").Interface(lag.Members[0])
		itf := obs.Switch("leaf1").Interface(intent.LAGName(member.ChannelGroup))
		itf.Allowed = intent.VLANRange(1, 4094)
		return obs, lag, itf
	}

	t.Run("add leaves the extras", func(t *testing.T) {
		d := loadPolicy(t, inventory.VLANPolicyAdd)
		obs, _, _ := drifted(d)
		p, err := plan.Compute(d, obs, plan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !p.Empty() {
			t.Errorf("plan with vlanPolicy add is not empty:\n%s", render(t, p))
		}
	})

	t.Run("exact removes them", func(t *testing.T) {
		d := loadPolicy(t, inventory.VLANPolicyExact)
		obs, lag, itf := drifted(d)
		p, err := plan.Compute(d, obs, plan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "lab.exact", render(t, p))
		extra := intent.VLANRange(1, 4094).Minus(lag.Trunk.Allowed)
		var got []intent.SwitchChange
		for _, dev := range p.Devices {
			for _, c := range dev.Switch {
				if len(c.RemoveVLANs) > 0 {
					got = append(got, c)
				}
			}
		}
		want := []intent.SwitchChange{{
			Action: intent.Update, Object: intent.ObjLAG, Name: itf.Name, RemoveVLANs: extra,
			Fields: []intent.Field{{Name: "remove vlans", Before: extra.String()}},
		}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("removals (-want +got):\n%s", diff)
		}
		plantest.Simulate(t, obs, p)
		if !itf.Allowed.Equal(lag.Trunk.Allowed) {
			t.Errorf("allowed after apply = %s, want %s", itf.Allowed, lag.Trunk.Allowed)
		}
		again, err := plan.Compute(d, obs, plan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !again.Empty() {
			t.Errorf("second plan is not empty:\n%s", render(t, again))
		}
	})

	t.Run("never on the management port", func(t *testing.T) {
		d := loadPolicy(t, inventory.VLANPolicyExact)
		obs, lag, _ := drifted(d)
		for i := range d.Switches {
			if d.Switches[i].Name == "leaf1" {
				d.Switches[i].MgmtPort = lag.Members[0]
			}
		}
		for _, o := range []plan.Options{{}, {AllowMgmtPort: true}} {
			p, err := plan.Compute(d, obs, o)
			if err != nil {
				t.Fatal(err)
			}
			for _, dev := range p.Devices {
				for _, c := range dev.Switch {
					if len(c.RemoveVLANs) > 0 {
						t.Errorf("allowMgmt %v: %s %s removes %s next to the management port", o.AllowMgmtPort, c.Object, c.Name, c.RemoveVLANs)
					}
				}
			}
		}
	})
}
