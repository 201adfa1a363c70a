package sshcli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

// dynamicKeys are JSON objects keyed by data (interface names, VLAN ids),
// compared as one wildcard entry.
var dynamicKeys = map[string]bool{
	"vlans": true, "interfaces": true, "switchports": true, "interfaceStatuses": true, "portChannels": true,
	"lldpNeighbors": true, "memberInterfaces": true, "orphanPorts": true, "activePorts": true, "inactivePorts": true,
}

// shape returns every path of a JSON document with the kind of its value:
// "vlans.*.interfaces.*.privatePromoted=bool".
func shape(v any, path string, dynamic bool, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if dynamic {
			for _, c := range x {
				shape(c, path+".*", false, out)
			}
			return
		}
		for k, c := range x {
			shape(c, path+"."+k, dynamicKeys[k], out)
		}
	case []any:
		for _, c := range x {
			shape(c, path+"[]", false, out)
		}
	default:
		kind := fmt.Sprintf("%T", v)
		if v == nil {
			kind = "null"
		}
		out[path+"="+kind] = true
	}
}

func shapeOf(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("json: %v\n%s", err, b)
	}
	out := map[string]bool{}
	shape(v, "", false, out)
	return out
}

// fixture reads testdata/<path>; envelope, when >= 0, picks result[i] of
// an eAPI JSON-RPC response.
func fixture(t *testing.T, path string, envelope int) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	if envelope < 0 {
		return b
	}
	var env struct {
		Result []json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	return env.Result[envelope]
}

// labShell returns a privileged shell on a configured switch, run
// in-process (the protocol is covered by the scrapligo tests).
func labShell(t *testing.T, platform string) *shell {
	t.Helper()
	ts := startTestSwitch(t, "leaf1", platform, "")
	sh := ts.srv.newShell(testUser)
	for _, l := range labConfig(platform) {
		if out := sh.exec(l); out != "" {
			t.Fatalf("%q: %s", l, out)
		}
	}
	return sh
}

func labConfig(platform string) []string {
	e := func(i int) string {
		if platform == device.PlatformNXOS {
			return fmt.Sprintf("Ethernet1/%d", i)
		}
		return fmt.Sprintf("Ethernet%d", i)
	}
	return []string{
		"configure terminal", "vlan 100", "name vm", "exit",
		"interface " + e(1), "description h0-eno1", "switchport mode trunk", "switchport trunk allowed vlan 1,100", "channel-group 10 mode active",
		"interface " + e(2), "switchport mode trunk", "switchport trunk allowed vlan 1,100", "channel-group 10 mode active",
		"interface " + e(3), "switchport mode trunk", "switchport trunk native vlan 100", "channel-group 20 mode active",
		"interface " + e(4), "switchport access vlan 100",
		"interface port-channel10", "switchport mode trunk", "switchport trunk allowed vlan 1,100",
		mlag(platform),
		"end",
	}
}

func mlag(platform string) string {
	if platform == device.PlatformNXOS {
		return "lacp min-links 1"
	}
	return "mlag 10"
}

