//go:build realkernel

package hostnet

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/validate"
)

// arpInventory: the cluster network oob monitors its links with ARP
// (miimon 0, arpInterval 200, two targets) instead of MII.
const arpInventory = `version: 1
settings:
  rollbackTimeout: 20s
clusterNetworks:
  - name: oob
    bond: {mode: active-backup, miimon: 0, arpInterval: 200, arpIpTargets: [192.0.2.1, 192.0.2.254]}
hosts:
  - name: host
    access: local
    connectivity: {target: 10.9.0.2}
    clusterNetworks:
      - name: oob
        nics:
          - {name: h0}
          - {name: h1}
`

// TestRealKernelCLIARPMonitoring: a bond with miimon 0 and ARP targets
// applies, validates clean (miimon 0 is what the inventory says, not a
// mismatch) and monitors its links with ARP; changed by hand on the host to
// another ARP interval, validate reports HOST_BOND_OPTIONS_MISMATCH and the
// next plan and apply put it back.
func TestRealKernelCLIARPMonitoring(t *testing.T) {
	bin := netalignBin(t)
	l := newLab(t, 3)
	// h0 and h1 are the bond's NICs, facing plain ports of the switch's
	// bridge, which holds the first ARP target; h2 is the management link
	// the connectivity check pings over.
	l.switchPorts(2)
	l.addr("switch", "br10", "192.0.2.1/24")
	l.addr("host", "h2", "10.9.0.1/24")
	l.addr("switch", "s2", "10.9.0.2/24")
	inv := filepath.Join(t.TempDir(), "inv.yaml")
	l.must("write inventory", os.WriteFile(inv, []byte(arpInventory), 0o600))

	if code, _, _ := l.netalign(bin, "apply", "-i", inv, "--yes"); code != 0 {
		t.Fatalf("apply --yes: exit %d, want 0", code)
	}
	if code, out, _ := l.netalign(bin, "validate", "-i", inv, "-o", "json"); code != 0 {
		t.Errorf("validate after apply: exit %d, want 0 (clean)\n%s", code, out)
	}
	if code, _, _ := l.netalign(bin, "plan", "-i", inv, "--detailed-exitcode"); code != 0 {
		t.Errorf("plan --detailed-exitcode after apply: exit %d, want 0 (no changes)", code)
	}
	want := &intent.BondInfo{Mode: intent.ActiveBackup, Miimon: 0, LACPRate: "slow", XmitHashPolicy: "layer2",
		ArpInterval: 200, ArpIPTargets: []string{"192.0.2.1", "192.0.2.254"}}
	st, err := l.host.Observe(context.Background())
	l.must("observe", err)
	if diff := cmp.Diff(want, st.Link("oob-bo").Bond); diff != "" {
		t.Errorf("oob-bo options (-want +got):\n%s", diff)
	}
	// ARP monitoring at work: with an address on the bridge the bond's
	// ARP requests get answers, a slave becomes active and the target
	// answers a ping.
	l.addr("host", "oob-br", "192.0.2.10/24")
	if !l.ping("host", "192.0.2.1", 15*time.Second) {
		t.Errorf("192.0.2.1 unreachable through the ARP-monitored oob-bo")
	}

	// By hand on the host: another ARP interval.
	if out, err := exec.Command("ip", "-n", "host", "link", "set", "oob-bo", "type", "bond", "arp_interval", "500").CombinedOutput(); err != nil {
		t.Fatalf("ip link set oob-bo arp_interval 500: %v\n%s", err, out)
	}
	code, out, _ := l.netalign(bin, "validate", "-i", inv, "-o", "json")
	if code != 1 {
		t.Errorf("validate after the host's change: exit %d, want 1", code)
	}
	var rep struct{ Findings []validate.Finding }
	l.must("decode validate -o json", json.Unmarshal([]byte(out), &rep))
	wantF := []validate.Finding{{Code: validate.HostBondOptions, Device: "host", Object: "oob-bo",
		Expected: "arp_interval 200", Found: "arp_interval 500"}}
	if diff := cmp.Diff(wantF, rep.Findings, cmpopts.IgnoreFields(validate.Finding{}, "Severity", "Message")); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	code, out, _ = l.netalign(bin, "plan", "-i", inv, "--detailed-exitcode")
	if code != 2 || !strings.Contains(out, "arp_interval") || !strings.Contains(out, "oob-bo") {
		t.Errorf("plan after the host's change: exit %d, want 2 with an arp_interval change of oob-bo", code)
	}
	if code, _, _ := l.netalign(bin, "apply", "-i", inv, "--yes"); code != 0 {
		t.Fatalf("apply --yes after the host's change: exit %d, want 0", code)
	}
	if code, _, _ := l.netalign(bin, "validate", "-i", inv); code != 0 {
		t.Errorf("validate after the second apply: exit %d, want 0 (clean)", code)
	}
}

