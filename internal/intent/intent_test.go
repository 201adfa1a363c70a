package intent_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

func TestParseBondMode(t *testing.T) {
	tests := []struct {
		in   string
		want intent.BondMode
		lag  intent.LAGType
	}{
		{"", intent.ActiveBackup, intent.LAGNone},
		{"0", intent.BalanceRR, intent.LAGStatic},
		{"balance-rr", intent.BalanceRR, intent.LAGStatic},
		{"1", intent.ActiveBackup, intent.LAGNone},
		{"Active-Backup", intent.ActiveBackup, intent.LAGNone},
		{"2", intent.BalanceXOR, intent.LAGStatic},
		{"xor", intent.BalanceXOR, intent.LAGStatic},
		{"broadcast", intent.Broadcast, intent.LAGStatic},
		{"4", intent.LACP, intent.LAGLACP},
		{"802.3ad", intent.LACP, intent.LAGLACP},
		{"lacp", intent.LACP, intent.LAGLACP},
		{" LACP ", intent.LACP, intent.LAGLACP},
		{"balance-tlb", intent.BalanceTLB, intent.LAGNone},
		{"6", intent.BalanceALB, intent.LAGNone},
		{"alb", intent.BalanceALB, intent.LAGNone},
	}
	for _, tc := range tests {
		got, err := intent.ParseBondMode(tc.in)
		if err != nil || got != tc.want || got.LAG() != tc.lag {
			t.Errorf("ParseBondMode(%q) = %v (%s), %v; want %v (%s)", tc.in, got, got.LAG(), err, tc.want, tc.lag)
		}
	}
	for _, bad := range []string{"7", "-1", "lag", "802.3", "active backup"} {
		_, err := intent.ParseBondMode(bad)
		if err == nil || !strings.Contains(err.Error(), "802.3ad") || !strings.Contains(err.Error(), "active-backup") {
			t.Errorf("ParseBondMode(%q): error %v must list the valid spellings", bad, err)
		}
	}
	if got := intent.LACP.String(); got != "802.3ad" {
		t.Errorf("String() = %q", got)
	}
}

func TestVLANSet(t *testing.T) {
	tests := []struct {
		in, want string
		n        int
	}{
		{"1,10-12,100", "1,10-12,100", 5},
		{"100, 10-12 ,1,11", "1,10-12,100", 5},
		{"all", "1-4094", 4094},
		{"none", "none", 0},
		{"", "none", 0},
		{"4094", "4094", 1},
	}
	for _, tc := range tests {
		s, err := intent.ParseVLANSet(tc.in)
		if err != nil || s.String() != tc.want || len(s) != tc.n {
			t.Errorf("ParseVLANSet(%q) = %q (%d), %v; want %q (%d)", tc.in, s, len(s), err, tc.want, tc.n)
		}
	}
	for _, bad := range []string{"0", "4095", "a", "10-5", "1-"} {
		if _, err := intent.ParseVLANSet(bad); err == nil {
			t.Errorf("ParseVLANSet(%q) accepted", bad)
		}
	}
	a := intent.NewVLANSet(1, 10, 100)
	b := intent.NewVLANSet(10, 200)
	if got := a.Union(b).String(); got != "1,10,100,200" {
		t.Errorf("union %s", got)
	}
	if got := a.Minus(b).String(); got != "1,100" {
		t.Errorf("minus %s", got)
	}
	var back intent.VLANSet
	j, _ := json.Marshal(a)
	if err := json.Unmarshal(j, &back); err != nil || !back.Equal(a) || string(j) != `"1,10,100"` {
		t.Errorf("json round trip: %s -> %v %v", j, back, err)
	}
	if err := json.Unmarshal([]byte(`[100, 1, 1]`), &back); err != nil || back.String() != "1,100" {
		t.Errorf("json list form: %v %v", back, err)
	}
}