func TestJSONShapes(t *testing.T) {
	tests := []struct {
		platform, cmd, fixture string
		envelope               int
		decode                 func(t *testing.T, b []byte, ours bool)
		// extra are paths the capture cannot show (documented in the
		// decoder type).
		extra []string
	}{
		{"eos", "show version", "eos/show_version.napalm.json", -1, func(t *testing.T, b []byte, ours bool) {
			var v EOSVersion
			mustDecode(t, b, &v)
			if v.Version == "" || v.ModelName == "" {
				t.Errorf("version %+v", v)
			}
		}, nil},
		{"eos", "show vlan", "eos/show_vlan.napalm.json", -1, func(t *testing.T, b []byte, ours bool) {
			var v EOSVlans
			mustDecode(t, b, &v)
			if _, ok := v.VLANs["1"]; !ok || len(v.VLANs["1"].Interfaces) == 0 {
				t.Errorf("vlans %+v", v)
			}
			if ours {
				if _, ok := v.VLANs["100"].Interfaces["Port-Channel10"]; !ok || v.VLANs["100"].Name != "vm" {
					t.Errorf("vlan 100: %+v", v.VLANs["100"])
				}
			}
		}, nil},
		{"eos", "show interfaces switchport", "eos/show_interfaces_switchport.goeapi.json", 1, func(t *testing.T, b []byte, ours bool) {
			var v EOSSwitchports
			mustDecode(t, b, &v)
			if len(v.Switchports) == 0 {
				t.Fatal("no switchports")
			}
			if ours {
				sp := v.Switchports["Ethernet1"].SwitchportInfo
				if sp.Mode != "trunk" || sp.TrunkAllowedVlans != "1,100" || v.Switchports["Port-Channel20"].SwitchportInfo.TrunkAllowedVlans != "ALL" {
					t.Errorf("Ethernet1 %+v", sp)
				}
			}
		}, nil},
		{"eos", "show interfaces status", "eos/eapi_multi_show_interfaces_status.mnmc.json", 2, func(t *testing.T, b []byte, ours bool) {
			var v EOSInterfacesStatus
			mustDecode(t, b, &v)
			if len(v.InterfaceStatuses) == 0 {
				t.Fatal("no interfaces")
			}
			if ours && (v.InterfaceStatuses["Ethernet1"].LinkStatus != "connected" || v.InterfaceStatuses["Ethernet4"].LinkStatus != "notconnect") {
				t.Errorf("status %+v", v.InterfaceStatuses)
			}
		}, nil},
		{"eos", "show interfaces", "eos/show_interfaces.nrfu-dev1-mlag-portchannels.json", -1, func(t *testing.T, b []byte, ours bool) {
			var v EOSInterfaces
			mustDecode(t, b, &v)
			for name, in := range v.Interfaces {
				// The capture shows mtu 0 on port-channels that are down.
				if (ours && in.MTU == 0) || in.Name != name {
					t.Errorf("%s: %+v", name, in)
				}
			}
			if ours {
				if po := v.Interfaces["Port-Channel10"]; len(po.MemberInterfaces) != 2 || po.MTU != 9214 {
					t.Errorf("Po10 %+v", po)
				}
				if e := v.Interfaces["Ethernet1"]; e.InterfaceMembership != "Member of Port-Channel10" {
					t.Errorf("Ethernet1 %+v", e)
				}
			}
		}, nil},
		{"eos", "show lacp neighbor", "eos/show_lacp_neighbor.nrfu-dev1.json", -1, func(t *testing.T, b []byte, ours bool) {
			var v EOSLacpNeighbors
			mustDecode(t, b, &v)
			if len(v.PortChannels) == 0 {
				t.Fatal("no port-channels")
			}
			if ours {
				n := v.PortChannels["Port-Channel10"].Interfaces["Ethernet1"]
				if n.ActorPortStatus != "bundled" || !n.PartnerPortState.Synchronization || !n.PartnerPortState.Timeout {
					t.Errorf("Po10 Et1 %+v", n)
				}
				// Ethernet3 faces an active-backup bond: no partner.
				if n := v.PortChannels["Port-Channel20"].Interfaces["Ethernet3"]; n.ActorPortStatus != "noAgg" || !n.PartnerPortState.Defaulted {
					t.Errorf("Po20 Et3 %+v", n)
				}
			}
		}, nil},
		{"eos", "show lldp neighbors", "eos/show_lldp_neighbors.nrfu-dev1.json", -1, func(t *testing.T, b []byte, ours bool) {
			var v EOSLldpNeighbors
			mustDecode(t, b, &v)
			if len(v.LldpNeighbors) == 0 {
				t.Fatal("no neighbours")
			}
		}, nil},
		{"eos", "show lldp neighbors detail", "eos/show_lldp_neighbors_detail.napalm-normal.json", -1, func(t *testing.T, b []byte, ours bool) {
			var v EOSLldpNeighborsDetail
			mustDecode(t, b, &v)
			if ours {
				n := v.LldpNeighbors["Ethernet1"].LldpNeighborInfo[0]
				if n.SystemName != "h0" || n.NeighborInterfaceInfo.InterfaceDescription != "eno1" || n.NeighborInterfaceInfo.InterfaceIDType != "macAddress" {
					t.Errorf("Ethernet1 %+v", n)
				}
			}
		}, nil},
		{"eos", "show mlag interfaces", "eos/show_mlag_interfaces.nrfu-dev1.json", -1, func(t *testing.T, b []byte, ours bool) {
			var v EOSMlagInterfaces
			mustDecode(t, b, &v)
			if len(v.Interfaces) == 0 {
				t.Fatal("no mlags")
			}
			// Without a peer switch the lab's MLAG is active on one side.
			if m := v.Interfaces["10"]; ours && (m.LocalInterface != "Port-Channel10" || m.Status != "active-partial") {
				t.Errorf("%+v", v.Interfaces)
			}
		}, nil},
		{"nxos", "show version", "nxos/show_version.napalm-nxosv.json", -1, func(t *testing.T, b []byte, ours bool) {
			var v NXVersion
			mustDecode(t, b, &v)
			if v.HostName == "" || v.SysVerStr == "" {
				t.Errorf("%+v", v)
			}
		}, nil},
		{"nxos", "show vlan brief", "nxos/show_vlan_brief.napalm-normal.json", -1, func(t *testing.T, b []byte, ours bool) {
			var v NXVlanBrief
			mustDecode(t, b, &v)
			if len(v.Table.Rows) == 0 {
				t.Fatal("no vlans")
			}
			if ours && (v.Table.Rows[1].ID != "100" || !strings.Contains(v.Table.Rows[1].Ports, "port-channel10")) {
				t.Errorf("%+v", v.Table.Rows)
			}
		}, nil},
		{"nxos", "show interface", "nxos/show_interface.napalm-n3548.json", -1, func(t *testing.T, b []byte, ours bool) {
			var v NXInterfaces
			mustDecode(t, b, &v)
			if len(v.Table.Rows) == 0 {
				t.Fatal("no interfaces")
			}
			if ours {
				for _, r := range v.Table.Rows {
					if r.Interface == "Ethernet1/3" && (r.State != "down" || r.StateRsnDesc != "suspended(no LACP PDUs)") {
						t.Errorf("Ethernet1/3 %+v", r)
					}
				}
			}
		}, nil},
	}
	shells := map[string]*shell{}
	for _, tt := range tests {
		t.Run(tt.platform+"/"+tt.cmd, func(t *testing.T) {
			sh := shells[tt.platform]
			if sh == nil {
				sh = labShell(t, tt.platform)
				shells[tt.platform] = sh
			}
			ours := []byte(sh.exec(tt.cmd + " | json"))
			real := fixture(t, tt.fixture, tt.envelope)
			tt.decode(t, real, false)
			tt.decode(t, ours, true)
			want, got := shapeOf(t, real), shapeOf(t, ours)
			for _, p := range tt.extra {
				want[p] = true
			}
			var extra []string
			for p := range got {
				if !want[p] {
					extra = append(extra, p)
				}
			}
			sort.Strings(extra)
			if len(extra) > 0 {
				t.Errorf("paths not in the capture:\n%s", strings.Join(extra, "\n"))
			}
		})
	}
}

