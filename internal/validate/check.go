package validate

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
)

// Finding is one mismatch.
type Finding struct {
	Code     Code     `json:"code"`
	Severity Severity `json:"severity"`
	// Device is the switch, host or DHCP server; Object the port, LAG,
	// bond, VLAN or pool on it.
	Device   string `json:"device"`
	Object   string `json:"object"`
	Expected string `json:"expected"`
	Found    string `json:"found"`
	Message  string `json:"message"`
}

// Unreachable is a device that could not be observed, with the cause and
// the one-line reason (which does not repeat the device).
type Unreachable struct {
	Device string     `json:"device"`
	Kind   string     `json:"kind"`
	Cause  cause.Code `json:"cause"`
	Err    string     `json:"message"`
}

// Input is everything Check looks at.
type Input struct {
	Desired  *intent.Desired
	Observed *intent.Observed
	// Unreachable devices become findings coded with their cause.
	Unreachable []Unreachable
	// Extra findings from live checks (the DHCP probe) are merged in.
	Extra []Finding
	// StrictIsolation makes VLAN_EXTRA and HOST_VLAN_EXTRA errors instead
	// of warnings: a VLAN a port does not need is a leak between tenants.
	StrictIsolation bool
}

// Check applies every rule and returns the findings sorted by device,
// object and code. It is pure.
func Check(in Input) []Finding {
	var out []Finding
	sev := map[Code]Severity{}
	for _, c := range AllCodes() {
		sev[c.Code] = c.Severity
	}
	if in.StrictIsolation {
		sev[VLANExtra], sev[HostVLANExtra] = SeverityError, SeverityError
	}
	add := func(code Code, device, object, expected, found, msg string) {
		// Every finding says what was expected and what was found.
		expected, found = firstNonEmpty(expected, "none"), firstNonEmpty(found, "none")
		out = append(out, Finding{Code: code, Severity: sev[code], Device: device, Object: object, Expected: expected, Found: found, Message: msg})
	}
	obs := in.Observed
	if obs == nil {
		obs = &intent.Observed{}
	}
	for _, u := range in.Unreachable {
		c := u.Cause
		if c == "" {
			c = cause.ProtocolError
		}
		add(CauseCode(c), u.Device, u.Kind, "observed", string(c), u.Err)
	}
	for _, ds := range in.Desired.Switches {
		sw := obs.Switch(ds.Name)
		if sw == nil {
			continue
		}
		checkSwitch(ds, sw, obs, add)
	}
	checkMLAG(in.Desired, obs, add)
	topo := newTopology(in.Desired)
	for _, dh := range in.Desired.Hosts {
		h := obs.Host(dh.Name)
		if h == nil {
			continue
		}
		checkHost(dh, h, topo, add)
	}
	for _, dd := range in.Desired.DHCP {
		st := obs.DHCPServer(dd.Server)
		if st == nil {
			continue
		}
		have := map[int]intent.Pool{}
		for _, p := range st.Pools {
			have[p.VLAN] = p
		}
		for _, p := range dd.Pools {
			obj := fmt.Sprintf("vlan %d", p.VLAN)
			cur, ok := have[p.VLAN]
			if !ok {
				add(DHCPPoolMissing, dd.Server, obj, p.Subnet, "no pool", fmt.Sprintf("network %s needs a pool for %s", p.Network, p.Subnet))
				continue
			}
			if diffs := poolDiff(cur, p); len(diffs) > 0 {
				add(DHCPPoolMismatch, dd.Server, obj, poolSummary(p), poolSummary(cur), strings.Join(diffs, "; "))
			}
		}
	}
	out = append(out, in.Extra...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Device != b.Device {
			return a.Device < b.Device
		}
		if a.Object != b.Object {
			return intent.PortLess(a.Object, b.Object)
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Expected < b.Expected
	})
	return out
}

type addFunc func(code Code, device, object, expected, found, msg string)

