package intent

import (
	"net"
	"strings"
)

// SnapshotVersion is the version of the snapshot JSON schema (Observed).
const SnapshotVersion = 1

// Observed is the live state of every device, as drivers report it. Its JSON
// form is the snapshot file (`netalign observe -o FILE`, `--snapshot FILE`),
// documented in docs/snapshot.md.
type Observed struct {
	Version  int           `json:"version"`
	Switches []SwitchState `json:"switches,omitempty"`
	Hosts    []HostState   `json:"hosts,omitempty"`
	DHCP     []DHCPState   `json:"dhcp,omitempty"`
}

// Switch returns the observed state of the named switch, or nil.
func (o *Observed) Switch(name string) *SwitchState {
	for i := range o.Switches {
		if o.Switches[i].Name == name {
			return &o.Switches[i]
		}
	}
	return nil
}

// Host returns the observed state of the named host, or nil.
func (o *Observed) Host(name string) *HostState {
	for i := range o.Hosts {
		if o.Hosts[i].Name == name {
			return &o.Hosts[i]
		}
	}
	return nil
}

// DHCPServer returns the observed state of the named DHCP server, or nil.
func (o *Observed) DHCPServer(name string) *DHCPState {
	for i := range o.DHCP {
		if o.DHCP[i].Server == name {
			return &o.DHCP[i]
		}
	}
	return nil
}

// SwitchportMode is the layer-2 mode of a switch interface.
type SwitchportMode string

// Switchport modes.
const (
	ModeNone   SwitchportMode = ""
	ModeAccess SwitchportMode = "access"
	ModeTrunk  SwitchportMode = "trunk"
	ModeRouted SwitchportMode = "routed"
)

// InterfaceKind tells physical ports from LAGs.
type InterfaceKind string

// Interface kinds.
const (
	KindEthernet InterfaceKind = "ethernet"
	KindLAG      InterfaceKind = "lag"
)

// ChannelMode is how a physical port joins its LAG.
type ChannelMode string

// Channel modes as switches spell them.
const (
	ChannelOn      ChannelMode = "on"
	ChannelActive  ChannelMode = "active"
	ChannelPassive ChannelMode = "passive"
)

// LAGType returns the LAG type a member in this mode makes.
func (m ChannelMode) LAGType() LAGType {
	switch m {
	case ChannelOn:
		return LAGStatic
	case ChannelActive, ChannelPassive:
		return LAGLACP
	}
	return LAGNone
}

// MemberState is the live state of a LAG member as the switch reports it.
type MemberState string

// Member states.
const (
	MemberUnknown    MemberState = ""
	MemberBundled    MemberState = "bundled"    // in the aggregate, forwarding
	MemberIndividual MemberState = "individual" // LACP: no partner PDUs, forwarding alone
	MemberSuspended  MemberState = "suspended"  // LACP: partner disagrees, not forwarding
	MemberDown       MemberState = "down"       // link down
)

// SwitchState is the vendor-neutral state of one switch.
type SwitchState struct {
	Name       string         `json:"name"`
	Platform   string         `json:"platform,omitempty"`
	Hostname   string         `json:"hostname,omitempty"`
	VLANs      []VLAN         `json:"vlans"`
	Interfaces []Interface    `json:"interfaces"`
	LLDP       []LLDPNeighbor `json:"lldp,omitempty"`
	// MLAG is the switch's MLAG/vPC peering; nil when not observed.
	MLAG *MLAGState `json:"mlag,omitempty"`
	// Partial lists the records of the observe commands' output the
	// driver could not understand and left out: the rest of the switch is
	// observed all the same. Empty when everything was understood.
	Partial []Unparsed `json:"partial,omitempty"`
}

// Unparsed is one record of a command's output a driver could not
// understand and skipped.
type Unparsed struct {
	// Command is the show command (or gNMI path) the record came from.
	Command string `json:"command"`
	// Kind is what the record is about, ObjVLAN or ObjInterface, when the
	// driver could tell; empty otherwise.
	Kind ObjectKind `json:"kind,omitempty"`
	// Record names the record: the VLAN id or the canonical interface name
	// for those kinds, else its place in the output ("row 3").
	Record string `json:"record"`
	// Reason says what was not understood.
	Reason string `json:"reason"`
}

