package openconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	gpb "github.com/openconfig/gnmi/proto/gnmi"

	"github.com/netalign/netalign/internal/intent"
)

// ErrUnsupported is returned for changes OpenConfig cannot express.
var ErrUnsupported = errors.New("not expressible in openconfig")

// Module-qualified names RFC 7951 requires where a node's module differs
// from its parent's.
const (
	ianaLAG       = "iana-if-type:ieee8023adLag"
	qAggregateID  = "openconfig-if-aggregate:aggregate-id"
	defaultNIName = "default"
)

// Translation is what the translator needs beyond the changes themselves.
type Translation struct {
	// NetworkInstance holds the VLANs ("default" when empty).
	NetworkInstance string
	// Current is the state observed just before the change. Incremental
	// trunk edits are computed against it, because a gNMI update replaces a
	// whole leaf-list. Nil means a blank device.
	Current *intent.SwitchState
	// Names maps canonical interface names to the device's own spelling
	// (Port-Channel10 -> port-channel10). Missing names are used as they are.
	Names map[string]string
}

func (t Translation) native(name string) string {
	n := intent.NormalizeInterface(name)
	if v, ok := t.Names[n]; ok {
		return v
	}
	return n
}

func (t Translation) current(name string) *intent.Interface {
	if t.Current == nil {
		return nil
	}
	return t.Current.Interface(name)
}

// setBuilder collects deletes and container updates keyed by path, so that
// several changes touching one container merge into one update.
type setBuilder struct {
	deletes map[string]bool
	updates map[string]map[string]any
}

func (b *setBuilder) del(path string) {
	b.deletes[path] = true
	for p := range b.updates {
		if p == path || strings.HasPrefix(p, path+"/") {
			delete(b.updates, p)
		}
	}
}

// set merges leaf into the update of container path and cancels a pending
// delete of that leaf (a later change wins over an earlier one).
func (b *setBuilder) set(path, leaf string, v any) {
	m := b.updates[path]
	if m == nil {
		m = map[string]any{}
		b.updates[path] = m
	}
	m[leaf] = v
	delete(b.deletes, path+"/"+unqualify(leaf))
}

// unset drops a pending leaf update and deletes the leaf on the device.
func (b *setBuilder) unset(path, leaf string) {
	if m := b.updates[path]; m != nil {
		delete(m, leaf)
		if len(m) == 0 {
			delete(b.updates, path)
		}
	}
	b.deletes[path+"/"+unqualify(leaf)] = true
}

// lagIntent gathers what member changes say about their LAG.
type lagIntent struct {
	typeSet  intent.LAGType // set by an ObjLAG change
	created  bool
	mode     intent.ChannelMode
	modeFrom string
	rate     string
	rateFrom string
}

func ifPath(name string) string { return "/interfaces/interface[name=" + name + "]" }
func lacpPath(name string) string {
	return "/lacp/interfaces/interface[name=" + name + "]"
}

