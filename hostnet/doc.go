// Package hostnet owns the Linux host side of netalign: it observes bonds,
// bridges with VLAN filtering, bridge port VLANs and 802.1q sub-interfaces
// through netlink (Observe), computes the typed changes that bring a host to
// its Harvester-style intent (Diff, pure), and applies them (Apply) with a
// connectivity check that restores a checkpoint when the host loses its
// target.
//
// Harvester semantics: the cluster network <cn> is a bond <cn>-bo of the
// host's NICs, enslaved to the VLAN-filtering bridge <cn>-br; VM network
// VLANs are bridge VLANs on the bond port, the cluster network's untagged VLAN
// is the port's PVID (egress untagged), and the management network may sit on
// the sub-interface mgmt-br.<vid>. mgmt-br, mgmt-bo and the management VLAN
// device are never changed when they already exist, unless the caller passes
// ApplyOptions.AllowMgmt.
//
// The pure parsers (ParseIPLink, ParseBridgeVLANs, ParseProcBonding and
// HostStateFromIproute2) turn iproute2 JSON and /proc/net/bonding text into
// the same intent.HostState, for read-only observation over SSH
// (package hostnet/remote).
//
// Kernel quirks this package works around:
//   - the kernel refuses to enslave a link that is up, so NICs are set down,
//     enslaved, then set up;
//   - netlink v1.3.1 never fills Bond.AdInfo, so the bond's active 802.3ad
//     aggregator and its partner are read with an own RTM_GETLINK
//     (IFLA_BOND_AD_INFO), and each slave's partner system MAC from
//     /proc/net/bonding/<bond> of the handle's network namespace (the kernel
//     shows those details to CAP_NET_ADMIN readers only);
//   - a new or changed 802.3ad bond bundles only seconds after the apply, so
//     Apply waits for LACP (ApplyOptions.LACPWait) before it returns;
//   - netlink.NewHandle() without families also opens XFRM and netfilter
//     sockets, which fail where those modules are absent, so handles are
//     always opened for NETLINK_ROUTE only;
//   - the bond mode and lacp_rate can only be changed while the bond is down
//     (Diff marks such changes disruptive).
package hostnet
