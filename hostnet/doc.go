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
// Apply with ApplyOptions.Watchdog survives the death of its process: the
// checkpoint goes to a file (/run/netalign, 0600) before the first write,
// and a separate watchdog process (RunWatchdog; netalign's hidden `host
// rollback-watchdog` command) restores it unless Apply disarms it after the
// connectivity check. The watchdog is started with setsid, and where systemd
// is the init system inside `systemd-run --scope`, rather than as a
// `systemd-run --on-active` timer unit: a scope keeps the watchdog a child
// of the process that started it, in its network namespace and with the
// pipes Apply holds, so the watchdog sees Apply's death at once (the pipe
// closes) instead of at a timer, and the same code runs where there is no
// systemd (busybox init in the test VM, containers); the scope only moves
// it out of the cgroup that a stopped SSH session or unit kills. The
// deadline (check timeout + WatchdogGrace) covers an Apply that is alive
// but stopped or hung. Apply and the watchdog agree over two pipes, and
// the watchdog alone renames or removes the checkpoint while it runs, so a
// deadline and Apply's verdict never both act; a flock on the file tells a
// later Apply whether a live process still holds it.
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
//     (Diff marks such changes disruptive);
//   - netlink's LinkModify always sends IFLA_IFNAME, which kernels up to 6.1
//     (SLE Micro's 5.14 too) refuse with EBUSY on an up link after applying
//     the rest, so in-place bond options go in an own RTM_NEWLINK without it.
package hostnet