func mustDecode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, b)
	}
}

// TestPortChannelJSONFollowsModel: a change made to the model by another
// frontend (as a gNMI Set does) shows in `show port-channel | json`.
func TestPortChannelJSONFollowsModel(t *testing.T) {
	ts := startTestSwitch(t, "leaf1", device.PlatformEOS, "")
	if err := ts.dev.Commit(func(c *device.Config) error {
		for _, p := range []string{"Ethernet1", "Ethernet2", "Ethernet3"} {
			if err := c.SetChannelGroup(p, 30, intent.ChannelActive); err != nil {
				return err
			}
		}
		c.Interfaces["Port-Channel30"].Mode = intent.ModeTrunk
		c.Interfaces["Port-Channel30"].Allowed = intent.NewVLANSet(10, 20)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sh := ts.srv.newShell(testUser)
	var v EOSPortChannels
	mustDecode(t, []byte(sh.exec("show port-channel | json")), &v)
	pc := v.PortChannels["Port-Channel30"]
	if len(pc.ActivePorts) != 2 || pc.ActivePorts["Ethernet1"].Protocol != "lacp" || pc.ActivePorts["Ethernet1"].LacpMode != "active" {
		t.Errorf("active ports %+v", pc.ActivePorts)
	}
	// Ethernet3 faces h1's active-backup bond, Ethernet1-2 h0's 802.3ad
	// bond: the port-channel bundles h0 and leaves Ethernet3 out.
	if r := pc.InactivePorts["Ethernet3"].ReasonUnconfigured; r != "waiting for LACP response" {
		t.Errorf("Ethernet3 inactive reason %q", r)
	}
	var sp EOSSwitchports
	mustDecode(t, []byte(sh.exec("show interfaces switchport | json")), &sp)
	if got := sp.Switchports["Port-Channel30"].SwitchportInfo.TrunkAllowedVlans; got != "10,20" {
		t.Errorf("Po30 allowed %q", got)
	}
}
