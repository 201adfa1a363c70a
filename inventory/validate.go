package inventory

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Enumerations of the schema.
var (
	protocols        = []string{ProtocolSSH, ProtocolGNMI}
	hostAccesses     = []string{"local", "ssh", "none"}
	lacpRates        = []string{"slow", "fast"}
	vlanPolicies     = []string{VLANPolicyAdd, VLANPolicyExact}
	xmitHashPolicies = []string{"layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4", "vlan+srcmac"}
)

// modeLACP is the kernel's number for 802.3ad (include/uapi/linux/if_bonding.h,
// BOND_MODE_8023AD); lacp_rate only means something in that mode.
const modeLACP = 4

const (
	minMTU  = 576
	maxMTU  = 9000
	maxVLAN = 4094
)

// checker collects problems while the rules run.
type checker struct {
	file string
	opts Options
	errs []FieldError
	bad  map[string]bool // paths whose text already failed

	// First entry of each name, so that lookups stay O(1) on inventories
	// with thousands of switches and ports.
	switchByName map[string]*Switch
	cnByName     map[string]*ClusterNetwork
	dhcpByName   map[string]*DHCPServer
}

func (c *checker) index(inv *Inventory) {
	c.switchByName = map[string]*Switch{}
	for i := range inv.Switches {
		if _, dup := c.switchByName[inv.Switches[i].Name]; !dup {
			c.switchByName[inv.Switches[i].Name] = &inv.Switches[i]
		}
	}
	c.cnByName = map[string]*ClusterNetwork{}
	for i := range inv.ClusterNetworks {
		if _, dup := c.cnByName[inv.ClusterNetworks[i].Name]; !dup {
			c.cnByName[inv.ClusterNetworks[i].Name] = &inv.ClusterNetworks[i]
		}
	}
	c.dhcpByName = map[string]*DHCPServer{}
	for i := range inv.DHCPServers {
		if _, dup := c.dhcpByName[inv.DHCPServers[i].Name]; !dup {
			c.dhcpByName[inv.DHCPServers[i].Name] = &inv.DHCPServers[i]
		}
	}
}

func (c *checker) add(path, value, msg string) {
	c.errs = append(c.errs, FieldError{File: c.file, Path: path, Value: value, Message: msg})
}

func (c *checker) addf(path, value, format string, args ...any) {
	c.add(path, value, fmt.Sprintf(format, args...))
}

func (c *checker) addBad(path, value, msg string) {
	c.bad[path] = true
	c.add(path, value, msg)
}

// ok reports whether the text at path passed the injection rules; rules
// about its meaning run only then.
func (c *checker) ok(path string) bool { return !c.bad[path] }

// Validate checks an inventory against every rule and returns all problems
// at once as ValidationErrors sorted by path, or nil. It judges the
// inventory as it is: Load has applied the defaults already; call
// ApplyDefaults first on an inventory built in code.
func Validate(inv *Inventory, opts Options) error {
	c := &checker{file: inv.Source, opts: opts, bad: map[string]bool{}}
	c.index(inv)
	c.sweepText(reflect.ValueOf(inv).Elem(), kindText, make([]pathSeg, 0, 8))

	if inv.Version != 1 {
		c.add("version", strconv.Itoa(inv.Version), "must be 1")
	}
	c.settings(inv.Settings)
	modes := c.clusterNetworks(inv)
	c.networks(inv)
	c.switches(inv)
	c.dhcpServers(inv)
	c.hosts(inv, modes)
	c.pools(inv)
	if len(c.errs) == 0 {
		return nil
	}
	return sortErrors(c.errs)
}

func (c *checker) settings(s Settings) {
	if s.Parallelism < 1 {
		c.add("settings.parallelism", strconv.Itoa(s.Parallelism), "must be at least 1")
	}
	if s.Timeout <= 0 {
		c.add("settings.timeout", s.Timeout.String(), "must be positive")
	}
	if s.RollbackTimeout <= 0 {
		c.add("settings.rollbackTimeout", s.RollbackTimeout.String(), "must be positive")
	}
}

// required reports an empty mandatory field.
func (c *checker) required(path, v string) bool {
	if v == "" {
		c.add(path, "", "is required")
		return false
	}
	return true
}

// byRule reports a value that check, a rule of the drivers handed in
// through Options, refuses; nil checks nothing.
func (c *checker) byRule(path, value string, check func(string) error, prefix string) {
	if value == "" || check == nil || !c.ok(path) {
		return
	}
	if err := check(value); err != nil {
		c.addBad(path, value, prefix+err.Error())
	}
}