// Object is the record as findings name objects: "vlan 100", Ethernet1,
// or its place in the output.
func (u Unparsed) Object() string {
	if u.Kind == ObjVLAN {
		return "vlan " + u.Record
	}
	return u.Record
}

// String is "command: record: reason".
func (u Unparsed) String() string { return u.Command + ": " + u.Object() + ": " + u.Reason }

// Interface returns the named interface (any spelling), or nil.
func (s *SwitchState) Interface(name string) *Interface {
	n := NormalizeInterface(name)
	for i := range s.Interfaces {
		if s.Interfaces[i].Name == n {
			return &s.Interfaces[i]
		}
	}
	return nil
}

// HasVLAN reports whether VLAN id is defined (active or not).
func (s *SwitchState) HasVLAN(id int) bool { return s.VLAN(id) != nil }

// VLAN returns VLAN id, or nil when it is not defined.
func (s *SwitchState) VLAN(id int) *VLAN {
	for i := range s.VLANs {
		if s.VLANs[i].ID == id {
			return &s.VLANs[i]
		}
	}
	return nil
}

// Neighbor returns the LLDP neighbour seen on a port, or nil.
func (s *SwitchState) Neighbor(port string) *LLDPNeighbor {
	n := NormalizeInterface(port)
	for i := range s.LLDP {
		if NormalizeInterface(s.LLDP[i].LocalPort) == n {
			return &s.LLDP[i]
		}
	}
	return nil
}

// Contradicts reports whether the neighbour is another host or NIC than
// host's nic, as the inventory cables the port. The system name is
// compared without its domain; the NIC matches the port id or the port
// description (hosts running lldpd announce their MAC as the port id and
// the interface name as the description).
func (n *LLDPNeighbor) Contradicts(host, nic string) bool {
	sys := n.SystemName
	if i := strings.IndexByte(sys, '.'); i > 0 {
		sys = sys[:i]
	}
	return !strings.EqualFold(sys, host) || (n.PortID != nic && n.PortDescr != nic)
}

// Port is the port the neighbour announces, as the inventory names NICs:
// the description when the port id is a MAC address.
func (n *LLDPNeighbor) Port() string {
	if _, err := net.ParseMAC(n.PortID); err == nil && n.PortDescr != "" {
		return n.PortDescr
	}
	if n.PortID != "" {
		return n.PortID
	}
	return n.PortDescr
}

// VLAN is a VLAN defined on a switch. A VLAN that is suspended or shut
// down exists but forwards nothing; both false (also when a snapshot
// written before they existed lacks them) is an active VLAN.
type VLAN struct {
	ID   int    `json:"id"`
	Name string `json:"name,omitempty"`
	// Suspended: `state suspend` (EOS, NX-OS; status "suspended"),
	// OpenConfig status SUSPENDED.
	Suspended bool `json:"suspended,omitempty"`
	// Shutdown: shut down in VLAN configuration mode (NX-OS `shutdown`,
	// shutstate "shutdown"; status "act/lshut" or "sus/lshut").
	Shutdown bool `json:"shutdown,omitempty"`
}

// Active reports whether the VLAN forwards traffic.
func (v VLAN) Active() bool { return !v.Suspended && !v.Shutdown }

// StateString is the VLAN's state for reports: "active", "suspended",
// "shutdown" or "suspended, shutdown".
func (v VLAN) StateString() string {
	switch {
	case v.Suspended && v.Shutdown:
		return "suspended, shutdown"
	case v.Suspended:
		return "suspended"
	case v.Shutdown:
		return "shutdown"
	}
	return "active"
}