// TestRealKernelBondMonitoringChanges: hostnet moves a bond between MII
// and ARP monitoring in place, and across modes with and without ARP
// monitoring, without sending what the kernel refuses (updelay with miimon
// 0: EPERM; arp_interval in 802.3ad: EACCES); after each apply the plan
// is empty and netlink and the iproute2 parsers (remote observation)
// observe the same options.
func TestRealKernelBondMonitoringChanges(t *testing.T) {
	l := newLab(t, 2)
	l.switchPorts(2)
	bond := func(o intent.BondInfo) intent.DesiredHost {
		return intent.DesiredHost{Name: "host", Bonds: []intent.DesiredBond{{
			ClusterNetwork: "oob", Bond: "oob-bo", Bridge: "oob-br", NICs: []string{"h0", "h1"}, MTU: 1500, PVID: 1, Options: o}}}
	}
	arp := intent.BondInfo{Mode: intent.ActiveBackup, ArpInterval: 200, ArpIPTargets: []string{"192.0.2.1", "192.0.2.254"}}
	for _, step := range []struct {
		name string
		opts intent.BondInfo
		want intent.BondInfo // the options netlink reports afterwards
	}{
		{"MII with up and down delays", intent.BondInfo{Mode: intent.ActiveBackup, Miimon: 100, UpDelay: 200, DownDelay: 100},
			intent.BondInfo{Mode: intent.ActiveBackup, Miimon: 100, UpDelay: 200, DownDelay: 100}},
		// The delays are left out: kept by the kernel, reported as 0
		// while miimon is 0.
		{"to ARP in place", arp, intent.BondInfo{Mode: intent.ActiveBackup, ArpInterval: 200, ArpIPTargets: []string{"192.0.2.1", "192.0.2.254"}}},
		{"another interval and targets", intent.BondInfo{Mode: intent.ActiveBackup, ArpInterval: 1000, ArpIPTargets: []string{"192.0.2.254"}},
			intent.BondInfo{Mode: intent.ActiveBackup, ArpInterval: 1000, ArpIPTargets: []string{"192.0.2.254"}}},
		// The kernel turns ARP monitoring off itself on the mode change
		// and keeps the targets.
		{"to 802.3ad with MII", intent.BondInfo{Mode: intent.LACP, Miimon: 100},
			intent.BondInfo{Mode: intent.LACP, Miimon: 100, UpDelay: 200, DownDelay: 100, ArpIPTargets: []string{"192.0.2.254"}}},
		{"back to active-backup with ARP", arp, intent.BondInfo{Mode: intent.ActiveBackup, ArpInterval: 200, ArpIPTargets: []string{"192.0.2.1", "192.0.2.254"}}},
		{"back to MII in place", intent.BondInfo{Mode: intent.ActiveBackup, Miimon: 100},
			intent.BondInfo{Mode: intent.ActiveBackup, Miimon: 100, UpDelay: 200, DownDelay: 100, ArpIPTargets: []string{"192.0.2.1", "192.0.2.254"}}},
	} {
		d := bond(step.opts)
		obs, err := l.host.Observe(context.Background())
		l.must("observe", err)
		if _, err := l.host.Apply(context.Background(), Diff(d, *obs), ApplyOptions{NoCheck: true, LACPWait: -1}); err != nil {
			t.Fatalf("%s: apply: %v", step.name, err)
		}
		obs, err = l.host.Observe(context.Background())
		l.must("observe", err)
		got := *obs.Link("oob-bo").Bond
		got.LACPRate, got.XmitHashPolicy, got.ActiveAggregator = "", "", 0
		if diff := cmp.Diff(step.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: oob-bo options (-want +got):\n%s", step.name, diff)
		}
		if again := Diff(d, *obs); len(again) != 0 {
			t.Errorf("%s: plan after apply not empty: %+v", step.name, briefs(again))
		}
		// The host rules other than LACP (the switch side is plain ports:
		// an 802.3ad bond never bundles).
		for _, f := range validate.Check(validate.Input{Desired: &intent.Desired{Hosts: []intent.DesiredHost{d}}, Observed: &intent.Observed{Hosts: []intent.HostState{*obs}}}) {
			if !strings.HasPrefix(string(f.Code), "LACP_") {
				t.Errorf("%s: validate: %+v", step.name, f)
			}
		}
		links, err := exec.Command("ip", "-n", "host", "-d", "-j", "link", "show", "dev", "oob-bo").Output()
		l.must("ip -d -j link show", err)
		var bonding []byte
		l.must("read bonding", l.host.inNetNS(func() error {
			var err error
			bonding, err = os.ReadFile("/proc/thread-self/net/bonding/oob-bo")
			return err
		}))
		viaIproute2, err := HostStateFromIproute2("host", links, nil, map[string][]byte{"oob-bo": bonding})
		l.must("parse iproute2", err)
		if diff := cmp.Diff(obs.Link("oob-bo").Bond, viaIproute2.Link("oob-bo").Bond); diff != "" {
			t.Errorf("%s: netlink and iproute2 observe oob-bo differently (-netlink +iproute2):\n%s", step.name, diff)
		}
	}
}