// unique reports the second and later uses of a name among siblings.
func (c *checker) unique(seen map[string]string, path, name, what string) {
	if name == "" || !c.ok(path) {
		return
	}
	if first, dup := seen[name]; dup {
		c.addf(path, name, "duplicate %s name (first defined at %s)", what, first)
		return
	}
	seen[name] = path
}

// enum reports a value outside its set.
func (c *checker) enum(path, v string, valid []string) {
	if v != "" && c.ok(path) && !slices.Contains(valid, v) {
		c.addf(path, v, "must be one of %s", strings.Join(valid, ", "))
	}
}

func (c *checker) vlanID(path string, v int, allowZero bool) {
	if allowZero && v == 0 {
		return
	}
	if v < 1 || v > maxVLAN {
		c.addf(path, strconv.Itoa(v), "VLAN ids are 1-%d", maxVLAN)
	}
}

func (c *checker) nonNegative(path string, v int) {
	if v < 0 {
		c.add(path, strconv.Itoa(v), "must not be negative")
	}
}

// clusterNetworks checks the cluster networks and returns each one's bond
// mode number by name (-1 when it could not be decided).
func (c *checker) clusterNetworks(inv *Inventory) map[string]int {
	modes := map[string]int{}
	seen := map[string]string{}
	for i, cn := range inv.ClusterNetworks {
		p := indexPath("clusterNetworks", i)
		np := p + ".name"
		if c.required(np, cn.Name) && c.ok(np) {
			switch {
			case len(cn.Name) > maxClusterNetworkLen:
				c.addBad(np, cn.Name, fmt.Sprintf("cluster network names are at most %d bytes, so that %s-bo and %s-br fit the 15-byte interface name limit", maxClusterNetworkLen, cn.Name, cn.Name))
			case !clusterNetworkRE.MatchString(cn.Name):
				c.addBad(np, cn.Name, "cluster network names use lower-case letters, digits and '-', and start and end with a letter or digit")
			}
		}
		c.unique(seen, np, cn.Name, "cluster network")

		if cn.MTU < minMTU || cn.MTU > maxMTU {
			c.addf(p+".mtu", strconv.Itoa(cn.MTU), "must be %d-%d", minMTU, maxMTU)
		}
		c.vlanID(p+".untaggedVlan", cn.UntaggedVLAN, false)
		if cn.MgmtVLAN != 0 {
			switch {
			case cn.Name != MgmtClusterNetwork:
				c.addf(p+".mgmtVlan", strconv.Itoa(cn.MgmtVLAN), "only the %s cluster network has a management VLAN", MgmtClusterNetwork)
			case cn.MgmtVLAN < 1 || cn.MgmtVLAN > maxVLAN:
				c.vlanID(p+".mgmtVlan", cn.MgmtVLAN, false)
			case cn.MgmtVLAN == cn.UntaggedVLAN:
				c.addf(p+".mgmtVlan", strconv.Itoa(cn.MgmtVLAN), "equals untaggedVlan: the management VLAN must be tagged (set mgmtVlan to 0 for an untagged node address)")
			}
		}

		b := cn.Bond
		bp := p + ".bond"
		mode := -1
		if c.ok(bp + ".mode") {
			if c.opts.ParseBondMode == nil {
				c.add(bp+".mode", b.Mode, "cannot check the bond mode: no bond-mode parser was given (Options.ParseBondMode)")
			} else if m, err := c.opts.ParseBondMode(b.Mode); err != nil {
				c.add(bp+".mode", b.Mode, err.Error())
			} else {
				mode = m
			}
		}
		if cn.Name != "" {
			if _, dup := modes[cn.Name]; !dup {
				modes[cn.Name] = mode
			}
		}
		c.bondMonitoring(bp, b, mode)
		c.enum(bp+".lacpRate", b.LACPRate, lacpRates)
		if b.LACPRate == "fast" && mode >= 0 && mode != modeLACP {
			c.addf(bp+".lacpRate", b.LACPRate, "lacpRate applies only to bond mode 802.3ad, not %q", b.Mode)
		}
		c.enum(bp+".xmitHashPolicy", b.XmitHashPolicy, xmitHashPolicies)
		c.nonNegative(bp+".minLinks", b.MinLinks)
	}
	if _, ok := modes[MgmtClusterNetwork]; !ok {
		// The built-in mgmt network with its defaults.
		modes[MgmtClusterNetwork] = -1
		if c.opts.ParseBondMode != nil {
			if m, err := c.opts.ParseBondMode(DefaultBondMode); err == nil {
				modes[MgmtClusterNetwork] = m
			}
		}
	}
	return modes
}

// maxArpTargets is the kernel's BOND_MAX_ARP_TARGETS.
const maxArpTargets = 16