func checkSwitch(ds intent.DesiredSwitch, sw *intent.SwitchState, obs *intent.Observed, add addFunc) {
	for _, v := range ds.VLANs {
		obj := "vlan " + strconv.Itoa(v.ID)
		cur := sw.VLAN(v.ID)
		switch {
		case cur == nil:
			add(VLANNotDefined, ds.Name, obj, "defined", "absent", fmt.Sprintf("VLAN %d (%s) is not defined", v.ID, v.Name))
		case !cur.Active():
			bonds := "the host bonds of the inventory"
			if b := ds.BondsNeeding(v.ID); len(b) > 0 {
				bonds = strings.Join(b, ", ")
			}
			add(VLANInactive, ds.Name, obj, "active", cur.StateString(),
				fmt.Sprintf("VLAN %d (%s) is %s: the trunks carry nothing on it for %s", v.ID, v.Name, cur.StateString(), bonds))
		}
	}
	// What the driver could not read is said, one finding per record:
	// the other findings are only as complete as the observation.
	for _, u := range sw.Partial {
		add(ObservePartial, ds.Name, u.Object(), "understood", u.Reason,
			u.String()+"; the record is left out of the observation")
	}
	for _, o := range sw.OrphanLAGs() {
		key, _ := intent.OwnedLAG(o.Description)
		add(LAGOrphan, ds.Name, o.Name, "members or no LAG", "no members",
			fmt.Sprintf("%s was created by netalign for %s and has no member left", o.Name, key))
	}
	lagOf := map[string]*intent.DesiredLAG{}
	for i := range ds.LAGs {
		for _, m := range ds.LAGs[i].Members {
			lagOf[m] = &ds.LAGs[i]
		}
	}
	// Per-LAG rules.
	for _, lag := range ds.LAGs {
		groups := map[int][]string{}
		var none []string
		for _, m := range lag.Members {
			itf := sw.Interface(m)
			if itf == nil {
				continue
			}
			if itf.ChannelGroup == 0 {
				none = append(none, m)
			} else {
				groups[itf.ChannelGroup] = append(groups[itf.ChannelGroup], m)
			}
		}
		obj := lag.Key
		switch {
		case len(groups) == 0 && len(none) > 0:
			add(LAGMissing, ds.Name, strings.Join(none, ","), string(lag.Type)+" LAG", "no LAG",
				fmt.Sprintf("%s bond of %s needs a %s LAG on %s", lag.ClusterNetwork, lag.Host, lag.Type, strings.Join(none, ",")))
			continue
		case len(groups) > 1 || (len(groups) == 1 && len(none) > 0):
			var parts []string
			ids := sortedKeys(groups)
			for _, id := range ids {
				parts = append(parts, fmt.Sprintf("Port-Channel%d: %s", id, strings.Join(groups[id], ",")))
			}
			if len(none) > 0 {
				parts = append(parts, "no LAG: "+strings.Join(none, ","))
			}
			add(LAGMembersSplit, ds.Name, obj, "one LAG", strings.Join(parts, "; "),
				fmt.Sprintf("the ports facing %s's %s bond are split", lag.Host, lag.ClusterNetwork))
		}
		for _, id := range sortedKeys(groups) {
			name := intent.LAGName(id)
			got := lagType(sw, id)
			if got != lag.Type {
				add(LAGModeMismatch, ds.Name, name, string(lag.Type), string(got),
					fmt.Sprintf("%s bond of %s is %s: needs a %s LAG, %s is %s", lag.ClusterNetwork, lag.Host, bondModeOf(ds, lag), lag.Type, name, got))
			}
			if itf := sw.Interface(name); itf != nil {
				checkTrunk(ds.Name, itf, lag.Trunk, lag.MTU, lag.Host+" "+intent.BondName(lag.ClusterNetwork), add)
			}
		}
		if lag.Type == intent.LAGLACP {
			for _, m := range lag.Members {
				itf := sw.Interface(m)
				if itf == nil || itf.ChannelGroup == 0 || itf.MemberState == intent.MemberUnknown {
					continue
				}
				if itf.MemberState != intent.MemberBundled {
					add(LACPNotBundled, ds.Name, m, "bundled", string(itf.MemberState),
						fmt.Sprintf("LACP member facing %s is %s", lag.Host, itf.MemberState))
				}
			}
		}
	}
	// Per-port rules.
	for _, dp := range ds.Ports {
		itf := sw.Interface(dp.Name)
		if itf == nil {
			add(PortMissing, ds.Name, dp.Name, "present", "absent", fmt.Sprintf("cabled to %s %s", dp.Host, dp.NIC))
			continue
		}
		if !itf.AdminUp || !itf.OperUp {
			state := "oper down"
			if !itf.AdminUp {
				state = "admin down"
			}
			add(PortDown, ds.Name, dp.Name, "up", state, fmt.Sprintf("port facing %s %s is %s", dp.Host, dp.NIC, state))
		}
		if dp.LAG == "" {
			if itf.ChannelGroup != 0 {
				add(LAGUnexpected, ds.Name, dp.Name, "no LAG", fmt.Sprintf("Port-Channel%d", itf.ChannelGroup),
					fmt.Sprintf("%s bond of %s is %s: needs plain trunks", dp.ClusterNetwork, dp.Host, dp.BondMode))
			} else {
				checkTrunk(ds.Name, itf, dp.Trunk, dp.MTU, dp.Host+" "+dp.NIC, add)
			}
		}
		if n := sw.Neighbor(dp.Name); n != nil {
			if n.Contradicts(dp.Host, dp.NIC) {
				add(CablingMismatch, ds.Name, dp.Name, dp.Host+" "+dp.NIC, n.SystemName+" "+n.Port(),
					fmt.Sprintf("LLDP neighbour differs from the inventory's cabling (the port should serve %s %s)", dp.Host, dp.NIC))
			}
		}
		// Cross-layer: the host's live MTU and bond mode against the switch.
		if h := obs.Host(dp.Host); h != nil {
			if bond := h.Link(intent.BondName(dp.ClusterNetwork)); bond != nil && bond.MTU != 0 {
				swMTU := itf.MTU
				if itf.ChannelGroup != 0 {
					if lag := sw.Interface(intent.LAGName(itf.ChannelGroup)); lag != nil && lag.MTU != 0 {
						swMTU = lag.MTU
					}
				}
				if swMTU != 0 && swMTU < bond.MTU {
					add(MTUMismatch, ds.Name, dp.Name, ">= "+strconv.Itoa(bond.MTU)+" (host "+dp.Host+" "+bond.Name+")", strconv.Itoa(swMTU),
						"the host's live MTU is larger than the switch's")
				}
			}
			if bond := h.Link(intent.BondName(dp.ClusterNetwork)); bond != nil && bond.Bond != nil && bond.Bond.Mode != dp.BondMode {
				got := intent.LAGNone
				if itf.ChannelGroup != 0 {
					got = lagType(sw, itf.ChannelGroup)
				}
				if bond.Bond.Mode.LAG() != got {
					add(LAGModeMismatch, ds.Name, dp.Name, string(bond.Bond.Mode.LAG())+" (host bond is "+bond.Bond.Mode.String()+")", string(got),
						"the host's live bond mode does not match the switch side")
				}
			}
		}
	}
}

