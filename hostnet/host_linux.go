package hostnet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/netalign/netalign/internal/intent"
)

// Options configure Open.
type Options struct {
	// Name is the host name reported in the observed state.
	Name string
	// NetNSPath is the network namespace to work in, e.g.
	// /var/run/netns/host (`ip netns add host`); empty means the namespace
	// of the calling process.
	NetNSPath string
	// Logger receives one record per kernel write; nil discards.
	Logger *slog.Logger
}

// Host is a Linux network namespace reached through netlink. It is not safe
// for concurrent use.
type Host struct {
	name   string
	h      *netlink.Handle
	ns     netns.NsHandle // netns.None() for the calling process's namespace
	nsPath string         // Options.NetNSPath, for the rollback watchdog
	log    *slog.Logger
	writes int
	// pre runs before each netlink write of an Apply: it arms the
	// rollback watchdog at the first, and refuses writes once the
	// watchdog has restored the checkpoint. nil outside Apply.
	pre func() error
	// holdAt and holdFor are ApplyOptions' test hook: pause holdFor
	// after write number holdAt (0: never).
	holdAt  int
	holdFor time.Duration
}

// Open opens a NETLINK_ROUTE handle in the namespace the options name (only
// NETLINK_ROUTE: the default families also open XFRM and netfilter sockets,
// which fail where those modules are missing).
func Open(opts Options) (*Host, error) {
	x := &Host{name: opts.Name, ns: netns.None(), nsPath: opts.NetNSPath, log: opts.Logger}
	if x.log == nil {
		x.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if opts.NetNSPath != "" {
		if x.ns, err = netns.GetFromPath(opts.NetNSPath); err != nil {
			return nil, fmt.Errorf("open netns %s: %w", opts.NetNSPath, err)
		}
		x.h, err = netlink.NewHandleAt(x.ns, unix.NETLINK_ROUTE)
	} else {
		x.h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
	}
	if err != nil {
		if x.ns.IsOpen() {
			x.ns.Close()
		}
		return nil, fmt.Errorf("open netlink handle: %w", err)
	}
	return x, nil
}

// Close releases the netlink handle and the namespace.
func (x *Host) Close() error {
	x.h.Close()
	if x.ns.IsOpen() {
		return x.ns.Close()
	}
	return nil
}

// Handle returns the netlink handle, for callers that need a read the
// package does not offer.
func (x *Host) Handle() *netlink.Handle { return x.h }

// Writes returns how many netlink write calls (link add/set/del, bridge
// VLAN add/del, route add) the host has made since Open.
func (x *Host) Writes() int { return x.writes }

// write runs one kernel write, counts it and logs it.
func (x *Host) write(op, link string, fn func() error) error {
	if x.pre != nil {
		if err := x.pre(); err != nil {
			return fmt.Errorf("%s %s: %w", op, link, err)
		}
	}
	x.writes++
	err := fn()
	x.log.Debug("netlink write", "op", op, "link", link, "err", err)
	if x.holdAt > 0 && x.writes == x.holdAt {
		x.log.Warn("test hook: holding after a netlink write", "op", op, "link", link, "for", x.holdFor)
		time.Sleep(x.holdFor)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, link, err)
	}
	return nil
}

// inNetNS runs fn on an OS thread that is in the host's namespace. The
// thread is discarded afterwards when it was switched, so no other
// goroutine ever runs in the wrong namespace.
func (x *Host) inNetNS(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if x.ns.IsOpen() {
			// Never unlocked: the thread exits with this goroutine.
			if err := netns.Set(x.ns); err != nil {
				errc <- fmt.Errorf("enter netns: %w", err)
				return
			}
			errc <- fn()
			return
		}
		defer runtime.UnlockOSThread()
		errc <- fn()
	}()
	return <-errc
}

