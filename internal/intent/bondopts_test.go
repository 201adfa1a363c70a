package intent_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

func TestBondModeARPMonitoring(t *testing.T) {
	want := map[intent.BondMode]bool{intent.BalanceRR: true, intent.ActiveBackup: true, intent.BalanceXOR: true,
		intent.Broadcast: true, intent.LACP: false, intent.BalanceTLB: false, intent.BalanceALB: false, 7: false}
	for m, w := range want {
		if got := m.ARPMonitoring(); got != w {
			t.Errorf("%s.ARPMonitoring() = %v, want %v", m, got, w)
		}
	}
}

func TestBondOptionFields(t *testing.T) {
	mii := intent.BondInfo{Mode: intent.ActiveBackup, Miimon: 100}
	arp := intent.BondInfo{Mode: intent.ActiveBackup, ArpInterval: 200, ArpIPTargets: []string{"192.0.2.254", "192.0.2.1"}}
	// What a kernel reports of a bond: every option, defaults included.
	host := func(mut func(*intent.BondInfo)) *intent.BondInfo {
		b := &intent.BondInfo{Mode: intent.ActiveBackup, Miimon: 100, LACPRate: "slow", XmitHashPolicy: "layer2"}
		mut(b)
		return b
	}
	for _, tc := range []struct {
		name string
		have *intent.BondInfo
		want intent.BondInfo
		out  []intent.Field
	}{
		{"new MII bond: what is set", nil, mii,
			[]intent.Field{{Name: "mode", After: "active-backup"}, {Name: "miimon", After: "100"}}},
		{"new ARP bond", nil, arp, []intent.Field{{Name: "mode", After: "active-backup"}, {Name: "miimon", After: "0"},
			{Name: "arp_interval", After: "200"}, {Name: "arp_ip_target", After: "192.0.2.1,192.0.2.254"}}},
		{"converged MII bond", host(func(*intent.BondInfo) {}), mii, nil},
		{"options left out are not compared", host(func(b *intent.BondInfo) {
			b.XmitHashPolicy, b.LACPRate, b.UpDelay, b.MinLinks = "layer3+4", "fast", 200, 2
			b.ArpIPTargets = []string{"198.51.100.1"} // kept by the kernel while ARP monitoring is off
		}), mii, nil},
		{"converged ARP bond, targets in another order", host(func(b *intent.BondInfo) {
			b.Miimon, b.ArpInterval, b.ArpIPTargets = 0, 200, []string{"192.0.2.1", "192.0.2.254"}
		}), arp, nil},
		{"another ARP interval on the host", host(func(b *intent.BondInfo) {
			b.Miimon, b.ArpInterval, b.ArpIPTargets = 0, 500, []string{"192.0.2.1", "192.0.2.254"}
		}), arp, []intent.Field{{Name: "arp_interval", Before: "500", After: "200"}}},
		{"ARP bond wanted, MII on the host", host(func(*intent.BondInfo) {}), arp, []intent.Field{
			{Name: "miimon", Before: "100", After: "0"}, {Name: "arp_interval", Before: "0", After: "200"},
			{Name: "arp_ip_target", After: "192.0.2.1,192.0.2.254"}}},
		{"MII bond wanted, ARP on the host", host(func(b *intent.BondInfo) {
			b.Miimon, b.ArpInterval, b.ArpIPTargets = 0, 200, []string{"192.0.2.1"}
		}), mii, []intent.Field{{Name: "miimon", Before: "0", After: "100"}, {Name: "arp_interval", Before: "200", After: "0"}}},
		{"every set option", host(func(b *intent.BondInfo) { b.Mode = intent.LACP }),
			intent.BondInfo{Mode: intent.LACP, Miimon: 100, LACPRate: "fast", XmitHashPolicy: "layer3+4", UpDelay: 200, DownDelay: 100, MinLinks: 1},
			[]intent.Field{{Name: "lacp_rate", Before: "slow", After: "fast"}, {Name: "xmit_hash_policy", Before: "layer2", After: "layer3+4"},
				{Name: "updelay", Before: "0", After: "200"}, {Name: "downdelay", Before: "0", After: "100"}, {Name: "min_links", Before: "0", After: "1"}}},
		{"lacp_rate only in 802.3ad", host(func(*intent.BondInfo) {}), intent.BondInfo{Mode: intent.ActiveBackup, Miimon: 100, LACPRate: "fast"}, nil},
		{"mode", host(func(*intent.BondInfo) {}), intent.BondInfo{Mode: intent.BalanceXOR, Miimon: 100},
			[]intent.Field{{Name: "mode", Before: "active-backup", After: "balance-xor"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := intent.BondOptionFields(tc.have, tc.want)
			if diff := cmp.Diff(tc.out, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeriveBondMonitoring: an inventory's ARP monitoring reaches the host
// bond as miimon 0 with the interval and targets; options left out stay
// unset on the host bond, and the LAG facing an 802.3ad bond runs slow.
func TestDeriveBondMonitoring(t *testing.T) {
	inv := &inventory.Inventory{Version: 1,
		ClusterNetworks: []inventory.ClusterNetwork{
			{Name: "oob", MTU: 1500, UntaggedVLAN: 1, Bond: inventory.Bond{Mode: "active-backup", ArpInterval: 200, ArpIPTargets: []string{"192.0.2.1"}}},
			{Name: "data", MTU: 1500, UntaggedVLAN: 1, Bond: inventory.Bond{Mode: "802.3ad"}},
		},
		Switches: []inventory.Switch{{Name: "sw", Platform: "eos", Address: "192.0.2.2"}},
		Hosts: []inventory.Host{{Name: "h", ClusterNetworks: []inventory.HostClusterNetwork{
			{Name: "oob", NICs: []inventory.NIC{{Name: "eno1"}, {Name: "eno2"}}},
			{Name: "data", NICs: []inventory.NIC{{Name: "eno3", Switch: "sw", Port: "Ethernet3"}, {Name: "eno4", Switch: "sw", Port: "Ethernet4"}}},
		}}},
	}
	d, err := intent.Derive(inv)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]intent.BondInfo{}
	for _, b := range d.Hosts[0].Bonds {
		got[b.ClusterNetwork] = b.Options
	}
	want := map[string]intent.BondInfo{
		"oob":  {Mode: intent.ActiveBackup, Miimon: 0, ArpInterval: 200, ArpIPTargets: []string{"192.0.2.1"}},
		"data": {Mode: intent.LACP, Miimon: 100},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bond options (-want +got):\n%s", diff)
	}
	if len(d.Switches) != 1 || len(d.Switches[0].LAGs) != 1 || d.Switches[0].LAGs[0].LACPRate != "slow" {
		t.Errorf("LAG facing data-bo: %+v", d.Switches)
	}
}