func TestNormalizeInterface(t *testing.T) {
	tests := map[string]string{
		"Et1":             "Ethernet1",
		"eth1":            "Ethernet1",
		"ethernet1/1":     "Ethernet1/1",
		"Ethernet49/1":    "Ethernet49/1",
		"Po10":            "Port-Channel10",
		"port-channel10":  "Port-Channel10",
		"Port-Channel10":  "Port-Channel10",
		"Ma1":             "Management1",
		"xe-0/0/1":        "xe-0/0/1",
		"swp1":            "swp1",
		"ae0":             "ae0",
		"PortChannel0001": "PortChannel0001",
	}
	for in, want := range tests {
		if got := intent.NormalizeInterface(in); got != want {
			t.Errorf("NormalizeInterface(%q) = %q, want %q", in, got, want)
		}
	}
	if got := intent.ShortInterface("Ethernet3"); got != "Et3" {
		t.Errorf("ShortInterface = %q", got)
	}
	if intent.LAGID("Po42") != 42 || intent.LAGID("Ethernet1") != 0 {
		t.Error("LAGID")
	}
}

func TestDeriveSeed(t *testing.T) {
	inv, err := inventory.Load(filepath.Join("..", "..", "configs", "harvester-seed.yaml"), intent.InventoryOptions())
	if err != nil {
		t.Fatal(err)
	}
	d, err := intent.Derive(inv)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Switches) != 2 || d.Switches[0].Name != "leaf1" {
		t.Fatalf("switches: %+v", d.Switches)
	}
	leaf1 := d.Switches[0]
	var vlans []int
	for _, v := range leaf1.VLANs {
		vlans = append(vlans, v.ID)
	}
	if diff := cmp.Diff([]int{1, 10, 20, 100}, vlans); diff != "" {
		t.Errorf("leaf1 VLANs (-want +got):\n%s", diff)
	}
	// mgmt: 802.3ad over leaf1+leaf2 (an MLAG pair): one LACP LAG per host on
	// each leaf; oob: active-backup on leaf1 only: plain trunks.
	if len(leaf1.LAGs) != 3 {
		t.Fatalf("leaf1 LAGs: %+v", leaf1.LAGs)
	}
	lag := leaf1.LAGs[0]
	want := intent.DesiredLAG{
		Key: "harvester-0/mgmt", Host: "harvester-0", ClusterNetwork: "mgmt", Type: intent.LAGLACP,
		Members: []string{"Ethernet1"}, LACPRate: "fast", MLAG: true,
		Trunk: intent.Trunk{NativeVLAN: 1, Allowed: intent.NewVLANSet(1, 10, 100)}, MTU: 9000,
	}
	if diff := cmp.Diff(want, lag); diff != "" {
		t.Errorf("harvester-0 LAG on leaf1 (-want +got):\n%s", diff)
	}
	var oob []intent.DesiredPort
	for _, p := range leaf1.Ports {
		if p.ClusterNetwork == "oob" {
			oob = append(oob, p)
		}
	}
	if len(oob) != 6 || oob[0].LAG != "" || oob[0].Trunk.NativeVLAN != 20 || !oob[0].Trunk.Allowed.Equal(intent.VLANSet{20}) {
		t.Errorf("oob ports: %+v", oob)
	}
	h := d.Hosts[0]
	if h.Name != "harvester-0" || len(h.Bonds) != 2 {
		t.Fatalf("host: %+v", h)
	}
	mgmt := h.Bonds[0]
	if mgmt.Bond != "mgmt-bo" || mgmt.Bridge != "mgmt-br" || mgmt.Options.Mode != intent.LACP || mgmt.Options.Miimon != 100 ||
		mgmt.MgmtVLAN != 10 || !mgmt.VLANs.Equal(intent.NewVLANSet(10, 100)) || mgmt.PVID != 1 || !mgmt.Protected || mgmt.MTU != 9000 {
		t.Errorf("mgmt bond: %+v", mgmt)
	}
	if len(d.DHCP) != 1 || len(d.DHCP[0].Pools) != 1 {
		t.Fatalf("dhcp: %+v", d.DHCP)
	}
	p := d.DHCP[0].Pools[0]
	if p.VLAN != 100 || p.Subnet != "172.16.100.0/24" || p.Relay != "172.16.100.1" || p.LeaseTime != 43200 || !p.Owned {
		t.Errorf("pool: %+v", p)
	}
}