// checkTrunk checks a host-facing port or LAG; serves names the host and
// NIC (or bond) behind it, for the messages.
func checkTrunk(dev string, itf *intent.Interface, t intent.Trunk, mtu int, serves string, add addFunc) {
	if itf.Mode != intent.ModeTrunk {
		mode := string(itf.Mode)
		if mode == "" {
			mode = "none"
		}
		add(PortNotTrunk, dev, itf.Name, "trunk", mode, "the interface serving "+serves+" is not a trunk")
		return
	}
	if missing := t.Allowed.Minus(itf.Allowed); len(missing) > 0 {
		add(VLANNotAllowed, dev, itf.Name, t.Allowed.String(), itf.Allowed.String(), "VLANs "+missing.String()+" not allowed on the trunk serving "+serves)
	}
	if extra := itf.Allowed.Minus(t.Allowed); len(extra) > 0 {
		add(VLANExtra, dev, itf.Name, t.Allowed.String(), itf.Allowed.String(), "VLANs "+extra.String()+" allowed on the trunk serving "+serves+" beyond what its cluster network needs")
	}
	if itf.NativeVLAN != t.NativeVLAN {
		add(NativeVLANMismatch, dev, itf.Name, strconv.Itoa(t.NativeVLAN), strconv.Itoa(itf.NativeVLAN), "native VLAN differs from the untagged VLAN of "+serves)
	}
	if mtu != 0 && itf.MTU != 0 && itf.MTU < mtu {
		add(MTUMismatch, dev, itf.Name, ">= "+strconv.Itoa(mtu), strconv.Itoa(itf.MTU), "switch MTU below the MTU of "+serves)
	}
}

