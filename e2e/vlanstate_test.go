package e2e

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/lab"
)

// TestVLANSuspendedBehindNetalignsBack: after a clean apply of lab.yaml, an
// operator suspends VLAN 100 on leaf1 (EOS) and shuts VLAN 200 down in VLAN
// mode on leaf2 (NX-OS) through `netalign lab drift`. The VLANs still
// exist, so only their state tells: validate reports exactly VLAN_INACTIVE
// for each, plan makes them active, apply converges and validate is clean.
func TestVLANSuspendedBehindNetalignsBack(t *testing.T) {
	l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{})
	inv := l.InventoryPath()
	if r := netalign(t, nil, "apply", "-i", inv, "--yes"); r.code != 0 {
		t.Fatalf("apply: %s", r)
	}
	for _, d := range [][]string{{"leaf1", "vlan-state", "100", "suspend"}, {"leaf2", "vlan-state", "200", "shutdown"}} {
		if r := netalign(t, nil, append([]string{"lab", "drift", "--dir", l.Dir()}, d...)...); r.code != 0 {
			t.Fatalf("drift %v: %s", d, r)
		}
	}
	r := netalign(t, nil, "validate", "-i", inv, "-o", "json")
	if r.code != 1 {
		t.Fatalf("validate after the drift: want exit 1\n%s", r)
	}
	want := []string{"VLAN_INACTIVE leaf1 vlan 100", "VLAN_INACTIVE leaf2 vlan 200"}
	if got := findings(t, r); !slices.Equal(got, want) {
		t.Errorf("findings: got %v, want %v", got, want)
	}
	r = netalign(t, nil, "plan", "-i", inv, "--detailed-exitcode")
	for _, s := range []string{"~ vlan 100", "state : suspended -> active", "~ vlan 200", "state : shutdown -> active"} {
		if r.code != 2 || !strings.Contains(r.stdout, s) {
			t.Fatalf("plan must make the VLANs active (%q):\n%s", s, r)
		}
	}
	r = netalign(t, nil, "apply", "-i", inv, "--yes", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"state active"`) || !strings.Contains(r.stdout, `"no shutdown"`) {
		t.Fatalf("apply the reactivation: %s", r)
	}
	leaf1 := l.Device("leaf1").State()
	if v := leaf1.VLAN(100); v == nil || !v.Active() || v.Name != "vlan100" {
		t.Errorf("leaf1 VLAN 100 after apply: %+v", v)
	}
	if r = netalign(t, nil, "validate", "-i", inv); r.code != 0 {
		t.Fatalf("validate after the reactivation: %s", r)
	}
	if r = netalign(t, nil, "plan", "-i", inv, "--detailed-exitcode"); r.code != 0 {
		t.Fatalf("plan after the reactivation must be empty: %s", r)
	}
}
