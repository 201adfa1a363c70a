package gnmi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

// lagPref is what OpenConfig keeps on a LAG but the device model derives
// from the LAG's members (as EOS and NX-OS do: `channel-group N mode`). It
// is remembered for LAGs without members, so that a LAG created over gNMI
// keeps its type and LACP settings until members join.
type lagPref struct {
	typ  intent.LAGType
	mode intent.ChannelMode
	rate string // fast or normal; "" unknown
}

// lagSettings returns the LAG-level view of port-channel name: from its
// members when it has some, else from prefs.
func lagSettings(c *device.Config, name string, prefs map[string]lagPref) lagPref {
	members := c.Members(intent.LAGID(name))
	if len(members) == 0 {
		return prefs[name]
	}
	p := lagPref{typ: intent.LAGStatic}
	rates := map[string]bool{}
	for _, m := range members {
		in := c.Interfaces[m]
		if in.ChannelMode.LAGType() == intent.LAGLACP {
			if p.typ != intent.LAGLACP {
				p.typ, p.mode = intent.LAGLACP, in.ChannelMode
			}
			rates[rateOf(in.LACPRate)] = true
		}
	}
	if len(rates) == 1 {
		for r := range rates {
			p.rate = r
		}
	}
	return p
}

func rateOf(r string) string {
	if strings.EqualFold(r, "fast") {
		return "fast"
	}
	return "normal"
}

func vlanRanges(s intent.VLANSet) []any {
	out := []any{}
	for _, r := range s.Ranges() {
		if r[0] == r[1] {
			out = append(out, r[0])
		} else {
			out = append(out, fmt.Sprintf("%d..%d", r[0], r[1]))
		}
	}
	return out
}

func switchedVLANConfig(in *device.Interface) map[string]any {
	m := map[string]any{}
	if in.Mode == intent.ModeTrunk {
		m["interface-mode"] = "TRUNK"
	} else {
		m["interface-mode"] = "ACCESS"
	}
	if in.Mode == intent.ModeTrunk || in.NativeVLAN != 1 {
		m["native-vlan"] = in.NativeVLAN
	}
	if in.Mode != intent.ModeTrunk || in.AccessVLAN != 1 {
		if in.AccessVLAN >= 1 {
			m["access-vlan"] = in.AccessVLAN
		}
	}
	if !in.Allowed.Equal(device.AllVLANs()) {
		m["trunk-vlans"] = vlanRanges(in.Allowed)
	}
	return m
}

// configTree renders the configuration part of the OpenConfig tree.
func configTree(c *device.Config, ni string, prefs map[string]lagPref) map[string]any {
	ifs := map[string]any{}
	lacp := map[string]any{}
	for _, name := range c.InterfaceNames() {
		in := c.Interfaces[name]
		cfg := map[string]any{"name": name, "type": "ethernetCsmacd", "enabled": !in.Shutdown}
		if in.IsLAG() {
			cfg["type"] = "ieee8023adLag"
		}
		if in.MTU != 0 {
			cfg["mtu"] = in.MTU
		}
		if in.Description != "" {
			cfg["description"] = in.Description
		}
		e := map[string]any{"name": name, "config": cfg}
		var sv map[string]any
		if !in.Routed {
			sv = map[string]any{"config": switchedVLANConfig(in)}
		}
		if in.IsLAG() {
			agg := map[string]any{}
			p := lagSettings(c, name, prefs)
			if p.typ == intent.LAGLACP || p.typ == intent.LAGStatic {
				agg["lag-type"] = strings.ToUpper(string(p.typ))
			}
			if in.MinLinks > 0 {
				agg["min-links"] = in.MinLinks
			}
			a := map[string]any{"config": agg}
			if sv != nil {
				a["switched-vlan"] = sv
			}
			e["aggregation"] = a
			if p.typ == intent.LAGLACP {
				lc := map[string]any{"name": name, "lacp-mode": "ACTIVE"}
				if p.mode == intent.ChannelPassive {
					lc["lacp-mode"] = "PASSIVE"
				}
				switch p.rate {
				case "fast":
					lc["interval"] = "FAST"
				case "normal":
					lc["interval"] = "SLOW"
				}
				lacp[name] = map[string]any{"name": name, "config": lc}
			}
		} else {
			eth := map[string]any{"config": map[string]any{}}
			if in.ChannelGroup > 0 {
				eth["config"] = map[string]any{"aggregate-id": intent.LAGName(in.ChannelGroup)}
			}
			if sv != nil {
				eth["switched-vlan"] = sv
			}
			e["ethernet"] = eth
		}
		ifs[name] = e
	}
	vlans := map[string]any{}
	for _, id := range c.VLANIDs() {
		cfg := map[string]any{"vlan-id": id, "name": c.VLANs[id].Name}
		if c.VLANs[id].Suspended {
			cfg["status"] = "SUSPENDED" // absent is ACTIVE, the YANG default
		}
		vlans[strconv.Itoa(id)] = map[string]any{"vlan-id": id, "config": cfg}
	}
	return map[string]any{
		"interfaces": map[string]any{"interface": ifs},
		"network-instances": map[string]any{"network-instance": map[string]any{
			ni: map[string]any{
				"name":   ni,
				"config": map[string]any{"name": ni, "type": "DEFAULT_INSTANCE"},
				"vlans":  map[string]any{"vlan": vlans},
			},
		}},
		"lacp": map[string]any{"interfaces": map[string]any{"interface": lacp}},
	}
}

