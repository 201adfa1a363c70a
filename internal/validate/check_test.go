package validate_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/plan/plantest"
	"github.com/netalign/netalign/internal/validate"
	"github.com/netalign/netalign/inventory"
)

func load(t *testing.T, name string) *intent.Desired {
	t.Helper()
	inv, err := inventory.Load(filepath.Join("..", "..", "configs", name), intent.InventoryOptions())
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	d, err := intent.Derive(inv)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// converged returns the observed state of devices that match d exactly.
func converged(t *testing.T, d *intent.Desired) *intent.Observed {
	t.Helper()
	obs := plantest.Blank(d)
	p, err := plan.Compute(d, obs, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plantest.Simulate(t, obs, p)
	return obs
}

func firstLAG(t *testing.T, d *intent.Desired, obs *intent.Observed, sw string) (*intent.DesiredLAG, *intent.Interface) {
	t.Helper()
	var ds *intent.DesiredSwitch
	for i := range d.Switches {
		if d.Switches[i].Name == sw {
			ds = &d.Switches[i]
		}
	}
	if ds == nil || len(ds.LAGs) == 0 {
		t.Fatalf("%s has no desired LAG", sw)
	}
	lag := &ds.LAGs[0]
	member := obs.Switch(sw).Interface(lag.Members[0])
	return lag, obs.Switch(sw).Interface(intent.LAGName(member.ChannelGroup))
}

func codes(fs []validate.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Code)+" "+f.Device+" "+f.Object)
	}
	return out
}

func TestCheckConvergedIsClean(t *testing.T) {
	for _, name := range []string{"harvester-seed.yaml", "static-lag.yaml", "lacp.yaml", "active-backup.yaml", "mlag.yaml"} {
		t.Run(name, func(t *testing.T) {
			d := load(t, name)
			if fs := validate.Check(validate.Input{Desired: d, Observed: converged(t, d)}); len(fs) != 0 {
				t.Errorf("findings on converged state: %v", codes(fs))
			}
		})
	}
}

