package plan

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/intent"
)

// lagIDs maps "<switch>|<lag key>" to the chosen LAG id.
type lagIDs map[string]int

func lagKey(sw, key string) string { return sw + "|" + key }

// allocateLAGIDs chooses a LAG id for every desired LAG, stable across runs:
// the inventory's pinned id; else the id of an existing LAG that already
// holds the members (on this switch, or on the MLAG peer for MLAG LAGs);
// else the lowest id in the switch's range that is free on the switch (and
// on its MLAG peer for MLAG LAGs).
func allocateLAGIDs(desired *intent.Desired, observed *intent.Observed) lagIDs {
	ids := lagIDs{}
	used := map[string]map[int]bool{} // switch -> ids taken
	desiredBySwitch := map[string]*intent.DesiredSwitch{}
	for i := range desired.Switches {
		ds := &desired.Switches[i]
		desiredBySwitch[ds.Name] = ds
		used[ds.Name] = map[int]bool{}
		if obs := observed.Switch(ds.Name); obs != nil {
			for _, itf := range obs.Interfaces {
				if itf.Kind == intent.KindLAG {
					if id := intent.LAGID(itf.Name); id != 0 {
						used[ds.Name][id] = true
					}
				}
				if itf.ChannelGroup != 0 {
					used[ds.Name][itf.ChannelGroup] = true
				}
			}
		}
	}
	// Pinned ids first, then reuse, then allocation, each pass in sorted order.
	type ref struct {
		sw  *intent.DesiredSwitch
		lag *intent.DesiredLAG
	}
	var all []ref
	for i := range desired.Switches {
		ds := &desired.Switches[i]
		for j := range ds.LAGs {
			all = append(all, ref{ds, &ds.LAGs[j]})
		}
	}
	claimed := map[string]map[int]string{} // switch -> id -> lag key
	claim := func(sw string, id int, key string) {
		if claimed[sw] == nil {
			claimed[sw] = map[int]string{}
		}
		claimed[sw][id] = key
		ids[lagKey(sw, key)] = id
	}
	isClaimed := func(sw string, id int) bool { _, ok := claimed[sw][id]; return ok }
	for _, r := range all {
		if r.lag.ID != 0 {
			claim(r.sw.Name, r.lag.ID, r.lag.Key)
		}
	}
	existing := func(sw string, lag *intent.DesiredLAG) int {
		obs := observed.Switch(sw)
		if obs == nil {
			return 0
		}
		groups := map[int]int{}
		for _, m := range lag.Members {
			if itf := obs.Interface(m); itf != nil && itf.ChannelGroup != 0 {
				groups[itf.ChannelGroup]++
			}
		}
		best, bestN := 0, 0
		for g, n := range groups {
			if n > bestN || (n == bestN && g < best) {
				best, bestN = g, n
			}
		}
		if best == 0 {
			return 0
		}
		// Reuse only a LAG whose members all belong to this bond.
		members := map[string]bool{}
		for _, m := range lag.Members {
			members[m] = true
		}
		for _, itf := range obs.Interfaces {
			if itf.ChannelGroup == best && !members[itf.Name] {
				return 0
			}
		}
		return best
	}
	for _, r := range all {
		if _, ok := ids[lagKey(r.sw.Name, r.lag.Key)]; ok {
			continue
		}
		id := existing(r.sw.Name, r.lag)
		if id == 0 && r.lag.MLAG && r.sw.MLAGPeer != "" {
			if peer := desiredBySwitch[r.sw.MLAGPeer]; peer != nil {
				if pid, ok := ids[lagKey(peer.Name, r.lag.Key)]; ok {
					id = pid
				} else {
					for _, pl := range peer.LAGs {
						if pl.Key == r.lag.Key {
							id = existing(peer.Name, &pl)
						}
					}
				}
			}
		}
		if id != 0 && !isClaimed(r.sw.Name, id) {
			claim(r.sw.Name, id, r.lag.Key)
			if r.lag.MLAG && r.sw.MLAGPeer != "" && !isClaimed(r.sw.MLAGPeer, id) {
				if _, ok := ids[lagKey(r.sw.MLAGPeer, r.lag.Key)]; !ok && desiredBySwitch[r.sw.MLAGPeer] != nil {
					claim(r.sw.MLAGPeer, id, r.lag.Key)
				}
			}
		}
	}
	// A LAG netalign created earlier for the same bond (left empty by an
	// interrupted run) is taken again rather than a new id.
	for _, r := range all {
		if _, ok := ids[lagKey(r.sw.Name, r.lag.Key)]; ok {
			continue
		}
		obs := observed.Switch(r.sw.Name)
		if obs == nil {
			continue
		}
		for _, o := range obs.OrphanLAGs() {
			key, _ := intent.OwnedLAG(o.Description)
			id := intent.LAGID(o.Name)
			if key != r.lag.Key || id == 0 || isClaimed(r.sw.Name, id) {
				continue
			}
			if r.lag.MLAG && r.sw.MLAGPeer != "" && desiredBySwitch[r.sw.MLAGPeer] != nil && isClaimed(r.sw.MLAGPeer, id) {
				continue
			}
			claim(r.sw.Name, id, r.lag.Key)
			if r.lag.MLAG && desiredBySwitch[r.sw.MLAGPeer] != nil {
				if _, ok := ids[lagKey(r.sw.MLAGPeer, r.lag.Key)]; !ok {
					claim(r.sw.MLAGPeer, id, r.lag.Key)
				}
			}
			break
		}
	}
	for _, r := range all {
		if _, ok := ids[lagKey(r.sw.Name, r.lag.Key)]; ok {
			continue
		}
		peer := ""
		if r.lag.MLAG && desiredBySwitch[r.sw.MLAGPeer] != nil {
			peer = r.sw.MLAGPeer
		}
		free := func(sw string, id int) bool {
			return !isClaimed(sw, id) && !used[sw][id]
		}
		for id := r.sw.LAGRange[0]; id <= r.sw.LAGRange[1]; id++ {
			if free(r.sw.Name, id) && (peer == "" || free(peer, id)) {
				claim(r.sw.Name, id, r.lag.Key)
				if peer != "" {
					claim(peer, id, r.lag.Key)
				}
				break
			}
		}
	}
	return ids
}

