package plan_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/golden"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/plan/plantest"
	"github.com/netalign/netalign/inventory"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func load(t testing.TB, name string) *intent.Desired {
	t.Helper()
	inv, err := inventory.Load(filepath.Join("..", "..", "configs", name), intent.InventoryOptions())
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	d, err := intent.Derive(inv)
	if err != nil {
		t.Fatalf("derive %s: %v", name, err)
	}
	return d
}

func render(t *testing.T, p *plan.Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := plan.RenderText(&b, p, plan.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".golden"), []byte(got), *update)
}

func TestPlanExamplesFromBlankConverges(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("..", "..", "configs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		name := strings.TrimSuffix(e.Name(), ".yaml")
		t.Run(name, func(t *testing.T) {
			d := load(t, e.Name())
			obs := plantest.Blank(d)
			p, err := plan.Compute(d, obs, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name+".blank", render(t, p))
			plantest.Simulate(t, obs, p)
			again, err := plan.Compute(d, obs, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !again.Empty() {
				t.Errorf("plan after apply is not empty:\n%s", render(t, again))
			}
		})
	}
}

func TestPlanPartiallyMatching(t *testing.T) {
	d := load(t, "harvester-seed.yaml")
	obs := plantest.Blank(d)
	p, err := plan.Compute(d, obs, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plantest.Simulate(t, obs, p)
	// Drift: a VLAN removed from a trunk, an LACP LAG made static on one
	// switch, a native VLAN changed, a pool's gateway changed.
	leaf1 := obs.Switch("leaf1")
	var lag *intent.Interface
	for i := range leaf1.Interfaces {
		if leaf1.Interfaces[i].Kind == intent.KindLAG {
			lag = &leaf1.Interfaces[i]
			break
		}
	}
	if lag == nil {
		t.Fatal("no LAG on leaf1 after apply")
	}
	lag.Allowed = lag.Allowed.Minus(intent.VLANSet{100})
	lag.NativeVLAN = 99
	id := intent.LAGID(lag.Name)
	lag.LAGType = intent.LAGStatic
	for i := range leaf1.Interfaces {
		if leaf1.Interfaces[i].ChannelGroup == id {
			leaf1.Interfaces[i].ChannelMode = intent.ChannelOn
		}
	}
	for i := range obs.DHCP {
		for j := range obs.DHCP[i].Pools {
			obs.DHCP[i].Pools[j].Gateway = "172.16.100.254"
		}
	}
	p2, err := plan.Compute(d, obs, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "harvester-seed.drift", render(t, p2))
	if !p2.Device(plan.KindSwitch, "leaf1").Disruptive() {
		t.Error("LAG type change must be marked disruptive")
	}
	plantest.Simulate(t, obs, p2)
	p3, _ := plan.Compute(d, obs, plan.Options{})
	if !p3.Empty() {
		t.Errorf("not converged after fixing drift:\n%s", render(t, p3))
	}
}

func TestLAGIDsStableAndMLAGShared(t *testing.T) {
	d := load(t, "harvester-seed.yaml")
	obs := plantest.Blank(d)
	p1, _ := plan.Compute(d, obs, plan.Options{})
	p2, _ := plan.Compute(d, obs, plan.Options{})
	if diff := cmp.Diff(p1, p2); diff != "" {
		t.Fatalf("plan is not deterministic:\n%s", diff)
	}
	ids := map[string]map[string]int{} // switch -> lag -> mlag id
	for _, dev := range p1.Devices {
		for _, c := range dev.Switch {
			if c.Object == intent.ObjLAG && c.Action == intent.Create {
				if ids[dev.Name] == nil {
					ids[dev.Name] = map[string]int{}
				}
				ids[dev.Name][c.Name] = c.MLAGID
			}
		}
	}
	if len(ids["leaf1"]) == 0 || !cmp.Equal(ids["leaf1"], ids["leaf2"]) {
		t.Errorf("MLAG LAGs differ between peers: leaf1 %v leaf2 %v", ids["leaf1"], ids["leaf2"])
	}
	for name, m := range ids["leaf1"] {
		if m != intent.LAGID(name) || m < 10 || m > 99 {
			t.Errorf("%s: mlag id %d, want the LAG id within lagIds 10-99", name, m)
		}
	}
}

func TestLAGIDReusedFromExistingLAG(t *testing.T) {
	d := load(t, "harvester-seed.yaml")
	obs := plantest.Blank(d)
	// The members of harvester-1's bond already sit in Port-Channel42 on both
	// switches: netalign must keep 42, not renumber.
	var members []string
	for _, l := range d.Switches[0].LAGs {
		if l.Host == "harvester-1" {
			members = l.Members
		}
	}
	if len(members) == 0 {
		t.Fatal("harvester-1 has no LAG on the first switch")
	}
	for _, sw := range []string{"leaf1", "leaf2"} {
		st := obs.Switch(sw)
		st.Interfaces = append(st.Interfaces, intent.Interface{Name: "Port-Channel42", Kind: intent.KindLAG, Mode: intent.ModeAccess, MTU: 1500, LAGType: intent.LAGLACP})
		for _, m := range members {
			st.Interface(m).ChannelGroup = 42
			st.Interface(m).ChannelMode = intent.ChannelActive
		}
	}
	p, _ := plan.Compute(d, obs, plan.Options{})
	for _, sw := range []string{"leaf1", "leaf2"} {
		for _, c := range p.Device(plan.KindSwitch, sw).Switch {
			if c.Join && slices.Contains(members, c.Name) && c.ChannelGroup != 42 {
				t.Errorf("%s %s: joins %d, want the existing 42", sw, c.Name, c.ChannelGroup)
			}
			if c.Object == intent.ObjLAG && c.Name == "Port-Channel42" && c.Action == intent.Create {
				t.Errorf("%s: re-creates the existing Port-Channel42", sw)
			}
		}
	}
}

func TestProtectedPortsNeverChanged(t *testing.T) {
	d := load(t, "harvester-seed.yaml")
	ds := &d.Switches[0]
	var port string
	for _, p := range ds.Ports {
		if p.LAG == "" {
			port = p.Name
		}
	}
	if port == "" {
		t.Skip("seed has no plain trunk port on the first switch")
	}
	ds.Protected = append(ds.Protected, port)
	p, _ := plan.Compute(d, plantest.Blank(d), plan.Options{})
	dev := p.Device(plan.KindSwitch, ds.Name)
	for _, c := range dev.Switch {
		if c.Name == port {
			t.Errorf("protected %s changed: %+v", port, c)
		}
	}
	if !slices.ContainsFunc(dev.Warnings, func(w string) bool { return strings.Contains(w, port) }) {
		t.Errorf("no warning about protected %s: %v", port, dev.Warnings)
	}
}

func TestIncrementalVLANsKeepUnmanaged(t *testing.T) {
	d := load(t, "harvester-seed.yaml")
	obs := plantest.Blank(d)
	p, _ := plan.Compute(d, obs, plan.Options{})
	plantest.Simulate(t, obs, p)
	// An operator added VLAN 555 by hand on every trunk: netalign keeps it.
	for i := range obs.Switches {
		for j := range obs.Switches[i].Interfaces {
			itf := &obs.Switches[i].Interfaces[j]
			if itf.Mode == intent.ModeTrunk {
				itf.Allowed = itf.Allowed.Union(intent.VLANSet{555})
			}
		}
	}
	p2, _ := plan.Compute(d, obs, plan.Options{})
	if !p2.Empty() {
		t.Errorf("extra unmanaged VLAN must not be removed:\n%s", render(t, p2))
	}
	_ = strconv.Itoa
}

func TestTarget(t *testing.T) {
	p := &plan.Plan{Version: 1, Devices: []plan.Device{
		{Name: "leaf1", Kind: plan.KindSwitch, Switch: []intent.SwitchChange{{Action: intent.Create, Object: intent.ObjVLAN, Name: "100"}}},
		{Name: "leaf2", Kind: plan.KindSwitch, Switch: []intent.SwitchChange{{Action: intent.Create, Object: intent.ObjVLAN, Name: "100"}, {Action: intent.Delete, Object: intent.ObjVLAN, Name: "99"}}},
		{Name: "kea1", Kind: plan.KindDHCP},
		{Name: "node1", Kind: plan.KindHost, Skipped: "not observed"},
	}}
	plan.Target(p, func(k plan.DeviceKind, name string) bool { return k == plan.KindSwitch && name == "leaf1" })
	got := map[string]string{}
	for _, d := range p.Devices {
		got[d.Name] = fmt.Sprintf("%d changes, skipped %q", d.Changes(), d.Skipped)
	}
	want := map[string]string{
		"leaf1": `1 changes, skipped ""`,
		"leaf2": `0 changes, skipped "not targeted (2 pending change(s) left alone)"`,
		"kea1":  `0 changes, skipped "not targeted"`,
		"node1": `0 changes, skipped "not targeted; not observed"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if s := p.Summary(); s.Devices != 1 || s.Create != 1 || s.Delete != 0 {
		t.Errorf("summary = %+v; want only leaf1's change", s)
	}
}