// BuildSetRequest translates changes into one SetRequest. It is pure: the
// same changes and translation always give the same request. The returned
// lines describe each operation for the apply report.
func BuildSetRequest(changes []intent.SwitchChange, t Translation) (*gpb.SetRequest, []string, error) {
	ni := t.NetworkInstance
	if ni == "" {
		ni = defaultNIName
	}
	b := &setBuilder{deletes: map[string]bool{}, updates: map[string]map[string]any{}}
	lags := map[string]*lagIntent{}
	lagOf := func(name string) *lagIntent {
		l := lags[name]
		if l == nil {
			l = &lagIntent{}
			lags[name] = l
		}
		return l
	}
	trunkBase := map[string]intent.VLANSet{} // allowed list as edited so far

	for i, c := range changes {
		where := fmt.Sprintf("change %d (%s %s %s)", i+1, c.Action, c.Object, c.Name)
		if c.MLAGID != 0 {
			return nil, nil, fmt.Errorf("%s: mlag id %d: %w (OpenConfig has no standard MLAG model)", where, c.MLAGID, ErrUnsupported)
		}
		switch c.Object {
		case intent.ObjVLAN:
			id := 0
			if c.VLAN != nil {
				id = c.VLAN.ID
			}
			if id == 0 {
				v, err := strconv.Atoi(c.Name)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: vlan id %q is not a number", where, c.Name)
				}
				id = v
			}
			if id < 1 || id > 4094 {
				return nil, nil, fmt.Errorf("%s: vlan id %d is outside 1-4094", where, id)
			}
			base := fmt.Sprintf("/network-instances/network-instance[name=%s]/vlans/vlan[vlan-id=%d]", ni, id)
			if c.Action == intent.Delete {
				b.del(base)
				continue
			}
			b.set(base+"/config", "vlan-id", id)
			if c.VLAN != nil && c.VLAN.Name != "" {
				b.set(base+"/config", "name", c.VLAN.Name)
			}
			if c.Reactivate {
				b.set(base+"/config", "status", "ACTIVE")
			}

		case intent.ObjLAG, intent.ObjInterface:
			name := t.native(c.Name)
			isLAG := c.Object == intent.ObjLAG || intent.LAGID(c.Name) > 0
			if isLAG && intent.LAGID(c.Name) == 0 {
				return nil, nil, fmt.Errorf("%s: %q is not a port-channel name", where, c.Name)
			}
			base := ifPath(name)
			if c.Action == intent.Delete {
				if !isLAG {
					return nil, nil, fmt.Errorf("%s: a physical interface cannot be deleted: %w", where, ErrUnsupported)
				}
				b.del(base)
				b.del(lacpPath(name))
				delete(lags, name)
				delete(trunkBase, name)
				// Members leave with their LAG, as `no interface
				// Port-ChannelN` does on EOS and NX-OS; a later Join in
				// the same request wins.
				if cur := t.current(c.Name); cur != nil {
					for _, m := range cur.Members {
						b.unset(ifPath(t.native(m))+"/ethernet/config", qAggregateID)
					}
				}
				continue
			}
			swBase := base + "/ethernet/switched-vlan/config"
			if isLAG {
				swBase = base + "/aggregation/switched-vlan/config"
				l := lagOf(name)
				if c.Action == intent.Create {
					l.created = true
					b.set(base+"/config", "name", name)
					b.set(base+"/config", "type", ianaLAG)
					if c.LAGType == "" || c.LAGType == intent.LAGNone {
						return nil, nil, fmt.Errorf("%s: a LAG needs type static or lacp", where)
					}
				}
				switch c.LAGType {
				case "":
				case intent.LAGNone:
					return nil, nil, fmt.Errorf("%s: lag type none: delete the LAG instead", where)
				case intent.LAGStatic, intent.LAGLACP:
					l.typeSet = c.LAGType
				default:
					return nil, nil, fmt.Errorf("%s: unknown lag type %q", where, c.LAGType)
				}
				if c.MinLinks > 0 {
					b.set(base+"/aggregation/config", "min-links", c.MinLinks)
				}
				if c.LACPRate != "" {
					l.rate, l.rateFrom = c.LACPRate, where
				}
			}
			if c.MTU != 0 {
				if c.MTU < 64 || c.MTU > 65535 {
					return nil, nil, fmt.Errorf("%s: mtu %d is outside 64-65535", where, c.MTU)
				}
				b.set(base+"/config", "mtu", c.MTU)
			}
			if c.Description != "" {
				b.set(base+"/config", "description", c.Description)
			}
			if c.Join && c.Leave {
				return nil, nil, fmt.Errorf("%s: join and leave in one change", where)
			}
			if c.Join {
				if isLAG {
					return nil, nil, fmt.Errorf("%s: a LAG cannot join a LAG", where)
				}
				if c.ChannelGroup <= 0 {
					return nil, nil, fmt.Errorf("%s: join without a channel group", where)
				}
				lag := t.native(intent.LAGName(c.ChannelGroup))
				b.set(base+"/ethernet/config", qAggregateID, lag)
				l := lagOf(lag)
				if c.ChannelMode != "" {
					if l.mode != "" && l.mode != c.ChannelMode {
						return nil, nil, fmt.Errorf("%s: channel mode %s conflicts with %s from %s", where, c.ChannelMode, l.mode, l.modeFrom)
					}
					l.mode, l.modeFrom = c.ChannelMode, where
				}
				if c.LACPRate != "" {
					if l.rate != "" && !sameRate(l.rate, c.LACPRate) {
						return nil, nil, fmt.Errorf("%s: lacp rate %s conflicts with %s from %s", where, c.LACPRate, l.rate, l.rateFrom)
					}
					l.rate, l.rateFrom = c.LACPRate, where
				}
			}
			if c.Leave {
				b.unset(base+"/ethernet/config", qAggregateID)
			}
			if c.SetTrunk {
				b.set(swBase, "interface-mode", "TRUNK")
			}
			if c.NativeVLAN != 0 {
				if c.NativeVLAN < 1 || c.NativeVLAN > 4094 {
					return nil, nil, fmt.Errorf("%s: native vlan %d is outside 1-4094", where, c.NativeVLAN)
				}
				b.set(swBase, "native-vlan", c.NativeVLAN)
			}
			if c.ReplaceVLANs || len(c.AddVLANs) > 0 || len(c.RemoveVLANs) > 0 {
				cur, seen := trunkBase[name]
				if !seen {
					cur = intent.VLANSet{}
					if ci := t.current(c.Name); ci != nil && ci.Mode == intent.ModeTrunk && !(isLAG && c.Action == intent.Create) {
						cur = ci.Allowed
					}
				}
				next := cur.Union(c.AddVLANs).Minus(c.RemoveVLANs)
				if c.ReplaceVLANs {
					next = intent.NewVLANSet(c.Allowed...)
				}
				if len(next) == 0 {
					return nil, nil, fmt.Errorf("%s: an empty trunk vlan list: %w (an absent trunk-vlans means all vlans)", where, ErrUnsupported)
				}
				trunkBase[name] = next
				b.set(swBase, "trunk-vlans", trunkVLANs(next))
			}
		default:
			return nil, nil, fmt.Errorf("%s: unknown object kind %q", where, c.Object)
		}
	}

	// LAG-level settings implied by LAG and member changes: OpenConfig keeps
	// the LAG type on the LAG, and LACP mode and interval under /lacp.
	lagNames := make([]string, 0, len(lags))
	for name := range lags {
		lagNames = append(lagNames, name)
	}
	sort.Strings(lagNames)
	for _, name := range lagNames {
		l := lags[name]
		typ := l.typeSet
		if l.mode != "" {
			mt := l.mode.LAGType()
			if mt == intent.LAGNone {
				return nil, nil, fmt.Errorf("%s: unknown channel mode %q", l.modeFrom, l.mode)
			}
			if typ != "" && typ != mt {
				return nil, nil, fmt.Errorf("%s: channel mode %s makes a %s LAG but %s is set to %s", l.modeFrom, l.mode, mt, name, typ)
			}
			if typ == "" {
				cur := t.current(name)
				if cur == nil || cur.LAGType != mt {
					typ = mt
				}
			}
		}
		if typ != "" {
			b.set(ifPath(name)+"/aggregation/config", "lag-type", strings.ToUpper(string(typ)))
		}
		lacpType := typ
		if lacpType == "" {
			if cur := t.current(name); cur != nil {
				lacpType = cur.LAGType
			}
		}
		switch {
		case typ == intent.LAGStatic:
			if !l.created { // a new (or re-created) LAG has no LACP entry
				b.del(lacpPath(name))
			}
		case lacpType == intent.LAGLACP:
			if typ == intent.LAGLACP || l.mode != "" {
				mode := "ACTIVE"
				if l.mode == intent.ChannelPassive {
					mode = "PASSIVE"
				}
				b.set(lacpPath(name)+"/config", "name", name)
				b.set(lacpPath(name)+"/config", "lacp-mode", mode)
			}
			if l.rate != "" {
				iv, err := lacpInterval(l.rate)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", l.rateFrom, err)
				}
				b.set(lacpPath(name)+"/config", "name", name)
				b.set(lacpPath(name)+"/config", "interval", iv)
			}
		}
	}
	return b.request()
}

