package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/internal/lab/gnmi"
	"github.com/netalign/netalign/internal/lab/labtest"
	"github.com/netalign/netalign/inventory"
)

// startLab starts the lab for an inventory file in-process, with gNMI, the
// built-in DHCP server and the control socket, as `netalign lab up` does.
func startLab(t *testing.T, file string, opts lab.Options) *lab.Lab {
	t.Helper()
	inv, err := inventory.Load(file, intent.InventoryOptions())
	if err != nil {
		t.Fatal(err)
	}
	return startLabInv(t, inv, opts)
}

func startLabInv(t *testing.T, inv *inventory.Inventory, opts lab.Options) *lab.Lab {
	t.Helper()
	opts.Dir = t.TempDir()
	ca, err := gnmi.LoadOrCreateCA(opts.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Password == "" {
		opts.Password = lab.DefaultPassword
	}
	opts.GNMI = gnmi.Hook(gnmi.Options{CA: ca, Username: lab.DefaultUsername, Password: opts.Password})
	opts.GNMITLS = &inventory.TLS{CA: ca.File()}
	opts.Control, opts.DHCP = true, true
	return labtest.Start(t, inv, opts)
}

type finding struct{ Code, Device, Object string }

func findings(t *testing.T, r result) []string {
	t.Helper()
	var rep struct {
		Findings []finding
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("validate json: %v\n%s", err, r)
	}
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.Code+" "+f.Device+" "+f.Object)
	}
	slices.Sort(out)
	return out
}

// TestDemoScenario is `make demo`, asserted step by step.
func TestDemoScenario(t *testing.T) {
	l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{})
	inv := l.InventoryPath()

	r := netalign(t, nil, "plan", "-i", inv, "--detailed-exitcode")
	if r.code != 2 || !strings.Contains(r.stdout, "+ lag Port-Channel10") || !strings.Contains(r.stdout, "+ pool vlan 100") {
		t.Fatalf("plan from blank: want changes (exit 2)\n%s", r)
	}
	r = netalign(t, nil, "apply", "-i", inv, "--yes", "-o", "json")
	if r.code != 0 {
		t.Fatalf("apply: %s", r)
	}
	var rep struct {
		Results []struct{ Device, Status string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	applied := map[string]string{}
	for _, x := range rep.Results {
		applied[x.Device] = x.Status
	}
	for _, dev := range []string{"leaf1", "leaf2", "oob-sw", "lab-dhcp"} {
		if applied[dev] != "applied" {
			t.Errorf("%s: %q, want applied", dev, applied[dev])
		}
	}
	// What the switches hold now, read from the device models.
	leaf1 := l.Device("leaf1").State()
	if po := leaf1.Interface("Port-Channel10"); po == nil || po.LAGType != intent.LAGLACP || !po.Allowed.Contains(100) {
		t.Errorf("leaf1 Port-Channel10 after apply: %+v", po)
	}
	for _, m := range []string{"Ethernet1", "Ethernet2"} {
		if itf := leaf1.Interface(m); itf.MemberState != intent.MemberBundled {
			t.Errorf("leaf1 %s: %s, want bundled (host bond is 802.3ad)", m, itf.MemberState)
		}
	}
	if r = netalign(t, nil, "validate", "-i", inv); r.code != 0 {
		t.Fatalf("validate after apply: %s", r)
	}
	if r = netalign(t, nil, "plan", "-i", inv, "--detailed-exitcode"); r.code != 0 {
		t.Fatalf("plan after apply must be empty: %s", r)
	}
	// A snapshot taken now validates offline, with the devices out of reach.
	snap := filepath.Join(t.TempDir(), "snap.json")
	if r = netalign(t, nil, "observe", "-i", inv, "-o", snap); r.code != 0 {
		t.Fatalf("observe: %s", r)
	}
	if r = netalign(t, []string{"NETALIGN_LAB_PASS=wrong"}, "validate", "-i", inv, "--snapshot", snap); r.code != 0 {
		t.Fatalf("validate --snapshot: %s", r)
	}
	// Drift by hand, through the lab's control socket.
	for _, d := range [][]string{{"leaf1", "remove-allowed-vlan", "Port-Channel10", "100"}, {"leaf1", "lag-static", "11"}} {
		if r = netalign(t, nil, append([]string{"lab", "drift", "--dir", l.Dir()}, d...)...); r.code != 0 {
			t.Fatalf("drift: %s", r)
		}
	}
	r = netalign(t, nil, "validate", "-i", inv, "-o", "json")
	if r.code != 1 {
		t.Fatalf("validate after drift: want exit 1\n%s", r)
	}
	want := []string{"LAG_MODE_MISMATCH leaf1 Port-Channel11", "VLAN_NOT_ALLOWED leaf1 Port-Channel10"}
	if got := findings(t, r); !slices.Equal(got, want) {
		t.Errorf("findings after drift: got %v, want %v", got, want)
	}
	r = netalign(t, nil, "plan", "-i", inv)
	if r.code != 0 || !strings.Contains(r.stdout, "allowed vlans : 1,10 -> 1,10,100") || !strings.Contains(r.stdout, "rejoins Port-Channel11, re-created static -> lacp") {
		t.Fatalf("plan after drift must offer the fix:\n%s", r)
	}
	if r = netalign(t, nil, "apply", "-i", inv, "--yes"); r.code != 0 {
		t.Fatalf("apply the fix: %s", r)
	}
	if r = netalign(t, nil, "validate", "-i", inv); r.code != 0 {
		t.Fatalf("validate after the fix: %s", r)
	}
	_ = context.Background
}

// TestOneSwitchRejectsCommit: of three switches, one rejects its commit;
// apply exits 1, applies the other two, and says which failed and why.
func TestOneSwitchRejectsCommit(t *testing.T) {
	l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{Faults: map[string]device.Faults{"leaf1": {RejectCommit: true}}})
	before := l.Device("leaf1").Running()
	r := netalign(t, nil, "apply", "-i", l.InventoryPath(), "--yes")
	if r.code != 1 {
		t.Fatalf("apply: want exit 1\n%s", r)
	}
	var leaf1Line string
	for _, line := range strings.Split(r.stdout, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[1] == "switch" {
			switch f[0] {
			case "leaf1":
				leaf1Line = line
				if f[2] != "rolled-back" {
					t.Errorf("leaf1: %q, want rolled-back", line)
				}
			case "leaf2", "oob-sw":
				if f[2] != "applied" {
					t.Errorf("%s: %q, want applied", f[0], line)
				}
			}
		}
	}
	if strings.Count(leaf1Line, "leaf1") != 1 {
		t.Errorf("leaf1 named more than once: %q", leaf1Line)
	}
	if !strings.Contains(strings.ToLower(leaf1Line), "commit") {
		t.Errorf("leaf1's line does not say why: %q", leaf1Line)
	}
	after := l.Device("leaf1").Running()
	if !after.Equal(&before) {
		t.Errorf("leaf1 changed although its commit was rejected")
	}
}