// get walks nested containers of a tree; nil when any is missing.
func get(m map[string]any, names ...string) map[string]any {
	for _, n := range names {
		next, _ := m[n].(map[string]any)
		if next == nil {
			return nil
		}
		m = next
	}
	return m
}

func intLeaf(m map[string]any, name string, def int) int {
	if v, ok := m[name].(int); ok {
		return v
	}
	return def
}

func strLeaf(m map[string]any, name string) string {
	s, _ := m[name].(string)
	return s
}

// applyTree makes c match the configuration tree t (the rendered tree after
// the request's operations). It returns the LAG preferences to remember.
// Every error names the path of the offending node.
func applyTree(c *device.Config, t map[string]any, ni string) (map[string]lagPref, error) {
	// Network instances and VLANs.
	nis := get(t, "network-instances", "network-instance")
	for name := range nis {
		if name != ni {
			return nil, perr("/network-instances/network-instance[name="+name+"]", "no such network instance on this target (only %s)", ni)
		}
	}
	inst := get(nis, ni)
	if inst == nil {
		return nil, perr("/network-instances/network-instance[name="+ni+"]", "the default network instance cannot be deleted")
	}
	if typ := strLeaf(get(inst, "config"), "type"); typ != "" && typ != "DEFAULT_INSTANCE" {
		return nil, perr("/network-instances/network-instance[name="+ni+"]/config/type", "must be DEFAULT_INSTANCE")
	}
	vlans := get(inst, "vlans", "vlan")
	vpath := func(id string) string {
		return "/network-instances/network-instance[name=" + ni + "]/vlans/vlan[vlan-id=" + id + "]"
	}
	for _, id := range c.VLANIDs() {
		if _, ok := vlans[strconv.Itoa(id)]; !ok {
			if err := c.RemoveVLAN(id); err != nil {
				return nil, perr(vpath(strconv.Itoa(id)), "%v", err)
			}
		}
	}
	for _, k := range sortedKeys(vlans) {
		e := vlans[k].(map[string]any)
		id, _ := strconv.Atoi(k)
		cfg := get(e, "config")
		if v, ok := cfg["vlan-id"].(int); ok && v != id {
			return nil, perr(vpath(k)+"/config/vlan-id", "%d contradicts the list key %d", v, id)
		}
		if err := c.AddVLAN(id, ""); err != nil {
			return nil, perr(vpath(k), "%v", err)
		}
		name := strLeaf(cfg, "name")
		if name == "" {
			name = device.DefaultVLANName(id)
		}
		if len(name) > 32 || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f || r == ' ' }) {
			return nil, perr(vpath(k)+"/config/name", "vlan name %q: at most 32 printable characters without spaces", name)
		}
		c.VLANs[id].Name = name
		c.VLANs[id].Suspended = strLeaf(cfg, "status") == "SUSPENDED"
	}

	// Interfaces.
	ifs := get(t, "interfaces", "interface")
	ipath := func(name string) string { return "/interfaces/interface[name=" + name + "]" }
	for _, name := range c.InterfaceNames() {
		if _, ok := ifs[name]; ok {
			continue
		}
		in := c.Interfaces[name]
		if in.IsLAG() {
			delete(c.Interfaces, name) // members are checked below
			continue
		}
		in.Reset()
	}
	for _, name := range sortedKeys(ifs) {
		if _, ok := c.Interfaces[name]; ok {
			continue
		}
		id := intent.LAGID(name)
		if id == 0 || intent.LAGName(id) != name {
			return nil, perr(ipath(name), "no such interface (port-channels are named Port-ChannelN)")
		}
		if _, err := c.EnsurePortChannel(id); err != nil {
			return nil, perr(ipath(name), "%v", err)
		}
	}
	prefs := map[string]lagPref{}
	lacpIfs := get(t, "lacp", "interfaces", "interface")
	for name := range lacpIfs {
		p := "/lacp/interfaces/interface[name=" + name + "]"
		if _, ok := ifs[name]; !ok || intent.LAGID(name) == 0 {
			return nil, perr(p, "not a port-channel of this target")
		}
		if n := strLeaf(get(lacpIfs, name, "config"), "name"); n != "" && n != name {
			return nil, perr(p+"/config/name", "%q contradicts the list key %q", n, name)
		}
	}
	for _, name := range sortedKeys(ifs) {
		e := ifs[name].(map[string]any)
		in := c.Interfaces[name]
		p := ipath(name)
		cfg := get(e, "config")
		if n, ok := cfg["name"].(string); ok && n != name {
			return nil, perr(p+"/config/name", "%q contradicts the list key %q", n, name)
		}
		wantType := "ethernetCsmacd"
		if in.IsLAG() {
			wantType = "ieee8023adLag"
		}
		if typ := strLeaf(cfg, "type"); typ != "" && typ != wantType {
			return nil, perr(p+"/config/type", "%s is %s, not %s", name, wantType, typ)
		}
		in.Description = strLeaf(cfg, "description")
		if len(in.Description) > 240 || strings.ContainsFunc(in.Description, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return nil, perr(p+"/config/description", "at most 240 printable characters")
		}
		en, ok := cfg["enabled"].(bool)
		in.Shutdown = ok && !en
		in.MTU = intLeaf(cfg, "mtu", 0)

		var sv map[string]any
		if in.IsLAG() {
			if get(e, "ethernet", "config") != nil && len(get(e, "ethernet", "config")) > 0 || get(e, "ethernet", "switched-vlan") != nil {
				return nil, perr(p+"/ethernet", "a port-channel has no ethernet configuration")
			}
			agg := get(e, "aggregation", "config")
			in.MinLinks = intLeaf(agg, "min-links", 0)
			if in.MinLinks > 32 {
				return nil, perr(p+"/aggregation/config/min-links", "%d is more than 32 members", in.MinLinks)
			}
			pref := lagPref{}
			switch strLeaf(agg, "lag-type") {
			case "LACP":
				pref.typ = intent.LAGLACP
			case "STATIC":
				pref.typ = intent.LAGStatic
			default:
				if lacpIfs[name] != nil {
					pref.typ = intent.LAGLACP
				}
			}
			if pref.typ == intent.LAGLACP {
				pref.mode = intent.ChannelActive
				lc := get(lacpIfs, name, "config")
				if strLeaf(lc, "lacp-mode") == "PASSIVE" {
					pref.mode = intent.ChannelPassive
				}
				switch strLeaf(lc, "interval") {
				case "FAST":
					pref.rate = "fast"
				case "SLOW":
					pref.rate = "normal"
				}
			}
			prefs[name] = pref
			sv = get(e, "aggregation", "switched-vlan", "config")
		} else {
			if a := get(e, "aggregation"); a != nil && (len(get(a, "config")) > 0 || get(a, "switched-vlan") != nil) {
				return nil, perr(p+"/aggregation", "a physical port has no aggregation configuration")
			}
			sv = get(e, "ethernet", "switched-vlan", "config")
		}
		if sv == nil && in.Routed {
			continue
		}
		in.Routed = false
		in.Mode = intent.ModeAccess
		if strLeaf(sv, "interface-mode") == "TRUNK" {
			in.Mode = intent.ModeTrunk
		}
		in.NativeVLAN = intLeaf(sv, "native-vlan", 1)
		in.AccessVLAN = intLeaf(sv, "access-vlan", 1)
		in.Allowed = device.AllVLANs()
		if tv, ok := sv["trunk-vlans"].([]any); ok {
			var ids []int
			for _, x := range tv {
				switch v := x.(type) {
				case int:
					ids = append(ids, v)
				case string:
					lo, hi, _ := strings.Cut(v, "..")
					a, _ := strconv.Atoi(lo)
					b, _ := strconv.Atoi(hi)
					for i := a; i <= b; i++ {
						ids = append(ids, i)
					}
				}
			}
			in.Allowed = intent.NewVLANSet(ids...)
			if in.Allowed.Equal(device.AllVLANs()) {
				in.Allowed = device.AllVLANs()
			}
		}
	}

	// Members, once every LAG is known.
	for _, name := range sortedKeys(ifs) {
		in := c.Interfaces[name]
		if in.IsLAG() {
			continue
		}
		e := ifs[name].(map[string]any)
		agg := strLeaf(get(e, "ethernet", "config"), "aggregate-id")
		oldGroup, oldMode, oldRate := in.ChannelGroup, in.ChannelMode, in.LACPRate
		in.ChannelGroup, in.ChannelMode = 0, ""
		if agg == "" {
			continue
		}
		p := ipath(name) + "/ethernet/config/aggregate-id"
		lag := intent.NormalizeInterface(agg)
		id := intent.LAGID(lag)
		if _, ok := ifs[lag]; !ok || id == 0 {
			return nil, perr(p, "%s is not a port-channel of this target", agg)
		}
		pref := prefs[lag]
		in.ChannelGroup = id
		switch pref.typ {
		case intent.LAGLACP:
			in.ChannelMode = pref.mode
			in.LACPRate = "normal"
			if pref.rate != "" {
				in.LACPRate = pref.rate
			} else if oldGroup == id && oldMode.LAGType() == intent.LAGLACP {
				in.LACPRate = oldRate
			}
		case intent.LAGStatic:
			in.ChannelMode = intent.ChannelOn
			in.LACPRate = ""
		default:
			// No lag-type anywhere: keep the member's mode when it stays in
			// the same port-channel, else LACP active as OpenConfig targets
			// default to.
			if oldGroup == id && oldMode != "" {
				in.ChannelMode = oldMode
			} else {
				in.ChannelMode = intent.ChannelActive
			}
		}
	}
	for name := range prefs {
		if len(c.Members(intent.LAGID(name))) > 0 {
			delete(prefs, name) // derived from the members from now on
		}
	}
	return prefs, nil
}