// Interface is a switch port or LAG with its layer-2 settings.
type Interface struct {
	// Name is canonical (see NormalizeInterface).
	Name        string        `json:"name"`
	Kind        InterfaceKind `json:"kind"`
	Description string        `json:"description,omitempty"`
	AdminUp     bool          `json:"adminUp"`
	OperUp      bool          `json:"operUp"`
	MTU         int           `json:"mtu,omitempty"`

	Mode       SwitchportMode `json:"mode,omitempty"`
	AccessVLAN int            `json:"accessVlan,omitempty"`
	NativeVLAN int            `json:"nativeVlan,omitempty"`
	Allowed    VLANSet        `json:"allowed,omitempty"`

	// Member side (physical ports in a LAG).
	ChannelGroup int         `json:"channelGroup,omitempty"`
	ChannelMode  ChannelMode `json:"channelMode,omitempty"`
	LACPRate     string      `json:"lacpRate,omitempty"`
	MemberState  MemberState `json:"memberState,omitempty"`

	// LAG side.
	LAGType  LAGType  `json:"lagType,omitempty"`
	Members  []string `json:"members,omitempty"`
	MinLinks int      `json:"minLinks,omitempty"`
	MLAGID   int      `json:"mlagId,omitempty"`
}

// LLDPNeighbor is what a switch port hears over LLDP.
type LLDPNeighbor struct {
	LocalPort  string `json:"localPort"`
	SystemName string `json:"systemName"`
	PortID     string `json:"portId"`
	ChassisID  string `json:"chassisId,omitempty"`
	PortDescr  string `json:"portDescription,omitempty"`
}

// LinkKind is the kind of a Linux link.
type LinkKind string

// Linux link kinds netalign cares about.
const (
	LinkDevice LinkKind = "device"
	LinkBond   LinkKind = "bond"
	LinkBridge LinkKind = "bridge"
	LinkVLAN   LinkKind = "vlan"
	LinkVeth   LinkKind = "veth"
	LinkOther  LinkKind = "other"
)

// HostState is the observed network state of one host.
type HostState struct {
	Name  string `json:"name"`
	Links []Link `json:"links"`
}

// Link returns the named link, or nil.
func (h *HostState) Link(name string) *Link {
	for i := range h.Links {
		if h.Links[i].Name == name {
			return &h.Links[i]
		}
	}
	return nil
}

// Link is one Linux network interface.
type Link struct {
	Name      string   `json:"name"`
	Kind      LinkKind `json:"kind"`
	MAC       string   `json:"mac,omitempty"`
	MTU       int      `json:"mtu,omitempty"`
	AdminUp   bool     `json:"adminUp"`
	OperState string   `json:"operState,omitempty"`
	// Master is the bond or bridge this link is enslaved to.
	Master string `json:"master,omitempty"`

	Bond      *BondInfo      `json:"bond,omitempty"`
	BondSlave *BondSlaveInfo `json:"bondSlave,omitempty"`
	// VLANFiltering is set on bridges.
	VLANFiltering bool `json:"vlanFiltering,omitempty"`
	// BridgeVLANs are the VLANs of a bridge port (or the bridge itself).
	BridgeVLANs []BridgeVLAN `json:"bridgeVlans,omitempty"`
	// VLANID and Parent are set on 802.1q sub-interfaces.
	VLANID int    `json:"vlanId,omitempty"`
	Parent string `json:"parent,omitempty"`
}

// BondInfo is the bonding configuration of a bond link. As desired state
// (DesiredBond.Options), an empty or zero option other than Mode, Miimon and
// ArpInterval is one the inventory leaves out (BondOptionFields).
type BondInfo struct {
	Mode           BondMode `json:"mode"`
	Miimon         int      `json:"miimon"`
	LACPRate       string   `json:"lacpRate,omitempty"`
	XmitHashPolicy string   `json:"xmitHashPolicy,omitempty"`
	UpDelay        int      `json:"upDelay,omitempty"`
	DownDelay      int      `json:"downDelay,omitempty"`
	MinLinks       int      `json:"minLinks,omitempty"`
	// ArpInterval is the ARP link monitoring interval in ms (0: off; the
	// kernel runs ARP or MII monitoring, never both). ArpIPTargets are the
	// IPv4 addresses it sends ARP requests to (`ip -d link` arp_ip_target,
	// "ARP IP target/s" in /proc/net/bonding), as the kernel holds them.
	ArpInterval  int      `json:"arpInterval,omitempty"`
	ArpIPTargets []string `json:"arpIpTargets,omitempty"`
	// ActiveAggregator is observed state, never an option: the id of the
	// 802.3ad aggregator the bond transmits on (`ip -d link` ad_info
	// aggregator, "Active Aggregator Info" in /proc/net/bonding). Only
	// slaves in it carry traffic. 0: the bond has no active aggregator, or
	// it was not observed.
	ActiveAggregator int `json:"activeAggregator,omitempty"`
}