// TestTarget: --target limits apply, plan and validate to the named devices;
// the others are observed but neither changed nor reported.
func TestTarget(t *testing.T) {
	l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{})
	inv := l.InventoryPath()
	leaf2Before := l.Device("leaf2").Running()

	r := netalign(t, nil, "apply", "-i", inv, "--yes", "-o", "json", "--target", "leaf1")
	if r.code != 0 {
		t.Fatalf("apply --target leaf1: %s", r)
	}
	out := decodeApply(t, r)
	status := map[string]string{}
	for _, x := range out.Results {
		status[x.Device] = x.Status + " " + x.Reason
	}
	if status["leaf1"] != "applied " {
		t.Errorf("leaf1: %q, want applied", status["leaf1"])
	}
	for _, dev := range []string{"leaf2", "oob-sw", "lab-dhcp"} {
		if !strings.HasPrefix(status[dev], "skipped not targeted (") {
			t.Errorf("%s: %q, want skipped as not targeted with its pending changes", dev, status[dev])
		}
	}
	if after := l.Device("leaf2").Running(); !after.Equal(&leaf2Before) {
		t.Error("leaf2 changed although not targeted")
	}

	if r := netalign(t, nil, "validate", "-i", inv, "--target", "leaf1"); r.code != 0 {
		t.Errorf("validate --target leaf1: want clean (exit 0)\n%s", r)
	}
	r = netalign(t, nil, "validate", "-i", inv, "-o", "json")
	if r.code != 1 || !slices.ContainsFunc(findings(t, r), func(f string) bool { return strings.Contains(f, " leaf2 ") }) {
		t.Errorf("validate: want leaf2's mismatches (exit 1)\n%s", r)
	}
	r = netalign(t, nil, "plan", "-i", inv, "--detailed-exitcode", "--target", "leaf1")
	if r.code != 0 || !strings.Contains(r.stdout, "switch leaf2 (nxos): skipped, not targeted (") {
		t.Errorf("plan --target leaf1 after its apply: want no changes (exit 0), leaf2 skipped\n%s", r)
	}
	r = netalign(t, nil, "plan", "-i", inv, "--target", "leaf9")
	if r.code != 1 || !strings.Contains(r.stderr, `--target "leaf9": not a switch, DHCP server or host of `) {
		t.Errorf("plan --target leaf9: want a clear error\n%s", r)
	}
}
