package e2e

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/lab"
)

// TestWrongCablingHoldsPorts: the inventory swaps two NICs' ports (harvester-0
// eno1 and harvester-1 eno1 on leaf1) against what is cabled. validate
// reports CABLING_MISMATCH on both ports, plan changes neither and says why,
// and --ignore-cabling plans them.
func TestWrongCablingHoldsPorts(t *testing.T) {
	l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{})
	if r := netalign(t, nil, "apply", "-i", l.InventoryPath(), "--yes"); r.code != 0 {
		t.Fatalf("apply: %s", r)
	}
	inv := *l.Inventory()
	inv.Hosts = slices.Clone(inv.Hosts)
	for i, host := range []int{0, 1} {
		h := &inv.Hosts[host]
		h.ClusterNetworks = slices.Clone(h.ClusterNetworks)
		h.ClusterNetworks[0].NICs = slices.Clone(h.ClusterNetworks[0].NICs)
		h.ClusterNetworks[0].NICs[0].Port = []string{"Ethernet3", "Ethernet1"}[i]
	}
	file := writeInventory(t, &inv)

	r := netalign(t, nil, "validate", "-i", file, "-o", "json")
	var rep struct {
		Findings []struct{ Code, Device, Object string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("validate: %v\n%s", err, r)
	}
	var cabling []string
	for _, f := range rep.Findings {
		if f.Code == "CABLING_MISMATCH" {
			cabling = append(cabling, f.Device+" "+f.Object)
		}
	}
	slices.Sort(cabling)
	if want := []string{"leaf1 Ethernet1", "leaf1 Ethernet3"}; !slices.Equal(cabling, want) {
		t.Errorf("CABLING_MISMATCH on %v, want %v\n%s", cabling, want, r)
	}

	r = netalign(t, nil, "plan", "-i", file)
	for _, port := range []string{"Ethernet1", "Ethernet3"} {
		if !strings.Contains(r.stdout, port+" is held: LLDP shows") {
			t.Errorf("plan does not say %s is held:\n%s", port, r.stdout)
		}
		if strings.Contains(r.stdout, "~ interface "+port+"\n") {
			t.Errorf("plan changes the held port %s:\n%s", port, r.stdout)
		}
	}
	r = netalign(t, nil, "plan", "-i", file, "--ignore-cabling")
	if !strings.Contains(r.stdout, "~ interface Ethernet1") || strings.Contains(r.stdout, "is held") {
		t.Errorf("--ignore-cabling does not plan the ports:\n%s", r.stdout)
	}
}
