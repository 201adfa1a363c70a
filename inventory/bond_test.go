package inventory_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/inventory"
)

// TestBondMonitoringRoundTrip: miimon 0 stays 0 (ARP monitoring), in every
// format; left out, miimon is Harvester's 100, or 0 when arpInterval is set.
func TestBondMonitoringRoundTrip(t *testing.T) {
	cleanEnv(t)
	for _, tc := range []struct {
		name, format, doc string
		want              inventory.Bond
	}{
		{"yaml miimon 0 with ARP", "yaml",
			"version: 1\nclusterNetworks: [{name: oob, bond: {mode: active-backup, miimon: 0, arpInterval: 200, arpIpTargets: [192.0.2.1, 192.0.2.254]}}]\n",
			inventory.Bond{Mode: "active-backup", Miimon: new(0), ArpInterval: 200, ArpIPTargets: []string{"192.0.2.1", "192.0.2.254"}}},
		{"json miimon 0 with ARP", "json",
			`{"version": 1, "clusterNetworks": [{"name": "oob", "bond": {"mode": "balance-xor", "miimon": 0, "arpInterval": 1000, "arpIpTargets": ["192.0.2.1"]}}]}`,
			inventory.Bond{Mode: "balance-xor", Miimon: new(0), ArpInterval: 1000, ArpIPTargets: []string{"192.0.2.1"}}},
		{"toml miimon 0 with ARP", "toml",
			"version = 1\n[[clusterNetworks]]\nname = \"oob\"\n[clusterNetworks.bond]\nmode = \"active-backup\"\nmiimon = 0\narpInterval = 200\narpIpTargets = [\"192.0.2.1\"]\n",
			inventory.Bond{Mode: "active-backup", Miimon: new(0), ArpInterval: 200, ArpIPTargets: []string{"192.0.2.1"}}},
		{"miimon left out with ARP is 0", "yaml",
			"version: 1\nclusterNetworks: [{name: oob, bond: {arpInterval: 200, arpIpTargets: [192.0.2.1]}}]\n",
			inventory.Bond{Mode: "active-backup", Miimon: new(0), ArpInterval: 200, ArpIPTargets: []string{"192.0.2.1"}}},
		{"miimon left out is 100", "yaml",
			"version: 1\nclusterNetworks: [{name: oob}]\n",
			inventory.Bond{Mode: "active-backup", Miimon: new(100)}},
		{"miimon set is kept", "yaml",
			"version: 1\nclusterNetworks: [{name: oob, bond: {mode: lacp, miimon: 250}}]\n",
			inventory.Bond{Mode: "lacp", Miimon: new(250)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := inventory.LoadBytes(context.Background(), "x."+tc.format, []byte(tc.doc), tc.format, opts)
			if err != nil {
				t.Fatal(err)
			}
			got := inv.ClusterNetwork("oob").Bond
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("bond (-want +got):\n%s", diff)
			}
			if got.MIIMonitor() != *tc.want.Miimon {
				t.Errorf("MIIMonitor() = %d, want %d", got.MIIMonitor(), *tc.want.Miimon)
			}
		})
	}
}

// TestBondMonitoringErrors: each problem names the file, the field and the
// value as written, and says what to write instead.
func TestBondMonitoringErrors(t *testing.T) {
	cleanEnv(t)
	for _, tc := range []struct {
		name, bond, want string
	}{
		{"both monitors", "{mode: active-backup, miimon: 100, arpInterval: 200, arpIpTargets: [192.0.2.1]}",
			`x.yaml: clusterNetworks[0].bond.arpInterval: ARP monitoring and MII monitoring (miimon 100) exclude each other: set miimon: 0 to monitor links with ARP, or leave arpInterval out (value "200")`},
		{"no monitor", "{mode: active-backup, miimon: 0}",
			`x.yaml: clusterNetworks[0].bond.miimon: no link monitoring: with miimon 0 the bond needs ARP monitoring (arpInterval > 0 and arpIpTargets), or it never notices a failed link (value "0")`},
		{"ARP in 802.3ad", "{mode: lacp, arpInterval: 200, arpIpTargets: [192.0.2.1]}",
			`x.yaml: clusterNetworks[0].bond.arpInterval: ARP monitoring is not available in bond mode "lacp" (the kernel has it in balance-rr, active-backup, balance-xor and broadcast only): use miimon (value "200")`},
		{"ARP in balance-tlb", "{mode: 5, miimon: 0, arpInterval: 200, arpIpTargets: [192.0.2.1]}",
			`x.yaml: clusterNetworks[0].bond.arpInterval: ARP monitoring is not available in bond mode "5" (the kernel has it in balance-rr, active-backup, balance-xor and broadcast only): use miimon (value "200")`},
		{"no target", "{mode: broadcast, miimon: 0, arpInterval: 200}",
			`x.yaml: clusterNetworks[0].bond.arpIpTargets: ARP monitoring (arpInterval 200) needs at least one target`},
		{"IPv6 target", `{mode: balance-rr, arpInterval: 200, arpIpTargets: ["2001:db8::1"]}`,
			`x.yaml: clusterNetworks[0].bond.arpIpTargets[0]: want an IPv4 address such as 192.0.2.1 (value "2001:db8::1")`},
		{"delay with ARP", "{mode: active-backup, arpInterval: 200, arpIpTargets: [192.0.2.1], upDelay: 400}",
			`x.yaml: clusterNetworks[0].bond.upDelay: upDelay works with MII monitoring only (miimon > 0); the kernel refuses it with miimon 0 (value "400")`},
		{"miimon not a number", "{mode: active-backup, miimon: fast}",
			`x.yaml: clusterNetworks[0].bond.miimon: want a number (value "fast")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "version: 1\nclusterNetworks: [{name: oob, bond: " + tc.bond + "}]\n"
			_, err := inventory.LoadBytes(context.Background(), "x.yaml", []byte(doc), "yaml", opts)
			var ve inventory.ValidationErrors
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want ValidationErrors", err)
			}
			if diff := cmp.Diff([]string{tc.want}, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
