package intent

import "sort"

// Desired is what every device should look like, derived from an inventory by
// Derive. It is pure data; LAG ids that the inventory leaves open are chosen
// by the planner, which also sees the observed state.
type Desired struct {
	Switches []DesiredSwitch `json:"switches"`
	Hosts    []DesiredHost   `json:"hosts"`
	DHCP     []DesiredDHCP   `json:"dhcp"`
}

// DesiredSwitch is the intent for one switch.
type DesiredSwitch struct {
	Name     string `json:"name"`
	Platform string `json:"platform"`
	// VLANs that must exist.
	VLANs []VLAN `json:"vlans"`
	// Ports cabled to host NICs.
	Ports []DesiredPort `json:"ports"`
	// LAGs facing bonds that need one.
	LAGs []DesiredLAG `json:"lags"`
	// LAGRange is the inclusive range LAG ids are allocated from.
	LAGRange [2]int `json:"lagRange"`
	MLAGPeer string `json:"mlagPeer,omitempty"`
	// Protected ports are never changed.
	Protected []string `json:"protected,omitempty"`
	MgmtPort  string   `json:"mgmtPort,omitempty"`
}

// Trunk is the layer-2 intent of a host-facing port or LAG.
type Trunk struct {
	NativeVLAN int     `json:"nativeVlan"`
	Allowed    VLANSet `json:"allowed"`
	// FullyManaged ports get exactly Allowed; others get at least Allowed.
	FullyManaged bool `json:"fullyManaged,omitempty"`
	// Prune (the switch's vlanPolicy exact) removes the allowed VLANs
	// outside Allowed, as their own edit, so that the trunk carries exactly
	// what its cluster network needs.
	Prune bool `json:"prune,omitempty"`
}

// DesiredPort is a physical switch port cabled to a host NIC.
type DesiredPort struct {
	Name           string   `json:"name"`
	Host           string   `json:"host"`
	NIC            string   `json:"nic"`
	ClusterNetwork string   `json:"clusterNetwork"`
	BondMode       BondMode `json:"bondMode"`
	// LAG is the Key of the DesiredLAG the port belongs to ("" = none).
	LAG   string `json:"lag,omitempty"`
	Trunk Trunk  `json:"trunk"`
	MTU   int    `json:"mtu"`
}

// DesiredLAG is the aggregation facing one host bond on one switch.
type DesiredLAG struct {
	// Key is "<host>/<clusterNetwork>".
	Key            string  `json:"key"`
	Host           string  `json:"host"`
	ClusterNetwork string  `json:"clusterNetwork"`
	Type           LAGType `json:"type"`
	// ID is pinned by the inventory; 0 lets the planner choose.
	ID       int      `json:"id,omitempty"`
	Members  []string `json:"members"`
	LACPRate string   `json:"lacpRate,omitempty"`
	MinLinks int      `json:"minLinks,omitempty"`
	// MLAG is set when the bond also has members on the MLAG peer.
	MLAG  bool  `json:"mlag,omitempty"`
	Trunk Trunk `json:"trunk"`
	MTU   int   `json:"mtu"`
}

// DesiredHost is the intent for one host.
type DesiredHost struct {
	Name   string        `json:"name"`
	Access string        `json:"access"`
	Bonds  []DesiredBond `json:"bonds"`
}

// DesiredBond is one cluster network on one host: bond, bridge, VLANs.
type DesiredBond struct {
	ClusterNetwork string   `json:"clusterNetwork"`
	Bond           string   `json:"bond"`   // <cn>-bo
	Bridge         string   `json:"bridge"` // <cn>-br
	NICs           []string `json:"nics"`
	Options        BondInfo `json:"options"`
	MTU            int      `json:"mtu"`
	// VLANs are the VM network VLANs on the bond port; PVID is untagged.
	VLANs VLANSet `json:"vlans"`
	PVID  int     `json:"pvid"`
	// MgmtVLAN is the VLAN of the sub-interface <bridge>.<vid> (mgmt only).
	MgmtVLAN int `json:"mgmtVlan,omitempty"`
	// Protected: mgmt devices are never changed without an override.
	Protected bool `json:"protected,omitempty"`
}

// DesiredDHCP is the pools one DHCP server must hold.
type DesiredDHCP struct {
	Server string `json:"server"`
	Kind   string `json:"kind"`
	Pools  []Pool `json:"pools"`
}

// BondsNeeding lists the host bonds ("harvester-0 mgmt-bo") whose trunks on
// this switch carry VLAN vid, tagged or as native VLAN, sorted.
func (ds *DesiredSwitch) BondsNeeding(vid int) []string {
	seen := map[string]bool{}
	var out []string
	add := func(host, cn string, t Trunk) {
		b := host + " " + BondName(cn)
		if (t.NativeVLAN == vid || t.Allowed.Contains(vid)) && !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	for _, l := range ds.LAGs {
		add(l.Host, l.ClusterNetwork, l.Trunk)
	}
	for _, p := range ds.Ports {
		if p.LAG == "" {
			add(p.Host, p.ClusterNetwork, p.Trunk)
		}
	}
	sort.Strings(out)
	return out
}