// Observe reads the host's links, bond options and per-slave LACP state,
// bridges and bridge port VLANs, and VLAN sub-interfaces. It is
// `ip -d link show` + `bridge vlan show` + /proc/net/bonding/* through
// netlink.
func (x *Host) Observe(ctx context.Context) (*intent.HostState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := observe(x.h, x.name)
	if err != nil {
		return nil, err
	}
	// netlink v1.3.1 leaves Bond.AdInfo empty: the active aggregator and
	// its partner come from our own read of IFLA_BOND_AD_INFO, each slave's
	// own partner from /proc/net/bonding of the host's namespace
	// (thread-self: the thread's namespace, not the process's).
	for _, l := range st.Links {
		if l.Kind != intent.LinkBond || l.Bond == nil || l.Bond.Mode != intent.LACP {
			continue
		}
		agg, partner, err := x.bondADInfo(l.Name)
		switch {
		case errors.Is(err, unix.ENODEV):
			continue // deleted since the link list
		case err != nil:
			return nil, fmt.Errorf("observe %s: read ad_info: %w", l.Name, err)
		}
		setADInfo(st.Links, l.Name, agg, partner)
		var b []byte
		err = x.inNetNS(func() error {
			var err error
			b, err = os.ReadFile("/proc/thread-self/net/bonding/" + l.Name)
			return err
		})
		if err != nil {
			if errors.Is(err, os.ErrNotExist) || x.deleted(l.Name) {
				continue // deleted since the link list: a read of a removed /proc entry is EIO
			}
			return nil, fmt.Errorf("observe %s: read /proc/net/bonding: %w", l.Name, err)
		}
		p, err := ParseProcBonding(b)
		if err != nil {
			return nil, fmt.Errorf("observe %s: %w", l.Name, err)
		}
		mergeProcBonding(st.Links, l.Name, p)
	}
	return st, nil
}

// deleted reports whether link name is gone from the host.
func (x *Host) deleted(name string) bool {
	l, err := x.linkByName(name)
	return err == nil && l == nil
}

// Observe reads the state of the namespace h is bound to (nil: the calling
// process's namespace) through netlink. Per-slave LACP partner MACs are read
// from /proc/thread-self/net/bonding, which is the calling thread's
// namespace: for a handle in another namespace use Open with
// Options.NetNSPath instead.
func Observe(ctx context.Context, h *netlink.Handle) (*intent.HostState, error) {
	if h == nil {
		x, err := Open(Options{})
		if err != nil {
			return nil, err
		}
		defer x.Close()
		return x.Observe(ctx)
	}
	x := &Host{h: h, ns: netns.None(), log: slog.New(slog.DiscardHandler)}
	return x.Observe(ctx)
}

// observe is the netlink part of Observe.
func observe(h *netlink.Handle, name string) (*intent.HostState, error) {
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("observe: list links: %w", err)
	}
	vlans, err := h.BridgeVlanList()
	if err != nil {
		return nil, fmt.Errorf("observe: list bridge vlans: %w", err)
	}
	names := make(map[int]string, len(links))
	for _, l := range links {
		names[l.Attrs().Index] = l.Attrs().Name
	}
	st := &intent.HostState{Name: name, Links: make([]intent.Link, 0, len(links))}
	for _, l := range links {
		st.Links = append(st.Links, convertLink(l, names, vlans[int32(l.Attrs().Index)]))
	}
	sortLinks(st.Links)
	return st, nil
}

// convertLink turns a netlink link into the vendor-neutral form, spelled as
// iproute2 spells it so that local and remote observation compare equal.
func convertLink(l netlink.Link, names map[int]string, vlans []*nl.BridgeVlanInfo) intent.Link {
	a := l.Attrs()
	out := intent.Link{
		Name:      a.Name,
		Kind:      intent.LinkDevice,
		MAC:       a.HardwareAddr.String(),
		MTU:       a.MTU,
		AdminUp:   a.Flags&net.FlagUp != 0,
		OperState: strings.ReplaceAll(a.OperState.String(), "-", ""),
		Master:    names[a.MasterIndex],
	}
	if a.EncapType == "loopback" {
		out.Kind = intent.LinkOther
	}
	if zeroMAC(out.MAC) {
		out.MAC = ""
	}
	switch v := l.(type) {
	case *netlink.Bond:
		out.Kind = intent.LinkBond
		out.Bond = bondInfo(v)
	case *netlink.Bridge:
		out.Kind = intent.LinkBridge
		out.VLANFiltering = v.VlanFiltering != nil && *v.VlanFiltering
	case *netlink.Vlan:
		out.Kind = intent.LinkVLAN
		out.VLANID = v.VlanId
		out.Parent = names[a.ParentIndex]
	case *netlink.Veth:
		out.Kind = intent.LinkVeth
	case *netlink.Device:
	default:
		out.Kind = intent.LinkOther
	}
	if s, ok := a.Slave.(*netlink.BondSlave); ok {
		out.BondSlave = &intent.BondSlaveInfo{State: strings.ToLower(s.State.String()), MIIStatus: strings.ToLower(s.MiiStatus.String()),
			AggregatorID: int(s.AggregatorId), ActorPortState: int(s.AdActorOperPortState), PartnerState: int(s.AdPartnerOperPortState)}
	}
	for _, v := range vlans {
		out.BridgeVLANs = append(out.BridgeVLANs, intent.BridgeVLAN{VID: int(v.Vid), PVID: v.PortVID(), Untagged: v.EngressUntag()})
	}
	slices.SortFunc(out.BridgeVLANs, func(a, b intent.BridgeVLAN) int { return a.VID - b.VID })
	return out
}

