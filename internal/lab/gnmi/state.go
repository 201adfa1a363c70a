package gnmi

import (
	"maps"
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

// fullTree renders configuration and state of a snapshot: the tree Get
// answers from.
func fullTree(s *device.Snapshot, ni string, prefs map[string]lagPref) map[string]any {
	c := s.Config
	t := configTree(c, ni, prefs)
	ifs := get(t, "interfaces", "interface")
	for name, ev := range ifs {
		e := ev.(map[string]any)
		in, o := c.Interfaces[name], s.Oper[name]
		st := maps.Clone(get(e, "config"))
		st["mtu"] = o.MTU
		st["admin-status"] = "UP"
		if in.Shutdown {
			st["admin-status"] = "DOWN"
		}
		st["oper-status"] = "DOWN"
		if o.OperUp {
			st["oper-status"] = "UP"
		}
		e["state"] = st
		if in.IsLAG() {
			a := get(e, "aggregation")
			ast := maps.Clone(get(a, "config"))
			if o.LAGType == intent.LAGLACP || o.LAGType == intent.LAGStatic {
				ast["lag-type"] = strings.ToUpper(string(o.LAGType))
			}
			members := make([]any, 0, len(o.Members))
			for _, m := range o.Members {
				members = append(members, m)
			}
			ast["member"] = members
			a["state"] = ast
			copySwitchedVLANState(a)
		} else {
			eth := get(e, "ethernet")
			eth["state"] = maps.Clone(get(eth, "config"))
			copySwitchedVLANState(eth)
		}
	}

	inst := get(t, "network-instances", "network-instance", ni)
	inst["state"] = maps.Clone(get(inst, "config"))
	for _, v := range get(inst, "vlans", "vlan") {
		e := v.(map[string]any)
		st := maps.Clone(get(e, "config"))
		st["status"] = "ACTIVE"
		if id, ok := e["vlan-id"].(int); ok && c.VLANs[id] != nil && (c.VLANs[id].Suspended || c.VLANs[id].Shutdown) {
			st["status"] = "SUSPENDED"
		}
		e["state"] = st
	}

	for name, v := range get(t, "lacp", "interfaces", "interface") {
		e := v.(map[string]any)
		e["state"] = maps.Clone(get(e, "config"))
		members := map[string]any{}
		for _, m := range c.Members(intent.LAGID(name)) {
			in, o := c.Interfaces[m], s.Oper[m]
			ms := map[string]any{
				"interface": m,
				"activity":  "ACTIVE",
				"timeout":   "LONG",
			}
			if in.ChannelMode == intent.ChannelPassive {
				ms["activity"] = "PASSIVE"
			}
			if rateOf(in.LACPRate) == "fast" {
				ms["timeout"] = "SHORT"
			}
			// The member state as the LACP actor bits say it: bundled is
			// in sync, collecting and distributing; individual (no
			// partner) is not aggregatable but forwards alone; suspended
			// and down neither collect nor distribute.
			sync, aggr, coll, dist := "OUT_SYNC", true, false, false
			switch o.MemberState {
			case intent.MemberBundled:
				sync, coll, dist = "IN_SYNC", true, true
			case intent.MemberIndividual:
				aggr, coll, dist = false, true, true
			case intent.MemberDown:
				aggr = false
			}
			ms["synchronization"], ms["aggregatable"], ms["collecting"], ms["distributing"] = sync, aggr, coll, dist
			if o.Peer != nil && o.Peer.BondMode == intent.LACP && o.LinkUp {
				ms["partner-id"] = device.HostChassisMAC(o.Peer.Host)
			}
			members[m] = map[string]any{"interface": m, "state": ms}
		}
		e["members"] = map[string]any{"member": members}
	}

	lldp := map[string]any{}
	for _, n := range s.State().LLDP {
		e, _ := lldp[n.LocalPort].(map[string]any)
		if e == nil {
			e = map[string]any{"name": n.LocalPort, "neighbors": map[string]any{"neighbor": map[string]any{}}}
			lldp[n.LocalPort] = e
		}
		id := n.ChassisID
		if id == "" {
			id = strconv.Itoa(len(get(e, "neighbors", "neighbor")) + 1)
		}
		st := map[string]any{"id": id, "system-name": n.SystemName, "port-id": n.PortID, "chassis-id": n.ChassisID}
		if n.PortDescr != "" {
			st["port-description"] = n.PortDescr
		}
		get(e, "neighbors", "neighbor")[id] = map[string]any{"id": id, "state": st}
	}
	t["lldp"] = map[string]any{"interfaces": map[string]any{"interface": lldp}}
	return t
}

func copySwitchedVLANState(parent map[string]any) {
	if sv := get(parent, "switched-vlan"); sv != nil {
		sv["state"] = maps.Clone(get(sv, "config"))
	}
}