// diffSwitch returns the ordered changes for one switch, and warnings for
// what it refused to touch.
func diffSwitch(ds intent.DesiredSwitch, obs *intent.SwitchState, ids lagIDs, opts Options) ([]intent.SwitchChange, []string) {
	var (
		vlans, lagCreates, leaves, lagUpdates, joins, ports []intent.SwitchChange
		warnings                                            []string
	)
	protected := map[string]bool{}
	for _, p := range ds.Protected {
		protected[p] = true
	}
	if ds.MgmtPort != "" && !opts.AllowMgmtPort {
		protected[ds.MgmtPort] = true
	}
	// A port whose LLDP neighbour is another host or NIC than the
	// inventory cables is held: moving it between LAGs or changing its
	// VLANs would act on the wrong machine. A port without a neighbour is
	// not held (LLDP may be off on hosts).
	held := map[string]string{}
	if !opts.IgnoreCabling {
		for _, dp := range ds.Ports {
			if n := obs.Neighbor(dp.Name); n != nil && n.Contradicts(dp.Host, dp.NIC) {
				held[dp.Name] = fmt.Sprintf("%s is held: LLDP shows %s %s where the inventory cables %s %s; fix the cabling or the inventory (or pass --ignore-cabling)",
					dp.Name, n.SystemName, n.Port(), dp.Host, dp.NIC)
			}
		}
	}
	// Pruning (vlanPolicy exact) never touches the management port, even
	// with --allow-mgmt, nor a LAG it is a member of: removing a VLAN there
	// could cut netalign's own session.
	noPrune := func(t intent.Trunk, names ...string) intent.Trunk {
		if ds.MgmtPort != "" && slices.Contains(names, ds.MgmtPort) {
			t.Prune = false
		}
		return t
	}
	guard := func(name string) bool {
		if protected[name] {
			warnings = append(warnings, fmt.Sprintf("%s is protected: not changed", name))
			return false
		}
		if msg, ok := held[name]; ok {
			warnings = append(warnings, msg)
			return false
		}
		return true
	}

	for _, v := range ds.VLANs {
		cur := obs.VLAN(v.ID)
		switch {
		case cur == nil:
			vv := v
			vlans = append(vlans, intent.SwitchChange{
				Action: intent.Create, Object: intent.ObjVLAN, Name: strconv.Itoa(v.ID), VLAN: &vv,
				Fields: []intent.Field{{Name: "name", Before: "", After: v.Name}},
			})
		case !cur.Active():
			// A VLAN netalign needs is made active again; its name is
			// left as it is. VLANs the inventory does not need are
			// never touched, whatever their state.
			c := intent.SwitchChange{
				Action: intent.Update, Object: intent.ObjVLAN, Name: strconv.Itoa(v.ID), VLAN: &intent.VLAN{ID: v.ID},
				Reactivate: true,
				Fields:     []intent.Field{{Name: "state", Before: cur.StateString(), After: "active"}},
			}
			if b := ds.BondsNeeding(v.ID); len(b) > 0 {
				c.Reason = "needed by " + strings.Join(b, ", ")
			}
			vlans = append(vlans, c)
		}
	}

	desiredLAGOf := map[string]*intent.DesiredLAG{}
	for i := range ds.LAGs {
		for _, m := range ds.LAGs[i].Members {
			desiredLAGOf[m] = &ds.LAGs[i]
		}
	}

	for i := range ds.LAGs {
		lag := &ds.LAGs[i]
		id, ok := ids[lagKey(ds.Name, lag.Key)]
		if !ok {
			warnings = append(warnings, fmt.Sprintf("%s: no free LAG id in %d-%d", lag.Key, ds.LAGRange[0], ds.LAGRange[1]))
			continue
		}
		name := intent.LAGName(id)
		if !guard(name) {
			continue
		}
		mode := intent.ChannelOn
		if lag.Type == intent.LAGLACP {
			mode = intent.ChannelActive
		}
		mlagID := 0
		if lag.MLAG {
			mlagID = id
		}
		cur := obs.Interface(name)
		observedType := observedLAGType(obs, id)
		if cur == nil {
			c := intent.SwitchChange{
				Action: intent.Create, Object: intent.ObjLAG, Name: name, LAGType: lag.Type,
				SetTrunk: true, NativeVLAN: lag.Trunk.NativeVLAN, ReplaceVLANs: true, Allowed: lag.Trunk.Allowed,
				MTU: lag.MTU, MinLinks: lag.MinLinks, MLAGID: mlagID,
				Description: intent.LAGDescription(lag.Key),
				Fields: []intent.Field{
					{Name: "type", After: string(lag.Type)},
					{Name: "members", After: joinNames(lag.Members)},
					{Name: "mode", After: "trunk"},
					{Name: "native vlan", After: strconv.Itoa(lag.Trunk.NativeVLAN)},
					{Name: "allowed vlans", After: lag.Trunk.Allowed.String()},
					{Name: "mtu", After: strconv.Itoa(lag.MTU)},
				},
			}
			if mlagID != 0 {
				c.Fields = append(c.Fields, intent.Field{Name: "mlag", After: strconv.Itoa(mlagID)})
			}
			lagCreates = append(lagCreates, c)
		} else {
			if c, ok := trunkChange(name, intent.ObjLAG, cur, noPrune(lag.Trunk, append([]string{name}, lag.Members...)...), lag.MTU); ok {
				lagUpdates = append(lagUpdates, c)
			}
			if mlagID != 0 && cur.MLAGID != mlagID {
				lagUpdates = append(lagUpdates, intent.SwitchChange{
					Action: intent.Update, Object: intent.ObjLAG, Name: name, MLAGID: mlagID,
					Fields: []intent.Field{{Name: "mlag", Before: itoaOrNone(cur.MLAGID), After: strconv.Itoa(mlagID)}},
				})
			}
			if lag.MinLinks != 0 && cur.MinLinks != lag.MinLinks {
				lagUpdates = append(lagUpdates, intent.SwitchChange{
					Action: intent.Update, Object: intent.ObjLAG, Name: name, MinLinks: lag.MinLinks,
					Fields: []intent.Field{{Name: "min-links", Before: itoaOrNone(cur.MinLinks), After: strconv.Itoa(lag.MinLinks)}},
				})
			}
		}
		retype := cur != nil && observedType != intent.LAGNone && observedType != lag.Type
		for _, m := range lag.Members {
			if !guard(m) {
				continue
			}
			itf := obs.Interface(m)
			var curGroup int
			var curMode intent.ChannelMode
			var curRate string
			if itf != nil {
				curGroup, curMode, curRate = itf.ChannelGroup, itf.ChannelMode, itf.LACPRate
			}
			needJoin := curGroup != id || curMode != mode || retype
			if needJoin && curGroup != 0 {
				leaves = append(leaves, intent.SwitchChange{
					Action: intent.Update, Object: intent.ObjInterface, Name: m, Leave: true,
					ChannelGroup: curGroup, Disruptive: true,
					Reason: leaveReason(curGroup, id, curMode, mode, retype, lag.Type),
					Fields: []intent.Field{{Name: "channel-group", Before: groupString(curGroup, curMode), After: "none"}},
				})
			}
			rate := ""
			if lag.Type == intent.LAGLACP && lag.LACPRate == "fast" {
				rate = "fast"
			}
			if needJoin {
				// A member that left first (above) joins from no group:
				// the plan reads as the transaction runs.
				before := groupString(curGroup, curMode)
				if curGroup != 0 {
					before = "none"
				}
				c := intent.SwitchChange{
					Action: intent.Update, Object: intent.ObjInterface, Name: m, Join: true,
					ChannelGroup: id, ChannelMode: mode, LACPRate: rate, Disruptive: curGroup != 0 || retype,
					Fields: []intent.Field{{Name: "channel-group", Before: before, After: groupString(id, mode)}},
				}
				if rate != "" && normRate(curRate) != rate {
					c.Fields = append(c.Fields, intent.Field{Name: "lacp rate", Before: normRate(curRate), After: rate})
				}
				if itf != nil && itf.MTU != 0 && itf.MTU < lag.MTU {
					c.MTU = lag.MTU
					c.Fields = append(c.Fields, intent.Field{Name: "mtu", Before: strconv.Itoa(itf.MTU), After: strconv.Itoa(lag.MTU)})
				}
				switch {
				case retype:
					c.Reason = fmt.Sprintf("rejoins Port-Channel%d, re-created %s -> %s", id, observedType, lag.Type)
				case curGroup != 0 && curGroup != id:
					c.Reason = fmt.Sprintf("joins Port-Channel%d after leaving Port-Channel%d", id, curGroup)
				case curGroup != 0:
					c.Reason = fmt.Sprintf("rejoins Port-Channel%d in mode %s", id, mode)
				}
				joins = append(joins, c)
			} else if lag.Type == intent.LAGLACP && normRate(curRate) != normRate(rate) {
				joins = append(joins, intent.SwitchChange{
					Action: intent.Update, Object: intent.ObjInterface, Name: m, LACPRate: normRate(rate),
					ChannelGroup: id, ChannelMode: mode,
					Fields: []intent.Field{{Name: "lacp rate", Before: normRate(curRate), After: normRate(rate)}},
				})
			}
		}
	}

	for _, dp := range ds.Ports {
		if dp.LAG != "" {
			continue
		}
		if !guard(dp.Name) {
			continue
		}
		itf := obs.Interface(dp.Name)
		if itf == nil {
			warnings = append(warnings, fmt.Sprintf("%s: port not found on the switch (cabled to %s %s)", dp.Name, dp.Host, dp.NIC))
			continue
		}
		if itf.ChannelGroup != 0 {
			leaves = append(leaves, intent.SwitchChange{
				Action: intent.Update, Object: intent.ObjInterface, Name: dp.Name, Leave: true,
				ChannelGroup: itf.ChannelGroup, Disruptive: true,
				Reason: fmt.Sprintf("bond mode %s needs no LAG", dp.BondMode),
				Fields: []intent.Field{{Name: "channel-group", Before: groupString(itf.ChannelGroup, itf.ChannelMode), After: "none"}},
			})
			// Once out of its LAG the port's own switchport settings apply:
			// treat them as unknown so they are set in full.
			c := intent.SwitchChange{
				Action: intent.Update, Object: intent.ObjInterface, Name: dp.Name,
				SetTrunk: true, NativeVLAN: dp.Trunk.NativeVLAN, ReplaceVLANs: true, Allowed: dp.Trunk.Allowed,
				Fields: []intent.Field{
					{Name: "mode", Before: string(itf.Mode), After: "trunk"},
					{Name: "native vlan", Before: itoaOrNone(itf.NativeVLAN), After: strconv.Itoa(dp.Trunk.NativeVLAN)},
					{Name: "allowed vlans", Before: itf.Allowed.String(), After: dp.Trunk.Allowed.String()},
				},
			}
			if itf.MTU < dp.MTU {
				c.MTU = dp.MTU
				c.Fields = append(c.Fields, intent.Field{Name: "mtu", Before: strconv.Itoa(itf.MTU), After: strconv.Itoa(dp.MTU)})
			}
			ports = append(ports, c)
			continue
		}
		if c, ok := trunkChange(dp.Name, intent.ObjInterface, itf, noPrune(dp.Trunk, dp.Name), dp.MTU); ok {
			ports = append(ports, c)
		}
	}

	// LAGs netalign created and nothing uses any more are removed last,
	// once the members that should be elsewhere have moved.
	var orphans []intent.SwitchChange
	chosen := map[int]bool{}
	for i := range ds.LAGs {
		if id, ok := ids[lagKey(ds.Name, ds.LAGs[i].Key)]; ok {
			chosen[id] = true
		}
	}
	for _, o := range obs.OrphanLAGs() {
		if chosen[intent.LAGID(o.Name)] || !guard(o.Name) {
			continue
		}
		key, _ := intent.OwnedLAG(o.Description)
		orphans = append(orphans, intent.SwitchChange{
			Action: intent.Delete, Object: intent.ObjLAG, Name: o.Name,
			Reason: "created by netalign for " + key + ", no member left",
			Fields: []intent.Field{{Name: "description", Before: o.Description}},
		})
	}

	var out []intent.SwitchChange
	out = append(out, vlans...)
	out = append(out, lagCreates...)
	out = append(out, leaves...)
	out = append(out, lagUpdates...)
	out = append(out, joins...)
	out = append(out, ports...)
	out = append(out, orphans...)
	sort.Strings(warnings)
	return out, slices.Compact(warnings)
}

