package plan_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/plan/plantest"
)

// converged is lab.yaml's desired state, applied.
func converged(t *testing.T) (*intent.Desired, *intent.Observed) {
	t.Helper()
	d := load(t, "lab.yaml")
	obs := plantest.Blank(d)
	p, err := plan.Compute(d, obs, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plantest.Simulate(t, obs, p)
	return d, obs
}

// TestPlanReactivatesNeededVLAN: a suspended or shut-down VLAN the
// inventory needs is made active again, and only that; one it does not
// need is left as it is.
func TestPlanReactivatesNeededVLAN(t *testing.T) {
	d, obs := converged(t)
	leaf1 := obs.Switch("leaf1")
	leaf1.VLAN(100).Suspended = true
	leaf1.VLANs = append(leaf1.VLANs, intent.VLAN{ID: 3000, Name: "parked", Suspended: true})
	obs.Switch("leaf2").VLAN(200).Shutdown = true
	p, err := plan.Compute(d, obs, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]intent.SwitchChange{
		"leaf1": {{Action: intent.Update, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100}, Reactivate: true,
			Fields: []intent.Field{{Name: "state", Before: "suspended", After: "active"}},
			Reason: "needed by harvester-0 mgmt-bo, harvester-1 mgmt-bo, harvester-2 mgmt-bo"}},
		"leaf2": {{Action: intent.Update, Object: intent.ObjVLAN, Name: "200", VLAN: &intent.VLAN{ID: 200}, Reactivate: true,
			Fields: []intent.Field{{Name: "state", Before: "shutdown", After: "active"}}}},
	}
	for _, dev := range p.Devices {
		if dev.Kind != plan.KindSwitch {
			continue
		}
		w := want[dev.Name]
		if dev.Name == "leaf2" && len(dev.Switch) == 1 {
			w[0].Reason = dev.Switch[0].Reason // the bonds are checked below
		}
		if diff := cmp.Diff(w, dev.Switch); diff != "" {
			t.Errorf("%s (-want +got):\n%s", dev.Name, diff)
		}
	}
	if r := p.Device(plan.KindSwitch, "leaf2").Switch[0].Reason; !strings.HasPrefix(r, "needed by harvester-0 data-bo") {
		t.Errorf("leaf2 reason %q", r)
	}
	text := render(t, p)
	if !strings.Contains(text, "~ vlan 100") || !strings.Contains(text, "state : suspended -> active") {
		t.Errorf("plan text:\n%s", text)
	}
	plantest.Simulate(t, obs, p)
	again, err := plan.Compute(d, obs, plan.Options{})
	if err != nil || !again.Empty() {
		t.Errorf("plan after the reactivation is not empty: %v\n%s", err, render(t, again))
	}
	if v := obs.Switch("leaf1").VLAN(3000); !v.Suspended {
		t.Errorf("VLAN 3000, which nothing needs, was touched: %+v", v)
	}
}

// TestPlanPartialObservation: a switch whose observation lacks a record
// the plan may need is skipped with OBSERVE_PARTIAL; records about objects
// the inventory does not give the switch only warn.
func TestPlanPartialObservation(t *testing.T) {
	d, obs := converged(t)
	unparsed := func(kind intent.ObjectKind, record string) intent.Unparsed {
		return intent.Unparsed{Command: "show vlan | json", Kind: kind, Record: record, Reason: "status \"frozen\" not understood"}
	}
	tests := []struct {
		name    string
		partial []intent.Unparsed
		skipped bool
	}{
		{"a vlan of the inventory", []intent.Unparsed{unparsed(intent.ObjVLAN, "100")}, true},
		{"a host-facing port", []intent.Unparsed{unparsed(intent.ObjInterface, "Ethernet3")}, true},
		{"a port-channel", []intent.Unparsed{unparsed(intent.ObjInterface, "Port-Channel55")}, true},
		{"a record that names nothing", []intent.Unparsed{unparsed("", "row 3")}, true},
		{"another vlan", []intent.Unparsed{unparsed(intent.ObjVLAN, "3000")}, false},
		{"a port nothing is cabled to", []intent.Unparsed{unparsed(intent.ObjInterface, "Ethernet48")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := *obs
			o.Switches = append([]intent.SwitchState(nil), obs.Switches...)
			sw := o.Switch("leaf1")
			sw.Partial = tt.partial
			sw.VLANs = append([]intent.VLAN(nil), sw.VLANs...)
			sw.VLAN(10).Suspended = true // a change the plan would make
			p, err := plan.Compute(d, &o, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			dev := p.Device(plan.KindSwitch, "leaf1")
			if tt.skipped {
				want := "observation incomplete: " + tt.partial[0].String()
				if dev.Skipped != want || dev.Cause != "OBSERVE_PARTIAL" || len(dev.Switch) != 0 {
					t.Errorf("skipped %q cause %q, %d changes; want %q, OBSERVE_PARTIAL, none", dev.Skipped, dev.Cause, len(dev.Switch), want)
				}
			} else if dev.Skipped != "" || len(dev.Switch) != 1 || len(dev.Warnings) != 1 || !strings.Contains(dev.Warnings[0], tt.partial[0].String()) {
				t.Errorf("skipped %q, changes %+v, warnings %q; want planned with a warning", dev.Skipped, dev.Switch, dev.Warnings)
			}
			// Other switches are planned as usual.
			if other := p.Device(plan.KindSwitch, "leaf2"); other.Skipped != "" {
				t.Errorf("leaf2 skipped: %s", other.Skipped)
			}
		})
	}
}
