package hostnet

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/intent"
)

// Harvester and kernel defaults that Diff applies to unset desired values.
const (
	// DefaultMiimon is Harvester's MII monitoring interval (ms).
	DefaultMiimon = 100
	// DefaultPVID is the untagged VLAN of a bond port when the inventory
	// names none; it is also the kernel's bridge default_pvid.
	DefaultPVID = 1
)

// IsProtected reports whether link is a management device: mgmt-br, mgmt-bo
// or a VLAN sub-interface mgmt-br.<vid>. Harvester's node address lives on
// them; an existing one is never changed without ApplyOptions.AllowMgmt.
func IsProtected(link string) bool {
	return link == "mgmt-br" || link == "mgmt-bo" || strings.HasPrefix(link, "mgmt-br.")
}

// Field names used in HostChange.Fields; Apply reads them back.
const (
	fieldMode      = intent.BondOptMode
	fieldLACPRate  = intent.BondOptLACPRate
	fieldState     = "state"
	fieldMTU       = "mtu"
	fieldMaster    = "master"
	fieldFiltering = "vlan_filtering"
	fieldPort      = "port"
	fieldVLANs     = "vlans"
	fieldPVID      = "pvid"
	fieldVLANID    = "vlan_id"
	fieldParent    = "parent"
)

// normalizeBond fills the defaults Diff and Apply assume for unset values.
func normalizeBond(b intent.DesiredBond) intent.DesiredBond {
	if b.Bond == "" {
		b.Bond = b.ClusterNetwork + "-bo"
	}
	if b.Bridge == "" {
		b.Bridge = b.ClusterNetwork + "-br"
	}
	if b.Options.Miimon == 0 && b.Options.ArpInterval == 0 {
		b.Options.Miimon = DefaultMiimon
	}
	b.Options.ArpIPTargets = slices.Clone(b.Options.ArpIPTargets)
	if b.PVID == 0 {
		b.PVID = DefaultPVID
	}
	b.NICs = slices.Clone(b.NICs)
	b.VLANs = intent.NewVLANSet(b.VLANs...)
	return b
}

// subIfName is the management VLAN device of a bridge, e.g. mgmt-br.10.
func subIfName(bridge string, vid int) string { return bridge + "." + strconv.Itoa(vid) }

// Diff returns the changes that bring observed to desired, in the order Apply
// must run them: per cluster network (sorted by name) the bond, slaves
// leaving, NIC MTUs, slaves joining, the bond MTU, the bridge (with the bond
// as its port), the bond port's VLANs, the bridge's own VLANs, and the
// management sub-interface. It is pure and deterministic.
//
// Bond options are compared as intent.BondOptionFields says: the mode,
// miimon (100 when 0 without ARP monitoring) and arp_interval always, the
// others only when desired sets them (an option the inventory leaves out
// is left as the host has it). PVID 0 is 1; MTU 0 leaves MTUs alone.
// Changes that need the bond down (mode, lacp_rate on an 802.3ad bond) and
// turning VLAN filtering on are marked Disruptive. A NIC that is missing or
// enslaved elsewhere still gets its join change, with the reason; Apply
// refuses it before writing anything.
func Diff(desired intent.DesiredHost, observed intent.HostState) []intent.HostChange {
	bonds := make([]intent.DesiredBond, 0, len(desired.Bonds))
	for _, b := range desired.Bonds {
		bonds = append(bonds, normalizeBond(b))
	}
	slices.SortFunc(bonds, func(a, b intent.DesiredBond) int { return strings.Compare(a.ClusterNetwork, b.ClusterNetwork) })
	var out []intent.HostChange
	for i := range bonds {
		out = append(out, diffBond(&bonds[i], &observed)...)
	}
	return out
}