// trunkChange returns the update that makes itf a trunk as t says, if any.
func trunkChange(name string, obj intent.ObjectKind, itf *intent.Interface, t intent.Trunk, mtu int) (intent.SwitchChange, bool) {
	c := intent.SwitchChange{Action: intent.Update, Object: obj, Name: name}
	changed := false
	if itf.Mode != intent.ModeTrunk {
		c.SetTrunk, c.NativeVLAN, c.ReplaceVLANs, c.Allowed = true, t.NativeVLAN, true, t.Allowed
		c.Fields = append(c.Fields,
			intent.Field{Name: "mode", Before: modeString(itf.Mode), After: "trunk"},
			intent.Field{Name: "native vlan", Before: itoaOrNone(itf.NativeVLAN), After: strconv.Itoa(t.NativeVLAN)},
			intent.Field{Name: "allowed vlans", Before: itf.Allowed.String(), After: t.Allowed.String()})
		changed = true
	} else {
		if itf.NativeVLAN != t.NativeVLAN {
			c.NativeVLAN = t.NativeVLAN
			c.Fields = append(c.Fields, intent.Field{Name: "native vlan", Before: itoaOrNone(itf.NativeVLAN), After: strconv.Itoa(t.NativeVLAN)})
			changed = true
		}
		if t.FullyManaged {
			if !itf.Allowed.Equal(t.Allowed) {
				c.ReplaceVLANs, c.Allowed = true, t.Allowed
				c.Fields = append(c.Fields, intent.Field{Name: "allowed vlans", Before: itf.Allowed.String(), After: t.Allowed.String()})
				changed = true
			}
		} else {
			if missing := t.Allowed.Minus(itf.Allowed); len(missing) > 0 {
				c.AddVLANs = missing
				c.Fields = append(c.Fields, intent.Field{Name: "allowed vlans", Before: itf.Allowed.String(), After: itf.Allowed.Union(missing).String()})
				changed = true
			}
			// The removals are their own field, so that the plan says
			// exactly what stops being carried.
			if extra := itf.Allowed.Minus(t.Allowed); t.Prune && len(extra) > 0 {
				c.RemoveVLANs = extra
				c.Fields = append(c.Fields, intent.Field{Name: "remove vlans", Before: extra.String()})
				changed = true
			}
		}
	}
	if mtu != 0 && itf.MTU < mtu {
		c.MTU = mtu
		c.Fields = append(c.Fields, intent.Field{Name: "mtu", Before: strconv.Itoa(itf.MTU), After: strconv.Itoa(mtu)})
		changed = true
	}
	return c, changed
}

