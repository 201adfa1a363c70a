package intent

// MLAGPeering is how far an MLAG (EOS) or vPC (NX-OS) peering is
// established, in words common to both platforms.
type MLAGPeering string

// MLAG peering states.
const (
	// MLAGActive: the peers formed one domain (EOS state active, NX-OS
	// peer status peer-ok).
	MLAGActive MLAGPeering = "active"
	// MLAGInactive: a domain is configured but the peering is not
	// established (EOS state inactive, NX-OS peer-link-down and the
	// like).
	MLAGInactive MLAGPeering = "inactive"
	// MLAGDisabled: no domain is configured (EOS state disabled, NX-OS
	// vPC domain not configured).
	MLAGDisabled MLAGPeering = "disabled"
)

// MLAGState is the MLAG (EOS) or vPC (NX-OS) peering of a switch as the
// switch itself reports it. SwitchState.MLAG is nil when it was not
// observed (a driver that cannot read it, NX-OS without `feature vpc`).
type MLAGState struct {
	// Domain is the MLAG domain id (EOS) or vPC domain id (NX-OS); empty
	// when none is configured.
	Domain string      `json:"domain,omitempty"`
	State  MLAGPeering `json:"state"`
	// PeerLinkUp: the peer link (the port-channel between the peers) is
	// up.
	PeerLinkUp bool `json:"peerLinkUp"`
	// KeepaliveUp: the peer answers on the keep-alive path: NX-OS's peer
	// keep-alive link, EOS's MLAG negotiation and heartbeats to the peer
	// address.
	KeepaliveUp bool `json:"keepaliveUp"`
	// Inconsistent lists what the switch reports as inconsistent with its
	// peer, in its own words: EOS config-sanity, NX-OS global, per-VLAN,
	// type-2 and per-vPC consistency.
	Inconsistent []string `json:"inconsistent,omitempty"`
}

// Up reports whether the peering is established with both the peer link
// and the keep-alive up: the only state in which every dual-homed bond has
// both of its switches.
func (m *MLAGState) Up() bool {
	return m != nil && m.State == MLAGActive && m.PeerLinkUp && m.KeepaliveUp
}
