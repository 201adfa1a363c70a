package intent

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/netalign/netalign/inventory"
)

// MgmtNetwork is Harvester's built-in cluster network.
const MgmtNetwork = "mgmt"

// BondName is the bond of a cluster network on a host.
func BondName(clusterNetwork string) string { return clusterNetwork + "-bo" }

// BridgeName is the VLAN-filtering bridge of a cluster network on a host.
func BridgeName(clusterNetwork string) string { return clusterNetwork + "-br" }

// Derive computes the desired state of every device from a validated
// inventory. It is pure: the same inventory always gives the same result,
// with every list sorted.
func Derive(inv *inventory.Inventory) (*Desired, error) {
	cns := map[string]inventory.ClusterNetwork{}
	for _, cn := range inv.ClusterNetworks {
		cns[cn.Name] = cn
	}
	if _, ok := cns[MgmtNetwork]; !ok {
		cns[MgmtNetwork] = inventory.ClusterNetwork{Name: MgmtNetwork, MTU: 1500, UntaggedVLAN: 1}
	}
	swByName := map[string]inventory.Switch{}
	for _, sw := range inv.Switches {
		swByName[sw.Name] = sw
	}

	// VLANs per cluster network, and their names.
	cnVLANs := map[string]VLANSet{}
	vlanNames := map[int]string{}
	nets := append([]inventory.Network(nil), inv.Networks...)
	sort.Slice(nets, func(i, j int) bool { return nets[i].Name < nets[j].Name })
	for _, n := range nets {
		if n.VLAN == 0 {
			if cn, ok := cns[n.ClusterNetwork]; ok && cn.UntaggedVLAN > 1 {
				if _, ok := vlanNames[cn.UntaggedVLAN]; !ok {
					vlanNames[cn.UntaggedVLAN] = n.Name
				}
			}
			continue
		}
		cnVLANs[n.ClusterNetwork] = cnVLANs[n.ClusterNetwork].Union(VLANSet{n.VLAN})
		if _, ok := vlanNames[n.VLAN]; !ok {
			vlanNames[n.VLAN] = n.Name
		}
	}
	for name, cn := range cns {
		if cn.MgmtVLAN != 0 {
			cnVLANs[name] = cnVLANs[name].Union(VLANSet{cn.MgmtVLAN})
			if _, ok := vlanNames[cn.MgmtVLAN]; !ok {
				vlanNames[cn.MgmtVLAN] = name
			}
		}
	}

	switches := map[string]*DesiredSwitch{}
	for _, sw := range inv.Switches {
		lo, hi, err := parseRange(sw.LAGIDs)
		if err != nil {
			return nil, fmt.Errorf("switch %s: lagIds: %w", sw.Name, err)
		}
		var protected []string
		for _, p := range sw.ProtectedPorts {
			protected = append(protected, NormalizeInterface(p))
		}
		sort.Strings(protected)
		mgmtPort := ""
		if sw.MgmtPort != "" {
			mgmtPort = NormalizeInterface(sw.MgmtPort)
		}
		switches[sw.Name] = &DesiredSwitch{
			Name: sw.Name, Platform: sw.Platform, LAGRange: [2]int{lo, hi},
			MLAGPeer: sw.MLAGPeer, Protected: protected, MgmtPort: mgmtPort,
			VLANs: []VLAN{}, Ports: []DesiredPort{}, LAGs: []DesiredLAG{},
		}
	}
	fully := map[string]bool{}
	prune := map[string]bool{}
	for _, sw := range inv.Switches {
		prune[sw.Name] = sw.VLANPolicy == inventory.VLANPolicyExact
		for _, p := range sw.FullyManagedPorts {
			fully[sw.Name+"|"+NormalizeInterface(p)] = true
		}
	}

	out := &Desired{Switches: []DesiredSwitch{}, Hosts: []DesiredHost{}, DHCP: []DesiredDHCP{}}
	switchVLANs := map[string]VLANSet{}

	for _, h := range inv.Hosts {
		dh := DesiredHost{Name: h.Name, Access: hostAccess(h), Bonds: []DesiredBond{}}
		for _, hcn := range h.ClusterNetworks {
			cn, ok := cns[hcn.Name]
			if !ok {
				return nil, fmt.Errorf("host %s: unknown cluster network %q", h.Name, hcn.Name)
			}
			mode, err := ParseBondMode(cn.Bond.Mode)
			if err != nil {
				return nil, fmt.Errorf("cluster network %s: %w", cn.Name, err)
			}
			native := cn.UntaggedVLAN
			if native == 0 {
				native = 1
			}
			mtu := cn.MTU
			if mtu == 0 {
				mtu = 1500
			}
			vlans := cnVLANs[cn.Name]
			if vlans == nil {
				vlans = VLANSet{}
			}
			// The host bond's options are what the inventory sets (mode and
			// miimon with Harvester's defaults): an option left out is
			// neither planned nor validated. The LAG facing an 802.3ad
			// bond runs the kernel's default rate, slow, unless told.
			bondRate, lacpRate := "", ""
			if mode == LACP {
				bondRate, lacpRate = cn.Bond.LACPRate, cn.Bond.LACPRate
				if lacpRate == "" {
					lacpRate = "slow"
				}
			}
			db := DesiredBond{
				ClusterNetwork: cn.Name, Bond: BondName(cn.Name), Bridge: BridgeName(cn.Name),
				Options: BondInfo{Mode: mode, Miimon: cn.Bond.MIIMonitor(), LACPRate: bondRate,
					XmitHashPolicy: cn.Bond.XmitHashPolicy, UpDelay: cn.Bond.UpDelay,
					DownDelay: cn.Bond.DownDelay, MinLinks: cn.Bond.MinLinks,
					ArpInterval: cn.Bond.ArpInterval, ArpIPTargets: slices.Clone(cn.Bond.ArpIPTargets)},
				MTU: mtu, VLANs: vlans, PVID: native, MgmtVLAN: cn.MgmtVLAN,
				Protected: cn.Name == MgmtNetwork,
			}
			for _, nic := range hcn.NICs {
				db.NICs = append(db.NICs, nic.Name)
			}
			sort.Strings(db.NICs)
			dh.Bonds = append(dh.Bonds, db)

			// Switch side: group this bond's NICs by switch.
			bySwitch := map[string][]inventory.NIC{}
			for _, nic := range hcn.NICs {
				if nic.Switch == "" {
					continue
				}
				bySwitch[nic.Switch] = append(bySwitch[nic.Switch], nic)
			}
			allowed := vlans.Union(VLANSet{native})
			key := h.Name + "/" + cn.Name
			for swName, nics := range bySwitch {
				ds, ok := switches[swName]
				if !ok {
					return nil, fmt.Errorf("host %s: unknown switch %q", h.Name, swName)
				}
				switchVLANs[swName] = switchVLANs[swName].Union(allowed)
				lag := mode.LAG()
				var members []string
				pinned := 0
				full := true
				for _, nic := range nics {
					port := NormalizeInterface(nic.Port)
					members = append(members, port)
					if nic.LAGID != 0 && pinned == 0 {
						pinned = nic.LAGID
					}
					if !fully[swName+"|"+port] {
						full = false
					}
					dp := DesiredPort{
						Name: port, Host: h.Name, NIC: nic.Name, ClusterNetwork: cn.Name,
						BondMode: mode, Trunk: Trunk{NativeVLAN: native, Allowed: allowed, FullyManaged: fully[swName+"|"+port], Prune: prune[swName]},
						MTU: mtu,
					}
					if lag != LAGNone {
						dp.LAG = key
					}
					ds.Ports = append(ds.Ports, dp)
				}
				if lag == LAGNone {
					continue
				}
				sort.Strings(members)
				ds.LAGs = append(ds.LAGs, DesiredLAG{
					Key: key, Host: h.Name, ClusterNetwork: cn.Name, Type: lag, ID: pinned,
					Members: members, LACPRate: lacpRate, MinLinks: cn.Bond.MinLinks,
					MLAG:  len(bySwitch) > 1,
					Trunk: Trunk{NativeVLAN: native, Allowed: allowed, FullyManaged: full, Prune: prune[swName]},
					MTU:   mtu,
				})
			}
		}
		sort.Slice(dh.Bonds, func(i, j int) bool { return dh.Bonds[i].ClusterNetwork < dh.Bonds[j].ClusterNetwork })
		out.Hosts = append(out.Hosts, dh)
	}
	sort.Slice(out.Hosts, func(i, j int) bool { return out.Hosts[i].Name < out.Hosts[j].Name })

	names := make([]string, 0, len(switches))
	for n := range switches {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ds := switches[n]
		for _, v := range switchVLANs[n] {
			name := vlanNames[v]
			if v == 1 {
				name = "default"
			}
			ds.VLANs = append(ds.VLANs, VLAN{ID: v, Name: name})
		}
		sort.Slice(ds.Ports, func(i, j int) bool { return portLess(ds.Ports[i].Name, ds.Ports[j].Name) })
		sort.Slice(ds.LAGs, func(i, j int) bool { return ds.LAGs[i].Key < ds.LAGs[j].Key })
		out.Switches = append(out.Switches, *ds)
	}

	// DHCP pools.
	servers := map[string]*DesiredDHCP{}
	for _, s := range inv.DHCPServers {
		servers[s.Name] = &DesiredDHCP{Server: s.Name, Kind: s.Kind, Pools: []Pool{}}
	}
	for _, n := range nets {
		if n.DHCP == nil {
			continue
		}
		ds, ok := servers[n.DHCP.Server]
		if !ok {
			return nil, fmt.Errorf("network %s: unknown DHCP server %q", n.Name, n.DHCP.Server)
		}
		vid := n.VLAN
		if vid == 0 {
			if cn, ok := cns[n.ClusterNetwork]; ok && cn.UntaggedVLAN != 0 {
				vid = cn.UntaggedVLAN
			} else {
				vid = 1
			}
		}
		ds.Pools = append(ds.Pools, PoolFor(n.Name, vid, *n.DHCP))
	}
	snames := make([]string, 0, len(servers))
	for n := range servers {
		snames = append(snames, n)
	}
	sort.Strings(snames)
	for _, n := range snames {
		ds := servers[n]
		sort.Slice(ds.Pools, func(i, j int) bool { return ds.Pools[i].VLAN < ds.Pools[j].VLAN })
		out.DHCP = append(out.DHCP, *ds)
	}
	return out, nil
}