// bondMonitoring checks a bond's link monitoring: exactly one of MII
// monitoring (miimon > 0) and ARP monitoring (arpInterval > 0 with at least
// one target), ARP monitoring only in the modes the kernel has it for, and
// up/down delays only with MII monitoring (the kernel refuses them with
// miimon 0). mode is the kernel's mode number, -1 when unknown.
func (c *checker) bondMonitoring(bp string, b Bond, mode int) {
	miimon := b.MIIMonitor()
	if b.Miimon != nil {
		c.nonNegative(bp+".miimon", *b.Miimon)
	}
	c.nonNegative(bp+".arpInterval", b.ArpInterval)
	c.nonNegative(bp+".upDelay", b.UpDelay)
	c.nonNegative(bp+".downDelay", b.DownDelay)
	seen := map[netip.Addr]int{}
	for i, t := range b.ArpIPTargets {
		tp := bp + ".arpIpTargets[" + strconv.Itoa(i) + "]"
		a, err := netip.ParseAddr(t)
		switch {
		case !c.ok(tp):
		case err != nil || !a.Is4():
			c.add(tp, t, "want an IPv4 address such as 192.0.2.1")
		case a.As4()[0] == 0 || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
			c.add(tp, t, "not a valid ARP target: the kernel refuses 0.0.0.0/8 and 255.255.255.255")
		default:
			if first, dup := seen[a]; dup {
				c.addf(tp, t, "duplicate ARP target (first at %s.arpIpTargets[%d])", bp, first)
			}
			seen[a] = i
		}
	}
	if len(b.ArpIPTargets) > maxArpTargets {
		c.addf(bp+".arpIpTargets", strconv.Itoa(len(b.ArpIPTargets))+" targets", "at most %d ARP targets (the kernel's limit)", maxArpTargets)
	}
	arp := b.ArpInterval > 0
	switch {
	case miimon < 0 || b.ArpInterval < 0:
	case miimon > 0 && arp:
		c.addf(bp+".arpInterval", strconv.Itoa(b.ArpInterval),
			"ARP monitoring and MII monitoring (miimon %d) exclude each other: set miimon: 0 to monitor links with ARP, or leave arpInterval out", miimon)
	case miimon == 0 && !arp:
		c.add(bp+".miimon", "0", "no link monitoring: with miimon 0 the bond needs ARP monitoring (arpInterval > 0 and arpIpTargets), or it never notices a failed link")
	case arp && len(b.ArpIPTargets) == 0:
		c.addf(bp+".arpIpTargets", "", "ARP monitoring (arpInterval %d) needs at least one target", b.ArpInterval)
	}
	if b.ArpInterval == 0 && len(b.ArpIPTargets) > 0 {
		c.add(bp+".arpIpTargets", strings.Join(b.ArpIPTargets, ","), "ARP targets without arpInterval: ARP monitoring is off; set arpInterval (and miimon: 0)")
	}
	if arp && mode >= 0 && c.opts.BondModeARPMonitoring != nil && !c.opts.BondModeARPMonitoring(mode) {
		c.addf(bp+".arpInterval", strconv.Itoa(b.ArpInterval),
			"ARP monitoring is not available in bond mode %q (the kernel has it in balance-rr, active-backup, balance-xor and broadcast only): use miimon", b.Mode)
	}
	if miimon == 0 {
		for _, d := range []struct {
			field string
			v     int
		}{{"upDelay", b.UpDelay}, {"downDelay", b.DownDelay}} {
			if d.v > 0 {
				c.addf(bp+"."+d.field, strconv.Itoa(d.v), "%s works with MII monitoring only (miimon > 0); the kernel refuses it with miimon 0", d.field)
			}
		}
	}
}

// untaggedVLAN is the PVID of a cluster network (the default for the
// built-in mgmt when it is not listed).
func (c *checker) untaggedVLAN(name string) int {
	if cn := c.cnByName[name]; cn != nil && cn.UntaggedVLAN != 0 {
		return cn.UntaggedVLAN
	}
	return DefaultUntaggedVLAN
}

func (c *checker) clusterNetworkKnown(name string) bool {
	return name == MgmtClusterNetwork || c.cnByName[name] != nil
}

