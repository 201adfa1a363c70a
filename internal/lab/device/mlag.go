package device

import (
	"fmt"

	"github.com/netalign/netalign/internal/intent"
)

// The MLAG (EOS) / vPC (NX-OS) peering of a lab switch. Its configuration is
// Config.MLAG (a domain is configured) on each peer; the two links between
// the peers are physical and shared, so they live outside the
// configuration: the peer link (the port-channel between the peers) and the
// keep-alive (NX-OS's peer-keepalive link; on EOS the path of the MLAG
// negotiation and heartbeats to the peer address). Either peer bringing one
// down brings it down for both, as pulling its cable would.
//
// What follows from it, per platform (Cisco's vPC operations guide, Arista's
// MLAG chapter):
//
//   - EOS: the peering is active when both peers are configured, the peer
//     link is up and the peer answers on the keep-alive path; otherwise it
//     is inactive (negotiation "connecting") and each switch speaks LACP as
//     itself, so a bond facing both bundles with one of them only.
//   - NX-OS: the peer status is peer-ok when both peers are configured and
//     the peer link is up; a lost keep-alive alone changes nothing in
//     forwarding. With the peer link down the vPC pair no longer presents
//     one LACP system: a bond facing both bundles with one of them only
//     (the primary, the switch whose name sorts first, when the bond has as
//     many ports on each).

// MLAGDomain is the domain the lab configures on MLAG/vPC pairs: `mlag
// configuration / domain-id netalign` on EOS, `vpc domain 1` on NX-OS.
func MLAGDomain(platform string) string {
	if platform == PlatformNXOS {
		return "1"
	}
	return "netalign"
}

// mlagLinks are the physical links of a switch's MLAG/vPC peering that are
// down because of this switch (guarded by Device.mu).
type mlagLinks struct {
	peerLinkDown, keepaliveDown bool
}

// MLAGStatus is a switch's MLAG/vPC peering at one instant.
type MLAGStatus struct {
	// Configured: this switch has a domain configured (Config.MLAG).
	Configured bool
	// Peer is the switch the fabric pairs it with ("" none), and
	// PeerConfigured whether that switch has its domain configured.
	Peer           string
	PeerConfigured bool
	// PeerLinkUp and KeepaliveUp are the links between the peers; both
	// are down without a peer.
	PeerLinkUp, KeepaliveUp bool
	// Primary: the switch is the primary of an established pair (the one
	// whose name sorts first).
	Primary bool
	// Mismatched are the MLAG ids whose port-channels on the two peers
	// differ in switchport mode, native VLAN, allowed VLANs or MTU, which
	// EOS's config-sanity reports (`configSanity: inconsistent`); only
	// computed while the peering is active. The lab's NX-OS reports every
	// vPC consistent: no public capture or document shows its wording
	// for an inconsistent one.
	Mismatched []int
}

// Active reports whether the peering is established on platform (see the
// rules above): EOS state active, NX-OS peer status peer-ok.
func (s MLAGStatus) Active(platform string) bool {
	up := s.Configured && s.PeerConfigured && s.PeerLinkUp
	if platform == PlatformNXOS {
		return up
	}
	return up && s.KeepaliveUp
}

// SetMLAGPeerLink brings the peer link of d's MLAG/vPC pair up or down (for
// both peers).
func (d *Device) SetMLAGPeerLink(up bool) error {
	return d.setMLAGLink(up, func(l *mlagLinks) *bool { return &l.peerLinkDown })
}

// SetMLAGKeepalive brings the keep-alive between d and its MLAG/vPC peer up
// or down (for both peers).
func (d *Device) SetMLAGKeepalive(up bool) error {
	return d.setMLAGLink(up, func(l *mlagLinks) *bool { return &l.keepaliveDown })
}

// setMLAGLink sets the link down field picks. The links are shared:
// bringing one up clears what the peer's side had brought down too.
func (d *Device) setMLAGLink(up bool, down func(*mlagLinks) *bool) error {
	peer := d.MLAGPeer()
	if peer == nil {
		return fmt.Errorf("drift %s: %w: no MLAG/vPC peer in the lab", d.name, ErrInvalid)
	}
	// One lock at a time: the peer may be doing the same.
	d.mu.Lock()
	*down(&d.links) = !up
	d.mu.Unlock()
	if up {
		peer.mu.Lock()
		*down(&peer.links) = false
		peer.mu.Unlock()
	}
	return nil
}

func (d *Device) mlagLinks() mlagLinks {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.links
}

// mlagStatus derives d's peering from cfg (d's configuration) and its
// peer's configuration and links.
func (d *Device) mlagStatus(cfg *Config) MLAGStatus {
	s := MLAGStatus{Configured: cfg.MLAG}
	peer := d.MLAGPeer()
	if peer == nil {
		return s
	}
	peer.mu.Lock()
	pc := peer.running.Clone()
	pl := peer.links
	peer.mu.Unlock()
	l := d.mlagLinks()
	s.Peer, s.PeerConfigured = peer.name, pc.MLAG
	s.PeerLinkUp = !l.peerLinkDown && !pl.peerLinkDown
	s.KeepaliveUp = s.PeerConfigured && !l.keepaliveDown && !pl.keepaliveDown
	if s.Active(d.platform) {
		s.Primary = d.name < peer.name
		s.Mismatched = mismatchedMLAGs(cfg, pc)
	}
	return s
}

// mismatchedMLAGs lists the MLAG ids of a whose port-channel differs from
// the one with the same id on b, sorted.
func mismatchedMLAGs(a, b *Config) []int {
	var out []int
	for _, name := range a.InterfaceNames() {
		in := a.Interfaces[name]
		if !in.IsLAG() || in.MLAGID == 0 {
			continue
		}
		for _, pn := range b.InterfaceNames() {
			p := b.Interfaces[pn]
			if p.IsLAG() && p.MLAGID == in.MLAGID {
				if p.Mode != in.Mode || p.NativeVLAN != in.NativeVLAN || !p.Allowed.Equal(in.Allowed) || p.MTU != in.MTU {
					out = append(out, in.MLAGID)
				}
				break
			}
		}
	}
	return out
}

// mlagState is the vendor-neutral view of s, as the platform's driver reads
// it from `show mlag detail | json` (EOS) or `show vpc | json` (NX-OS); nil
// where the switch does not answer (NX-OS without `feature vpc`, other
// platforms).
func mlagState(platform string, c *Config, s MLAGStatus) *intent.MLAGState {
	switch {
	case platform == PlatformNXOS && !c.Features["vpc"], platform != PlatformNXOS && platform != PlatformEOS:
		return nil
	case !s.Configured:
		return &intent.MLAGState{State: intent.MLAGDisabled}
	}
	m := &intent.MLAGState{Domain: MLAGDomain(platform), State: intent.MLAGInactive, PeerLinkUp: s.PeerLinkUp, KeepaliveUp: s.KeepaliveUp}
	if s.Active(platform) {
		m.State = intent.MLAGActive
	}
	if platform == PlatformEOS {
		// EOS's keep-alive is the negotiation with the peer: it is
		// connected only while the peering is active.
		m.KeepaliveUp = m.State == intent.MLAGActive
		if len(s.Mismatched) > 0 {
			m.Inconsistent = []string{"config-sanity inconsistent"}
		}
	}
	return m
}
