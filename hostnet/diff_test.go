package hostnet

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/internal/intent"
)

// realKernelState is the host captured on a real kernel: mgmt-bo (802.3ad,
// fast, layer3+4) under mgmt-br with VIDs 10,100,200-202 and mgmt-br.10, and
// oob-bo (active-backup) under oob-br.
func realKernelState(t *testing.T) intent.HostState {
	t.Helper()
	st, err := HostStateFromIproute2("h1",
		readTestdata(t, "ip_-d_-j_link_show.realkernel-host.json"),
		readTestdata(t, "bridge_-j_vlan_show.realkernel-host.json"),
		map[string][]byte{"mgmt-bo": readTestdata(t, "proc_net_bonding_mgmt-bo.realkernel-8023ad-bundled.txt")})
	if err != nil {
		t.Fatal(err)
	}
	return *st
}

func realKernelDesired() intent.DesiredHost {
	return intent.DesiredHost{Name: "h1", Bonds: []intent.DesiredBond{
		{ClusterNetwork: "oob", Bond: "oob-bo", Bridge: "oob-br", NICs: []string{"va2", "va3"},
			Options: intent.BondInfo{Mode: intent.ActiveBackup}},
		{ClusterNetwork: "mgmt", Bond: "mgmt-bo", Bridge: "mgmt-br", NICs: []string{"va0", "va1"}, MTU: 1500,
			Options: intent.BondInfo{Mode: intent.LACP, Miimon: 100, LACPRate: "fast", XmitHashPolicy: "layer3+4"},
			VLANs:   intent.NewVLANSet(100, 200, 201, 202, 10), PVID: 1, MgmtVLAN: 10, Protected: true},
	}}
}

// brief is the part of a change the tests compare.
type brief struct {
	Action     intent.Action
	Object     intent.HostObject
	Name       string
	Master     string
	Add        string
	Remove     string
	PVID       int
	MTU        int
	Fields     []intent.Field
	Disruptive bool
	Reason     string
}

func briefs(cs []intent.HostChange) []brief {
	var out []brief
	for _, c := range cs {
		b := brief{Action: c.Action, Object: c.Object, Name: c.Name, Master: c.Master, PVID: c.PVID, MTU: c.MTU,
			Fields: c.Fields, Disruptive: c.Disruptive, Reason: c.Reason}
		if len(c.AddVLANs) > 0 {
			b.Add = c.AddVLANs.String()
		}
		if len(c.RemoveVLANs) > 0 {
			b.Remove = c.RemoveVLANs.String()
		}
		out = append(out, b)
	}
	return out
}

func TestDiffConvergedHostHasNoChanges(t *testing.T) {
	if got := Diff(realKernelDesired(), realKernelState(t)); len(got) != 0 {
		t.Errorf("converged host: want no changes, got:\n%s", cmp.Diff(nil, briefs(got)))
	}
}

