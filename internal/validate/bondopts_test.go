package validate_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/validate"
)

// TestHostBondOptions checks HOST_BOND_OPTIONS_MISMATCH on a real captured
// bond that monitors its links with ARP (active-backup, miimon 0,
// arp_interval 200, targets 192.0.2.1 and 192.0.2.254): every option the
// inventory sets is compared, and none that it leaves out.
func TestHostBondOptions(t *testing.T) {
	h := captured(t, "ip_-d_-j_link_show.realkernel-arp-active-backup.json", "", "arp-bo",
		"proc_net_bonding_arp-bo.realkernel-arp-active-backup.txt")
	arp := intent.BondInfo{Mode: intent.ActiveBackup, ArpInterval: 200, ArpIPTargets: []string{"192.0.2.254", "192.0.2.1"}}
	type finding struct{ Code, Expected, Found string }
	for _, tc := range []struct {
		name string
		opts func(*intent.BondInfo)
		want []finding
	}{
		{"ARP monitoring as the inventory says: miimon 0 is no mismatch", func(*intent.BondInfo) {}, nil},
		{"options the inventory leaves out are not compared", func(b *intent.BondInfo) {
			b.LACPRate, b.XmitHashPolicy, b.UpDelay, b.MinLinks = "", "", 0, 0
		}, nil},
		{"another ARP interval", func(b *intent.BondInfo) { b.ArpInterval = 500 },
			[]finding{{"HOST_BOND_OPTIONS_MISMATCH", "arp_interval 500", "arp_interval 200"}}},
		{"other ARP targets", func(b *intent.BondInfo) { b.ArpIPTargets = []string{"192.0.2.1"} },
			[]finding{{"HOST_BOND_OPTIONS_MISMATCH", "arp_ip_target 192.0.2.1", "arp_ip_target 192.0.2.1,192.0.2.254"}}},
		{"MII monitoring wanted", func(b *intent.BondInfo) { *b = intent.BondInfo{Mode: intent.ActiveBackup, Miimon: 100} },
			[]finding{{"HOST_BOND_OPTIONS_MISMATCH", "miimon 100, arp_interval 0", "miimon 0, arp_interval 200"}}},
		{"a hash policy the inventory sets", func(b *intent.BondInfo) { b.XmitHashPolicy = "layer3+4" },
			[]finding{{"HOST_BOND_OPTIONS_MISMATCH", "xmit_hash_policy layer3+4", "xmit_hash_policy layer2"}}},
		{"mode has its own code", func(b *intent.BondInfo) { b.Mode = intent.BalanceXOR },
			[]finding{{"HOST_BOND_MODE_MISMATCH", "balance-xor", "active-backup"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := arp
			tc.opts(&o)
			d := &intent.Desired{Hosts: []intent.DesiredHost{{Name: "h", Bonds: []intent.DesiredBond{{
				ClusterNetwork: "arp", Bond: "arp-bo", Bridge: "arp-br", NICs: []string{"h0", "h1"}, MTU: 1500, PVID: 1, Options: o,
			}}}}}
			var got []finding
			for _, f := range validate.Check(validate.Input{Desired: d, Observed: &intent.Observed{Version: 1, Hosts: []intent.HostState{*h}}}) {
				if f.Code == validate.HostBondOptions || f.Code == validate.HostBondModeMismatch {
					got = append(got, finding{string(f.Code), f.Expected, f.Found})
					if f.Object != "arp-bo" || f.Device != "h" {
						t.Errorf("finding on %s %s, want h arp-bo", f.Device, f.Object)
					}
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