// bondInfo is a bond's options as netlink reports them (IFLA_BOND_*; the
// ARP targets in the kernel's order, IPv4 only).
func bondInfo(v *netlink.Bond) *intent.BondInfo {
	b := &intent.BondInfo{Mode: intent.BondMode(v.Mode), Miimon: v.Miimon, LACPRate: v.LacpRate.String(),
		XmitHashPolicy: v.XmitHashPolicy.String(), UpDelay: v.UpDelay, DownDelay: v.DownDelay, MinLinks: v.MinLinks,
		ArpInterval: max(v.ArpInterval, 0)}
	for _, ip := range v.ArpIpTargets {
		if ip4 := ip.To4(); ip4 != nil {
			b.ArpIPTargets = append(b.ArpIPTargets, ip4.String())
		}
	}
	return b
}

// bondADInfo reads a bond's IFLA_BOND_AD_INFO (`ip -d link show` ad_info):
// the id of its active 802.3ad aggregator and that aggregator's partner
// system MAC (00:00:00:00:00:00 without a partner). The kernel sends it to
// unprivileged readers too, and omits it when the bond has no active
// aggregator (agg 0). netlink v1.3.1 does not decode it, so this sends its
// own RTM_GETLINK, in the host's namespace.
func (x *Host) bondADInfo(bond string) (agg int, partner string, err error) {
	err = x.inNetNS(func() error {
		req := nl.NewNetlinkRequest(unix.RTM_GETLINK, unix.NLM_F_ACK)
		req.AddData(nl.NewIfInfomsg(unix.AF_UNSPEC))
		req.AddData(nl.NewRtAttr(unix.IFLA_IFNAME, nl.ZeroTerminated(bond)))
		msgs, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWLINK)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if agg, partner, err = parseBondADInfo(m); err != nil {
				return err
			}
		}
		return nil
	})
	return agg, partner, err
}

// parseBondADInfo finds IFLA_LINKINFO > IFLA_INFO_DATA > IFLA_BOND_AD_INFO
// in one RTM_NEWLINK message and returns its aggregator id and partner MAC.
func parseBondADInfo(m []byte) (agg int, partner string, err error) {
	if len(m) < unix.SizeofIfInfomsg {
		return 0, "", fmt.Errorf("short RTM_NEWLINK message (%d bytes)", len(m))
	}
	nested := func(b []byte, typ uint16) ([]byte, error) {
		attrs, err := nl.ParseRouteAttr(b)
		if err != nil {
			return nil, err
		}
		for _, a := range attrs {
			if a.Attr.Type&nl.NLA_TYPE_MASK == typ {
				return a.Value, nil
			}
		}
		return nil, nil
	}
	b := m[unix.SizeofIfInfomsg:]
	for _, typ := range []uint16{unix.IFLA_LINKINFO, nl.IFLA_INFO_DATA, nl.IFLA_BOND_AD_INFO} {
		if b, err = nested(b, typ); err != nil || b == nil {
			return 0, "", err
		}
	}
	attrs, err := nl.ParseRouteAttr(b)
	if err != nil {
		return 0, "", err
	}
	for _, a := range attrs {
		switch a.Attr.Type & nl.NLA_TYPE_MASK {
		case nl.IFLA_BOND_AD_INFO_AGGREGATOR:
			if len(a.Value) >= 2 {
				agg = int(nl.NativeEndian().Uint16(a.Value[:2]))
			}
		case nl.IFLA_BOND_AD_INFO_PARTNER_MAC:
			if len(a.Value) >= 6 {
				partner = net.HardwareAddr(a.Value[:6]).String()
			}
		}
	}
	return agg, partner, nil
}
