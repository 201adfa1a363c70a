package plan_test

import (
	"slices"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/plan/plantest"
	"github.com/netalign/netalign/internal/validate"
)

// TestOrphanLAGs: LAGs an interrupted run created and left without members
// are reported (LAG_ORPHAN); the one made for a bond the inventory still
// has is taken again for that bond, any other is removed; then the switch
// converges with no orphan left.
func TestOrphanLAGs(t *testing.T) {
	d := load(t, "lab.yaml")
	obs := plantest.Blank(d)
	var key string
	for _, ds := range d.Switches {
		if ds.Name == "leaf2" {
			key = ds.LAGs[0].Key
		}
	}
	if key == "" {
		t.Fatal("no LAG on leaf2 in configs/lab.yaml")
	}
	leaf2 := obs.Switch("leaf2")
	leaf2.Interfaces = append(leaf2.Interfaces,
		intent.Interface{Name: "Port-Channel150", Kind: intent.KindLAG, LAGType: intent.LAGStatic, Description: intent.LAGDescription(key)},
		intent.Interface{Name: "Port-Channel151", Kind: intent.KindLAG, LAGType: intent.LAGStatic, Description: intent.LAGDescription("gone-bond")},
		// Not netalign's: left alone whatever its state.
		intent.Interface{Name: "Port-Channel152", Kind: intent.KindLAG, Description: "uplink to core"},
	)
	var orphans []string
	for _, f := range validate.Check(validate.Input{Desired: d, Observed: obs}) {
		if f.Code == validate.LAGOrphan {
			orphans = append(orphans, f.Device+" "+f.Object)
		}
	}
	if want := []string{"leaf2 Port-Channel150", "leaf2 Port-Channel151"}; !slices.Equal(orphans, want) {
		t.Errorf("LAG_ORPHAN findings %v, want %v", orphans, want)
	}
	p, err := plan.Compute(d, obs, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range p.Device(plan.KindSwitch, "leaf2").Switch {
		switch {
		case c.Object == intent.ObjLAG:
			got = append(got, string(c.Action)+" "+c.Name)
		case c.Join:
			got = append(got, "join "+c.Name+" "+intent.LAGName(c.ChannelGroup))
		}
	}
	want := []string{"update Port-Channel150", "join Ethernet1/1 Port-Channel150", "join Ethernet1/2 Port-Channel150", "delete Port-Channel151"}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("plan for leaf2 lacks %q: %v\n%s", w, got, render(t, p))
		}
	}
	plantest.Simulate(t, obs, p)
	if again, _ := plan.Compute(d, obs, plan.Options{}); !again.Empty() {
		t.Errorf("not converged:\n%s", render(t, again))
	}
	for _, f := range validate.Check(validate.Input{Desired: d, Observed: obs}) {
		if f.Code == validate.LAGOrphan {
			t.Errorf("orphan left after apply: %+v", f)
		}
	}
	if obs.Switch("leaf2").Interface("Port-Channel152") == nil {
		t.Error("a LAG netalign did not create was removed")
	}
}
