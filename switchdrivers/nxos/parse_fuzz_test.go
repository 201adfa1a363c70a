package nxos

import (
	"testing"

	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
)

// FuzzBuildState feeds every observe command's output at once, seeded with
// the captures in testdata; an empty output stands for a command that was
// not available. BuildState must return a state or an error, never panic.
func FuzzBuildState(f *testing.F) {
	read := func(name string) []byte { return drivertest.ReadFixture(f, name) }
	text := func(name string) string { return string(read(name)) }
	f.Add(read("show_vlan_brief.napalm-normal.json"), read("show_interface.napalm-n3548.json"),
		[]byte(noMembersSummary), text("show_interface_switchport.ntc-monitor.txt"),
		text("show_lldp_neighbors_detail.napalm.txt"), "")
	f.Add(read("show_vlan_brief.napalm-n6000-ifidx-list.json"), []byte(nil), []byte(nil),
		text("show_interface_switchport.genie.txt"), text("show_lldp_neighbors_detail.napalm-ssh.txt"), "")
	f.Add([]byte(nil), []byte(nil), []byte(nil), text("show_interface_switchport.ntc.txt"),
		text("show_lldp_neighbors_detail.ntc.txt"),
		"interface port-channel10\n  switchport mode trunk\ninterface Ethernet1/1\n  channel-group 10 mode active\n")
	f.Add(read("show_vlan_brief.suzieq-leaf01-json-native.json"), []byte(nil), []byte(nil),
		text("show_interface_switchport.ntc-voice-vlan.txt"), text("show_lldp_neighbors_detail.genie-2-server-nics.txt"), "")
	f.Add(read("show_vlan_brief.napalm-issue1490-vlanid-16777216.json"), []byte(nil), []byte(nil), "", "", "")
	f.Fuzz(func(t *testing.T, vlan, ifs, pc []byte, switchport, lldp, running string) {
		st, err := BuildState("fuzz", Outputs{
			VLANBrief: vlan, Interface: ifs, PortChannel: pc,
			Switchport: switchport, LLDPDetail: lldp, RunningInterfaces: running,
		})
		if err == nil {
			drivertest.CheckState(t, st)
		}
	})
}
