package validate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/intent"
)

// checkMLAG applies the rules that need both switches of an MLAG/vPC pair
// (switches that name each other as mlagPeer):
//
//   - MLAG_PEER_DOWN (each switch, object "mlag peer <peer>") when the
//     switch reports its peering not established, its peer link down or
//     its keep-alive lost (not checked when the peering was not observed);
//   - LAG_MEMBERS_SPLIT (both switches, object the bond's LAG key) when the
//     ports facing one bond are in LAGs with different MLAG/vPC ids on the
//     two peers (or in LAGs that are no MLAG on one or both), or in a LAG
//     on one peer only. A bond split on one switch already has that
//     switch's own LAG_MEMBERS_SPLIT and is not compared;
//   - MLAG_PEER_MISMATCH (both switches, object the LAG key) when the LAGs
//     of one bond, in one MLAG, differ in allowed VLANs or MTU although
//     each carries what the bond needs (a side that lacks a VLAN, has
//     another native VLAN, is no trunk or has a smaller MTU has
//     VLAN_NOT_ALLOWED, NATIVE_VLAN_MISMATCH, PORT_NOT_TRUNK or
//     MTU_MISMATCH, which say what to change); and (each switch, object
//     "mlag peer <peer>") when the switch itself reports its configuration
//     inconsistent with its established peer.
func checkMLAG(d *intent.Desired, obs *intent.Observed, add addFunc) {
	desired := map[string]*intent.DesiredSwitch{}
	for i := range d.Switches {
		desired[d.Switches[i].Name] = &d.Switches[i]
	}
	for i := range d.Switches {
		ds := &d.Switches[i]
		ps := desired[ds.MLAGPeer]
		if ps == nil {
			continue
		}
		if sw := obs.Switch(ds.Name); sw != nil {
			checkPeering(ds, ps, sw, add)
		}
		a, b := obs.Switch(ds.Name), obs.Switch(ps.Name)
		if ds.Name > ps.Name || a == nil || b == nil {
			continue
		}
		for _, lag := range ds.LAGs {
			if pl := desiredLAG(ps, lag.Key); lag.MLAG && pl != nil {
				comparePeers(lag, a, b, pl.Members, add)
			}
		}
	}
}

func desiredLAG(ds *intent.DesiredSwitch, key string) *intent.DesiredLAG {
	for i := range ds.LAGs {
		if ds.LAGs[i].Key == key {
			return &ds.LAGs[i]
		}
	}
	return nil
}

// mlagWord is what the platform calls an MLAG.
func mlagWord(platform string) string {
	if platform == "nxos" {
		return "vPC"
	}
	return "MLAG"
}

// checkPeering reports the peering of sw (desired ds, peer ps) when it is
// not up, or inconsistent.
func checkPeering(ds, ps *intent.DesiredSwitch, sw *intent.SwitchState, add addFunc) {
	m := sw.MLAG
	if m == nil {
		return
	}
	obj := "mlag peer " + ps.Name
	word := mlagWord(sw.Platform)
	if !m.Up() {
		var bonds []string
		for _, lag := range ds.LAGs {
			if lag.MLAG && desiredLAG(ps, lag.Key) != nil {
				bonds = append(bonds, lag.Host+" "+intent.BondName(lag.ClusterNetwork))
			}
		}
		risk := "no bond of the inventory faces both switches yet"
		if len(bonds) > 0 {
			risk = "every bond facing both switches is at risk (one switch failing or isolated takes it down or splits it): " + strings.Join(bonds, ", ")
		}
		add(MLAGPeerDown, ds.Name, obj, "established, peer link up, keep-alive up", peeringFound(m),
			fmt.Sprintf("the %s peering with %s is not up: %s", word, ps.Name, risk))
		return
	}
	if len(m.Inconsistent) > 0 {
		add(MLAGPeerMismatch, ds.Name, obj, "consistent", strings.Join(m.Inconsistent, "; "),
			fmt.Sprintf("%s reports its %s configuration inconsistent with %s's", ds.Name, word, ps.Name))
	}
}

// peeringFound says what is wrong with a peering.
func peeringFound(m *intent.MLAGState) string {
	if m.State == intent.MLAGDisabled {
		return "no domain configured"
	}
	var out []string
	if m.State != intent.MLAGActive {
		out = append(out, "not established ("+string(m.State)+")")
	}
	if !m.PeerLinkUp {
		out = append(out, "peer link down")
	}
	if !m.KeepaliveUp {
		out = append(out, "keep-alive lost")
	}
	return strings.Join(out, ", ")
}

