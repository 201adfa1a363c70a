package intent

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Bond option names, as the kernel and `ip link ... type bond` spell them,
// in HostChange.Fields and findings.
const (
	BondOptMode        = "mode"
	BondOptMiimon      = "miimon"
	BondOptArpInterval = "arp_interval"
	BondOptArpTargets  = "arp_ip_target"
	BondOptLACPRate    = "lacp_rate"
	BondOptXmitHash    = "xmit_hash_policy"
	BondOptUpDelay     = "updelay"
	BondOptDownDelay   = "downdelay"
	BondOptMinLinks    = "min_links"
)

// BondOptionFields lists the bond options in which have (observed; nil for
// a bond that does not exist yet) differs from want (desired), Before from
// have and After from want, as the planner shows them and validate reports
// them. Only what the inventory sets is compared:
//
//   - mode and miimon always: left out, they are Harvester's defaults
//     (active-backup, 100; 0 with ARP monitoring);
//   - arp_interval always, as the other half of the link monitoring the
//     inventory chose (0 under MII monitoring: the kernel runs one monitor);
//   - arp_ip_target when want monitors with ARP, compared as sets;
//   - lacp_rate when set and the mode is 802.3ad;
//   - xmit_hash_policy, updelay, downdelay and min_links when set (not
//     empty, not 0).
//
// For a new bond every option want sets is listed, with an empty Before,
// and arp_interval only when it is not 0. The one comparison of bond
// options.
func BondOptionFields(have *BondInfo, want BondInfo) []Field {
	var out []Field
	cmp := func(name, before, after string, set bool) {
		switch {
		case !set:
		case have == nil:
			out = append(out, Field{Name: name, After: after})
		case before != after:
			out = append(out, Field{Name: name, Before: before, After: after})
		}
	}
	var h BondInfo
	if have != nil {
		h = *have
	}
	num := strconv.Itoa
	cmp(BondOptMode, h.Mode.String(), want.Mode.String(), true)
	cmp(BondOptMiimon, num(h.Miimon), num(want.Miimon), true)
	cmp(BondOptArpInterval, num(h.ArpInterval), num(want.ArpInterval), have != nil || want.ArpInterval != 0)
	cmp(BondOptArpTargets, ArpTargetsString(h.ArpIPTargets), ArpTargetsString(want.ArpIPTargets), want.ArpInterval > 0)
	cmp(BondOptLACPRate, h.LACPRate, want.LACPRate, want.Mode == LACP && want.LACPRate != "")
	cmp(BondOptXmitHash, h.XmitHashPolicy, want.XmitHashPolicy, want.XmitHashPolicy != "")
	cmp(BondOptUpDelay, num(h.UpDelay), num(want.UpDelay), want.UpDelay != 0)
	cmp(BondOptDownDelay, num(h.DownDelay), num(want.DownDelay), want.DownDelay != 0)
	cmp(BondOptMinLinks, num(h.MinLinks), num(want.MinLinks), want.MinLinks != 0)
	return out
}

// ArpTargetsString is a set of ARP targets as BondOptionFields compares
// and shows them: in address order, comma-separated ("" for none).
func ArpTargetsString(ts []string) string {
	s := slices.Clone(ts)
	slices.SortFunc(s, func(a, b string) int {
		x, errx := netip.ParseAddr(a)
		y, erry := netip.ParseAddr(b)
		if errx != nil || erry != nil {
			return strings.Compare(a, b)
		}
		return x.Compare(y)
	})
	return strings.Join(slices.Compact(s), ",")
}
