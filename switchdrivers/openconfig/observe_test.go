package openconfig

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	gpb "github.com/openconfig/gnmi/proto/gnmi"

	"github.com/netalign/netalign/internal/intent"
)

func jsonUpdate(path, val string) *gpb.Update {
	return &gpb.Update{Path: MustPath(path), Val: &gpb.TypedValue{Value: &gpb.TypedValue_JsonIetfVal{JsonIetfVal: []byte(val)}}}
}

// TestStateFromLeafUpdates decodes a GetResponse the way some targets send
// it: one update per leaf or small container, a prefix per notification,
// module qualifiers on some members and not others, quoted integers, SONiC
// style LAG names with a numeric aggregate-id, and every LACP member state.
// The values are written by hand for this test (no gNMI capture is in the
// shared fixtures).
func TestStateFromLeafUpdates(t *testing.T) {
	notifs := leafUpdates()
	doc, err := decodeDoc(notifs)
	if err != nil {
		t.Fatal(err)
	}
	got := stateFromDoc(doc, "default")
	member := func(name string, up bool, state intent.MemberState) intent.Interface {
		mtu := 9100
		if name == "Ethernet8" || name == "Ethernet12" {
			mtu = 0
		}
		return intent.Interface{Name: name, Kind: intent.KindEthernet, AdminUp: name != "Ethernet12", OperUp: up, MTU: mtu,
			ChannelGroup: 7, ChannelMode: intent.ChannelActive, LACPRate: "fast", MemberState: state}
	}
	want := &intent.SwitchState{
		VLANs: []intent.VLAN{{ID: 10, Name: "mgmt"}, {ID: 20, Name: "vm"}},
		Interfaces: []intent.Interface{
			{Name: "Port-Channel7", Kind: intent.KindLAG, AdminUp: true, OperUp: true, MTU: 9100, Mode: intent.ModeTrunk, NativeVLAN: 10,
				Allowed: intent.NewVLANSet(10, 20, 21, 22, 30, 31), LAGType: intent.LAGLACP, MinLinks: 2,
				Members: []string{"Ethernet0", "Ethernet4", "Ethernet8", "Ethernet12"}},
			member("Ethernet0", true, intent.MemberBundled),
			member("Ethernet4", true, intent.MemberIndividual),
			member("Ethernet8", true, intent.MemberSuspended),
			member("Ethernet12", false, intent.MemberDown),
			{Name: "Ethernet16", Kind: intent.KindEthernet, Description: "h9 eno1", AdminUp: true, OperUp: true,
				Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.VLANRange(1, 4094)},
		},
		LLDP: []intent.LLDPNeighbor{{LocalPort: "Ethernet16", SystemName: "h9", PortID: "eno1", ChassisID: "02:00:00:00:00:09"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("state (-want +got):\n%s", d)
	}
	names := nativeNames(doc)
	if names["Port-Channel7"] != "PortChannel7" || names["Ethernet0"] != "Ethernet0" {
		t.Errorf("native names: %v", names)
	}
}

// TestStateFromDocPartial: an entry or update that cannot be understood is
// left out and said; the rest of the target is observed.
func TestStateFromDocPartial(t *testing.T) {
	notifs := []*gpb.Notification{{Update: []*gpb.Update{
		jsonUpdate("/interfaces/interface[name=Ethernet1]", `{"config":{"type":"ethernetCsmacd"},"ethernet":{"config":{"aggregate-id":"Port-Channel9"}}}`),
		jsonUpdate("/interfaces/interface[name=Ethernet2]", `{"config":{"type":"ethernetCsmacd"},"ethernet":{"switched-vlan":{"config":{"interface-mode":"TRUNK","trunk-vlans":["x..y"]}}}}`),
		jsonUpdate("/interfaces/interface[name=Ethernet3]", `{"config":{"type":"ethernetCsmacd","mtu":{"big":true}}}`),
		jsonUpdate("/interfaces/interface[name=Ethernet4]", `{"config":{"type":"ethernetCsmacd"},"ethernet":{"switched-vlan":{"config":{"interface-mode":"TRUNK","trunk-vlans":[10]}}}}`),
		jsonUpdate("/interfaces/interface[name=Ethernet5]", `{"interface":`),
		jsonUpdate("/network-instances/network-instance[name=default]/vlans", `{"vlan":[
		  {"vlan-id":10,"config":{"vlan-id":10,"name":"ten","status":"ACTIVE"}},
		  {"vlan-id":20,"config":{"vlan-id":20,"name":"twenty","status":"SUSPENDED"},"state":{"status":"SUSPENDED"}},
		  {"vlan-id":30,"config":{"vlan-id":30},"state":{"status":"openconfig-vlan:SUSPENDED"}},
		  {"vlan-id":40,"config":{"vlan-id":40,"status":"PAUSED"}},
		  {"vlan-id":5000},
		  {"vlan-id":"x"}]}`),
	}}}
	doc, err := decodeDoc(notifs)
	if err != nil {
		t.Fatal(err)
	}
	st := stateFromDoc(doc, "default")
	want := []intent.VLAN{{ID: 10, Name: "ten"}, {ID: 20, Name: "twenty", Suspended: true}, {ID: 30, Suspended: true}}
	if d := cmp.Diff(want, st.VLANs); d != "" {
		t.Errorf("VLANs (-want +got):\n%s", d)
	}
	if len(st.Interfaces) != 1 || st.Interfaces[0].Name != "Ethernet4" || st.Interfaces[0].Allowed.String() != "10" {
		t.Errorf("interfaces = %+v", st.Interfaces)
	}
	var got []string
	for _, u := range st.Partial {
		got = append(got, u.String())
	}
	wantPartial := []string{
		`get: update /interfaces/interface[name=Ethernet5]: decode json_ietf: unexpected EOF`,
		`get /interfaces: Ethernet1: aggregate-id Port-Channel9 names no LAG interface`,
		`get /interfaces: Ethernet2: trunk-vlans entry "x..y"`,
		`get /interfaces: interface entry 3: {"big":true} is not an integer`,
		`get /network-instances/network-instance/vlans: vlan 40: status "PAUSED" not understood`,
		`get /network-instances/network-instance/vlans: vlan 5000: vlan id outside 1-4094`,
		`get /network-instances/network-instance/vlans: vlan entry 6: "x" is not an integer`,
	}
	if d := cmp.Diff(wantPartial, got); d != "" {
		t.Errorf("partial (-want +got):\n%s", d)
	}
	// A tree that is not OpenConfig's shape at all is not an observation.
	if _, err := decodeDoc([]*gpb.Notification{{Update: []*gpb.Update{jsonUpdate("/interfaces", `{"interface":{"name":"Ethernet1"}}`)}}}); err == nil {
		t.Error("a container where the interface list belongs: want an error")
	}
}

// leafUpdates is a GetResponse as some targets send it (see
// TestStateFromLeafUpdates); FuzzObserve starts from it too.
func leafUpdates() []*gpb.Notification {
	return []*gpb.Notification{
		{
			Prefix: MustPath("/openconfig-interfaces:interfaces"),
			Update: []*gpb.Update{
				jsonUpdate("/interface[name=PortChannel7]/config", `{"name":"PortChannel7","type":"iana-if-type:ieee8023adLag","mtu":"9100"}`),
				jsonUpdate("/interface[name=PortChannel7]/state/oper-status", `"UP"`),
				jsonUpdate("/interface[name=PortChannel7]/openconfig-if-aggregate:aggregation/config", `{"lag-type":"LACP","min-links":2}`),
				jsonUpdate("/interface[name=PortChannel7]/aggregation/openconfig-vlan:switched-vlan/config", `{"interface-mode":"TRUNK","native-vlan":"10","trunk-vlans":[10,"20..22","30-31"]}`),
				jsonUpdate("/interface[name=Ethernet0]", `{"name":"Ethernet0","config":{"type":"ethernetCsmacd","enabled":true},"state":{"oper-status":"UP","mtu":9100},"openconfig-if-ethernet:ethernet":{"config":{"openconfig-if-aggregate:aggregate-id":"7"}}}`),
				jsonUpdate("/interface[name=Ethernet4]/config", `{"type":"iana-if-type:ethernetCsmacd"}`),
				jsonUpdate("/interface[name=Ethernet4]/state", `{"oper-status":"UP","mtu":9100}`),
				jsonUpdate("/interface[name=Ethernet4]/ethernet/config/aggregate-id", `"PortChannel7"`),
				jsonUpdate("/interface[name=Ethernet8]", `{"config":{"type":"iana-if-type:ethernetCsmacd"},"state":{"oper-status":"UP"},"ethernet":{"config":{"aggregate-id":"PortChannel7"}}}`),
				jsonUpdate("/interface[name=Ethernet12]", `{"config":{"type":"iana-if-type:ethernetCsmacd","enabled":false},"state":{"oper-status":"DOWN"},"ethernet":{"config":{"aggregate-id":"PortChannel7"}}}`),
				jsonUpdate("/interface[name=Ethernet16]", `{"config":{"type":"iana-if-type:ethernetCsmacd","description":"h9 eno1"},"state":{"oper-status":"UP"},"ethernet":{"switched-vlan":{"config":{"interface-mode":"TRUNK"}}}}`),
				jsonUpdate("/interface[name=Loopback0]/config", `{"type":"iana-if-type:softwareLoopback"}`),
			},
		},
		{
			Update: []*gpb.Update{
				jsonUpdate("/network-instances/network-instance[name=default]/vlans", `{"vlan":[{"vlan-id":10,"config":{"vlan-id":10,"name":"mgmt"}},{"vlan-id":"20","config":{"name":"vm"}}]}`),
				jsonUpdate("/lacp/interfaces/interface[name=PortChannel7]", `{"name":"PortChannel7","config":{"interval":"FAST","lacp-mode":"ACTIVE"},"members":{"member":[
					{"interface":"Ethernet0","state":{"synchronization":"IN_SYNC","aggregatable":true,"collecting":true,"distributing":true}},
					{"interface":"Ethernet4","state":{"synchronization":"OUT_SYNC","aggregatable":false,"collecting":true,"distributing":true}},
					{"interface":"Ethernet8","state":{"synchronization":"OUT_SYNC","aggregatable":true,"collecting":false,"distributing":false}},
					{"interface":"Ethernet12","state":{"synchronization":"OUT_SYNC","aggregatable":false,"collecting":false,"distributing":false}}]}}`),
				jsonUpdate("/lldp/interfaces/interface[name=Ethernet16]/neighbors/neighbor[id=1]/state", `{"system-name":"h9","port-id":"eno1","chassis-id":"02:00:00:00:00:09"}`),
			},
		},
	}
}