func (c *checker) networks(inv *Inventory) {
	seen := map[string]string{}
	type vlanUse struct {
		cn  string
		vid int
	}
	vlans := map[vlanUse]string{}
	for i, n := range inv.Networks {
		p := indexPath("networks", i)
		if c.required(p+".name", n.Name) && c.opts.Switches != nil {
			c.byRule(p+".name", n.Name, c.opts.Switches.VLANName, "the network's name is its VLAN's name on the switches: ")
		}
		c.unique(seen, p+".name", n.Name, "network")
		cp := p + ".clusterNetwork"
		if c.required(cp, n.ClusterNetwork) && c.ok(cp) && !c.clusterNetworkKnown(n.ClusterNetwork) {
			c.add(cp, n.ClusterNetwork, "unknown cluster network")
		}
		if n.VLAN != 0 {
			c.vlanID(p+".vlan", n.VLAN, true)
		}
		vid := n.VLAN
		if vid == 0 {
			vid = c.untaggedVLAN(n.ClusterNetwork)
		}
		if n.ClusterNetwork != "" && vid >= 1 && vid <= maxVLAN {
			k := vlanUse{n.ClusterNetwork, vid}
			if other, dup := vlans[k]; dup {
				c.addf(p+".vlan", strconv.Itoa(vid), "VLAN %d is already used by network %s on cluster network %s", vid, other, n.ClusterNetwork)
			} else {
				vlans[k] = n.Name
			}
		}
		if n.DHCP != nil {
			c.dhcpBlock(p+".dhcp", *n.DHCP)
		}
	}
}

// dhcpBlock checks one pool on its own; overlaps between pools are checked
// by pools.
func (c *checker) dhcpBlock(p string, b DHCPBlock) {
	sp := p + ".server"
	if c.required(sp, b.Server) && c.ok(sp) && c.dhcpByName[b.Server] == nil {
		c.add(sp, b.Server, "unknown DHCP server")
	}
	var subnet netip.Prefix
	np := p + ".subnet"
	if c.required(np, b.Subnet) && c.ok(np) {
		pfx, err := netip.ParsePrefix(strings.TrimSpace(b.Subnet))
		switch {
		case err != nil:
			c.add(np, b.Subnet, "want an IPv4 subnet in CIDR form, for example 172.16.100.0/24")
		case !pfx.Addr().Is4():
			c.add(np, b.Subnet, "DHCP pools are IPv4")
		case pfx.Masked() != pfx:
			c.addf(np, b.Subnet, "has host bits set; the subnet is %s", pfx.Masked())
		case pfx.Bits() > 30:
			c.add(np, b.Subnet, "is too small for a DHCP pool (at most /30)")
		default:
			subnet = pfx
		}
	}
	inSubnet := func(path string, a netip.Addr) bool {
		if !subnet.IsValid() {
			return true // the subnet problem is already reported
		}
		if !subnet.Contains(a) {
			c.addf(path, a.String(), "is outside the subnet %s", subnet)
			return false
		}
		if a == subnet.Addr() || a == broadcast(subnet) {
			c.addf(path, a.String(), "is the network or broadcast address of %s", subnet)
			return false
		}
		return true
	}

	ranges := c.blockRanges(p, b)
	if len(ranges) == 0 && len(b.Reservations) == 0 {
		c.add(p, "", "has no range and no reservations: set range (first-last) or reservations")
	}
	for _, r := range ranges {
		if !subnet.IsValid() {
			continue
		}
		switch {
		case !subnet.Contains(r.first) || !subnet.Contains(r.last):
			c.addf(r.path, r.text, "is not inside the subnet %s", subnet)
		case r.first == subnet.Addr():
			c.addf(r.path, r.text, "includes the network address of %s", subnet)
		case r.last == broadcast(subnet):
			c.addf(r.path, r.text, "includes the broadcast address of %s", subnet)
		}
	}

	gp := p + ".gateway"
	if b.Gateway != "" && c.ok(gp) {
		if a, err := parseIPv4(b.Gateway); err != nil {
			c.add(gp, b.Gateway, err.Error())
		} else if inSubnet(gp, a) {
			for _, r := range ranges {
				if r.contains(a) {
					c.addf(gp, b.Gateway, "is inside the range %s; the gateway must not be handed out", r.text)
					break
				}
			}
		}
	}
	for i, d := range b.DNS {
		dp := indexPath(p+".dns", i)
		if c.ok(dp) {
			if _, err := parseIPv4(d); err != nil {
				c.add(dp, d, err.Error())
			}
		}
	}
	if b.Domain != "" && c.ok(p+".domain") && !validHostname(b.Domain) {
		c.add(p+".domain", b.Domain, "not a DNS domain name")
	}
	if c.opts.DHCP != nil {
		c.byRule(p+".interface", b.Interface, c.opts.DHCP.Interface, "")
	}
	if b.LeaseTime < 0 {
		c.add(p+".leaseTime", b.LeaseTime.String(), "must not be negative")
	}
	if b.Relay != "" && c.ok(p+".relay") {
		if _, err := parseIPv4(b.Relay); err != nil {
			c.add(p+".relay", b.Relay, err.Error())
		}
	}
	macs, ips := map[string]string{}, map[netip.Addr]string{}
	for i, r := range b.Reservations {
		rp := indexPath(p+".reservations", i)
		if c.required(rp+".mac", r.MAC) && c.ok(rp+".mac") {
			if hw, err := net.ParseMAC(r.MAC); err != nil || len(hw) != 6 {
				c.add(rp+".mac", r.MAC, "not a MAC address (want 6 bytes such as 52:54:00:12:34:56)")
			} else if first, dup := macs[hw.String()]; dup {
				c.addf(rp+".mac", r.MAC, "duplicate reservation MAC (first at %s)", first)
			} else {
				macs[hw.String()] = rp + ".mac"
			}
		}
		if c.opts.DHCP != nil {
			c.byRule(rp+".hostname", r.Hostname, c.opts.DHCP.Hostname, "")
		}
		if c.required(rp+".ip", r.IP) && c.ok(rp+".ip") {
			if a, err := parseIPv4(r.IP); err != nil {
				c.add(rp+".ip", r.IP, err.Error())
			} else if inSubnet(rp+".ip", a) {
				if first, dup := ips[a]; dup {
					c.addf(rp+".ip", r.IP, "duplicate reservation address (first at %s)", first)
				} else {
					ips[a] = rp + ".ip"
				}
			}
		}
	}
}