func sameRate(a, b string) bool {
	x, err1 := lacpInterval(a)
	y, err2 := lacpInterval(b)
	return err1 == nil && err2 == nil && x == y
}

// lacpInterval maps the bond's lacp_rate (and the switch spelling "normal")
// to the openconfig-lacp interval.
func lacpInterval(rate string) (string, error) {
	switch strings.ToLower(rate) {
	case "fast", "1":
		return "FAST", nil
	case "slow", "normal", "0":
		return "SLOW", nil
	}
	return "", fmt.Errorf("lacp rate %q: want fast or slow", rate)
}

// trunkVLANs renders a set the openconfig-vlan way: single ids as numbers,
// runs as "lo..hi" strings.
func trunkVLANs(s intent.VLANSet) []any {
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

// pathRank orders operations for readable requests and reports: VLANs,
// LAG interfaces, LACP, then ports. The target applies deletes, replaces and
// updates as one transaction whatever their order.
func pathRank(p string) int {
	switch {
	case strings.HasPrefix(p, "/network-instances/"):
		return 0
	case strings.HasPrefix(p, "/interfaces/"):
		name := p[len("/interfaces/interface[name="):]
		if intent.LAGID(name[:strings.IndexByte(name, ']')]) > 0 {
			return 1
		}
		return 3
	case strings.HasPrefix(p, "/lacp/"):
		return 2
	}
	return 4
}

func sortPaths(ps []string) {
	sort.Slice(ps, func(i, j int) bool {
		ri, rj := pathRank(ps[i]), pathRank(ps[j])
		if ri != rj {
			return ri < rj
		}
		// One list entry's operations together, its own config first.
		ei, ej := ps[i][:max(0, strings.LastIndexByte(ps[i], ']'))], ps[j][:max(0, strings.LastIndexByte(ps[j], ']'))]
		if ei != ej {
			return lessInterface(ei, ej)
		}
		if di, dj := strings.Count(ps[i], "/"), strings.Count(ps[j], "/"); di != dj {
			return di < dj
		}
		return ps[i] < ps[j]
	})
}

func (b *setBuilder) request() (*gpb.SetRequest, []string, error) {
	req := &gpb.SetRequest{}
	var lines []string
	dels := make([]string, 0, len(b.deletes))
	for p := range b.deletes {
		dels = append(dels, p)
	}
	sortPaths(dels)
	for _, p := range dels {
		gp, err := ParsePath(p)
		if err != nil {
			return nil, nil, err
		}
		req.Delete = append(req.Delete, gp)
		lines = append(lines, "delete "+p)
	}
	ups := make([]string, 0, len(b.updates))
	for p := range b.updates {
		ups = append(ups, p)
	}
	sortPaths(ups)
	for _, p := range ups {
		gp, err := ParsePath(p)
		if err != nil {
			return nil, nil, err
		}
		v, err := json.Marshal(b.updates[p]) // map keys marshal sorted
		if err != nil {
			return nil, nil, err
		}
		req.Update = append(req.Update, &gpb.Update{Path: gp, Val: &gpb.TypedValue{Value: &gpb.TypedValue_JsonIetfVal{JsonIetfVal: v}}})
		lines = append(lines, "update "+p+" "+string(v))
	}
	return req, lines, nil
}