// observedLAGType is the type the members of LAG id make on the switch.
func observedLAGType(obs *intent.SwitchState, id int) intent.LAGType {
	if itf := obs.Interface(intent.LAGName(id)); itf != nil && itf.LAGType != "" && itf.LAGType != intent.LAGNone {
		return itf.LAGType
	}
	for _, itf := range obs.Interfaces {
		if itf.ChannelGroup == id && itf.ChannelMode != "" {
			return itf.ChannelMode.LAGType()
		}
	}
	return intent.LAGNone
}

func leaveReason(cur, want int, curMode, wantMode intent.ChannelMode, retype bool, wantType intent.LAGType) string {
	switch {
	case cur != want:
		return fmt.Sprintf("moves from Port-Channel%d to Port-Channel%d", cur, want)
	case retype:
		return fmt.Sprintf("leaves Port-Channel%d so that it is re-created as %s", cur, wantType)
	}
	return fmt.Sprintf("leaves Port-Channel%d to rejoin in mode %s (was %s)", cur, wantMode, curMode)
}

func groupString(id int, mode intent.ChannelMode) string {
	if id == 0 {
		return "none"
	}
	if mode == "" {
		return strconv.Itoa(id)
	}
	return strconv.Itoa(id) + " mode " + string(mode)
}

func normRate(r string) string {
	if r == "fast" {
		return "fast"
	}
	return "slow"
}

func modeString(m intent.SwitchportMode) string {
	if m == "" {
		return "none"
	}
	return string(m)
}

func itoaOrNone(v int) string {
	if v == 0 {
		return "none"
	}
	return strconv.Itoa(v)
}

func joinNames(s []string) string {
	s = slices.Clone(s)
	sort.Slice(s, func(i, j int) bool { return intent.PortLess(s[i], s[j]) })
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ","
		}
		out += v
	}
	return out
}