// PoolFor converts an inventory DHCP block to a pool.
func PoolFor(network string, vlan int, b inventory.DHCPBlock) Pool {
	var ranges []string
	if b.Range != "" {
		ranges = append(ranges, b.Range)
	}
	ranges = append(ranges, b.Ranges...)
	p := Pool{
		Network: network, VLAN: vlan, Subnet: b.Subnet, Ranges: ranges, Gateway: b.Gateway,
		DNS: append([]string(nil), b.DNS...), Domain: b.Domain, LeaseTime: int(b.LeaseTime.Seconds()),
		Interface: b.Interface, Relay: b.Relay, Owned: true,
	}
	for _, r := range b.Reservations {
		p.Reservations = append(p.Reservations, Reservation{MAC: strings.ToLower(r.MAC), IP: r.IP, Hostname: r.Hostname})
	}
	sort.Slice(p.Reservations, func(i, j int) bool { return p.Reservations[i].MAC < p.Reservations[j].MAC })
	return p
}

func hostAccess(h inventory.Host) string {
	if h.Access != "" {
		return h.Access
	}
	if h.Address != "" && h.SSH != nil {
		return "ssh"
	}
	return "none"
}

func parseRange(s string) (int, int, error) {
	if strings.TrimSpace(s) == "" {
		return 1, 999, nil
	}
	lo, hi, ok := strings.Cut(s, "-")
	a, err1 := strconv.Atoi(strings.TrimSpace(lo))
	b := a
	var err2 error
	if ok {
		b, err2 = strconv.Atoi(strings.TrimSpace(hi))
	}
	if err1 != nil || err2 != nil || a < 1 || a > b {
		return 0, 0, fmt.Errorf("invalid range %q (want lo-hi)", s)
	}
	return a, b, nil
}

// portLess orders interface names naturally: Ethernet2 before Ethernet10.
func portLess(a, b string) bool {
	pa, na := splitNum(a)
	pb, nb := splitNum(b)
	if pa != pb {
		return pa < pb
	}
	for i := 0; i < len(na) && i < len(nb); i++ {
		if na[i] != nb[i] {
			return na[i] < nb[i]
		}
	}
	if len(na) != len(nb) {
		return len(na) < len(nb)
	}
	return a < b
}

// PortLess is the natural order of interface names used in every sorted
// output.
func PortLess(a, b string) bool { return portLess(a, b) }

func splitNum(s string) (string, []int) {
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return s, nil
	}
	var nums []int
	for _, f := range strings.FieldsFunc(s[i:], func(r rune) bool { return r < '0' || r > '9' }) {
		n, _ := strconv.Atoi(f)
		nums = append(nums, n)
	}
	return s[:i], nums
}