// ipRange is one parsed DHCP range.
type ipRange struct {
	path, text  string
	first, last netip.Addr
}

func (r ipRange) contains(a netip.Addr) bool {
	return r.first.Compare(a) <= 0 && a.Compare(r.last) <= 0
}

func (r ipRange) overlaps(o ipRange) bool {
	return r.first.Compare(o.last) <= 0 && o.first.Compare(r.last) <= 0
}

// blockRanges parses range and ranges[], reporting the malformed ones.
func (c *checker) blockRanges(p string, b DHCPBlock) []ipRange {
	type item struct{ path, text string }
	var items []item
	if b.Range != "" {
		items = append(items, item{p + ".range", b.Range})
	}
	for i, r := range b.Ranges {
		items = append(items, item{indexPath(p+".ranges", i), r})
	}
	var out []ipRange
	for _, it := range items {
		if !c.ok(it.path) {
			continue
		}
		a, z, found := strings.Cut(it.text, "-")
		first, err1 := parseIPv4(a)
		last, err2 := parseIPv4(z)
		if !found || err1 != nil || err2 != nil {
			c.add(it.path, it.text, "want first-last IPv4 addresses, for example 172.16.100.50-172.16.100.200")
			continue
		}
		if first.Compare(last) > 0 {
			c.add(it.path, it.text, "start is after end")
			continue
		}
		out = append(out, ipRange{path: it.path, text: it.text, first: first, last: last})
	}
	return out
}

