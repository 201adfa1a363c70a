package bench

import (
	"fmt"
	"strconv"

	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/inventory"
)

// Peer inventory shape: racks of two EOS switches (an MLAG pair) and 24
// hosts, as in configs/harvester-seed.yaml scaled up. Every host has
//
//   - mgmt: eno1 on switch A port h, eno2 on switch B port h, an 802.3ad
//     bond: one LACP port-channel per host on each switch, MLAG id = LAG id;
//   - oob: eno3 on A port 24+h, eno4 on B port 24+h, active-backup: plain
//     trunks, untagged traffic on VLAN 20.
//
// so each switch has 48 host ports: 24 port-channel members and 24 plain
// trunks. An odd switch count ends with a half rack: one switch, whose hosts
// have their eno2 and eno4 uncabled.
const (
	HostsPerRack = 24
	// PeerPorts is the number of host-facing ports per switch.
	PeerPorts = 2 * HostsPerRack
	// firstLAG is the port-channel number of host 1 (pinned, so that the
	// playbook and netalign use the same ids).
	firstLAG = 100
)

// Peer VLANs.
const (
	vlanMgmt    = 10
	vlanOOB     = 20
	vlanVMs     = 100
	vlanVMsAlt  = 200
	vlanOOBData = 300
)

// PeerSwitchName is the name of switch i (0-based) of the peer fleet:
// r001a, r001b, r002a, ...
func PeerSwitchName(i int) string {
	return fmt.Sprintf("r%03d%c", i/2+1, 'a'+rune(i%2))
}

// PeerInventory returns the peer benchmark's inventory for n EOS switches.
// Addresses are placeholders that the lab replaces; credentials are the
// lab's environment variables.
func PeerInventory(n int) *inventory.Inventory {
	inv := &inventory.Inventory{
		Version: 1,
		ClusterNetworks: []inventory.ClusterNetwork{
			{Name: "mgmt", MgmtVLAN: vlanMgmt, Bond: inventory.Bond{Mode: "802.3ad", Miimon: new(100)}},
			{Name: "oob", UntaggedVLAN: vlanOOB, Bond: inventory.Bond{Mode: "active-backup", Miimon: new(100)}},
		},
		Networks: []inventory.Network{
			{Name: "vlan100", ClusterNetwork: "mgmt", VLAN: vlanVMs},
			{Name: "vlan200", ClusterNetwork: "mgmt", VLAN: vlanVMsAlt},
			{Name: "untagged-oob", ClusterNetwork: "oob"},
			{Name: "vlan300", ClusterNetwork: "oob", VLAN: vlanOOBData},
		},
	}
	for i := 0; i < n; i++ {
		sw := inventory.Switch{Name: PeerSwitchName(i), Platform: "eos", Protocol: "ssh", Address: "127.0.0.1", LAGIDs: "100-999",
			Credentials: inventory.Credentials{UsernameEnv: lab.DefaultUsernameEnv, PasswordEnv: lab.DefaultPasswordEnv}}
		if i%2 == 0 && i+1 < n {
			sw.MLAGPeer = PeerSwitchName(i + 1)
		} else if i%2 == 1 {
			sw.MLAGPeer = PeerSwitchName(i - 1)
		}
		inv.Switches = append(inv.Switches, sw)
	}
	for r := 0; 2*r < n; r++ {
		a := PeerSwitchName(2 * r)
		b := ""
		if 2*r+1 < n {
			b = PeerSwitchName(2*r + 1)
		}
		for h := 1; h <= HostsPerRack; h++ {
			nic := func(name, sw string, port, lag int) inventory.NIC {
				if sw == "" {
					return inventory.NIC{Name: name}
				}
				return inventory.NIC{Name: name, Switch: sw, Port: "Ethernet" + strconv.Itoa(port), LAGID: lag}
			}
			inv.Hosts = append(inv.Hosts, inventory.Host{
				Name:   fmt.Sprintf("r%03d-node%02d", r+1, h),
				Access: "none",
				ClusterNetworks: []inventory.HostClusterNetwork{
					{Name: "mgmt", NICs: []inventory.NIC{nic("eno1", a, h, firstLAG+h), nic("eno2", b, h, firstLAG+h)}},
					{Name: "oob", NICs: []inventory.NIC{nic("eno3", a, HostsPerRack+h, 0), nic("eno4", b, HostsPerRack+h, 0)}},
				},
			})
		}
	}
	return inv
}