func checkHost(dh intent.DesiredHost, h *intent.HostState, topo topology, add addFunc) {
	for _, b := range dh.Bonds {
		bond := h.Link(b.Bond)
		if bond == nil || bond.Bond == nil {
			add(HostBondMissing, dh.Name, b.Bond, b.Options.Mode.String(), "absent", "bond of cluster network "+b.ClusterNetwork+" is missing")
		} else {
			if bond.Bond.Mode != b.Options.Mode {
				add(HostBondModeMismatch, dh.Name, b.Bond, b.Options.Mode.String(), bond.Bond.Mode.String(), "bond mode differs from the inventory")
			}
			// Every option the inventory sets, as the planner compares them
			// (the mode has its own code above).
			var want, found, names []string
			for _, f := range intent.BondOptionFields(bond.Bond, b.Options) {
				if f.Name != intent.BondOptMode {
					want = append(want, f.Name+" "+firstNonEmpty(f.After, "none"))
					found = append(found, f.Name+" "+firstNonEmpty(f.Before, "none"))
					names = append(names, f.Name)
				}
			}
			if len(want) > 0 {
				add(HostBondOptions, dh.Name, b.Bond, strings.Join(want, ", "), strings.Join(found, ", "),
					"bond options differ from the inventory: "+strings.Join(names, ", "))
			}
			if bond.MTU != 0 && bond.MTU != b.MTU {
				add(HostMTUMismatch, dh.Name, b.Bond, strconv.Itoa(b.MTU), strconv.Itoa(bond.MTU), "bond MTU differs from the cluster network MTU")
			}
			have := map[int]bool{}
			for _, v := range bond.BridgeVLANs {
				have[v.VID] = true
			}
			var missing []int
			for _, v := range b.VLANs {
				if !have[v] {
					missing = append(missing, v)
				}
			}
			if len(missing) > 0 {
				add(HostVLANMissing, dh.Name, b.Bond, b.VLANs.String(), intent.NewVLANSet(sortedVIDs(bond.BridgeVLANs)...).String(),
					"VLANs "+intent.NewVLANSet(missing...).String()+" missing on the bridge port")
			}
			// The PVID is assigned too: it carries the untagged network.
			need := b.VLANs
			if b.PVID > 0 {
				need = need.Union(intent.VLANSet{b.PVID})
			}
			if extra := intent.NewVLANSet(sortedVIDs(bond.BridgeVLANs)...).Minus(need); len(extra) > 0 {
				add(HostVLANExtra, dh.Name, b.Bond, need.String(), intent.NewVLANSet(sortedVIDs(bond.BridgeVLANs)...).String(),
					"VLANs "+extra.String()+" on the bridge port are assigned by no network of "+b.ClusterNetwork)
			}
			if bond.Master != b.Bridge {
				add(HostBridgeMismatch, dh.Name, b.Bond, "port of "+b.Bridge, "master "+firstNonEmpty(bond.Master, "none"), "bond is not a port of its bridge")
			}
		}
		if br := h.Link(b.Bridge); br == nil || !br.VLANFiltering {
			found := "absent"
			if br != nil {
				found = "vlan_filtering 0"
			}
			add(HostBridgeMismatch, dh.Name, b.Bridge, "vlan_filtering 1", found, "bridge of cluster network "+b.ClusterNetwork)
		}
		for _, nic := range b.NICs {
			l := h.Link(nic)
			switch {
			case l == nil:
				add(HostNICMissing, dh.Name, nic, "enslaved to "+b.Bond, "absent", "NIC not found")
			case l.Master != b.Bond:
				add(HostNICMissing, dh.Name, nic, "enslaved to "+b.Bond, "master "+firstNonEmpty(l.Master, "none"), "NIC not in its bond")
			}
		}
		if bond != nil && bond.Bond != nil && bond.Bond.Mode == intent.LACP {
			checkHostLACP(dh.Name, b, bond, h, topo, add)
		}
	}
}

