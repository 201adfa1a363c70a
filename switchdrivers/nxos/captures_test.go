package nxos

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
)

// TestCaptures reads every captured output in testdata (SOURCES.md says
// where each comes from) with the parser of its command and checks what it
// must read; no record of a real capture may be left out. A capture of one
// of these commands added to testdata without a row here fails the test.
// (No permissively licensed capture of `show port-channel summary | json`
// or of an NX-OS running-config is in the collection: those are tested
// on hand-written input in parse_test.go.)
func TestCaptures(t *testing.T) {
	read := func(name string) []byte { return drivertest.ReadFixture(t, name) }
	text := func(name string) string { return string(read(name)) }
	vlans := func(name string) func() Outputs { return func() Outputs { return Outputs{VLANBrief: read(name)} } }
	switchport := func(name string) func() Outputs { return func() Outputs { return Outputs{Switchport: text(name)} } }
	lldp := func(name string) func() Outputs { return func() Outputs { return Outputs{LLDPDetail: text(name)} } }
	// The 32 VLANs of the napalm captures (issue 1490's is the same switch).
	napalmVLANs := "1 161 177 185-191 195 331 1100-1119"
	tests := []struct {
		file    string
		outputs func() Outputs
		check   func(t *testing.T, st *intent.SwitchState)
	}{
		{"show_vlan_brief.napalm-normal.json", vlans("show_vlan_brief.napalm-normal.json"), func(t *testing.T, st *intent.SwitchState) {
			drivertest.WantVLANs(t, st, napalmVLANs)
			if v := st.VLAN(1100); v.Name != "Vlan1100" || !v.Active() {
				t.Errorf("VLAN 1100 = %+v", v)
			}
		}},
		// Numeric ids, the port list split into a JSON list.
		{"show_vlan_brief.napalm-n6000-ifidx-list.json", vlans("show_vlan_brief.napalm-n6000-ifidx-list.json"), func(t *testing.T, st *intent.SwitchState) {
			if diff := cmp.Diff([]intent.VLAN{{ID: 230, Name: "database"}, {ID: 231, Name: "APPLICATION"}}, st.VLANs); diff != "" {
				t.Errorf("VLANs (-want +got):\n%s", diff)
			}
		}},
		// `| json native`: ROW_vlanbriefxbrief is a list, ids numbers.
		{"show_vlan_brief.suzieq-leaf01-json-native.json", vlans("show_vlan_brief.suzieq-leaf01-json-native.json"), func(t *testing.T, st *intent.SwitchState) {
			if diff := cmp.Diff([]intent.VLAN{{ID: 1, Name: "default"}, {ID: 10, Name: "VLAN0010"}, {ID: 30, Name: "VLAN0030"}, {ID: 999, Name: "VLAN0999"}}, st.VLANs); diff != "" {
				t.Errorf("VLANs (-want +got):\n%s", diff)
			}
		}},
		// vlanshowbr-vlanid shifted left 24 bits (16777216 is VLAN 1),
		// the real ids in vlanshowbr-vlanid-utf: the same VLANs as the
		// napalm-normal capture of this switch.
		{"show_vlan_brief.napalm-issue1490-vlanid-16777216.json", vlans("show_vlan_brief.napalm-issue1490-vlanid-16777216.json"), func(t *testing.T, st *intent.SwitchState) {
			drivertest.WantVLANs(t, st, napalmVLANs)
			if v := st.VLAN(177); v == nil || v.Name != "Vlan177" {
				t.Errorf("VLAN 177 = %+v", v)
			}
			normal, err := BuildState("s", Outputs{VLANBrief: read("show_vlan_brief.napalm-normal.json")})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(normal.VLANs, st.VLANs); diff != "" {
				t.Errorf("VLANs differ from the napalm-normal capture (-normal +1490):\n%s", diff)
			}
		}},
		{"show_interface.napalm-n3548.json", func() Outputs { return Outputs{Interface: read("show_interface.napalm-n3548.json")} }, func(t *testing.T, st *intent.SwitchState) {
			if n := len(st.Interfaces); n != 49 {
				t.Errorf("%d interfaces, want 49 (48 ports and port-channel69)", n)
			}
			if i := st.Interface("port-channel69"); !i.OperUp || i.MTU != 9216 || !slices.Equal(i.Members, []string{"Ethernet1/46"}) {
				t.Errorf("Port-Channel69 = %+v", i)
			}
		}},
		{"show_interface_switchport.genie.txt", switchport("show_interface_switchport.genie.txt"), func(t *testing.T, st *intent.SwitchState) {
			drivertest.WantNames(t, st, "Ethernet2/2 Ethernet2/3")
			if i := st.Interface("Ethernet2/2"); i.Mode != intent.ModeTrunk || i.Allowed.String() != "100,300" {
				t.Errorf("Ethernet2/2 = %+v", i)
			}
		}},
		{"show_interface_switchport.ntc.txt", switchport("show_interface_switchport.ntc.txt"), func(t *testing.T, st *intent.SwitchState) {
			drivertest.WantNames(t, st, "Ethernet1/1 Ethernet1/2 Ethernet1/3")
			if i := st.Interface("Ethernet1/2"); i.Mode != intent.ModeTrunk || i.NativeVLAN != 5 {
				t.Errorf("Ethernet1/2 = %+v", i)
			}
		}},
		{"show_interface_switchport.ntc-monitor.txt", switchport("show_interface_switchport.ntc-monitor.txt"), func(t *testing.T, st *intent.SwitchState) {
			drivertest.WantNames(t, st, "Ethernet1/36 Port-Channel24")
			if i := st.Interface("Po24"); i.Allowed.String() != "120,134,501,800,804" {
				t.Errorf("Port-Channel24 = %+v", i)
			}
		}},
		{"show_interface_switchport.ntc-voice-vlan.txt", switchport("show_interface_switchport.ntc-voice-vlan.txt"), func(t *testing.T, st *intent.SwitchState) {
			drivertest.WantNames(t, st, "Ethernet1/1 Ethernet1/2 Ethernet1/3")
			if i := st.Interface("Ethernet1/1"); i.Mode != intent.ModeAccess || i.AccessVLAN != 3 {
				t.Errorf("Ethernet1/1 = %+v", i)
			}
		}},
		{"show_lldp_neighbors_detail.napalm.txt", lldp("show_lldp_neighbors_detail.napalm.txt"), func(t *testing.T, st *intent.SwitchState) {
			if n := st.Neighbor("Ethernet1/2"); len(st.LLDP) != 3 || n == nil || n.SystemName != "n9k2.ntc.com" {
				t.Errorf("LLDP = %+v", st.LLDP)
			}
		}},
		{"show_lldp_neighbors_detail.napalm-ssh.txt", lldp("show_lldp_neighbors_detail.napalm-ssh.txt"), func(t *testing.T, st *intent.SwitchState) {
			if n := st.Neighbor("Ethernet1/6"); len(st.LLDP) != 7 || n == nil || n.PortID != "1/2.1" {
				t.Errorf("LLDP = %+v", st.LLDP)
			}
		}},
		{"show_lldp_neighbors_detail.ntc.txt", lldp("show_lldp_neighbors_detail.ntc.txt"), func(t *testing.T, st *intent.SwitchState) {
			if n := st.Neighbor("Ethernet2/2"); len(st.LLDP) != 4 || n == nil || n.PortID != "Ethernet1/49" {
				t.Errorf("LLDP = %+v", st.LLDP)
			}
		}},
		// Server NICs: "System Name: null", port ids with spaces and
		// commas; the whole capture is indented.
		{"show_lldp_neighbors_detail.genie-2-server-nics.txt", lldp("show_lldp_neighbors_detail.genie-2-server-nics.txt"), func(t *testing.T, st *intent.SwitchState) {
			want := intent.LLDPNeighbor{LocalPort: "Ethernet1/14", PortID: "PCI-E Slot 1, Port 2", ChassisID: "3935-5A43-4A37-39373638-35303036574C",
				PortDescr: "ConnectX-4 Lx, 25G/10G/1G SFP"}
			if diff := cmp.Diff(&want, st.Neighbor("Eth1/14")); len(st.LLDP) != 7 || diff != "" {
				t.Errorf("%d neighbours; Ethernet1/14 (-want +got):\n%s", len(st.LLDP), diff)
			}
		}},
	}
	caps := make([]drivertest.Capture[Outputs], len(tests))
	for i, tt := range tests {
		caps[i] = drivertest.Capture[Outputs]{File: tt.file, Outputs: tt.outputs, Check: tt.check}
	}
	drivertest.RunCaptures(t, BuildState, caps, "show_vlan_brief.", "show_interface.", "show_interface_switchport.", "show_port-channel_summary.",
		"show_lldp_neighbors_detail.", "show_running-config")
}
