package eos

import (
	"testing"

	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
)

// FuzzBuildState feeds every observe command's output at once, seeded with
// the captures in testdata; an empty output stands for a command that was
// not available. BuildState must return a state or an error, never panic,
// and a state's allowed lists must be VLAN ids.
func FuzzBuildState(f *testing.F) {
	read := func(name string) []byte { return drivertest.ReadFixture(f, name) }
	running := string(read("show_running-config_all.pyeapi-portchannel.txt"))
	switchport := eapiResult(f, read("show_interfaces_switchport.goeapi.json"), 1)
	f.Add(read("show_vlan.napalm.json"), read("show_interfaces.napalm-normal.json"), switchport,
		read("show_lacp_neighbor.nrfu-dev1.json"), read("show_mlag_interfaces.nrfu-dev1.json"),
		read("show_lldp_neighbors_detail.napalm-normal.json"), running)
	f.Add([]byte(nil), read("show_interfaces.nrfu-dev1-mlag-portchannels.json"), []byte(nil),
		read("show_lacp_neighbor.nrfu-dev1.json"), read("show_mlag_interfaces.nrfu-dev1.json"),
		read("show_lldp_neighbors_detail.napalm-issue1153.json"), running)
	f.Add(read("show_vlan_brief.suzieq-leaf01-dynamic-vlan.json"), []byte(nil), []byte(nil), []byte(nil), []byte(nil), []byte(nil),
		string(read("show_running-config_sanitized.suzieq-leaf01.txt")))
	f.Add([]byte(`{"vlans": {"100": {"name": "v", "status": "suspended"}, "200": {"status": "act/lshut"}, "x": {}}}`),
		[]byte(nil), []byte(nil), []byte(nil), []byte(nil), []byte(nil), "")
	f.Fuzz(func(t *testing.T, vlan, ifs, switchport, lacp, mlag, lldp []byte, running string) {
		st, err := BuildState("fuzz", Outputs{
			VLAN: drivertest.OrNil(vlan), Interfaces: drivertest.OrNil(ifs), Switchport: drivertest.OrNil(switchport),
			LACPNeighbor: drivertest.OrNil(lacp), MLAGInterfaces: drivertest.OrNil(mlag), LLDPDetail: drivertest.OrNil(lldp),
			RunningInterfaces: running,
		})
		if err != nil {
			return
		}
		drivertest.CheckState(t, st)
	})
}

// TestBuildStateVLANIDRange: `show vlan` keys outside 1-4094 are left out
// and said (drivertest.CheckState, which FuzzBuildState runs, found them
// accepted).
func TestBuildStateVLANIDRange(t *testing.T) {
	for _, id := range []string{"0", "4095", "99999999999"} {
		st, err := BuildState("s", Outputs{VLAN: []byte(`{"vlans":{"` + id + `":{"name":"x"}}}`)})
		if err != nil || len(st.VLANs) != 0 || len(st.Partial) != 1 {
			t.Errorf("vlan id %s: %+v, %v", id, st, err)
		}
	}
}