func TestDiff(t *testing.T) {
	mgmt := func(mut func(*intent.DesiredBond)) intent.DesiredHost {
		d := realKernelDesired()
		d.Bonds = d.Bonds[1:]
		mut(&d.Bonds[0])
		return d
	}
	obs := func(mut func(*intent.HostState)) intent.HostState {
		s := realKernelState(t)
		mut(&s)
		return s
	}
	oob := func(mut func(*intent.DesiredBond)) intent.DesiredHost {
		d := realKernelDesired()
		d.Bonds = d.Bonds[:1]
		mut(&d.Bonds[0])
		return d
	}
	withBond := func(name string, mut func(*intent.BondInfo)) intent.HostState {
		return obs(func(s *intent.HostState) { mut(s.Link(name).Bond) })
	}
	const prot = "management device: needs the mgmt override"
	for _, tc := range []struct {
		name     string
		desired  intent.DesiredHost
		observed intent.HostState
		want     []brief
	}{
		{
			name: "miimon and xmit hash change in place",
			desired: mgmt(func(b *intent.DesiredBond) {
				b.Options.Miimon = 200
				b.Options.XmitHashPolicy = "layer2+3"
			}),
			want: []brief{{Action: intent.Update, Object: intent.ObjBond, Name: "mgmt-bo", Reason: prot,
				Fields: []intent.Field{{Name: "miimon", Before: "100", After: "200"}, {Name: "xmit_hash_policy", Before: "layer3+4", After: "layer2+3"}}}},
		},
		{
			name:    "mode change is disruptive",
			desired: mgmt(func(b *intent.DesiredBond) { b.Options.Mode = intent.BalanceXOR }),
			want: []brief{{Action: intent.Update, Object: intent.ObjBond, Name: "mgmt-bo", Disruptive: true, Reason: prot,
				Fields: []intent.Field{{Name: "mode", Before: "802.3ad", After: "balance-xor"}}}},
		},
		{
			name:    "lacp rate change is disruptive",
			desired: mgmt(func(b *intent.DesiredBond) { b.Options.LACPRate = "slow" }),
			want: []brief{{Action: intent.Update, Object: intent.ObjBond, Name: "mgmt-bo", Disruptive: true, Reason: prot,
				Fields: []intent.Field{{Name: "lacp_rate", Before: "fast", After: "slow"}}}},
		},
		{
			name: "options the inventory leaves out are left as they are",
			desired: mgmt(func(b *intent.DesiredBond) {
				b.Options.LACPRate, b.Options.XmitHashPolicy = "", ""
			}),
		},
		{
			name: "MII to ARP monitoring: miimon 0, arp_interval and targets in place",
			desired: oob(func(b *intent.DesiredBond) {
				b.Options.ArpInterval, b.Options.ArpIPTargets = 200, []string{"192.0.2.254", "192.0.2.1"}
			}),
			want: []brief{{Action: intent.Update, Object: intent.ObjBond, Name: "oob-bo", Fields: []intent.Field{
				{Name: "miimon", Before: "100", After: "0"}, {Name: "arp_interval", Before: "0", After: "200"},
				{Name: "arp_ip_target", After: "192.0.2.1,192.0.2.254"}}}},
		},
		{
			name: "ARP targets compare as sets",
			desired: oob(func(b *intent.DesiredBond) {
				b.Options.ArpInterval, b.Options.ArpIPTargets = 200, []string{"192.0.2.254", "192.0.2.1"}
			}),
			observed: withBond("oob-bo", func(o *intent.BondInfo) {
				o.Miimon, o.ArpInterval, o.ArpIPTargets = 0, 200, []string{"192.0.2.1", "192.0.2.254"}
			}),
		},
		{
			name:    "ARP back to MII monitoring",
			desired: oob(func(*intent.DesiredBond) {}),
			observed: withBond("oob-bo", func(o *intent.BondInfo) {
				o.Miimon, o.ArpInterval, o.ArpIPTargets = 0, 500, []string{"192.0.2.1"}
			}),
			want: []brief{{Action: intent.Update, Object: intent.ObjBond, Name: "oob-bo", Fields: []intent.Field{
				{Name: "miimon", Before: "0", After: "100"}, {Name: "arp_interval", Before: "500", After: "0"}}}},
		},
		{
			name:    "missing NIC still planned, with the reason",
			desired: mgmt(func(b *intent.DesiredBond) { b.NICs = append(b.NICs, "eno9") }),
			want: []brief{{Action: intent.Create, Object: intent.ObjBondSlave, Name: "eno9", Master: "mgmt-bo",
				Fields: []intent.Field{{Name: "master", After: "mgmt-bo"}}, Reason: "NIC eno9 is not present on the host"}},
		},
		{
			name:    "NIC enslaved elsewhere is reported, not moved silently",
			desired: mgmt(func(b *intent.DesiredBond) { b.NICs = append(b.NICs, "va2") }),
			want: []brief{{Action: intent.Create, Object: intent.ObjBondSlave, Name: "va2", Master: "mgmt-bo",
				Fields: []intent.Field{{Name: "master", Before: "oob-bo", After: "mgmt-bo"}}, Reason: "NIC va2 is enslaved to oob-bo"}},
		},
		{
			name:    "extra slave leaves",
			desired: mgmt(func(b *intent.DesiredBond) { b.NICs = []string{"va0"} }),
			want: []brief{{Action: intent.Delete, Object: intent.ObjBondSlave, Name: "va1", Master: "mgmt-bo",
				Fields: []intent.Field{{Name: "master", Before: "mgmt-bo"}}}},
		},
		{
			name:    "extra VLANs removed, missing added",
			desired: mgmt(func(b *intent.DesiredBond) { b.VLANs = intent.NewVLANSet(10, 100, 300) }),
			want: []brief{{Action: intent.Update, Object: intent.ObjBridgeVLAN, Name: "mgmt-bo", Add: "300", Remove: "200-202", Reason: prot,
				Fields: []intent.Field{{Name: "vlans", Before: "1,10,100,200-202", After: "1,10,100,300"}}}},
		},
		{
			name:    "untagged VLAN moves",
			desired: mgmt(func(b *intent.DesiredBond) { b.PVID = 10 }),
			want: []brief{
				{Action: intent.Update, Object: intent.ObjBridgeVLAN, Name: "mgmt-bo", Add: "10", Remove: "1", PVID: 10, Reason: prot,
					Fields: []intent.Field{{Name: "vlans", Before: "1,10,100,200-202", After: "10,100,200-202"}, {Name: "pvid", Before: "1", After: "10"}}},
				{Action: intent.Update, Object: intent.ObjBridgeVLAN, Name: "mgmt-br", Add: "10", PVID: 10, Reason: prot,
					Fields: []intent.Field{{Name: "vlans", Before: "1,10", After: "1,10"}, {Name: "pvid", Before: "1", After: "10"}}},
			},
		},
		{
			name:    "MTU on NICs, bond and bridge",
			desired: mgmt(func(b *intent.DesiredBond) { b.MTU = 9000 }),
			want: []brief{
				{Action: intent.Update, Object: intent.ObjLinkMTU, Name: "va0", MTU: 9000, Fields: []intent.Field{{Name: "mtu", Before: "1500", After: "9000"}}},
				{Action: intent.Update, Object: intent.ObjLinkMTU, Name: "va1", MTU: 9000, Fields: []intent.Field{{Name: "mtu", Before: "1500", After: "9000"}}},
				{Action: intent.Update, Object: intent.ObjLinkMTU, Name: "mgmt-bo", MTU: 9000, Reason: prot, Fields: []intent.Field{{Name: "mtu", Before: "1500", After: "9000"}}},
				{Action: intent.Update, Object: intent.ObjLinkMTU, Name: "mgmt-br", MTU: 9000, Reason: prot, Fields: []intent.Field{{Name: "mtu", Before: "1500", After: "9000"}}},
			},
		},
		{
			name:    "management VLAN moves: new sub-interface, stale one deleted",
			desired: mgmt(func(b *intent.DesiredBond) { b.MgmtVLAN = 20; b.VLANs = intent.NewVLANSet(20, 100, 200, 201, 202) }),
			want: []brief{
				{Action: intent.Update, Object: intent.ObjBridgeVLAN, Name: "mgmt-bo", Add: "20", Remove: "10", Reason: prot,
					Fields: []intent.Field{{Name: "vlans", Before: "1,10,100,200-202", After: "1,20,100,200-202"}}},
				{Action: intent.Update, Object: intent.ObjBridgeVLAN, Name: "mgmt-br", Add: "20", Reason: prot,
					Fields: []intent.Field{{Name: "vlans", Before: "1,10", After: "1,10,20"}}},
				{Action: intent.Create, Object: intent.ObjSubIf, Name: "mgmt-br.20", Master: "mgmt-br",
					Fields: []intent.Field{{Name: "parent", After: "mgmt-br"}, {Name: "vlan_id", After: "20"}}},
				{Action: intent.Delete, Object: intent.ObjSubIf, Name: "mgmt-br.10", Master: "mgmt-br", Disruptive: true, Reason: prot},
			},
		},
		{
			name:    "bridge without VLAN filtering, bond down",
			desired: mgmt(func(*intent.DesiredBond) {}),
			observed: obs(func(s *intent.HostState) {
				s.Link("mgmt-br").VLANFiltering = false
				s.Link("mgmt-bo").AdminUp = false
			}),
			want: []brief{
				{Action: intent.Update, Object: intent.ObjBond, Name: "mgmt-bo", Reason: prot,
					Fields: []intent.Field{{Name: "state", Before: "down", After: "up"}}},
				{Action: intent.Update, Object: intent.ObjBridge, Name: "mgmt-br", Disruptive: true, Reason: prot,
					Fields: []intent.Field{{Name: "vlan_filtering", Before: "0", After: "1"}}},
			},
		},
		{
			name: "fresh host: everything is created",
			desired: intent.DesiredHost{Bonds: []intent.DesiredBond{{ClusterNetwork: "data", NICs: []string{"eth2", "eth1"}, MTU: 9000,
				Options: intent.BondInfo{Mode: intent.LACP, LACPRate: "fast"}, VLANs: intent.NewVLANSet(100, 101, 102), PVID: 0}}},
			observed: intent.HostState{Links: []intent.Link{
				{Name: "eth1", Kind: intent.LinkDevice, MTU: 1500, AdminUp: true},
				{Name: "eth2", Kind: intent.LinkDevice, MTU: 9000, AdminUp: false},
			}},
			want: []brief{
				{Action: intent.Create, Object: intent.ObjBond, Name: "data-bo", Fields: []intent.Field{
					{Name: "mode", After: "802.3ad"}, {Name: "miimon", After: "100"}, {Name: "lacp_rate", After: "fast"},
					{Name: "mtu", After: "9000"}}},
				{Action: intent.Update, Object: intent.ObjLinkMTU, Name: "eth1", MTU: 9000, Fields: []intent.Field{{Name: "mtu", Before: "1500", After: "9000"}}},
				{Action: intent.Create, Object: intent.ObjBondSlave, Name: "eth1", Master: "data-bo", Fields: []intent.Field{{Name: "master", After: "data-bo"}}},
				{Action: intent.Create, Object: intent.ObjBondSlave, Name: "eth2", Master: "data-bo", Fields: []intent.Field{{Name: "master", After: "data-bo"}}},
				{Action: intent.Create, Object: intent.ObjBridge, Name: "data-br", MTU: 9000, Fields: []intent.Field{
					{Name: "vlan_filtering", After: "1"}, {Name: "port", After: "data-bo"}, {Name: "mtu", After: "9000"}}},
				{Action: intent.Create, Object: intent.ObjBridgeVLAN, Name: "data-bo", Add: "100-102",
					Fields: []intent.Field{{Name: "vlans", After: "1,100-102"}}},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.observed
			if o.Links == nil {
				o = realKernelState(t)
			}
			got := briefs(Diff(tc.desired, o))
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiffCarriesBondAndIsDeterministic(t *testing.T) {
	d := realKernelDesired()
	d.Bonds[0].NICs = []string{"eth9", "eth8"}
	a := Diff(d, intent.HostState{})
	b := Diff(d, intent.HostState{})
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("two runs differ:\n%s", diff)
	}
	if a[0].Object != intent.ObjBond || a[0].Name != "mgmt-bo" {
		t.Fatalf("first change %+v, want the mgmt bond (cluster networks sorted)", a[0])
	}
	for _, c := range a {
		if c.Bond == nil || c.Bond.Bond == "" || c.Bond.Bridge == "" {
			t.Fatalf("change %s %s has no normalised bond", c.Object, c.Name)
		}
	}
}

func TestIsProtected(t *testing.T) {
	for name, want := range map[string]bool{"mgmt-br": true, "mgmt-bo": true, "mgmt-br.10": true, "oob-br": false, "mgmt": false, "eth0": false} {
		if got := IsProtected(name); got != want {
			t.Errorf("IsProtected(%q) = %v, want %v", name, got, want)
		}
	}
}
