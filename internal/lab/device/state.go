package device

import (
	"slices"
	"strings"

	"github.com/netalign/netalign/internal/intent"
)

// Reasons a LAG member is not bundled, as the switches word them.
const (
	// ReasonNoPDUs: the member runs LACP but the host does not (EOS "no
	// LACP PDUs", NX-OS "suspended(no LACP PDUs)").
	ReasonNoPDUs = "no LACP PDUs"
	// ReasonSplit: the host bond's other members are in another
	// port-channel and the bond selected that aggregator.
	ReasonSplit = "partner aggregator mismatch"
	// ReasonOtherPartner: the port-channel already bundles ports facing
	// another LACP partner (a different host bond).
	ReasonOtherPartner = "partner system mismatch"
	// ReasonNotConnected: nothing is cabled or the port is shut down.
	ReasonNotConnected = "not connected"
)

// Oper is the derived operational state of one interface.
type Oper struct {
	Name string
	// LinkUp: physical link up (admin up and a host NIC cabled), or for a
	// port-channel, enough members bundled (min-links, at least 1).
	LinkUp bool
	// OperUp is what the switch reports as the interface's oper status: a
	// suspended LACP member is down on NX-OS ("suspended(no LACP PDUs)")
	// and stays link-up on EOS, which lists it among the port-channel's
	// inactive ports.
	OperUp bool
	// MTU is the effective MTU: the platform default when unset, the
	// port-channel's MTU for members (members inherit it).
	MTU int
	// Member side.
	MemberState intent.MemberState
	Reason      string
	// Peer is the cabled host NIC (nil when none).
	Peer *HostNIC
	// LAG side.
	LAGType intent.LAGType
	Members []string
	Bundled int
}

// Snapshot is a consistent view of configuration and derived state.
type Snapshot struct {
	Name     string
	Platform string
	Config   *Config
	Oper     map[string]*Oper
	// Ports is the physical port list in the device's order.
	Ports []PortSpec
	// MLAG is the MLAG/vPC peering.
	MLAG MLAGStatus
}

// DefaultMTU is the MTU of an interface without an `mtu` command: EOS
// reports 9214 on layer-2 ports, NX-OS and OpenConfig targets 1500.
func DefaultMTU(platform string) int {
	if platform == PlatformEOS {
		return 9214
	}
	return 1500
}

// Snapshot returns the configuration and the derived state at one instant.
func (d *Device) Snapshot() *Snapshot {
	d.mu.Lock()
	cfg := d.running.Clone()
	d.mu.Unlock()
	return &Snapshot{
		Name:     d.name,
		Platform: d.platform,
		Config:   cfg,
		Oper:     d.deriveAll(cfg),
		Ports:    d.ports,
		MLAG:     d.mlagStatus(cfg),
	}
}

// deriveAll computes the state of cfg: member states on this switch, then
// across the fabric, then link and LAG state.
func (d *Device) deriveAll(cfg *Config) map[string]*Oper {
	out := derive(d.platform, cfg, d.peers)
	if d.fabric != nil {
		d.fabric.splitAcrossSwitches(d, cfg, out)
	}
	finish(d.platform, cfg, out)
	return out
}

