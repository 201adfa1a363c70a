package plan_test

import (
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/plan/plantest"
)

// TestCablingHoldsPorts: a port whose LLDP neighbour contradicts the
// inventory gets no LAG or trunk change, and the plan says why;
// --ignore-cabling plans it; a port without a neighbour is not held.
func TestCablingHoldsPorts(t *testing.T) {
	d := load(t, "lab.yaml")
	obs := plantest.Blank(d)
	var leaf1 intent.DesiredSwitch
	for _, ds := range d.Switches {
		if ds.Name == "leaf1" {
			leaf1 = ds
		}
	}
	held, free := leaf1.LAGs[0].Members[0], leaf1.LAGs[0].Members[1]
	sw := obs.Switch("leaf1")
	sw.LLDP = append(sw.LLDP, intent.LLDPNeighbor{LocalPort: held, SystemName: "other-node.example.net", PortID: "52:54:00:aa:bb:cc", PortDescr: "eno7"})
	changed := func(p *plan.Plan, port string) bool {
		for _, c := range p.Device(plan.KindSwitch, "leaf1").Switch {
			if c.Name == port {
				return true
			}
		}
		return false
	}
	p, err := plan.Compute(d, obs, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if changed(p, held) {
		t.Errorf("%s is cabled to other-node eno7 but the plan changes it:\n%s", held, render(t, p))
	}
	if !changed(p, free) {
		t.Errorf("%s has no LLDP neighbour and must not be held:\n%s", free, render(t, p))
	}
	text := render(t, p)
	if !strings.Contains(text, held+" is held: LLDP shows other-node.example.net eno7") || !strings.Contains(text, "--ignore-cabling") {
		t.Errorf("the plan does not say why %s is held:\n%s", held, text)
	}
	p, err = plan.Compute(d, obs, plan.Options{IgnoreCabling: true})
	if err != nil {
		t.Fatal(err)
	}
	if !changed(p, held) {
		t.Errorf("--ignore-cabling: %s still held", held)
	}
}