// peerSide is where one peer puts the ports facing a bond.
type peerSide struct {
	sw    *intent.SwitchState
	ports []string
	lag   *intent.Interface // nil: the ports are in no LAG
}

// sideOf finds the LAG of members on sw; ok is false when the members are
// not all present or not all in one LAG (or all in none): the switch's
// own rules report that.
func sideOf(sw *intent.SwitchState, members []string) (s peerSide, ok bool) {
	s.sw, s.ports = sw, members
	group := -1
	for _, m := range members {
		itf := sw.Interface(m)
		if itf == nil || (group != -1 && itf.ChannelGroup != group) {
			return s, false
		}
		group = itf.ChannelGroup
	}
	if group > 0 {
		if s.lag = sw.Interface(intent.LAGName(group)); s.lag == nil {
			return s, false
		}
	}
	return s, group != -1
}

func (s peerSide) String() string {
	ports := strings.Join(s.ports, ",")
	if s.lag == nil {
		return s.sw.Name + " no LAG: " + ports
	}
	id := "no " + strings.ToLower(mlagWord(s.sw.Platform))
	if s.lag.MLAGID != 0 {
		id = strings.ToLower(mlagWord(s.sw.Platform)) + " " + strconv.Itoa(s.lag.MLAGID)
	}
	return fmt.Sprintf("%s %s (%s): %s", s.sw.Name, s.lag.Name, id, ports)
}

// comparePeers compares the two peers' sides of one bond (lag is a's
// desired LAG, pMembers the peer's ports).
func comparePeers(lag intent.DesiredLAG, a, b *intent.SwitchState, pMembers []string, add addFunc) {
	sa, okA := sideOf(a, lag.Members)
	sb, okB := sideOf(b, pMembers)
	if !okA || !okB || (sa.lag == nil && sb.lag == nil) {
		return
	}
	word := mlagWord(a.Platform)
	both := func(code Code, expected, found, msg string) {
		add(code, a.Name, lag.Key, expected, found, msg)
		add(code, b.Name, lag.Key, expected, found, msg)
	}
	bond := fmt.Sprintf("%s's %s bond", lag.Host, lag.ClusterNetwork)
	found := sa.String() + "; " + sb.String()
	switch {
	case sa.lag == nil || sb.lag == nil:
		without := sa.sw.Name
		if sb.lag == nil {
			without = sb.sw.Name
		}
		both(LAGMembersSplit, fmt.Sprintf("one %s LAG on %s and %s", word, a.Name, b.Name), found,
			fmt.Sprintf("the ports facing %s are in a LAG on one %s peer only (none on %s): the bond cannot bundle across %s and %s", bond, word, without, a.Name, b.Name))
		return
	case sa.lag.MLAGID == 0 || sa.lag.MLAGID != sb.lag.MLAGID:
		both(LAGMembersSplit, fmt.Sprintf("one %s: the same %s id on %s and %s", word, strings.ToLower(word), a.Name, b.Name), found,
			fmt.Sprintf("the ports facing %s are in two LAGs that are not one %s on peers %s and %s: the host hears two LACP systems and bundles one side only", bond, word, a.Name, b.Name))
		return
	}
	var diffs []string
	la, lb := sa.lag, sb.lag
	carries := func(l *intent.Interface) bool {
		return l.Mode == intent.ModeTrunk && len(lag.Trunk.Allowed.Minus(l.Allowed)) == 0
	}
	if !la.Allowed.Equal(lb.Allowed) && carries(la) && carries(lb) {
		diffs = append(diffs, fmt.Sprintf("allowed vlans %s on %s, %s on %s", la.Allowed, a.Name, lb.Allowed, b.Name))
	}
	if la.MTU != lb.MTU && la.MTU != 0 && lb.MTU != 0 && la.MTU >= lag.MTU && lb.MTU >= lag.MTU {
		diffs = append(diffs, fmt.Sprintf("mtu %d on %s, %d on %s", la.MTU, a.Name, lb.MTU, b.Name))
	}
	if len(diffs) > 0 {
		both(MLAGPeerMismatch, fmt.Sprintf("the same VLANs and MTU on %s %s and %s %s", a.Name, la.Name, b.Name, lb.Name), strings.Join(diffs, "; "),
			fmt.Sprintf("the two halves of %s %d facing %s differ: the peers forward differently for it (NX-OS suspends a vPC whose MTU differs, VLANs not on both are not forwarded over both)", word, la.MLAGID, bond))
	}
}