// derive computes link and LACP member state on one switch. The rules (the lab's realism
// table), with Linux bonds as the partner (they always run LACP active):
//
//   - a port is link-up when it is not shut down and a host NIC is cabled;
//   - static member (mode on): bundled whenever its link is up, whatever the
//     host runs — a static LAG facing an 802.3ad bond is bundled on the
//     switch side while the host bond sees no partner (each NIC in its own
//     aggregator, one active): the switch cannot tell, the host state can;
//   - LACP member (active/passive) facing a non-802.3ad bond: suspended, no
//     LACP PDUs;
//   - LACP member facing an 802.3ad bond: bundled, unless the bond's members
//     on this switch are split over several port-channels — the bond selects
//     the aggregator with most ports (lowest id on a tie) and the other
//     port-channels' members are suspended — or the port-channel already
//     bundles ports facing another bond (the partner with most ports wins).
//   - across switches (see Fabric): a bond with members on two switches
//     bundles on both only when they are an MLAG/vPC pair with the same
//     MLAG/vPC id on both port-channels; otherwise the switch the bond did
//     not select shows its members suspended;
//   - a port-channel is up when at least max(1, min-links) members are
//     bundled.
func derive(platform string, c *Config, peers map[string]*HostNIC) map[string]*Oper {
	out := make(map[string]*Oper, len(c.Interfaces))
	def := DefaultMTU(platform)
	for name, in := range c.Interfaces {
		o := &Oper{Name: name, MTU: in.MTU}
		if o.MTU == 0 {
			o.MTU = def
		}
		if !in.IsLAG() {
			o.Peer = peers[name]
			o.LinkUp = !in.Shutdown && o.Peer != nil
			o.OperUp = o.LinkUp
		}
		out[name] = o
	}
	// Members by LAG.
	lagOf := map[int][]string{}
	for name, in := range c.Interfaces {
		if !in.IsLAG() && in.ChannelGroup > 0 {
			if _, ok := c.Interfaces[intent.LAGName(in.ChannelGroup)]; ok {
				lagOf[in.ChannelGroup] = append(lagOf[in.ChannelGroup], name)
			}
		}
	}
	// First pass: per-member state ignoring splits.
	type cand struct {
		port string
		lag  int
		bond string
	}
	var lacpCands []cand
	for id, members := range lagOf {
		SortInterfaces(members)
		for _, m := range members {
			in, o := c.Interfaces[m], out[m]
			lag := c.Interfaces[intent.LAGName(id)]
			if lag.MTU != 0 {
				o.MTU = lag.MTU
			} else {
				o.MTU = def
			}
			switch {
			case !o.LinkUp:
				o.MemberState, o.Reason = intent.MemberDown, ReasonNotConnected
			case in.ChannelMode == intent.ChannelOn:
				o.MemberState = intent.MemberBundled
			case o.Peer.BondMode != intent.LACP:
				o.MemberState, o.Reason = intent.MemberSuspended, ReasonNoPDUs
			default:
				o.MemberState = intent.MemberBundled
				lacpCands = append(lacpCands, cand{m, id, o.Peer.BondKey()})
			}
		}
	}
	// Second pass: one partner per LACP port-channel (most ports wins, then
	// the lowest bond key).
	byLAG := map[int]map[string]int{}
	for _, k := range lacpCands {
		if byLAG[k.lag] == nil {
			byLAG[k.lag] = map[string]int{}
		}
		byLAG[k.lag][k.bond]++
	}
	lagPartner := map[int]string{}
	for id, counts := range byLAG {
		lagPartner[id] = best(counts, func(a, b string) bool { return a < b })
	}
	// Third pass: one aggregator per host bond (most ports wins, then the
	// lowest port-channel id).
	byBond := map[string]map[int]int{}
	for _, k := range lacpCands {
		if lagPartner[k.lag] != k.bond {
			continue
		}
		if byBond[k.bond] == nil {
			byBond[k.bond] = map[int]int{}
		}
		byBond[k.bond][k.lag]++
	}
	bondLAG := map[string]int{}
	for bond, counts := range byBond {
		bondLAG[bond] = best(counts, func(a, b int) bool { return a < b })
	}
	for _, k := range lacpCands {
		o := out[k.port]
		switch {
		case lagPartner[k.lag] != k.bond:
			o.MemberState, o.Reason = intent.MemberSuspended, ReasonOtherPartner
		case bondLAG[k.bond] != k.lag:
			o.MemberState, o.Reason = intent.MemberSuspended, ReasonSplit
		}
	}
	for id, members := range lagOf {
		out[intent.LAGName(id)].Members = members
	}
	return out
}

// finish derives what follows from member states: a suspended member is
// down on NX-OS (EOS keeps its link up), a port-channel's type, bundled
// count and oper state.
func finish(platform string, c *Config, out map[string]*Oper) {
	for name, o := range out {
		if !c.Interfaces[name].IsLAG() && o.MemberState == intent.MemberSuspended && platform != PlatformEOS {
			o.OperUp = false
		}
	}
	for name, in := range c.Interfaces {
		if !in.IsLAG() {
			continue
		}
		o := out[name]
		o.LAGType = intent.LAGNone
		for _, m := range o.Members {
			if t := c.Interfaces[m].ChannelMode.LAGType(); t == intent.LAGLACP || o.LAGType == intent.LAGNone {
				o.LAGType = t
			}
			if out[m].MemberState == intent.MemberBundled {
				o.Bundled++
			}
		}
		o.LinkUp = !in.Shutdown && o.Bundled >= max(1, in.MinLinks)
		o.OperUp = o.LinkUp
	}
}