func diffBond(d *intent.DesiredBond, obs *intent.HostState) []intent.HostChange {
	var out []intent.HostChange
	add := func(c intent.HostChange) {
		b := *d
		c.Bond = &b
		if c.Reason == "" && d.Protected && c.Action != intent.Create && IsProtected(c.Name) {
			c.Reason = "management device: needs the mgmt override"
		}
		out = append(out, c)
	}

	// 1. The bond and its options.
	bond := obs.Link(d.Bond)
	switch {
	case bond == nil:
		add(intent.HostChange{Action: intent.Create, Object: intent.ObjBond, Name: d.Bond,
			Fields: bondFields(nil, d)})
	case bond.Kind != intent.LinkBond:
		add(intent.HostChange{Action: intent.Update, Object: intent.ObjBond, Name: d.Bond, Disruptive: true,
			Reason: fmt.Sprintf("%s exists as a %s link, not a bond", d.Bond, bond.Kind)})
	default:
		f := bondFields(bond, d)
		if len(f) > 0 {
			add(intent.HostChange{Action: intent.Update, Object: intent.ObjBond, Name: d.Bond,
				Fields: f, Disruptive: bondDisruptive(f)})
		}
	}

	// 2. Slaves that must leave.
	if bond != nil {
		var extra []string
		for _, l := range obs.Links {
			if l.Master == d.Bond && !slices.Contains(d.NICs, l.Name) {
				extra = append(extra, l.Name)
			}
		}
		slices.Sort(extra)
		for _, n := range extra {
			add(intent.HostChange{Action: intent.Delete, Object: intent.ObjBondSlave, Name: n, Master: d.Bond,
				Fields: []intent.Field{{Name: fieldMaster, Before: d.Bond, After: ""}}})
		}
	}

	// 3. NIC MTUs, 4. slaves that must join.
	nics := slices.Clone(d.NICs)
	slices.Sort(nics)
	var joining []intent.HostChange
	for _, n := range nics {
		l := obs.Link(n)
		switch {
		case l == nil:
			joining = append(joining, intent.HostChange{Action: intent.Create, Object: intent.ObjBondSlave, Name: n, Master: d.Bond,
				Fields: []intent.Field{{Name: fieldMaster, Before: "", After: d.Bond}},
				Reason: "NIC " + n + " is not present on the host"})
			continue
		case l.Master != d.Bond && l.Master != "":
			joining = append(joining, intent.HostChange{Action: intent.Create, Object: intent.ObjBondSlave, Name: n, Master: d.Bond,
				Fields: []intent.Field{{Name: fieldMaster, Before: l.Master, After: d.Bond}},
				Reason: "NIC " + n + " is enslaved to " + l.Master})
			continue
		case l.Master == "":
			joining = append(joining, intent.HostChange{Action: intent.Create, Object: intent.ObjBondSlave, Name: n, Master: d.Bond,
				Fields: []intent.Field{{Name: fieldMaster, Before: "", After: d.Bond}}})
		case !l.AdminUp:
			joining = append(joining, intent.HostChange{Action: intent.Update, Object: intent.ObjBondSlave, Name: n, Master: d.Bond,
				Fields: []intent.Field{{Name: fieldState, Before: "down", After: "up"}}})
		}
		if d.MTU > 0 && l.MTU != d.MTU {
			add(intent.HostChange{Action: intent.Update, Object: intent.ObjLinkMTU, Name: n, MTU: d.MTU,
				Fields: []intent.Field{{Name: fieldMTU, Before: strconv.Itoa(l.MTU), After: strconv.Itoa(d.MTU)}}})
		}
	}
	for _, j := range joining {
		add(j)
	}

	// 5. The bond MTU (a new bond is created with it).
	if bond != nil && bond.Kind == intent.LinkBond && d.MTU > 0 && bond.MTU != d.MTU {
		add(intent.HostChange{Action: intent.Update, Object: intent.ObjLinkMTU, Name: d.Bond, MTU: d.MTU,
			Fields: []intent.Field{{Name: fieldMTU, Before: strconv.Itoa(bond.MTU), After: strconv.Itoa(d.MTU)}}})
	}

	// 6. The bridge, with the bond as its port, and its MTU.
	br := obs.Link(d.Bridge)
	switch {
	case br == nil:
		f := []intent.Field{{Name: fieldFiltering, Before: "", After: "1"}, {Name: fieldPort, Before: "", After: d.Bond}}
		if d.MTU > 0 {
			f = append(f, intent.Field{Name: fieldMTU, Before: "", After: strconv.Itoa(d.MTU)})
		}
		add(intent.HostChange{Action: intent.Create, Object: intent.ObjBridge, Name: d.Bridge, MTU: d.MTU, Fields: f})
	case br.Kind != intent.LinkBridge:
		add(intent.HostChange{Action: intent.Update, Object: intent.ObjBridge, Name: d.Bridge, Disruptive: true,
			Reason: fmt.Sprintf("%s exists as a %s link, not a bridge", d.Bridge, br.Kind)})
	default:
		var f []intent.Field
		disruptive := false
		if !br.VLANFiltering {
			f = append(f, intent.Field{Name: fieldFiltering, Before: "0", After: "1"})
			disruptive = true
		}
		if bond == nil || bond.Master != d.Bridge {
			before := ""
			if bond != nil {
				before = bond.Master
			}
			f = append(f, intent.Field{Name: fieldPort, Before: before, After: d.Bond})
		}
		if !br.AdminUp {
			f = append(f, intent.Field{Name: fieldState, Before: "down", After: "up"})
		}
		if len(f) > 0 {
			add(intent.HostChange{Action: intent.Update, Object: intent.ObjBridge, Name: d.Bridge, Fields: f, Disruptive: disruptive})
		}
		if d.MTU > 0 && br.MTU != d.MTU {
			add(intent.HostChange{Action: intent.Update, Object: intent.ObjLinkMTU, Name: d.Bridge, MTU: d.MTU,
				Fields: []intent.Field{{Name: fieldMTU, Before: strconv.Itoa(br.MTU), After: strconv.Itoa(d.MTU)}}})
		}
	}

	// 7. VLANs on the bond port. A port that is not yet in the bridge gets
	// the bridge's default_pvid (1) untagged when it joins.
	var have []intent.BridgeVLAN
	newPort := !(bond != nil && bond.Master == d.Bridge && br != nil)
	if newPort {
		have = []intent.BridgeVLAN{{VID: DefaultPVID, PVID: true, Untagged: true}}
	} else {
		have = bond.BridgeVLANs
	}
	if c, ok := diffPortVLANs(d.Bond, have, d.VLANs.Union(intent.VLANSet{d.PVID}), d.PVID, true); ok {
		add(created(c, newPort))
	}

	// 8. The bridge's own VLANs: the PVID untagged (so an address on the
	// bridge is reachable untagged) and the management VLAN tagged. Extra
	// VLANs on the bridge itself are left alone.
	brHave := []intent.BridgeVLAN{{VID: DefaultPVID, PVID: true, Untagged: true}}
	if br != nil && br.Kind == intent.LinkBridge {
		brHave = br.BridgeVLANs
	}
	brWant := intent.VLANSet{d.PVID}
	if d.MgmtVLAN > 0 {
		brWant = brWant.Union(intent.VLANSet{d.MgmtVLAN})
	}
	if c, ok := diffPortVLANs(d.Bridge, brHave, brWant, d.PVID, false); ok {
		add(created(c, br == nil || br.Kind != intent.LinkBridge))
	}

	// 9. The management VLAN sub-interface, and stale ones on the bridge.
	if d.MgmtVLAN > 0 {
		name := subIfName(d.Bridge, d.MgmtVLAN)
		l := obs.Link(name)
		switch {
		case l == nil:
			add(intent.HostChange{Action: intent.Create, Object: intent.ObjSubIf, Name: name, Master: d.Bridge,
				Fields: []intent.Field{{Name: fieldParent, After: d.Bridge}, {Name: fieldVLANID, After: strconv.Itoa(d.MgmtVLAN)}}})
		case l.Kind != intent.LinkVLAN || l.Parent != d.Bridge || l.VLANID != d.MgmtVLAN:
			add(intent.HostChange{Action: intent.Update, Object: intent.ObjSubIf, Name: name, Master: d.Bridge, Disruptive: true,
				Fields: []intent.Field{{Name: fieldParent, Before: l.Parent, After: d.Bridge},
					{Name: fieldVLANID, Before: strconv.Itoa(l.VLANID), After: strconv.Itoa(d.MgmtVLAN)}}})
		case !l.AdminUp:
			add(intent.HostChange{Action: intent.Update, Object: intent.ObjSubIf, Name: name, Master: d.Bridge,
				Fields: []intent.Field{{Name: fieldState, Before: "down", After: "up"}}})
		}
	}
	var stale []string
	for _, l := range obs.Links {
		if l.Kind == intent.LinkVLAN && l.Parent == d.Bridge && strings.HasPrefix(l.Name, d.Bridge+".") &&
			(d.MgmtVLAN == 0 || l.Name != subIfName(d.Bridge, d.MgmtVLAN)) {
			stale = append(stale, l.Name)
		}
	}
	slices.Sort(stale)
	for _, n := range stale {
		add(intent.HostChange{Action: intent.Delete, Object: intent.ObjSubIf, Name: n, Master: d.Bridge, Disruptive: true})
	}
	return out
}