func broadcast(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	v |= host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// pools checks that the pools served by one DHCP server do not overlap:
// neither their subnets nor their ranges.
func (c *checker) pools(inv *Inventory) {
	type subnetUse struct {
		path, network string
		pfx           netip.Prefix
	}
	subnets := map[string][]subnetUse{}
	ranges := map[string][]ipRange{}
	owner := map[string]string{} // range path -> network name
	for i, n := range inv.Networks {
		if n.DHCP == nil || n.DHCP.Server == "" {
			continue
		}
		p := indexPath("networks", i) + ".dhcp"
		srv := n.DHCP.Server
		if pfx, err := netip.ParsePrefix(strings.TrimSpace(n.DHCP.Subnet)); err == nil && pfx.Addr().Is4() && c.ok(p+".subnet") {
			for _, o := range subnets[srv] {
				if o.pfx.Overlaps(pfx) {
					c.addf(p+".subnet", n.DHCP.Subnet, "overlaps subnet %s of network %s on the same DHCP server %s", o.pfx, o.network, srv)
					break
				}
			}
			subnets[srv] = append(subnets[srv], subnetUse{p + ".subnet", n.Name, pfx})
		}
		quiet := &checker{bad: c.bad} // ranges were reported by dhcpBlock
		for _, r := range quiet.blockRanges(p, *n.DHCP) {
			for _, o := range ranges[srv] {
				if o.overlaps(r) {
					c.addf(r.path, r.text, "overlaps range %s of network %s on the same DHCP server %s", o.text, owner[o.path], srv)
					break
				}
			}
			ranges[srv] = append(ranges[srv], r)
			owner[r.path] = n.Name
		}
	}
}

func (c *checker) switches(inv *Inventory) {
	seen := map[string]string{}
	for i, sw := range inv.Switches {
		p := indexPath("switches", i)
		c.required(p+".name", sw.Name)
		c.unique(seen, p+".name", sw.Name, "switch")
		c.enum(p+".protocol", sw.Protocol, protocols)
		if c.required(p+".platform", sw.Platform) && c.ok(p+".platform") && c.opts.Switches != nil {
			// An unknown protocol is reported above; the pair only when
			// both are known.
			if _, field, msg := c.opts.Switches.driver(sw.Platform, sw.Protocol); msg != "" && (field == "platform" || slices.Contains(protocols, sw.Protocol)) {
				value := sw.Platform
				if field == "protocol" {
					value = sw.Protocol
				}
				c.add(p+"."+field, value, msg)
			}
		}
		ap := p + ".address"
		if c.required(ap, sw.Address) && c.ok(ap) {
			if _, port, err := parseHostPort(sw.Address); err != nil {
				c.add(ap, sw.Address, err.Error())
			} else if port != 0 && sw.Port != 0 && port != sw.Port {
				c.addf(p+".port", strconv.Itoa(sw.Port), "conflicts with the port %d in address", port)
			}
		}
		if sw.Port < 0 || sw.Port > 65535 {
			c.add(p+".port", strconv.Itoa(sw.Port), "must be 1-65535")
		}
		c.credentials(p+".credentials", sw.Credentials, credRequired, sw.Protocol == ProtocolGNMI && sw.TLS != nil && sw.TLS.Cert != "")
		if sw.Protocol == ProtocolSSH && sw.Credentials.Username == "" && sw.Credentials.UsernameEnv == "" {
			c.add(p+".credentials.username", "", "is required for ssh: set username or usernameEnv")
		}
		if sw.TLS != nil && (sw.TLS.Cert == "") != (sw.TLS.Key == "") {
			c.add(p+".tls", "", "cert and key go together")
		}
		c.enum(p+".vlanPolicy", sw.VLANPolicy, vlanPolicies)
		if sw.LAGIDs != "" && c.ok(p+".lagIds") {
			if _, _, err := ParseLAGRange(sw.LAGIDs); err != nil {
				c.add(p+".lagIds", sw.LAGIDs, strings.TrimPrefix(err.Error(), fmt.Sprintf("lag id range %q: ", sw.LAGIDs)))
			}
		}
		mp := p + ".mlagPeer"
		if sw.MLAGPeer != "" && c.ok(mp) {
			peer := c.switchByName[sw.MLAGPeer]
			switch {
			case sw.MLAGPeer == sw.Name:
				c.add(mp, sw.MLAGPeer, "a switch cannot be its own MLAG peer")
			case peer == nil:
				c.add(mp, sw.MLAGPeer, "unknown switch")
			case peer.MLAGPeer != sw.Name:
				c.addf(mp, sw.MLAGPeer, "switch %s must name %s as its mlagPeer too", sw.MLAGPeer, sw.Name)
			case peer.Platform != sw.Platform:
				c.addf(mp, sw.MLAGPeer, "MLAG peers must run the same platform (%s is %s)", sw.MLAGPeer, peer.Platform)
			}
		}
	}
}

type credUse int

const (
	credRequired credUse = iota // needs a secret reference
	credOptional
)

// credentials checks a credentials block. hasCert says that a TLS client
// certificate authenticates instead.
func (c *checker) credentials(p string, cr Credentials, use credUse, hasCert bool) {
	if cr.Password != "" {
		// The value is never echoed.
		c.add(p+".password", "", "clear-text passwords are not allowed in the inventory; put the secret in an environment variable named by passwordEnv, or in a file named by passwordFile")
	}
	if cr.Username != "" && cr.UsernameEnv != "" {
		c.add(p+".usernameEnv", cr.UsernameEnv, "set username or usernameEnv, not both")
	}
	if cr.PasswordEnv != "" && cr.PasswordFile != "" {
		c.add(p+".passwordFile", cr.PasswordFile, "set passwordEnv or passwordFile, not both")
	}
	if use == credOptional || cr.Password != "" {
		return
	}
	if cr.PasswordEnv == "" && cr.PasswordFile == "" && cr.SSHKeyFile == "" && !cr.SSHAgent && !hasCert {
		c.add(p, "", "no credential reference: set passwordEnv, passwordFile, sshKeyFile or sshAgent")
	}
}

func (c *checker) dhcpServers(inv *Inventory) {
	seen := map[string]string{}
	for i, s := range inv.DHCPServers {
		p := indexPath("dhcpServers", i)
		c.required(p+".name", s.Name)
		c.unique(seen, p+".name", s.Name, "DHCP server")
		kindOK := c.required(p+".kind", s.Kind)
		if kindOK && c.opts.DHCP != nil && c.ok(p+".kind") && !slices.Contains(c.opts.DHCP.Kinds, s.Kind) {
			c.addf(p+".kind", s.Kind, "no driver for DHCP server kind %q; supported: %s", s.Kind, strings.Join(c.opts.DHCP.Kinds, ", "))
			kindOK = false
		}
		ep := p + ".endpoint"
		if kindOK && c.ok(ep) {
			if msg := dhcpEndpointProblem(s); msg != "" {
				c.add(ep, s.Endpoint, msg)
			}
		}
		c.credentials(p+".credentials", s.Credentials, credOptional, false)
		if s.TLS != nil && (s.TLS.Cert == "") != (s.TLS.Key == "") {
			c.add(p+".tls", "", "cert and key go together")
		}
	}
}

// dhcpEndpointProblem says what is wrong with a DHCP server's endpoint for
// its kind, or "".
func dhcpEndpointProblem(s DHCPServer) string {
	e := s.Endpoint
	switch s.Kind {
	case "kea":
		if e == "" {
			return "is required: the Kea Control Agent URL, for example https://192.0.2.53:8000"
		}
		u, err := url.Parse(e)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return "want the Kea Control Agent URL, http(s)://host[:port], without credentials"
		}
		if _, _, err := parseHostPort(u.Host); err != nil {
			return "host " + err.Error()
		}
	case "dnsmasq":
		if e == "" || e == "local" {
			return ""
		}
		u, err := url.Parse(e)
		if err != nil || u.Scheme != "ssh" || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return `want "local" or ssh://[user@]host[:port]`
		}
		if _, _, err := parseHostPort(u.Host); err != nil {
			return "host " + err.Error()
		}
	case "embedded":
		if e == "" {
			return ""
		}
		if _, _, err := parseHostPort(e); err != nil {
			return "want the listen address, host or host:port: " + err.Error()
		}
	}
	return ""
}