// best returns the key with the highest count, ties broken by less.
func best[K comparable](counts map[K]int, less func(a, b K) bool) K {
	var bk K
	bc, first := -1, true
	for k, c := range counts {
		if first || c > bc || (c == bc && less(k, bk)) {
			bk, bc, first = k, c, false
		}
	}
	return bk
}

// State returns the vendor-neutral view of the switch, as a driver
// observing it would report it: VLANs, every interface with its layer-2
// settings and derived oper/LACP state, and the LLDP neighbours.
func (d *Device) State() intent.SwitchState {
	return d.Snapshot().State()
}

// State converts a snapshot to the vendor-neutral view.
func (s *Snapshot) State() intent.SwitchState {
	c := s.Config
	st := intent.SwitchState{
		Name:       s.Name,
		Platform:   s.Platform,
		Hostname:   c.Hostname,
		VLANs:      make([]intent.VLAN, 0, len(c.VLANs)),
		Interfaces: make([]intent.Interface, 0, len(c.Interfaces)),
		MLAG:       mlagState(s.Platform, c, s.MLAG),
	}
	for _, id := range c.VLANIDs() {
		st.VLANs = append(st.VLANs, c.VLANs[id].Intent())
	}
	for _, name := range c.InterfaceNames() {
		in, o := c.Interfaces[name], s.Oper[name]
		si := intent.Interface{
			Name:        name,
			Kind:        intent.KindEthernet,
			Description: in.Description,
			AdminUp:     !in.Shutdown,
			OperUp:      o.OperUp,
			MTU:         o.MTU,
			Mode:        in.Mode,
		}
		if in.Routed {
			si.Mode = intent.ModeRouted
		}
		switch si.Mode {
		case intent.ModeAccess:
			si.AccessVLAN = in.AccessVLAN
		case intent.ModeTrunk:
			si.NativeVLAN = in.NativeVLAN
			si.Allowed = in.Allowed
		}
		if in.IsLAG() {
			si.Kind = intent.KindLAG
			si.LAGType = o.LAGType
			si.Members = slices.Clone(o.Members)
			si.MinLinks = in.MinLinks
			si.MLAGID = in.MLAGID
		} else if in.ChannelGroup > 0 {
			si.ChannelGroup = in.ChannelGroup
			si.ChannelMode = in.ChannelMode
			si.MemberState = o.MemberState
			if in.ChannelMode != intent.ChannelOn {
				si.LACPRate = LACPRateNeutral(in.LACPRate)
			}
		}
		st.Interfaces = append(st.Interfaces, si)
	}
	for _, p := range s.Ports {
		if n := p.Neighbor(); n != nil && s.Oper[p.Name] != nil && s.Oper[p.Name].LinkUp {
			st.LLDP = append(st.LLDP, *n)
		}
	}
	return st
}

// LACPRateNeutral maps switch spellings (normal, fast) to the kernel's and
// OpenConfig's (slow, fast).
func LACPRateNeutral(r string) string {
	if strings.EqualFold(r, "fast") {
		return "fast"
	}
	return "slow"
}

// Neighbor returns what the port hears over LLDP from the cabled host,
// as lldpd advertises it by default: system name = host name, chassis id =
// a MAC of the host, port id = the NIC's MAC address (subtype mac), port
// description = the NIC name. With LLDPPortIDIfname the port id is the NIC
// name (lldpd `configure lldp portidsubtype ifname`). Nil when nothing is
// cabled.
func (p PortSpec) Neighbor() *intent.LLDPNeighbor {
	if p.Peer == nil {
		return nil
	}
	n := &intent.LLDPNeighbor{
		LocalPort:  p.Name,
		SystemName: p.Peer.Host,
		PortID:     p.Peer.MAC,
		ChassisID:  HostChassisMAC(p.Peer.Host),
		PortDescr:  p.Peer.NIC,
	}
	if n.PortID == "" {
		n.PortID = DeriveMAC(p.Peer.Host, p.Peer.NIC)
	}
	if p.Peer.LLDPPortIDIfname {
		n.PortID = p.Peer.NIC
	}
	return n
}

// HostChassisMAC is the chassis id the lab's hosts advertise over LLDP and
// use as LACP system id: a stable MAC derived from the host name.
func HostChassisMAC(host string) string { return DeriveMAC(host, "") }