// cable is the switch port the inventory cables a host NIC to.
type cable struct{ Switch, Port string }

// topology is what the host rules need to know of the switches: where each
// NIC is cabled, and which switches are MLAG peers.
type topology struct {
	cables map[string]map[string]cable // host -> NIC -> port
	peers  map[string]string           // switch -> its MLAG peer
}

func newTopology(d *intent.Desired) topology {
	t := topology{cables: map[string]map[string]cable{}, peers: map[string]string{}}
	for _, ds := range d.Switches {
		if ds.MLAGPeer != "" {
			t.peers[ds.Name] = ds.MLAGPeer
		}
		for _, p := range ds.Ports {
			if t.cables[p.Host] == nil {
				t.cables[p.Host] = map[string]cable{}
			}
			t.cables[p.Host][p.NIC] = cable{ds.Name, p.Name}
		}
	}
	return t
}

// mlagPair reports whether switches a and b are MLAG peers (either one
// naming the other is enough: the inventory check requires both).
func (t topology) mlagPair(a, b string) bool { return t.peers[a] == b || t.peers[b] == a }

// where names the switch port a NIC is cabled to, for messages.
func (t topology) where(host, nic string) string {
	if c, ok := t.cables[host][nic]; ok {
		return c.Switch + " " + c.Port
	}
	return "no switch port in the inventory"
}

// checkHostLACP checks the LACP state of an 802.3ad bond's NICs (the
// inventory's NICs that are its slaves; NICs the kernel gave no slave
// state are skipped, nothing is known of them):
//
//   - LACP_NOT_BUNDLED (object: the NIC) when the bond is down, the NIC's
//     link is down, it is in no aggregator ("Aggregator ID: N/A"), it is
//     in another aggregator than the bond's active one (when that is
//     known), its partner system MAC is 00:00:00:00:00:00, or, none of
//     these, its actor or partner port state lacks sync, collecting or
//     distributing;
//   - LACP_PARTNER_MISMATCH (object: the bond) when its NICs hear two or
//     more partner system MACs (all-zero ones left out). This is a
//     finding whatever the switches: one switch, and an MLAG pair, each
//     present one system MAC, so different MACs mean NICs facing two
//     switches that are not one MLAG pair, an MLAG pair whose MLAG is not
//     working for this bond, or cabling that is not what the inventory
//     says. Which of these, the message says from the inventory's cabling
//     and MLAG peers.
func checkHostLACP(host string, b intent.DesiredBond, bond *intent.Link, h *intent.HostState, topo topology, add addFunc) {
	act := bond.Bond.ActiveAggregator
	expected := "in the active aggregator with a partner"
	if act != 0 {
		expected = fmt.Sprintf("in aggregator %d with a partner", act)
	}
	partners := map[string][]string{} // partner system MAC -> NICs
	var switches []string
	for _, nic := range b.NICs {
		if c, ok := topo.cables[host][nic]; ok && !slices.Contains(switches, c.Switch) {
			switches = append(switches, c.Switch)
		}
		l := h.Link(nic)
		if l == nil || l.Master != b.Bond || l.BondSlave == nil {
			continue // HOST_NIC_MISSING, or no LACP state observed
		}
		s := l.BondSlave
		if s.PartnerMAC != "" && !s.NoPartner() {
			partners[s.PartnerMAC] = append(partners[s.PartnerMAC], nic)
		}
		var found []string
		why := ""
		if !bond.AdminUp {
			found = append(found, bond.Name+" down")
			why = "the bond is down, LACP does not run"
		}
		if s.MIIStatus == "down" {
			found = append(found, "link down")
			why = firstNonEmpty(why, "its link is down")
		}
		other := act != 0 && s.AggregatorID != 0 && s.AggregatorID != act
		switch {
		case s.AggregatorID == 0:
			found = append(found, "aggregator N/A")
			why = firstNonEmpty(why, "the bond has not put it in an aggregator")
		case other:
			found = append(found, fmt.Sprintf("aggregator %d", s.AggregatorID))
		}
		switch {
		case s.NoPartner():
			found = append(found, "no partner ("+intent.ZeroMAC+")")
			why = firstNonEmpty(why, "it hears no LACP partner: the switch port is not in an LACP LAG (a static LAG or a plain port)")
		case other && s.PartnerMAC != "":
			found = append(found, "partner "+s.PartnerMAC)
		}
		if other {
			why = firstNonEmpty(why, fmt.Sprintf("it is in aggregator %d, not the bond's active %d: the switch side does not bundle it with the other NICs (another LAG or another switch)", s.AggregatorID, act))
		}
		if len(found) == 0 && s.AggregatorID != 0 && s.ActorPortState != 0 && !s.Bundled() {
			found = append(found, fmt.Sprintf("not in sync (actor port state 0x%02x, partner 0x%02x)", s.ActorPortState, s.PartnerState))
			why = "LACP is not in sync with the partner: the switch has not bundled the port (suspended, or still negotiating)"
		}
		if len(found) > 0 {
			add(LACPNotBundled, host, nic, expected, strings.Join(found, ", "),
				fmt.Sprintf("%s member %s (cabled to %s) is not bundled: %s", b.Bond, nic, topo.where(host, nic), why))
		}
	}
	if len(partners) < 2 {
		return
	}
	macs := make([]string, 0, len(partners))
	for m := range partners {
		macs = append(macs, m)
	}
	sort.Strings(macs)
	var parts []string
	for _, m := range macs {
		parts = append(parts, m+" on "+strings.Join(partners[m], ","))
	}
	expected = "one partner system"
	var msg string
	switch {
	case len(switches) == 2 && topo.mlagPair(switches[0], switches[1]):
		expected = "one partner system (the MLAG system of " + switches[0] + " and " + switches[1] + ")"
		msg = fmt.Sprintf("the NICs of %s face MLAG peers %s and %s, which should present one system MAC: the MLAG is down, or the port-channel facing %s is not an MLAG on both peers",
			b.Bond, switches[0], switches[1], host)
	case len(switches) >= 2:
		msg = fmt.Sprintf("the NICs of %s are cabled to %s, which are not one MLAG pair: an 802.3ad bond bundles only the NICs facing one LACP system; cable them to one switch or an MLAG pair, or use active-backup",
			b.Bond, strings.Join(switches, " and "))
	case len(switches) == 1:
		msg = fmt.Sprintf("every NIC of %s is cabled to %s in the inventory, yet they hear different LACP systems: a NIC is cabled to another device", b.Bond, switches[0])
	default:
		msg = fmt.Sprintf("the NICs of %s hear different LACP systems: they face different switches", b.Bond)
	}
	add(LACPPartnerMismatch, host, b.Bond, expected, strings.Join(parts, "; "), msg)
}

