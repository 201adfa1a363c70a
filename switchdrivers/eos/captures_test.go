package eos

import (
	"slices"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
)

// TestCaptures reads every captured output in testdata (SOURCES.md says
// where each comes from) with the parser of its command and checks what it
// must read; no record of a real capture may be left out. A capture of one
// of these commands added to testdata without a row here fails the test.
func TestCaptures(t *testing.T) {
	read := func(name string) []byte { return drivertest.ReadFixture(t, name) }
	tests := []struct {
		file    string
		outputs func() Outputs
		check   func(t *testing.T, st *intent.SwitchState)
	}{
		{"show_vlan.napalm.json", func() Outputs { return Outputs{VLAN: read("show_vlan.napalm.json")} }, func(t *testing.T, st *intent.SwitchState) {
			drivertest.WantVLANs(t, st, "1 10-15 100-105 200-205 1000")
			if v := st.VLAN(1); v.Name != "default" || !v.Active() {
				t.Errorf("VLAN 1 = %+v", v)
			}
		}},
		// `show vlan brief | json` has the shape of `show vlan | json`;
		// VLAN 1006 is a dynamic (VRF-VNI) VLAN, listed as any other.
		{"show_vlan_brief.suzieq-leaf01-dynamic-vlan.json", func() Outputs { return Outputs{VLAN: read("show_vlan_brief.suzieq-leaf01-dynamic-vlan.json")} }, func(t *testing.T, st *intent.SwitchState) {
			drivertest.WantVLANs(t, st, "1 10 30 1006 4094")
			if v := st.VLAN(1006); v.Name != "VLAN1006" || !v.Active() {
				t.Errorf("VLAN 1006 = %+v", v)
			}
		}},
		{"show_interfaces.napalm-normal.json", func() Outputs { return Outputs{Interfaces: read("show_interfaces.napalm-normal.json")} }, func(t *testing.T, st *intent.SwitchState) {
			drivertest.WantNames(t, st, "Ethernet1 Ethernet2 Ethernet3 Ethernet4 Ethernet5")
			if i := st.Interface("Ethernet1"); !i.AdminUp || !i.OperUp || i.MTU != 9214 {
				t.Errorf("Ethernet1 = %+v", i)
			}
		}},
		{"show_interfaces.nrfu-dev1-mlag-portchannels.json", func() Outputs {
			return Outputs{Interfaces: read("show_interfaces.nrfu-dev1-mlag-portchannels.json")}
		}, func(t *testing.T, st *intent.SwitchState) {
			if n := len(st.Interfaces); n != 54 {
				t.Errorf("%d interfaces, want 54", n)
			}
			if i := st.Interface("Port-Channel2000"); i.MTU != 10178 || !slices.Equal(i.Members, []string{"Ethernet1", "Ethernet2"}) {
				t.Errorf("Port-Channel2000 = %+v", i)
			}
			if i := st.Interface("Ethernet1"); i.ChannelGroup != 2000 || i.MemberState != intent.MemberBundled {
				t.Errorf("Ethernet1 = %+v", i)
			}
		}},
		{"show_interfaces_switchport.goeapi.json", func() Outputs {
			return Outputs{Switchport: eapiResult(t, read("show_interfaces_switchport.goeapi.json"), 1)}
		}, func(t *testing.T, st *intent.SwitchState) {
			if n := len(st.Interfaces); n != 51 {
				t.Errorf("%d interfaces, want 51", n)
			}
			if i := st.Interface("Ethernet18"); i.Mode != intent.ModeTrunk || i.NativeVLAN != 999 || i.Allowed.String() != "999" {
				t.Errorf("Ethernet18 = %+v", i)
			}
			if i := st.Interface("Port-Channel100"); i.Mode != intent.ModeTrunk || !i.Allowed.Equal(intent.VLANRange(1, 4094)) {
				t.Errorf("Port-Channel100 = %+v", i)
			}
		}},
		{"show_lacp_neighbor.nrfu-dev1.json", func() Outputs { return Outputs{LACPNeighbor: read("show_lacp_neighbor.nrfu-dev1.json")} }, func(t *testing.T, st *intent.SwitchState) {
			drivertest.WantNames(t, st, "Ethernet51 Ethernet52")
			for _, i := range st.Interfaces {
				if i.ChannelGroup != 2000 || i.ChannelMode != intent.ChannelActive {
					t.Errorf("%s = %+v", i.Name, i)
				}
			}
		}},
		{"show_mlag_interfaces.nrfu-dev1.json", func() Outputs { return Outputs{MLAGInterfaces: read("show_mlag_interfaces.nrfu-dev1.json")} }, func(t *testing.T, st *intent.SwitchState) {
			drivertest.WantNames(t, st, "Port-Channel300 Port-Channel301 Port-Channel302")
			if i := st.Interface("Port-Channel301"); i.MLAGID != 301 {
				t.Errorf("Port-Channel301 = %+v", i)
			}
		}},
		{"show_lldp_neighbors_detail.napalm-issue1153.json", func() Outputs {
			return Outputs{LLDPDetail: read("show_lldp_neighbors_detail.napalm-issue1153.json")}
		}, func(t *testing.T, st *intent.SwitchState) {
			if n := st.Neighbor("Ethernet1/1"); len(st.LLDP) != 3 || n == nil || n.SystemName != "some-server" || n.PortDescr != "eth0" {
				t.Errorf("LLDP = %+v", st.LLDP)
			}
		}},
		{"show_lldp_neighbors_detail.napalm-normal.json", func() Outputs {
			return Outputs{LLDPDetail: read("show_lldp_neighbors_detail.napalm-normal.json")}
		}, func(t *testing.T, st *intent.SwitchState) {
			if n := st.Neighbor("Ethernet47"); len(st.LLDP) != 41 || n == nil || n.PortID != "597" {
				t.Errorf("%d neighbours, Ethernet47 %+v", len(st.LLDP), n)
			}
		}},
		{"show_running-config_all.pyeapi-portchannel.txt", func() Outputs {
			return Outputs{RunningInterfaces: string(read("show_running-config_all.pyeapi-portchannel.txt"))}
		}, func(t *testing.T, st *intent.SwitchState) {
			drivertest.WantNames(t, st, "Ethernet5 Ethernet6 Port-Channel1")
			if i := st.Interface("Port-Channel1"); i.LAGType != intent.LAGStatic {
				t.Errorf("Port-Channel1 = %+v", i)
			}
		}},
		{"show_running-config_sanitized.suzieq-leaf01.txt", func() Outputs {
			return Outputs{RunningInterfaces: string(read("show_running-config_sanitized.suzieq-leaf01.txt"))}
		}, func(t *testing.T, st *intent.SwitchState) {
			if st.Hostname != "leaf01" {
				t.Errorf("hostname %q", st.Hostname)
			}
			drivertest.WantNames(t, st, "Ethernet1 Ethernet2 Ethernet3 Ethernet4 Ethernet5 Ethernet6 Port-Channel1 Port-Channel3 Port-Channel4")
			if i := st.Interface("Port-Channel3"); i.MLAGID != 3 || i.LAGType != intent.LAGLACP || !slices.Equal(i.Members, []string{"Ethernet3"}) {
				t.Errorf("Port-Channel3 = %+v", i)
			}
			if i := st.Interface("Ethernet5"); i.ChannelGroup != 1 || i.ChannelMode != intent.ChannelActive || i.LACPRate != "slow" {
				t.Errorf("Ethernet5 = %+v", i)
			}
		}},
	}
	caps := make([]drivertest.Capture[Outputs], len(tests))
	for i, tt := range tests {
		caps[i] = drivertest.Capture[Outputs]{File: tt.file, Outputs: tt.outputs, Check: tt.check}
	}
	drivertest.RunCaptures(t, BuildState, caps, "show_vlan.", "show_vlan_brief.", "show_interfaces.", "show_interfaces_switchport.", "show_lacp_neighbor.",
		"show_mlag_interfaces.", "show_lldp_neighbors_detail.", "show_running-config")
}