func TestCheckFindings(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		drift func(t *testing.T, d *intent.Desired, o *intent.Observed)
		want  []validate.Code
	}{
		{
			name: "bond 802.3ad facing a static LAG",
			file: "harvester-seed.yaml",
			drift: func(t *testing.T, d *intent.Desired, o *intent.Observed) {
				_, lag := firstLAG(t, d, o, "leaf1")
				id := intent.LAGID(lag.Name)
				lag.LAGType = intent.LAGStatic
				for i := range o.Switch("leaf1").Interfaces {
					if itf := &o.Switch("leaf1").Interfaces[i]; itf.ChannelGroup == id {
						itf.ChannelMode = intent.ChannelOn
					}
				}
			},
			want: []validate.Code{validate.LAGModeMismatch},
		},
		{
			name: "active-backup facing an LACP LAG",
			file: "active-backup.yaml",
			drift: func(t *testing.T, d *intent.Desired, o *intent.Observed) {
				sw := d.Switches[0]
				port := sw.Ports[0].Name
				st := o.Switch(sw.Name)
				st.Interfaces = append(st.Interfaces, intent.Interface{Name: "Port-Channel7", Kind: intent.KindLAG, Mode: intent.ModeTrunk, LAGType: intent.LAGLACP})
				st.Interface(port).ChannelGroup = 7
				st.Interface(port).ChannelMode = intent.ChannelActive
			},
			want: []validate.Code{validate.LAGUnexpected},
		},
		{
			name: "VLAN missing from trunk",
			file: "harvester-seed.yaml",
			drift: func(t *testing.T, d *intent.Desired, o *intent.Observed) {
				_, lag := firstLAG(t, d, o, "leaf2")
				lag.Allowed = lag.Allowed.Minus(intent.VLANSet{100})
			},
			want: []validate.Code{validate.VLANNotAllowed},
		},
		{
			name: "VLAN not defined",
			file: "harvester-seed.yaml",
			drift: func(t *testing.T, d *intent.Desired, o *intent.Observed) {
				st := o.Switch("leaf1")
				st.VLANs = slices.DeleteFunc(st.VLANs, func(v intent.VLAN) bool { return v.ID == 100 })
			},
			want: []validate.Code{validate.VLANNotDefined},
		},
		{
			name: "native VLAN mismatch",
			file: "harvester-seed.yaml",
			drift: func(t *testing.T, d *intent.Desired, o *intent.Observed) {
				_, lag := firstLAG(t, d, o, "leaf1")
				lag.NativeVLAN = 99
			},
			want: []validate.Code{validate.NativeVLANMismatch},
		},
		{
			name: "MTU below host MTU",
			file: "harvester-seed.yaml",
			drift: func(t *testing.T, d *intent.Desired, o *intent.Observed) {
				_, lag := firstLAG(t, d, o, "leaf1")
				lag.MTU = 1500
			},
			want: []validate.Code{validate.MTUMismatch},
		},
		{
			name: "members split across LAGs",
			file: "lacp.yaml",
			drift: func(t *testing.T, d *intent.Desired, o *intent.Observed) {
				sw := d.Switches[0]
				lag := sw.LAGs[0]
				if len(lag.Members) < 2 {
					t.Skip("needs two members on one switch")
				}
				st := o.Switch(sw.Name)
				st.Interfaces = append(st.Interfaces, intent.Interface{Name: "Port-Channel900", Kind: intent.KindLAG, Mode: intent.ModeTrunk, LAGType: intent.LAGLACP,
					Allowed: lag.Trunk.Allowed, NativeVLAN: 1, MTU: 9214})
				st.Interface(lag.Members[1]).ChannelGroup = 900
			},
			want: []validate.Code{validate.LAGMembersSplit},
		},
		{
			name: "LACP member not bundled",
			file: "lacp.yaml",
			drift: func(t *testing.T, d *intent.Desired, o *intent.Observed) {
				sw := d.Switches[0]
				o.Switch(sw.Name).Interface(sw.LAGs[0].Members[0]).MemberState = intent.MemberIndividual
			},
			want: []validate.Code{validate.LACPNotBundled},
		},
		{
			name: "missing DHCP pool",
			file: "harvester-seed.yaml",
			drift: func(t *testing.T, d *intent.Desired, o *intent.Observed) {
				o.DHCP[0].Pools = nil
			},
			want: []validate.Code{validate.DHCPPoolMissing},
		},
		{
			name: "DHCP pool gateway differs",
			file: "harvester-seed.yaml",
			drift: func(t *testing.T, d *intent.Desired, o *intent.Observed) {
				o.DHCP[0].Pools[0].Gateway = "172.16.100.254"
			},
			want: []validate.Code{validate.DHCPPoolMismatch},
		},
		{
			name: "LLDP shows another host",
			file: "harvester-seed.yaml",
			drift: func(t *testing.T, d *intent.Desired, o *intent.Observed) {
				p := d.Switches[0].Ports[0]
				st := o.Switch(d.Switches[0].Name)
				st.LLDP = append(st.LLDP, intent.LLDPNeighbor{LocalPort: p.Name, SystemName: "someone-else", PortID: p.NIC})
			},
			want: []validate.Code{validate.CablingMismatch},
		},
		{
			name: "port down",
			file: "harvester-seed.yaml",
			drift: func(t *testing.T, d *intent.Desired, o *intent.Observed) {
				p := d.Switches[0].Ports[0]
				o.Switch(d.Switches[0].Name).Interface(p.Name).OperUp = false
			},
			want: []validate.Code{validate.PortDown},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := load(t, tc.file)
			o := converged(t, d)
			tc.drift(t, d, o)
			var got []validate.Code
			for _, f := range validate.Check(validate.Input{Desired: d, Observed: o}) {
				if !slices.Contains(got, f.Code) {
					got = append(got, f.Code)
				}
				if f.Device == "" || f.Object == "" || f.Expected == "" || f.Found == "" || f.Severity == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("codes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckHost(t *testing.T) {
	d := load(t, "harvester-seed.yaml")
	h := d.Hosts[0]
	var b intent.DesiredBond
	for _, x := range h.Bonds {
		if x.ClusterNetwork == "mgmt" {
			b = x
		}
	}
	var vlans []intent.BridgeVLAN
	for _, v := range b.VLANs[1:] { // the first VLAN is missing
		vlans = append(vlans, intent.BridgeVLAN{VID: v})
	}
	obs := &intent.Observed{Version: 1, Hosts: []intent.HostState{{Name: h.Name, Links: []intent.Link{
		{Name: b.Bond, Kind: intent.LinkBond, MTU: b.MTU, Master: b.Bridge, BridgeVLANs: vlans,
			Bond: &intent.BondInfo{Mode: intent.ActiveBackup, Miimon: b.Options.Miimon, LACPRate: b.Options.LACPRate, XmitHashPolicy: b.Options.XmitHashPolicy}},
		{Name: b.Bridge, Kind: intent.LinkBridge, VLANFiltering: true},
		{Name: b.NICs[0], Kind: intent.LinkDevice, Master: b.Bond},
	}}}}
	var got []string
	for _, f := range validate.Check(validate.Input{Desired: &intent.Desired{Hosts: []intent.DesiredHost{{Name: h.Name, Bonds: []intent.DesiredBond{b}}}}, Observed: obs}) {
		got = append(got, string(f.Code)+" "+f.Object)
	}
	want := []string{
		"HOST_NIC_MISSING " + b.NICs[1],
		"HOST_BOND_MODE_MISMATCH " + b.Bond,
		"HOST_VLAN_MISSING " + b.Bond,
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCheckCrossLayer(t *testing.T) {
	d := load(t, "harvester-seed.yaml")
	o := converged(t, d)
	// harvester-0's live oob bond runs jumbo frames facing 1500-byte switch
	// ports, and its mgmt bond runs active-backup facing LACP LAGs.
	o.Hosts = []intent.HostState{{Name: "harvester-0", Links: []intent.Link{
		{Name: "oob-bo", Kind: intent.LinkBond, MTU: 9000, Bond: &intent.BondInfo{Mode: intent.ActiveBackup}},
		{Name: "mgmt-bo", Kind: intent.LinkBond, MTU: 9000, Bond: &intent.BondInfo{Mode: intent.ActiveBackup}},
	}}}
	var got []string
	for _, f := range validate.Check(validate.Input{Desired: &intent.Desired{Switches: d.Switches}, Observed: o}) {
		got = append(got, string(f.Code)+" "+f.Device+" "+f.Object)
	}
	want := []string{
		"LAG_MODE_MISMATCH leaf1 Ethernet1",
		"LAG_MODE_MISMATCH leaf2 Ethernet1",
		"MTU_MISMATCH leaf1 Ethernet11",
		"MTU_MISMATCH leaf1 Ethernet12",
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