func (c *checker) hosts(inv *Inventory, modes map[string]int) {
	seen := map[string]string{}
	type cabledNIC struct{ nic, host, path string }
	cabled := map[string]cabledNIC{} // switch|normalised port -> first NIC
	macs := map[string]string{}      // MAC -> path
	pinned := map[string]string{}    // switch|lagId -> host/cluster network
	for i, h := range inv.Hosts {
		p := indexPath("hosts", i)
		c.required(p+".name", h.Name)
		c.unique(seen, p+".name", h.Name, "host")
		if h.Address != "" && c.ok(p+".address") {
			if _, _, err := parseHostPort(h.Address); err != nil {
				c.add(p+".address", h.Address, err.Error())
			}
		}
		c.enum(p+".access", h.Access, hostAccesses)
		if h.Access == "ssh" {
			if h.Address == "" {
				c.add(p+".address", "", "is required for access ssh")
			}
			if h.SSH == nil {
				c.add(p+".ssh", "", "is required for access ssh")
			}
		}
		if h.SSH != nil {
			sp := p + ".ssh"
			if h.SSH.Port < 0 || h.SSH.Port > 65535 {
				c.add(sp+".port", strconv.Itoa(h.SSH.Port), "must be 1-65535")
			}
			cr := h.SSH.Credentials
			if h.SSH.User == "" && cr.Username == "" && cr.UsernameEnv == "" {
				c.add(sp+".user", "", "is required: set user, credentials.username or credentials.usernameEnv")
			}
			c.credentials(sp+".credentials", cr, credRequired, false)
		}
		if h.Connectivity != nil {
			cp := p + ".connectivity"
			if h.Connectivity.Target != "" && c.ok(cp+".target") {
				if _, port, err := parseHostPort(h.Connectivity.Target); err != nil || port != 0 {
					c.add(cp+".target", h.Connectivity.Target, "want an IP address or host name to ping")
				}
			}
			if h.Connectivity.Timeout < 0 {
				c.add(cp+".timeout", h.Connectivity.Timeout.String(), "must not be negative")
			}
		}

		hostCNs := map[string]string{}
		nics := map[string]string{}
		for j, hcn := range h.ClusterNetworks {
			hp := indexPath(p+".clusterNetworks", j)
			np := hp + ".name"
			if c.required(np, hcn.Name) && c.ok(np) {
				if !c.clusterNetworkKnown(hcn.Name) {
					c.add(np, hcn.Name, "unknown cluster network")
				} else if first, dup := hostCNs[hcn.Name]; dup {
					c.addf(np, hcn.Name, "cluster network listed twice for this host (first at %s)", first)
				} else {
					hostCNs[hcn.Name] = np
				}
			}
			if len(hcn.NICs) == 0 {
				c.add(hp+".nics", "", "a cluster network needs at least one NIC")
			}
			bondSwitches := map[string]bool{}
			var order []string          // the bond's switches in order of appearance
			bondLAG := map[string]int{} // switch -> pinned lag id
			for k, nic := range hcn.NICs {
				nicP := indexPath(hp+".nics", k)
				c.required(nicP+".name", nic.Name)
				if nic.Name != "" && c.ok(nicP+".name") {
					if first, dup := nics[nic.Name]; dup {
						c.addf(nicP+".name", nic.Name, "NIC used twice in this host (first at %s)", first)
					} else {
						nics[nic.Name] = nicP + ".name"
					}
				}
				if nic.MAC != "" && c.ok(nicP+".mac") {
					if hw, err := net.ParseMAC(nic.MAC); err != nil || len(hw) != 6 {
						c.add(nicP+".mac", nic.MAC, "not a MAC address (want 6 bytes such as 52:54:00:12:34:56)")
					} else if first, dup := macs[hw.String()]; dup {
						c.addf(nicP+".mac", nic.MAC, "duplicate MAC address (first at %s)", first)
					} else {
						macs[hw.String()] = nicP + ".mac"
					}
				}
				swP, portP := nicP+".switch", nicP+".port"
				switch {
				case nic.Switch != "" && nic.Port == "":
					c.add(portP, "", "is required when switch is set")
				case nic.Switch == "" && nic.Port != "":
					c.add(swP, "", "is required when port is set")
				}
				sw := (*Switch)(nil)
				if nic.Switch != "" && c.ok(swP) {
					if sw = c.switchByName[nic.Switch]; sw == nil {
						c.add(swP, nic.Switch, "unknown switch")
					} else if !bondSwitches[nic.Switch] {
						bondSwitches[nic.Switch] = true
						order = append(order, nic.Switch)
					}
				}
				if sw != nil && c.opts.Switches != nil {
					if rules, _, msg := c.opts.Switches.driver(sw.Platform, sw.Protocol); msg == "" {
						c.byRule(portP, nic.Port, rules.Port, "not a port of platform "+sw.Platform+": ")
					}
				}
				if nic.Switch != "" && nic.Port != "" && c.ok(swP) && c.ok(portP) {
					key := nic.Switch + "|" + NormalizePort(nic.Port)
					if first, dup := cabled[key]; dup {
						c.addf(portP, nic.Port, "switch %s port %s is already cabled to NIC %s of host %s (%s)", nic.Switch, NormalizePort(nic.Port), first.nic, first.host, first.path)
					} else {
						cabled[key] = cabledNIC{nic.Name, h.Name, nicP}
					}
				}
				if nic.LAGID != 0 {
					lp := nicP + ".lagId"
					switch {
					case nic.LAGID < 0:
						c.add(lp, strconv.Itoa(nic.LAGID), "must not be negative")
					case sw != nil:
						if lo, hi, err := ParseLAGRange(sw.LAGIDs); err == nil && (nic.LAGID < lo || nic.LAGID > hi) {
							c.addf(lp, strconv.Itoa(nic.LAGID), "outside the lagIds %d-%d of switch %s", lo, hi, sw.Name)
						} else if prev, ok := bondLAG[sw.Name]; ok && prev != nic.LAGID {
							c.addf(lp, strconv.Itoa(nic.LAGID), "another NIC of this bond on switch %s pins lag id %d", sw.Name, prev)
						} else {
							bondLAG[sw.Name] = nic.LAGID
							key := sw.Name + "|" + strconv.Itoa(nic.LAGID)
							owner := h.Name + "/" + hcn.Name
							if other, dup := pinned[key]; dup && other != owner {
								c.addf(lp, strconv.Itoa(nic.LAGID), "lag id %d on switch %s is already pinned by %s", nic.LAGID, sw.Name, other)
							} else {
								pinned[key] = owner
							}
						}
					}
				}
			}
			c.bondSpread(hp, hcn.Name, modes, order)
		}
	}
}

// bondSpread checks that the members of a bond that faces a link
// aggregation sit on one switch or on the two switches of one MLAG pair.
func (c *checker) bondSpread(p, cn string, modes map[string]int, switches []string) {
	if len(switches) < 2 {
		return
	}
	if mode, ok := modes[cn]; ok && mode >= 0 && c.opts.BondModeNeedsLAG != nil && !c.opts.BondModeNeedsLAG(mode) {
		return // plain trunks: any number of independent switches
	}
	if len(switches) > 2 {
		c.addf(p+".nics", strings.Join(switches, ","), "bond members are spread over %d switches; a link aggregation spans one switch or one MLAG pair", len(switches))
		return
	}
	a, b := c.switchByName[switches[0]], c.switchByName[switches[1]]
	if a.MLAGPeer != b.Name || b.MLAGPeer != a.Name {
		c.addf(p+".nics", strings.Join(switches, ","), "bond members are on switches %s and %s, which are not an MLAG pair (mlagPeer of each other)", a.Name, b.Name)
	}
}