// ZeroMAC is the LACP partner system MAC of a port that hears no partner.
const ZeroMAC = "00:00:00:00:00:00"

// BondSlaveInfo is the per-slave state of a bond member, with LACP details.
type BondSlaveInfo struct {
	State     string `json:"state,omitempty"` // active or backup
	MIIStatus string `json:"miiStatus,omitempty"`
	// AggregatorID is the 802.3ad aggregator the slave is in; 0 when it is
	// in none ("Aggregator ID: N/A") or the bond is not 802.3ad.
	AggregatorID int `json:"aggregatorId,omitempty"`
	// ActorPortState and PartnerState are the LACP port state bits of the
	// slave and of its partner (IEEE 802.1AX: 0x01 activity, 0x02
	// timeout, 0x04 aggregation, 0x08 sync, 0x10 collecting, 0x20
	// distributing, 0x40 defaulted, 0x80 expired).
	ActorPortState int `json:"actorPortState,omitempty"`
	PartnerState   int `json:"partnerPortState,omitempty"`
	// PartnerMAC is the system MAC of the LACP partner the slave hears:
	// from the slave's own partner PDU details in /proc/net/bonding, or
	// for a slave in the active aggregator the aggregator's partner. It is
	// ZeroMAC when the slave hears no partner, and empty when it was not
	// observed (the per-slave details need CAP_NET_ADMIN, and the slave is
	// outside the active aggregator).
	PartnerMAC string `json:"partnerMac,omitempty"`
}

// Bundled reports whether LACP is in sync on both sides: actor and partner
// port states are collecting+distributing+in-sync (0x38 bits set).
func (s *BondSlaveInfo) Bundled() bool {
	const sync = 0x08 | 0x10 | 0x20
	return s != nil && s.ActorPortState&sync == sync && s.PartnerState&sync == sync
}

// NoPartner reports whether the slave is known to hear no LACP partner: its
// partner system MAC is ZeroMAC.
func (s *BondSlaveInfo) NoPartner() bool { return s != nil && s.PartnerMAC == ZeroMAC }

// BridgeVLAN is one VLAN on a bridge port.
type BridgeVLAN struct {
	VID      int  `json:"vid"`
	PVID     bool `json:"pvid,omitempty"`
	Untagged bool `json:"untagged,omitempty"`
}

// DHCPState is the pools a DHCP server holds.
type DHCPState struct {
	Server string `json:"server"`
	Kind   string `json:"kind,omitempty"`
	Pools  []Pool `json:"pools"`
}

// Pool is the DHCP pool of one VLAN network.
type Pool struct {
	// Network is the inventory network name; VLAN its id (Kea subnet id).
	Network string `json:"network,omitempty"`
	VLAN    int    `json:"vlan"`
	Subnet  string `json:"subnet"`
	// Ranges are "first-last" address ranges.
	Ranges    []string `json:"ranges"`
	Gateway   string   `json:"gateway,omitempty"`
	DNS       []string `json:"dns,omitempty"`
	Domain    string   `json:"domain,omitempty"`
	LeaseTime int      `json:"leaseTimeSeconds,omitempty"`
	// Interface or Relay says how the server reaches the VLAN.
	Interface    string        `json:"interface,omitempty"`
	Relay        string        `json:"relay,omitempty"`
	Reservations []Reservation `json:"reservations,omitempty"`
	// Owned is true when netalign manages the pool (Kea user-context,
	// dnsmasq's netalign file); unowned pools are never changed.
	Owned bool `json:"owned,omitempty"`
}

// Reservation pins an address to a MAC.
type Reservation struct {
	MAC      string `json:"mac"`
	IP       string `json:"ip"`
	Hostname string `json:"hostname,omitempty"`
}
