package inventory

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Options are what the inventory needs from its callers to judge what it
// cannot know itself: the bond-mode table (internal/intent) and what the
// drivers of the build accept (the switchdrivers and dhcp registries). All
// of those packages import this one, so callers pass them in:
//
//	opts := intent.InventoryOptions()
//	opts.Switches = switchRegistry.Inventory()
//	opts.DHCP = dhcpRegistry.Inventory()
type Options struct {
	// ParseBondMode turns a bond mode as written (number, kernel name or
	// alias) into the kernel's mode number, or returns an error that lists
	// the valid spellings. When nil, Validate reports every bond mode as
	// unchecked.
	ParseBondMode func(string) (int, error)
	// BondModeNeedsLAG reports whether the switch side of a bond in this
	// mode is a link aggregation. Only such bonds are limited to one switch
	// or one MLAG pair. When nil, every bond is limited that way.
	BondModeNeedsLAG func(mode int) bool
	// BondModeARPMonitoring reports whether the kernel has ARP link
	// monitoring in this mode (not in 802.3ad, balance-tlb and
	// balance-alb). When nil, ARP monitoring is accepted in every mode.
	BondModeARPMonitoring func(mode int) bool
	// Switches are the switch drivers that can run. When nil, any platform
	// is accepted, and names are held to the inventory's own rules only: a
	// switch without a driver then fails when a run opens it.
	Switches *SwitchDrivers
	// DHCP are the DHCP server drivers that can run. When nil, any kind is
	// accepted.
	DHCP *DHCPDrivers
}

// PlatformRules are what one switch driver's renderer accepts of inventory
// names (switchdrivers.Rules is this type).
type PlatformRules struct {
	// Port checks the name of a switch port a host NIC is cabled to, as the
	// inventory writes it, exactly as the renderer will; nil accepts what
	// the inventory's own port rule accepts.
	Port func(name string) error
}

// SwitchDrivers are the switch drivers of a build as inventory check needs
// them (switchdrivers.Registry.Inventory).
type SwitchDrivers struct {
	// Drivers maps "platform/protocol" of every driver to its rules.
	Drivers map[string]PlatformRules
	// VLANName checks a VLAN name (a network's name) as every renderer
	// writes it; nil accepts any inventory name.
	VLANName func(name string) error
}

// DHCPDrivers are the DHCP server drivers of a build as inventory check
// needs them (dhcp.Registry.Inventory).
type DHCPDrivers struct {
	// Kinds lists the server kinds with a driver.
	Kinds []string
	// Interface checks a pool's server interface (networks[].dhcp.interface)
	// as the servers' configuration writers do; nil accepts any Linux
	// interface name.
	Interface func(name string) error
	// Hostname checks a reservation's host name as the servers'
	// configuration writers do; nil accepts any inventory name.
	Hostname func(name string) error
}

// platforms lists the platforms with a driver, sorted.
func (d *SwitchDrivers) platforms() []string {
	var out []string
	for k := range d.Drivers {
		p, _, _ := strings.Cut(k, "/")
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// driver returns the rules of platform over protocol, or a message saying
// which field names something without a driver: field is "platform" or
// "protocol".
func (d *SwitchDrivers) driver(platform, protocol string) (PlatformRules, string, string) {
	if r, ok := d.Drivers[platform+"/"+protocol]; ok {
		return r, "", ""
	}
	all := d.platforms()
	if !slices.Contains(all, platform) {
		return PlatformRules{}, "platform", fmt.Sprintf("no driver for platform %q; supported: %s", platform, strings.Join(all, ", "))
	}
	pairs := make([]string, 0, len(d.Drivers))
	for k := range d.Drivers {
		pairs = append(pairs, k)
	}
	sort.Strings(pairs)
	return PlatformRules{}, "protocol", fmt.Sprintf("no driver for platform %s over %s; supported: %s", platform, protocol, strings.Join(pairs, ", "))
}