func lagType(sw *intent.SwitchState, id int) intent.LAGType {
	if itf := sw.Interface(intent.LAGName(id)); itf != nil && itf.LAGType != "" {
		return itf.LAGType
	}
	for _, itf := range sw.Interfaces {
		if itf.ChannelGroup == id && itf.ChannelMode != "" {
			return itf.ChannelMode.LAGType()
		}
	}
	return intent.LAGNone
}

func bondModeOf(ds intent.DesiredSwitch, lag intent.DesiredLAG) string {
	for _, p := range ds.Ports {
		if p.LAG == lag.Key {
			return p.BondMode.String()
		}
	}
	return "?"
}

func sortedKeys(m map[int][]string) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

func sortedVIDs(v []intent.BridgeVLAN) []int {
	out := make([]int, 0, len(v))
	for _, x := range v {
		out = append(out, x.VID)
	}
	return out
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func poolSummary(p intent.Pool) string {
	return fmt.Sprintf("%s %s gw %s dns %s", p.Subnet, strings.Join(p.Ranges, ","), firstNonEmpty(p.Gateway, "-"), firstNonEmpty(strings.Join(p.DNS, ","), "-"))
}

func poolDiff(have, want intent.Pool) []string {
	var out []string
	for _, f := range intent.PoolFields(&have, &want) {
		out = append(out, f.Name+" "+firstNonEmpty(f.Before, "none")+" != "+firstNonEmpty(f.After, "none"))
	}
	return out
}
