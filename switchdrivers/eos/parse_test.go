package eos

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
)

// eapiResult unwraps an eAPI JSON-RPC envelope and returns result[i], the
// same bytes `| json` prints on the CLI.
func eapiResult(t testing.TB, b []byte, i int) []byte {
	t.Helper()
	var env struct {
		Result []json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	return env.Result[i]
}

var cmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

func TestBuildStateVLANs(t *testing.T) {
	st, err := BuildState("leaf1", Outputs{VLAN: drivertest.ReadFixture(t, "show_vlan.napalm.json")})
	if err != nil {
		t.Fatal(err)
	}
	want := []intent.VLAN{
		{ID: 1, Name: "default"},
		{ID: 10, Name: "VLAN0010"}, {ID: 11, Name: "VLAN0011"}, {ID: 12, Name: "VLAN0012"},
		{ID: 13, Name: "VLAN0013"}, {ID: 14, Name: "VLAN0014"}, {ID: 15, Name: "VLAN0015"},
		{ID: 100, Name: "VLAN0100"}, {ID: 101, Name: "VLAN0101"}, {ID: 102, Name: "VLAN0102"},
		{ID: 103, Name: "VLAN0103"}, {ID: 104, Name: "VLAN0104"}, {ID: 105, Name: "VLAN0105"},
		{ID: 200, Name: "VLAN0200"}, {ID: 201, Name: "VLAN0201"}, {ID: 202, Name: "VLAN0202"},
		{ID: 203, Name: "VLAN0203"}, {ID: 204, Name: "VLAN0204"}, {ID: 205, Name: "VLAN0205"},
		{ID: 1000, Name: "VLAN1000"},
	}
	if diff := cmp.Diff(want, st.VLANs); diff != "" {
		t.Errorf("VLANs (-want +got):\n%s", diff)
	}
}

func TestBuildStateSwitchport(t *testing.T) {
	raw := eapiResult(t, drivertest.ReadFixture(t, "show_interfaces_switchport.goeapi.json"), 1)
	st, err := BuildState("leaf1", Outputs{Switchport: raw})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(st.Interfaces); got != 51 {
		t.Errorf("%d interfaces, want 51", got)
	}
	tests := []intent.Interface{
		{Name: "Ethernet1", Kind: intent.KindEthernet, Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.VLANSet{999}},
		{Name: "Ethernet18", Kind: intent.KindEthernet, Mode: intent.ModeTrunk, NativeVLAN: 999, Allowed: intent.VLANSet{999}},
		{Name: "Ethernet49/1", Kind: intent.KindEthernet, Mode: intent.ModeAccess, AccessVLAN: 1},
		{Name: "Port-Channel100", Kind: intent.KindLAG, Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.VLANRange(1, 4094)},
	}
	for _, want := range tests {
		if diff := cmp.Diff(want, drivertest.Interface(t, st, want.Name), cmpOpts...); diff != "" {
			t.Errorf("%s (-want +got):\n%s", want.Name, diff)
		}
	}
}

func TestBuildStateInterfacesNormal(t *testing.T) {
	st, err := BuildState("leaf1", Outputs{Interfaces: drivertest.ReadFixture(t, "show_interfaces.napalm-normal.json")})
	if err != nil {
		t.Fatal(err)
	}
	// Management1 is not a switch port netalign manages.
	var names []string
	for _, i := range st.Interfaces {
		names = append(names, i.Name)
	}
	if diff := cmp.Diff([]string{"Ethernet1", "Ethernet2", "Ethernet3", "Ethernet4", "Ethernet5"}, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	want := intent.Interface{Name: "Ethernet1", Kind: intent.KindEthernet, AdminUp: true, OperUp: true, MTU: 9214}
	if diff := cmp.Diff(want, drivertest.Interface(t, st, "Et1"), cmpOpts...); diff != "" {
		t.Errorf("Ethernet1 (-want +got):\n%s", diff)
	}
}

func TestBuildStateMLAGPortChannels(t *testing.T) {
	st, err := BuildState("dev1", Outputs{
		Interfaces:     drivertest.ReadFixture(t, "show_interfaces.nrfu-dev1-mlag-portchannels.json"),
		MLAGInterfaces: drivertest.ReadFixture(t, "show_mlag_interfaces.nrfu-dev1.json"),
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []intent.Interface{
		// The peer's member (PeerEthernet15) is not a local member.
		{Name: "Port-Channel10", Kind: intent.KindLAG, Description: `"ob050301-Po2000"`, AdminUp: true, OperUp: true, MTU: 10178,
			Members: []string{"Ethernet15"}},
		{Name: "Ethernet15", Kind: intent.KindEthernet, Description: `"anon0503-E51"`, AdminUp: true, OperUp: true, MTU: 10178,
			ChannelGroup: 10, MemberState: intent.MemberBundled},
		{Name: "Port-Channel2000", Kind: intent.KindLAG, Description: `"MLAG peering interface"`, AdminUp: true, OperUp: true, MTU: 10178,
			Members: []string{"Ethernet1", "Ethernet2"}},
		// Down member of a down LAG: configured membership still counts.
		{Name: "Port-Channel12", Kind: intent.KindLAG, Description: `"ob010701-Po2000"`, AdminUp: true,
			Members: []string{"Ethernet11"}},
		{Name: "Ethernet11", Kind: intent.KindEthernet, Description: `"anon0107-E51"`, AdminUp: true, MTU: 10178,
			ChannelGroup: 12, MemberState: intent.MemberDown},
		{Name: "Ethernet8", Kind: intent.KindEthernet, Description: `"UNUSED role=none port"`, MTU: 10178},
		// show mlag interfaces names MLAG 300-302 on port-channels that
		// show interfaces (captured at another time) does not list.
		{Name: "Port-Channel300", Kind: intent.KindLAG, MLAGID: 300},
		{Name: "Port-Channel301", Kind: intent.KindLAG, MLAGID: 301},
	}
	for _, want := range tests {
		if diff := cmp.Diff(want, drivertest.Interface(t, st, want.Name), cmpOpts...); diff != "" {
			t.Errorf("%s (-want +got):\n%s", want.Name, diff)
		}
	}
}

func TestBuildStateLACP(t *testing.T) {
	// Ethernet51 and Ethernet52 are LACP members of Port-Channel2000 in the
	// captured `show lacp neighbor`; the interfaces output of another moment
	// says they are up, in the bundle.
	ifs := []byte(`{"interfaces": {
	 "Ethernet51": {"name": "Ethernet51", "interfaceStatus": "connected", "lineProtocolStatus": "up", "mtu": 9214, "interfaceMembership": "Member of Port-Channel2000"},
	 "Ethernet52": {"name": "Ethernet52", "interfaceStatus": "connected", "lineProtocolStatus": "up", "mtu": 9214, "interfaceMembership": "Member of Port-Channel2000"},
	 "Port-Channel2000": {"name": "Port-Channel2000", "interfaceStatus": "connected", "lineProtocolStatus": "up", "mtu": 9214,
	   "memberInterfaces": {"Ethernet51": {}, "Ethernet52": {}}}}}`)
	run := "interface Port-Channel2000\n   port-channel min-links 1\n   mlag 2000\n!\ninterface Ethernet51\n   channel-group 2000 mode active\n   lacp timer fast\n!\ninterface Ethernet52\n   channel-group 2000 mode active\n!\n"
	st, err := BuildState("dev1", Outputs{Interfaces: ifs, LACPNeighbor: drivertest.ReadFixture(t, "show_lacp_neighbor.nrfu-dev1.json"), RunningInterfaces: run})
	if err != nil {
		t.Fatal(err)
	}
	want := []intent.Interface{
		{Name: "Ethernet51", Kind: intent.KindEthernet, AdminUp: true, OperUp: true, MTU: 9214, ChannelGroup: 2000,
			ChannelMode: intent.ChannelActive, LACPRate: "fast", MemberState: intent.MemberBundled},
		{Name: "Ethernet52", Kind: intent.KindEthernet, AdminUp: true, OperUp: true, MTU: 9214, ChannelGroup: 2000,
			ChannelMode: intent.ChannelActive, LACPRate: "slow", MemberState: intent.MemberBundled},
		{Name: "Port-Channel2000", Kind: intent.KindLAG, AdminUp: true, OperUp: true, MTU: 9214,
			LAGType: intent.LAGLACP, Members: []string{"Ethernet51", "Ethernet52"}, MinLinks: 1, MLAGID: 2000},
	}
	if diff := cmp.Diff(want, st.Interfaces, cmpOpts...); diff != "" {
		t.Errorf("interfaces (-want +got):\n%s", diff)
	}
}

func TestParseLACPNeighbors(t *testing.T) {
	v, err := ParseLACPNeighbors(drivertest.ReadFixture(t, "show_lacp_neighbor.nrfu-dev1.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := v.PortChannels["Port-Channel2000"].Interfaces["Ethernet52"]
	if m.ActorPortStatus != "bundled" || m.PartnerSystemID != "8000,76-83-ef-ed-66-5d" {
		t.Errorf("Ethernet52 = %+v", m)
	}
	want := LACPPortState{Activity: true, Aggregation: true, Synchronization: true, Collecting: true, Distributing: true}
	if diff := cmp.Diff(want, *m.PartnerPortState); diff != "" {
		t.Errorf("partner state (-want +got):\n%s", diff)
	}
}

func TestParseRunningInterfaces(t *testing.T) {
	got, skipped := ParseRunningInterfaces(string(drivertest.ReadFixture(t, "show_running-config_all.pyeapi-portchannel.txt")))
	if len(skipped) != 0 {
		t.Errorf("skipped %v", skipped)
	}
	want := map[string]*InterfaceConfig{
		// "no port-channel min-links", "no mlag" and "lacp rate normal" set nothing.
		"Port-Channel1": {Name: "Port-Channel1"},
		"Ethernet5":     {Name: "Ethernet5", ChannelGroup: 1, ChannelMode: intent.ChannelOn},
		"Ethernet6":     {Name: "Ethernet6", ChannelGroup: 1, ChannelMode: intent.ChannelOn},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	st, err := BuildState("s", Outputs{RunningInterfaces: string(drivertest.ReadFixture(t, "show_running-config_all.pyeapi-portchannel.txt"))})
	if err != nil {
		t.Fatal(err)
	}
	wantIfs := []intent.Interface{
		{Name: "Ethernet5", Kind: intent.KindEthernet, ChannelGroup: 1, ChannelMode: intent.ChannelOn, MemberState: intent.MemberDown},
		{Name: "Ethernet6", Kind: intent.KindEthernet, ChannelGroup: 1, ChannelMode: intent.ChannelOn, MemberState: intent.MemberDown},
		{Name: "Port-Channel1", Kind: intent.KindLAG, LAGType: intent.LAGStatic, Members: []string{"Ethernet5", "Ethernet6"}},
	}
	if diff := cmp.Diff(wantIfs, st.Interfaces, cmpOpts...); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
}

func TestBuildStateLLDP(t *testing.T) {
	st, err := BuildState("s", Outputs{LLDPDetail: drivertest.ReadFixture(t, "show_lldp_neighbors_detail.napalm-issue1153.json")})
	if err != nil {
		t.Fatal(err)
	}
	want := []intent.LLDPNeighbor{
		{LocalPort: "Ethernet1/1", SystemName: "some-server", PortID: "1c:e7:10:03:54:13", ChassisID: "1c:e7:10:03:54:13", PortDescr: "eth0"},
		{LocalPort: "Ethernet26/1", SystemName: "some-other-switch", PortID: "et-0/0/20", ChassisID: "04:43:10:03:54:13", PortDescr: "et-0/0/20"},
		{LocalPort: "Ethernet27/1", SystemName: "some-switch", PortID: "et-0/0/20", ChassisID: "fc:66:10:03:54:13", PortDescr: "et-0/0/20"},
	}
	if diff := cmp.Diff(want, st.LLDP); diff != "" {
		t.Errorf("LLDP (-want +got):\n%s", diff)
	}

	st, err = BuildState("s", Outputs{LLDPDetail: drivertest.ReadFixture(t, "show_lldp_neighbors_detail.napalm-normal.json")})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.LLDP) != 41 {
		t.Errorf("%d neighbours, want 41", len(st.LLDP))
	}
	wantOne := map[string]intent.LLDPNeighbor{
		"Ethernet47": {LocalPort: "Ethernet47", SystemName: "ms01.bru01", PortID: "597", ChassisID: "5c:45:27:b4:90:00", PortDescr: "To switch"},
		"Ethernet1":  {LocalPort: "Ethernet1", SystemName: "78m1", PortID: "00:0f:53:2e:f1:80", ChassisID: "2c:60:0c:ad:30:34", PortDescr: "eth2"},
	}
	for port, w := range wantOne {
		if diff := cmp.Diff(&w, st.Neighbor(port)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", port, diff)
		}
	}
}

// TestBuildStateRejectsGarbage: an output that is not JSON at all is not
// an observation.
func TestBuildStateRejectsGarbage(t *testing.T) {
	for _, o := range []Outputs{
		{VLAN: []byte("% Invalid input")},
		{Interfaces: []byte("{")},
		{Switchport: []byte(`{"switchports": ["Ethernet1"]}`)},
	} {
		if _, err := BuildState("s", o); err == nil {
			t.Errorf("BuildState(%+v) accepted garbage", o)
		}
	}
}

// TestBuildStatePartial: a record that cannot be understood is left out
// and said, and the rest of the switch is observed.
func TestBuildStatePartial(t *testing.T) {
	st, err := BuildState("s", Outputs{
		VLAN: []byte(`{"vlans": {"1": {"name": "default", "status": "active"}, "100": {"name": "v100", "status": "suspended"},
		  "200": {"name": "v200", "status": "act/lshut"}, "300": {"name": "v300", "status": "sus/lshut"},
		  "400": {"name": "v400", "status": "frozen"}, "500": {"name": 5, "status": "active"}, "vlan9": {}, "5000": {"status": "active"}}}`),
		Interfaces: []byte(`{"interfaces": {"Ethernet1": {"interfaceStatus": "connected", "lineProtocolStatus": "up", "mtu": 9214},
		  "Ethernet2": {"mtu": "big"}, "Management1": {"mtu": "big"}}}`),
		Switchport: []byte(`{"switchports": {"Ethernet1": {"switchportInfo": {"mode": "trunk", "trunkingNativeVlanId": 1, "trunkAllowedVlans": "10,20"}},
		  "Ethernet3": {"switchportInfo": {"mode": "trunk", "trunkAllowedVlans": "5000"}}}}`),
		RunningInterfaces: "interface Ethernet4\n   channel-group x mode on\n!\ninterface Ethernet5\n   channel-group 5 mode sometimes\n!\ninterface Ethernet6\n   channel-group 6 mode active\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	wantVLANs := []intent.VLAN{
		{ID: 1, Name: "default"},
		{ID: 100, Name: "v100", Suspended: true},
		{ID: 200, Name: "v200", Shutdown: true},
		{ID: 300, Name: "v300", Suspended: true, Shutdown: true},
	}
	if diff := cmp.Diff(wantVLANs, st.VLANs); diff != "" {
		t.Errorf("VLANs (-want +got):\n%s", diff)
	}
	var names []string
	for _, i := range st.Interfaces {
		names = append(names, i.Name)
	}
	if diff := cmp.Diff([]string{"Ethernet1", "Ethernet6", "Port-Channel6"}, names); diff != "" {
		t.Errorf("interfaces (-want +got):\n%s", diff)
	}
	var got []string
	for _, u := range st.Partial {
		got = append(got, u.String())
	}
	want := []string{
		`show interfaces switchport | json: Ethernet3: trunk allowed vlans: vlan list "5000": "5000" is outside 1-4094`,
		`show interfaces | json: Ethernet2: mtu: string where a number was expected`,
		`show running-config: Ethernet4: line "channel-group x mode on": bad channel-group`,
		`show running-config: Ethernet5: line "channel-group 5 mode sometimes": channel-group mode "sometimes"`,
		`show vlan | json: key "vlan9": not a vlan id`,
		`show vlan | json: vlan 400: status "frozen" not understood`,
		`show vlan | json: vlan 500: name: number where a string was expected`,
		`show vlan | json: vlan 5000: vlan id outside 1-4094`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("partial (-want +got):\n%s", diff)
	}
}