// bondFields lists the option differences of an existing bond (have) or,
// for a new bond (have == nil), every option it is created with
// (intent.BondOptionFields), then its state and a new bond's MTU.
func bondFields(have *intent.Link, d *intent.DesiredBond) []intent.Field {
	var h *intent.BondInfo
	if have != nil {
		h = &intent.BondInfo{}
		if have.Bond != nil {
			h = have.Bond
		}
	}
	f := intent.BondOptionFields(h, d.Options)
	if have != nil && !have.AdminUp {
		f = append(f, intent.Field{Name: fieldState, Before: "down", After: "up"})
	}
	if have == nil && d.MTU > 0 {
		f = append(f, intent.Field{Name: fieldMTU, After: strconv.Itoa(d.MTU)})
	}
	return f
}

// bondDisruptive reports whether option changes need the bond down: the
// kernel refuses mode and lacp_rate changes on an up bond
// (BOND_OPTFLAG_IFDOWN).
func bondDisruptive(f []intent.Field) bool {
	for _, x := range f {
		if x.Name == fieldMode || x.Name == fieldLACPRate {
			return true
		}
	}
	return false
}

// diffPortVLANs compares a bridge port's (or the bridge's own) VLANs with
// want, where pvid must be PVID and egress untagged and every other VLAN
// tagged. With prune, VLANs outside want are removed.
func diffPortVLANs(port string, have []intent.BridgeVLAN, want intent.VLANSet, pvid int, prune bool) (intent.HostChange, bool) {
	var haveIDs []int
	var add, remove []int
	curPVID := 0
	for _, v := range have {
		haveIDs = append(haveIDs, v.VID)
		if v.PVID {
			curPVID = v.VID
		}
		if !want.Contains(v.VID) {
			if prune {
				remove = append(remove, v.VID)
			}
			continue
		}
		// Present with the wrong flags: add again with the right ones.
		isPVID := v.VID == pvid
		if v.PVID != isPVID || v.Untagged != isPVID {
			add = append(add, v.VID)
		}
	}
	hs := intent.NewVLANSet(haveIDs...)
	add = append(add, want.Minus(hs)...)
	c := intent.HostChange{Action: intent.Update, Object: intent.ObjBridgeVLAN, Name: port,
		AddVLANs: intent.NewVLANSet(add...), RemoveVLANs: intent.NewVLANSet(remove...)}
	if curPVID != pvid || c.AddVLANs.Contains(pvid) {
		c.PVID = pvid
	}
	if len(c.AddVLANs) == 0 && len(c.RemoveVLANs) == 0 && c.PVID == 0 {
		return c, false
	}
	if len(c.AddVLANs) > 0 || len(c.RemoveVLANs) > 0 {
		before := hs
		after := hs.Minus(c.RemoveVLANs).Union(c.AddVLANs)
		c.Fields = append(c.Fields, intent.Field{Name: fieldVLANs, Before: before.String(), After: after.String()})
	}
	if c.PVID != 0 {
		c.Fields = append(c.Fields, intent.Field{Name: fieldPVID, Before: pvidString(curPVID), After: strconv.Itoa(pvid)})
	}
	return c, true
}

// created presents the VLANs of a port that is only now joining its bridge
// (or of a bridge only now created) as part of that creation: the plan shows
// "+ bridge-vlans" with the VLANs the port ends up with, rather than an
// update of a port that does not exist yet. What apply does is the same.
func created(c intent.HostChange, isNew bool) intent.HostChange {
	if !isNew {
		return c
	}
	c.Action = intent.Create
	for i := range c.Fields {
		c.Fields[i].Before = ""
	}
	return c
}

func pvidString(v int) string {
	if v == 0 {
		return "none"
	}
	return strconv.Itoa(v)
}
