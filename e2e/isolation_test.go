package e2e

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/inventory"
)

// TestVLANIsolationExact: after the lab converges, leaf1's Port-Channel
// facing harvester-0 is drifted to allow every VLAN. validate reports
// VLAN_EXTRA (a warning: exit 1; an error with --strict-isolation); with
// vlanPolicy exact on leaf1 the plan removes exactly the extras, apply
// converges, a second apply changes nothing and validate is clean.
func TestVLANIsolationExact(t *testing.T) {
	l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{})
	if r := netalign(t, nil, "apply", "-i", l.InventoryPath(), "--yes"); r.code != 0 {
		t.Fatalf("apply: %s", r)
	}
	leaf1 := l.Device("leaf1").State()
	po := intent.LAGName(leaf1.Interface("Ethernet1").ChannelGroup)
	want := leaf1.Interface(po).Allowed
	if r := netalign(t, nil, "lab", "drift", "--dir", l.Dir(), "leaf1", "add-allowed-vlan", po, "all"); r.code != 0 {
		t.Fatalf("drift: %s", r)
	}

	// Findings with their severity, as the JSON report has them.
	type sevFinding struct{ Code, Severity, Device, Object, Message string }
	validate := func(inv string, args ...string) (int, []sevFinding) {
		t.Helper()
		r := netalign(t, nil, append([]string{"validate", "-i", inv, "-o", "json"}, args...)...)
		var rep struct{ Findings []sevFinding }
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("validate: %v\n%s", err, r)
		}
		return r.code, rep.Findings
	}
	extra := intent.VLANRange(1, 4094).Minus(want).String()
	for _, strict := range []bool{false, true} {
		var args []string
		sev := "warning"
		if strict {
			args, sev = []string{"--strict-isolation"}, "error"
		}
		code, fs := validate(l.InventoryPath(), args...)
		if code != 1 || len(fs) != 1 || fs[0].Code != "VLAN_EXTRA" || fs[0].Device != "leaf1" || fs[0].Object != po || fs[0].Severity != sev {
			t.Fatalf("strict %v: exit %d, findings %+v; want exit 1 and one VLAN_EXTRA %s on leaf1 %s", strict, code, fs, sev, po)
		}
		if !strings.Contains(fs[0].Message, "VLANs "+extra+" ") || !strings.Contains(fs[0].Message, "harvester-0") {
			t.Errorf("message %q does not name the extras %s and harvester-0", fs[0].Message, extra)
		}
	}

	// The default policy (add) leaves the extras.
	if r := netalign(t, nil, "plan", "-i", l.InventoryPath(), "--detailed-exitcode"); r.code != 0 {
		t.Errorf("plan with vlanPolicy add: want no changes\n%s", r)
	}

	inv := *l.Inventory()
	inv.Switches = slices.Clone(inv.Switches)
	for i := range inv.Switches {
		if inv.Switches[i].Name == "leaf1" {
			inv.Switches[i].VLANPolicy = inventory.VLANPolicyExact
		}
	}
	file := writeInventory(t, &inv)

	r := netalign(t, nil, "plan", "-i", file, "-o", "json")
	if r.code != 0 {
		t.Fatalf("plan exact: %s", r)
	}
	var p struct {
		Devices []struct {
			Name   string
			Switch []intent.SwitchChange
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatalf("plan json: %v\n%s", err, r)
	}
	var changes []string
	for _, d := range p.Devices {
		for _, c := range d.Switch {
			changes = append(changes, d.Name+" "+c.Name+" add "+c.AddVLANs.String()+" remove "+c.RemoveVLANs.String())
		}
	}
	if w := []string{"leaf1 " + po + " add " + intent.VLANSet{}.String() + " remove " + extra}; !slices.Equal(changes, w) {
		t.Errorf("plan exact: changes %q, want %q", changes, w)
	}
	if r = netalign(t, nil, "plan", "-i", file); !strings.Contains(r.stdout, "remove vlans = "+extra) {
		t.Errorf("plan text does not show the removal:\n%s", r)
	}

	if r = netalign(t, nil, "apply", "-i", file, "--yes"); r.code != 0 {
		t.Fatalf("apply exact: %s", r)
	}
	after := l.Device("leaf1").State()
	if got := after.Interface(po).Allowed; !got.Equal(want) {
		t.Errorf("leaf1 %s allowed after apply = %s, want %s", po, got, want)
	}
	r = netalign(t, nil, "apply", "-i", file, "--yes", "-o", "json")
	var rep struct {
		Results []struct{ Device, Status string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 0 {
		t.Fatalf("second apply: %v\n%s", err, r)
	}
	for _, x := range rep.Results {
		if x.Status != "unchanged" && x.Status != "skipped" {
			t.Errorf("second apply: %s %s, want unchanged", x.Device, x.Status)
		}
	}
	if code, fs := validate(file, "--strict-isolation"); code != 0 || len(fs) != 0 {
		t.Errorf("validate after apply: exit %d, findings %+v", code, fs)
	}
}
