package hostnet

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHostStateFromIproute2RealKernel(t *testing.T) {
	st, err := HostStateFromIproute2("h1",
		readTestdata(t, "ip_-d_-j_link_show.realkernel-host.json"),
		readTestdata(t, "bridge_-j_vlan_show.realkernel-host.json"),
		map[string][]byte{
			"mgmt-bo": readTestdata(t, "proc_net_bonding_mgmt-bo.realkernel-8023ad-bundled.txt"),
			"oob-bo":  readTestdata(t, "proc_net_bonding_oob-bo.realkernel-active-backup.txt"),
		})
	if err != nil {
		t.Fatal(err)
	}
	lacp := func(partner string) *intent.BondSlaveInfo {
		return &intent.BondSlaveInfo{State: "active", MIIStatus: "up", AggregatorID: 1,
			ActorPortState: 63, PartnerState: 63, PartnerMAC: partner}
	}
	want := []intent.Link{
		{Name: "lo", Kind: intent.LinkOther, MTU: 65536, AdminUp: true, OperState: "unknown"},
		{Name: "mgmt-bo", Kind: intent.LinkBond, MAC: "46:8d:a7:3f:27:23", MTU: 1500, AdminUp: true, OperState: "up", Master: "mgmt-br",
			Bond:        &intent.BondInfo{Mode: intent.LACP, Miimon: 100, LACPRate: "fast", XmitHashPolicy: "layer3+4", ActiveAggregator: 1},
			BridgeVLANs: []intent.BridgeVLAN{{VID: 1, PVID: true, Untagged: true}, {VID: 10}, {VID: 100}, {VID: 200}, {VID: 201}, {VID: 202}}},
		{Name: "mgmt-br", Kind: intent.LinkBridge, MAC: "46:8d:a7:3f:27:23", MTU: 1500, AdminUp: true, OperState: "up", VLANFiltering: true,
			BridgeVLANs: []intent.BridgeVLAN{{VID: 1, PVID: true, Untagged: true}, {VID: 10}}},
		{Name: "mgmt-br.10", Kind: intent.LinkVLAN, MAC: "46:8d:a7:3f:27:23", MTU: 1500, AdminUp: true, OperState: "up", VLANID: 10, Parent: "mgmt-br"},
		{Name: "oob-bo", Kind: intent.LinkBond, MAC: "42:92:17:64:8c:8a", MTU: 1500, AdminUp: true, OperState: "up", Master: "oob-br",
			Bond:        &intent.BondInfo{Mode: intent.ActiveBackup, Miimon: 100, LACPRate: "slow", XmitHashPolicy: "layer2"},
			BridgeVLANs: []intent.BridgeVLAN{{VID: 1, PVID: true, Untagged: true}}},
		{Name: "oob-br", Kind: intent.LinkBridge, MAC: "42:92:17:64:8c:8a", MTU: 1500, AdminUp: true, OperState: "up", VLANFiltering: true,
			BridgeVLANs: []intent.BridgeVLAN{{VID: 1, PVID: true, Untagged: true}}},
		{Name: "va0", Kind: intent.LinkVeth, MAC: "46:8d:a7:3f:27:23", MTU: 1500, AdminUp: true, OperState: "up", Master: "mgmt-bo", BondSlave: lacp("06:56:79:16:6d:72")},
		{Name: "va1", Kind: intent.LinkVeth, MAC: "46:8d:a7:3f:27:23", MTU: 1500, AdminUp: true, OperState: "up", Master: "mgmt-bo", BondSlave: lacp("06:56:79:16:6d:72")},
		{Name: "va2", Kind: intent.LinkVeth, MAC: "42:92:17:64:8c:8a", MTU: 1500, AdminUp: true, OperState: "up", Master: "oob-bo",
			BondSlave: &intent.BondSlaveInfo{State: "active", MIIStatus: "up"}},
		{Name: "va3", Kind: intent.LinkVeth, MAC: "42:92:17:64:8c:8a", MTU: 1500, AdminUp: true, OperState: "up", Master: "oob-bo",
			BondSlave: &intent.BondSlaveInfo{State: "backup", MIIStatus: "up"}},
	}
	if diff := cmp.Diff(want, st.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if !st.Link("va0").BondSlave.Bundled() {
		t.Errorf("va0 not bundled")
	}
}

func TestParseIPLinkVLANAndBridge(t *testing.T) {
	links, err := ParseIPLink(readTestdata(t, "ip_-d_-j_link_show.pbtn-vlan-in-bridge.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]intent.Link{}
	for _, l := range links {
		got[l.Name] = l
	}
	if l := got["br33"]; l.Kind != intent.LinkBridge || l.VLANFiltering {
		t.Errorf("br33 = %+v, want bridge without vlan filtering", l)
	}
	if l := got["eth2.33"]; l.Kind != intent.LinkVLAN || l.VLANID != 33 || l.Parent != "eth2" || l.Master != "br33" {
		t.Errorf("eth2.33 = %+v, want vlan 33 on eth2 in br33", l)
	}
	if l := got["eth0"]; l.Kind != intent.LinkDevice || !l.AdminUp || l.MTU != 1500 {
		t.Errorf("eth0 = %+v", l)
	}

	links, err = ParseIPLink(readTestdata(t, "ip_-d_-j_link_show.pbtn-vlan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var subifs []string
	for _, l := range links {
		if l.Kind == intent.LinkVLAN {
			subifs = append(subifs, l.Name+"@"+l.Parent+"/"+itoa(l.VLANID))
		}
	}
	if diff := cmp.Diff([]string{"eth1.20@eth1/20", "eth2.100@eth2/100"}, subifs); diff != "" {
		t.Errorf("vlan subifs (-want +got):\n%s", diff)
	}
}

func itoa(v int) string { return intent.VLANSet{v}.String() }

func TestParseIPLinkFacingStatic(t *testing.T) {
	links, err := ParseIPLink(readTestdata(t, "ip_-d_-j_link_show_mgmt-bo.realkernel-8023ad-facing-static.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := &intent.BondSlaveInfo{State: "backup", MIIStatus: "up", AggregatorID: 2, ActorPortState: 71, PartnerState: 0}
	if diff := cmp.Diff(want, links[0].BondSlave); diff != "" {
		t.Errorf("va0 slave (-want +got):\n%s", diff)
	}
	if links[0].BondSlave.Bundled() {
		t.Errorf("a slave facing a static LAG must not be bundled")
	}
}

func TestParseBridgeVLANsShapes(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want map[string][]intent.BridgeVLAN
	}{
		{"list with range", `[{"ifname":"p1","vlans":[{"vlan":1,"flags":["PVID","Egress Untagged"]},{"vlan":200,"vlanEnd":202}]}]`,
			map[string][]intent.BridgeVLAN{"p1": {{VID: 1, PVID: true, Untagged: true}, {VID: 200}, {VID: 201}, {VID: 202}}}},
		{"old object shape", `{"p2":[{"vlan":5,"flags":["PVID"]}]}`,
			map[string][]intent.BridgeVLAN{"p2": {{VID: 5, PVID: true}}}},
		{"empty", ``, map[string][]intent.BridgeVLAN{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseBridgeVLANs([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := ParseBridgeVLANs([]byte(`[{"ifname":`)); err == nil {
		t.Error("truncated JSON: want error")
	}
}

func TestParseProcBonding(t *testing.T) {
	for _, tc := range []struct {
		file string
		want *ProcBonding
	}{
		{"proc_net_bonding_mgmt-bo.realkernel-8023ad-bundled.txt", &ProcBonding{
			ModeText: "IEEE 802.3ad Dynamic link aggregation", Mode: intent.LACP, XmitHashPolicy: "layer3+4", Miimon: 100,
			LACPRate: "fast", ActiveAggregator: 1, PartnerMAC: "06:56:79:16:6d:72",
			Slaves: []ProcBondingSlave{
				{Name: "va0", MIIStatus: "up", PermHWAddr: "46:8d:a7:3f:27:23", AggregatorID: 1, ActorPortState: 63, PartnerPortState: 63, PartnerMAC: "06:56:79:16:6d:72"},
				{Name: "va1", MIIStatus: "up", PermHWAddr: "7a:dd:34:35:c9:96", AggregatorID: 1, ActorPortState: 63, PartnerPortState: 63, PartnerMAC: "06:56:79:16:6d:72"},
			}}},
		{"proc_net_bonding.insights-8023ad-no-partner.txt", &ProcBonding{
			ModeText: "IEEE 802.3ad Dynamic link aggregation", Mode: intent.LACP, XmitHashPolicy: "layer2", Miimon: 100,
			UpDelay: 2000, DownDelay: 1000, LACPRate: "slow", ActiveAggregator: 1, PartnerMAC: intent.ZeroMAC,
			Slaves: []ProcBondingSlave{
				{Name: "enp0s9", MIIStatus: "up", PermHWAddr: "08:00:27:99:a3:6b", AggregatorID: 1, ActorPortState: 77, PartnerPortState: 1, PartnerMAC: intent.ZeroMAC},
				{Name: "enp0s8", MIIStatus: "down", PermHWAddr: "08:00:27:a2:8d:f5", AggregatorID: 2, ActorPortState: 69, PartnerPortState: 1, PartnerMAC: intent.ZeroMAC},
			}}},
		{"proc_net_bonding_mgmt-bo.realkernel-8023ad-facing-static.txt", &ProcBonding{
			ModeText: "IEEE 802.3ad Dynamic link aggregation", Mode: intent.LACP, XmitHashPolicy: "layer3+4", Miimon: 100,
			LACPRate: "fast", ActiveAggregator: 1, PartnerMAC: intent.ZeroMAC,
			Slaves: []ProcBondingSlave{
				{Name: "va0", MIIStatus: "up", PermHWAddr: "46:8d:a7:3f:27:23", AggregatorID: 2, ActorPortState: 71, PartnerMAC: intent.ZeroMAC},
				{Name: "va1", MIIStatus: "up", PermHWAddr: "7a:dd:34:35:c9:96", AggregatorID: 1, ActorPortState: 79, PartnerMAC: intent.ZeroMAC},
			}}},
		{"proc_net_bonding_mgmt-bo.realkernel-8023ad-facing-bridge.txt", &ProcBonding{
			ModeText: "IEEE 802.3ad Dynamic link aggregation", Mode: intent.LACP, XmitHashPolicy: "layer3+4", Miimon: 100,
			LACPRate: "fast", ActiveAggregator: 1, PartnerMAC: intent.ZeroMAC,
			Slaves: []ProcBondingSlave{
				{Name: "h0", MIIStatus: "up", PermHWAddr: "76:1d:ec:b0:b2:ce", AggregatorID: 1, ActorPortState: 79, PartnerMAC: intent.ZeroMAC},
				{Name: "h1", MIIStatus: "up", PermHWAddr: "52:57:9b:11:d8:e1", AggregatorID: 2, ActorPortState: 71, PartnerMAC: intent.ZeroMAC},
			}}},
		{"proc_net_bonding_mgmt-bo.realkernel-8023ad-two-partners.txt", &ProcBonding{
			ModeText: "IEEE 802.3ad Dynamic link aggregation", Mode: intent.LACP, XmitHashPolicy: "layer3+4", Miimon: 100,
			LACPRate: "fast", ActiveAggregator: 2, PartnerMAC: "e2:fa:ca:60:fd:a2",
			Slaves: []ProcBondingSlave{
				{Name: "h0", MIIStatus: "up", PermHWAddr: "6e:e0:29:65:20:9d", AggregatorID: 1, ActorPortState: 7, PartnerPortState: 15, PartnerMAC: "3a:5f:bc:5a:47:80"},
				{Name: "h1", MIIStatus: "up", PermHWAddr: "e2:bb:91:b7:64:35", AggregatorID: 2, ActorPortState: 63, PartnerPortState: 63, PartnerMAC: "e2:fa:ca:60:fd:a2"},
			}}},
		// Without CAP_NET_ADMIN the kernel prints neither the active
		// aggregator nor any LACP PDU details: only the aggregator ids.
		{"proc_net_bonding_mgmt-bo.realkernel-8023ad-two-partners-unprivileged.txt", &ProcBonding{
			ModeText: "IEEE 802.3ad Dynamic link aggregation", Mode: intent.LACP, XmitHashPolicy: "layer3+4", Miimon: 100,
			LACPRate: "fast",
			Slaves: []ProcBondingSlave{
				{Name: "h0", MIIStatus: "up", PermHWAddr: "6e:e0:29:65:20:9d", AggregatorID: 1},
				{Name: "h1", MIIStatus: "up", PermHWAddr: "e2:bb:91:b7:64:35", AggregatorID: 2},
			}}},
		// "bond mgmt-bo has no active aggregator", "Aggregator ID: N/A".
		{"proc_net_bonding_mgmt-bo.realkernel-8023ad-bond-down.txt", &ProcBonding{
			ModeText: "IEEE 802.3ad Dynamic link aggregation", Mode: intent.LACP, XmitHashPolicy: "layer2", Miimon: 100,
			LACPRate: "fast",
			Slaves: []ProcBondingSlave{
				{Name: "h0", MIIStatus: "up", PermHWAddr: "b6:bd:94:3e:3c:fe"},
				{Name: "h1", MIIStatus: "up", PermHWAddr: "62:84:dc:ae:f7:10"},
			}}},
		{"proc_net_bonding_oob-bo.realkernel-active-backup.txt", &ProcBonding{
			ModeText: "fault-tolerance (active-backup)", Mode: intent.ActiveBackup, Miimon: 100, ActiveSlave: "va2",
			Slaves: []ProcBondingSlave{
				{Name: "va2", MIIStatus: "up", PermHWAddr: "42:92:17:64:8c:8a"},
				{Name: "va3", MIIStatus: "up", PermHWAddr: "32:3f:37:e8:76:30"},
			}}},
		// ARP monitoring: "ARP Polling Interval (ms)" and "ARP IP
		// target/s" appear only while arp_interval > 0.
		{"proc_net_bonding_arp-bo.realkernel-arp-active-backup.txt", &ProcBonding{
			ModeText: "fault-tolerance (active-backup)", Mode: intent.ActiveBackup, ActiveSlave: "h0",
			ArpInterval: 200, ArpIPTargets: []string{"192.0.2.1", "192.0.2.254"},
			Slaves: []ProcBondingSlave{
				{Name: "h0", MIIStatus: "up", PermHWAddr: "c2:d5:80:d3:0a:88"},
				{Name: "h1", MIIStatus: "up", PermHWAddr: "ee:13:7e:d8:ca:47"},
			}}},
		{"proc_net_bonding_xor-bo.realkernel-arp-balance-xor.txt", &ProcBonding{
			ModeText: "load balancing (xor)", Mode: intent.BalanceXOR, XmitHashPolicy: "layer2",
			ArpInterval: 1000, ArpIPTargets: []string{"192.0.2.1"}}},
		{"proc_net_bonding.insights-balance-xor.txt", &ProcBonding{
			ModeText: "load balancing (xor)", Mode: intent.BalanceXOR, XmitHashPolicy: "layer2+3", Miimon: 100,
			Slaves: []ProcBondingSlave{
				{Name: "eno1", MIIStatus: "up", PermHWAddr: "2c:44:fd:80:5c:f8"},
				{Name: "eno2", MIIStatus: "up", PermHWAddr: "2c:44:fd:80:5c:f9"},
			}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := ParseProcBonding(readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseProcBondingOthers(t *testing.T) {
	p, err := ParseProcBonding(readTestdata(t, "proc_net_bonding.telegraf-active-backup-slave-down.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var st []string
	for _, s := range p.Slaves {
		st = append(st, s.Name+"="+s.MIIStatus)
	}
	if diff := cmp.Diff([]string{"eth3=down", "eth2=up"}, st); diff != "" {
		t.Errorf("slaves (-want +got):\n%s", diff)
	}
	if p.Mode != intent.ActiveBackup || p.ActiveSlave != "eth2" || p.Slaves[0].PermHWAddr != "" {
		t.Errorf("got mode %v active %q perm %q", p.Mode, p.ActiveSlave, p.Slaves[0].PermHWAddr)
	}

	if _, err := ParseProcBonding([]byte("Slave Interface: eth0\n")); err == nil {
		t.Error("no mode line: want error")
	}
}

// TestHostStateLACPFromCaptures reads each captured LACP state through the
// remote path (iproute2 JSON + /proc/net/bonding) and checks what the
// validate rules read: the bond's active aggregator, and per slave the
// aggregator, the port states and the partner system MAC (ZeroMAC: none;
// empty: not observed).
func TestHostStateLACPFromCaptures(t *testing.T) {
	type slave struct {
		Agg, Actor, Partner int
		MAC                 string
	}
	for _, tc := range []struct {
		name, ipLink, bonding string
		bond                  string
		adminUp               bool
		activeAgg             int
		slaves                map[string]slave
	}{
		{"bundled", "ip_-d_-j_link_show.realkernel-host.json", "proc_net_bonding_mgmt-bo.realkernel-8023ad-bundled.txt", "mgmt-bo", true, 1,
			map[string]slave{"va0": {1, 63, 63, "06:56:79:16:6d:72"}, "va1": {1, 63, 63, "06:56:79:16:6d:72"}}},
		{"two partners", "ip_-d_-j_link_show.realkernel-8023ad-two-partners.json", "proc_net_bonding_mgmt-bo.realkernel-8023ad-two-partners.txt", "mgmt-bo", true, 2,
			map[string]slave{"h0": {1, 7, 15, "3a:5f:bc:5a:47:80"}, "h1": {2, 63, 63, "e2:fa:ca:60:fd:a2"}}},
		// Unprivileged: h0's partner is outside the active aggregator and
		// its details are hidden, so it is unknown, not "none".
		{"two partners, unprivileged", "ip_-d_-j_link_show.realkernel-8023ad-two-partners-unprivileged.json", "proc_net_bonding_mgmt-bo.realkernel-8023ad-two-partners-unprivileged.txt", "mgmt-bo", true, 2,
			map[string]slave{"h0": {1, 7, 15, ""}, "h1": {2, 63, 63, "e2:fa:ca:60:fd:a2"}}},
		{"facing plain ports", "ip_-d_-j_link_show.realkernel-8023ad-facing-bridge.json", "proc_net_bonding_mgmt-bo.realkernel-8023ad-facing-bridge.txt", "mgmt-bo", true, 1,
			map[string]slave{"h0": {1, 79, 0, intent.ZeroMAC}, "h1": {2, 71, 0, intent.ZeroMAC}}},
		{"bond down, aggregator N/A", "ip_-d_-j_link_show.realkernel-8023ad-bond-down.json", "proc_net_bonding_mgmt-bo.realkernel-8023ad-bond-down.txt", "mgmt-bo", false, 0,
			map[string]slave{"h0": {}, "h1": {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := HostStateFromIproute2("h", readTestdata(t, tc.ipLink), nil, map[string][]byte{tc.bond: readTestdata(t, tc.bonding)})
			if err != nil {
				t.Fatal(err)
			}
			b := st.Link(tc.bond)
			if b == nil || b.Bond == nil || b.Bond.Mode != intent.LACP {
				t.Fatalf("%s = %+v, want an 802.3ad bond", tc.bond, b)
			}
			if b.Bond.ActiveAggregator != tc.activeAgg || b.AdminUp != tc.adminUp {
				t.Errorf("%s: active aggregator %d, up %v; want %d, %v", tc.bond, b.Bond.ActiveAggregator, b.AdminUp, tc.activeAgg, tc.adminUp)
			}
			got := map[string]slave{}
			for _, l := range st.Links {
				if l.Master == tc.bond && l.BondSlave != nil {
					s := l.BondSlave
					got[l.Name] = slave{s.AggregatorID, s.ActorPortState, s.PartnerState, s.PartnerMAC}
				}
			}
			if diff := cmp.Diff(tc.slaves, got); diff != "" {
				t.Errorf("slaves (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHostStateFromIproute2ARP reads an active-backup bond that monitors
// its links with ARP (miimon 0, arp_interval 200, two targets) as `ip -d
// -j link show` and /proc/net/bonding show it on a real kernel.
func TestHostStateFromIproute2ARP(t *testing.T) {
	want := &intent.BondInfo{Mode: intent.ActiveBackup, Miimon: 0, LACPRate: "slow", XmitHashPolicy: "layer2",
		ArpInterval: 200, ArpIPTargets: []string{"192.0.2.1", "192.0.2.254"}}
	for _, tc := range []struct {
		name    string
		bonding map[string][]byte
	}{
		{"ip only", nil},
		{"ip and /proc", map[string][]byte{"arp-bo": readTestdata(t, "proc_net_bonding_arp-bo.realkernel-arp-active-backup.txt")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := HostStateFromIproute2("h1", readTestdata(t, "ip_-d_-j_link_show.realkernel-arp-active-backup.json"), nil, tc.bonding)
			if err != nil {
				t.Fatal(err)
			}
			bo := st.Link("arp-bo")
			if bo == nil || bo.Kind != intent.LinkBond || bo.MAC != "c2:d5:80:d3:0a:88" || bo.OperState != "up" {
				t.Fatalf("arp-bo: %+v", bo)
			}
			if diff := cmp.Diff(want, bo.Bond); diff != "" {
				t.Errorf("bond (-want +got):\n%s", diff)
			}
			for nic, state := range map[string]string{"h0": "active", "h1": "backup"} {
				if l := st.Link(nic); l == nil || l.Master != "arp-bo" || l.BondSlave == nil || l.BondSlave.State != state {
					t.Errorf("%s: %+v, want a %s slave of arp-bo", nic, l, state)
				}
			}
		})
	}
}

// TestMergeProcBondingARP: when the link data lacks the ARP monitoring (an
// iproute2 that prints no bond details), /proc/net/bonding supplies it.
func TestMergeProcBondingARP(t *testing.T) {
	links := []intent.Link{{Name: "xor-bo", Kind: intent.LinkBond, Bond: &intent.BondInfo{Mode: intent.BalanceXOR}}}
	p, err := ParseProcBonding(readTestdata(t, "proc_net_bonding_xor-bo.realkernel-arp-balance-xor.txt"))
	if err != nil {
		t.Fatal(err)
	}
	mergeProcBonding(links, "xor-bo", p)
	want := &intent.BondInfo{Mode: intent.BalanceXOR, ArpInterval: 1000, ArpIPTargets: []string{"192.0.2.1"}}
	if diff := cmp.Diff(want, links[0].Bond); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
