package hostnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netalign/netalign/internal/intent"
)

// Apply carries out changes (as Diff computes them) in order, as one
// transaction: it observes the host first (the checkpoint), refuses the
// whole list before any write when a change touches an existing management
// device without opts.AllowMgmt or enslaves a missing or foreign NIC, then
// makes each change only where the kernel differs (so applying a list twice
// writes nothing the second time). If a change fails, or the connectivity
// target does not answer within opts.CheckTimeout, the host is restored to
// the checkpoint and the error wraps the cause (ErrConnectivityLost for the
// check). When the changes touched an 802.3ad bond, Apply then waits up to
// opts.LACPWait for LACP to bundle it, so that the state observed after the
// apply is LACP's outcome (ApplyResult.LACPUnbundled names the bonds that
// did not bundle; that is not an error). With opts.Watchdog, a separate
// process holds the checkpoint from the first write until the check passed,
// and restores it if this process dies, stops or hangs before that
// (Watchdog); Apply first waits for another process's transaction on the
// host to end, and refuses (ErrPendingCheckpoint) while a checkpoint of a
// killed run is left unrestored.
func (x *Host) Apply(ctx context.Context, changes []intent.HostChange, opts ApplyOptions) (*ApplyResult, error) {
	res := &ApplyResult{}
	if opts.Watchdog != nil && len(changes) > 0 {
		// Another process's transaction (or a watchdog's restore after
		// its netalign died) ends before this checkpoint is taken.
		if err := settlePending(ctx, watchdogDir(opts.Watchdog), x.log); err != nil {
			return res, fmt.Errorf("apply: %w", err)
		}
	}
	cp, err := x.Observe(ctx)
	if err != nil {
		return res, fmt.Errorf("apply: checkpoint: %w", err)
	}
	res.Checkpoint = cp
	if err := precheck(changes, cp, opts); err != nil {
		return res, fmt.Errorf("apply: %w", err)
	}
	if len(changes) == 0 {
		return res, nil
	}

	// Resolve the check target before any write: the default route may
	// vanish with the link it points through.
	var pinger *pinger
	if !opts.NoCheck {
		target := opts.CheckTarget
		if target == "" {
			if target, err = x.defaultGateway(); err != nil {
				return res, fmt.Errorf("apply: %w", err)
			}
		}
		if target == "" {
			res.CheckSkipped = "no check target and no default gateway"
		} else {
			res.CheckTarget = target
			if pinger, err = x.newPinger(target); err != nil {
				return res, fmt.Errorf("apply: connectivity check %s: %w", target, err)
			}
			defer pinger.Close()
		}
	}
	routes, err := x.routes()
	if err != nil {
		return res, fmt.Errorf("apply: checkpoint routes: %w", err)
	}

	timeout := opts.CheckTimeout
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}

	// The rollback watchdog is armed just before the first write, so an
	// apply that writes nothing starts no process.
	var wd *watchdogRun
	var armErr error
	if opts.Watchdog != nil {
		x.pre = func() error {
			if wd != nil {
				return wd.fired()
			}
			if armErr != nil {
				return armErr
			}
			cf := &checkpointFile{Version: checkpointVersion, Host: x.name, NetNS: x.nsPath, Owner: os.Getpid(),
				Armed: time.Now(), State: cp, Routes: saveRoutes(routes), Creates: plannedCreates(changes, cp)}
			cf.Deadline = cf.Armed.Add(WatchdogGrace)
			if pinger != nil {
				cf.Deadline = cf.Deadline.Add(timeout)
			}
			wd, armErr = x.armWatchdog(opts.Watchdog, cf)
			return armErr
		}
	}
	if opts.HoldAfterWrite > 0 {
		x.holdAt, x.holdFor = x.writes+opts.HoldAfterWrite, opts.HoldFor
	}
	defer func() {
		x.pre, x.holdAt = nil, 0
		if wd != nil {
			wd.close()
		}
	}()

	start := x.writes
	tx := &applyTx{x: x}
	for _, c := range changes {
		err := ctx.Err()
		if err == nil {
			err = tx.apply(c)
		}
		if armErr != nil {
			return res, fmt.Errorf("apply: %w; nothing was changed", armErr)
		}
		if err != nil {
			res.Writes = x.writes - start
			x.rollback(ctx, res, cp, routes, tx.created, wd)
			return res, fmt.Errorf("apply %s %s %s: %w", c.Action, c.Object, c.Name, err)
		}
		res.Applied = append(res.Applied, c)
	}
	res.Writes = x.writes - start

	if pinger != nil && res.Writes > 0 {
		took, err := pinger.waitReachable(ctx, timeout)
		res.CheckTook = took
		if err != nil {
			x.rollback(ctx, res, cp, routes, tx.created, wd)
			return res, fmt.Errorf("apply: %s unreachable after %v, host restored: %w: %w", res.CheckTarget, took.Round(1e6), ErrConnectivityLost, err)
		}
	}
	if wd != nil {
		// The changes stand.
		x.pre = nil
		if r, err := wd.disarm(); err != nil {
			res.RolledBack, res.RollbackBy, res.RollbackWrites, res.RollbackErr = true, "watchdog", r.Writes, r.Error
			return res, fmt.Errorf("apply: %w", err)
		}
	}
	if opts.LACPWait >= 0 && res.Writes > 0 {
		wait := opts.LACPWait
		if wait == 0 {
			wait = DefaultLACPWait
		}
		res.LACPTook, res.LACPUnbundled = x.waitBundled(ctx, lacpCandidates(res.Applied), wait)
	}
	return res, nil
}

// waitBundled observes the host until every 802.3ad bond of bonds has its
// slaves bundled, wait passes or ctx ends, and returns how long it waited
// and the bonds still not bundled. The changes are made by then: not
// bundling is for validate to report, never an apply error.
func (x *Host) waitBundled(ctx context.Context, bonds []string, wait time.Duration) (time.Duration, []string) {
	if len(bonds) == 0 {
		return 0, nil
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	pending := bonds
	for {
		st, err := x.Observe(ctx)
		if err == nil {
			pending = unbundled(st, pending)
		}
		if len(pending) == 0 {
			x.log.Debug("lacp bundled", "bonds", bonds, "took", time.Since(start).Round(time.Millisecond))
			return time.Since(start), nil
		}
		select {
		case <-ctx.Done():
			took := time.Since(start)
			x.log.Warn("802.3ad bond not bundled with a partner after the LACP wait; validate reports its members", "bonds", pending, "waited", took.Round(time.Millisecond))
			return took, pending
		case <-tick.C:
		}
	}
}

// rollback restores the checkpoint and records the outcome in res: through
// the watchdog when one is armed (it finishes the restore even if this
// process dies meanwhile), else, or when the watchdog does not, here.
func (x *Host) rollback(ctx context.Context, res *ApplyResult, cp *intent.HostState, routes []netlink.Route, created []string, wd *watchdogRun) {
	x.pre, x.holdAt = nil, 0
	if wd != nil {
		if r, ok := wd.restore(); ok {
			res.RolledBack, res.RollbackBy, res.RollbackWrites, res.RollbackErr = true, "watchdog", r.Writes, r.Error
			if r.Error != "" {
				x.log.Error("restore checkpoint (rollback watchdog)", "err", r.Error)
			}
			return
		}
	}
	res.RollbackBy = "netalign"
	before := x.writes
	// The restore must run even when ctx is what ended the apply.
	err := x.restore(context.WithoutCancel(ctx), cp, routes, created)
	res.RolledBack = true
	res.RollbackWrites = x.writes - before
	if err != nil {
		res.RollbackErr = err.Error()
		x.log.Error("restore checkpoint", "err", err)
	}
}

// applyTx is one Apply run: it remembers the links it created, which the
// restore deletes.
type applyTx struct {
	x       *Host
	created []string
}

func (t *applyTx) apply(c intent.HostChange) error {
	b := intent.DesiredBond{}
	if c.Bond != nil {
		b = normalizeBond(*c.Bond)
	}
	x := t.x
	switch c.Object {
	case intent.ObjBond:
		// A new bond comes up with its bridge (ensureBridge), after its
		// NICs joined: LACP then starts with every port at once instead of
		// renegotiating as each one arrives.
		exists, err := x.linkByName(c.Name)
		if err != nil {
			return err
		}
		created, err := x.ensureBond(c.Name, keepUnset(b.Options, exists), b.MTU, exists != nil)
		if created {
			t.created = append(t.created, c.Name)
		}
		return err
	case intent.ObjBondSlave:
		if c.Action == intent.Delete {
			return x.releaseSlave(c.Name, c.Master)
		}
		return x.ensureSlave(c.Name, c.Master)
	case intent.ObjLinkMTU:
		return x.ensureMTU(c.Name, c.MTU)
	case intent.ObjBridge:
		port := b.Bond
		created, err := x.ensureBridge(c.Name, c.MTU, port)
		if created {
			t.created = append(t.created, c.Name)
		}
		return err
	case intent.ObjBridgeVLAN:
		return x.ensureVLANChange(c)
	case intent.ObjSubIf:
		if c.Action == intent.Delete {
			return x.deleteLink(c.Name)
		}
		parent, vid := c.Master, b.MgmtVLAN
		if i := strings.LastIndexByte(c.Name, '.'); i > 0 && vid == 0 {
			parent = c.Name[:i]
			vid = atoi(c.Name[i+1:])
		}
		if parent == "" {
			parent = b.Bridge
		}
		created, err := x.ensureSubIf(c.Name, parent, vid, true)
		if created {
			t.created = append(t.created, c.Name)
		}
		return err
	}
	return fmt.Errorf("unknown host object %q", c.Object)
}

// linkByName returns the link or nil when it does not exist.
func (x *Host) linkByName(name string) (netlink.Link, error) {
	l, err := x.h.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil, nil
		}
		return nil, fmt.Errorf("get link %s: %w", name, err)
	}
	return l, nil
}

func (x *Host) setUp(l netlink.Link) error {
	if l.Attrs().Flags&net.FlagUp != 0 {
		return nil
	}
	return x.write("link set up", l.Attrs().Name, func() error { return x.h.LinkSetUp(l) })
}

func (x *Host) setDown(l netlink.Link) error {
	if l.Attrs().Flags&net.FlagUp == 0 {
		return nil
	}
	return x.write("link set down", l.Attrs().Name, func() error { return x.h.LinkSetDown(l) })
}

// bondAttrs is a netlink.Bond carrying the given options; -1 fields (and
// nil ArpIpTargets) are not sent. An empty lacp_rate or xmit_hash_policy is
// not sent (a new bond gets the kernel's default); neither are updelay and
// downdelay with miimon 0, which the kernel refuses (EPERM), nor the ARP
// options in a mode without ARP monitoring (EACCES).
func bondAttrs(name string, o intent.BondInfo) *netlink.Bond {
	a := netlink.NewLinkAttrs()
	a.Name = name
	b := netlink.NewLinkBond(a)
	b.Mode = netlink.BondMode(o.Mode)
	b.Miimon = o.Miimon
	if o.Miimon > 0 {
		b.UpDelay = o.UpDelay
		b.DownDelay = o.DownDelay
	}
	b.MinLinks = o.MinLinks
	// netlink sends its UNKNOWN values, which the kernel refuses (EINVAL).
	if o.XmitHashPolicy != "" {
		b.XmitHashPolicy = netlink.StringToBondXmitHashPolicy(o.XmitHashPolicy)
	}
	if o.Mode == intent.LACP && o.LACPRate != "" {
		b.LacpRate = netlink.StringToBondLacpRate(o.LACPRate)
	}
	if o.Mode.ARPMonitoring() {
		b.ArpInterval = o.ArpInterval
		if len(o.ArpIPTargets) > 0 {
			b.ArpIpTargets = arpTargets(o.ArpIPTargets)
		}
	}
	return b
}

// arpTargets parses ARP targets for netlink; the inventory checked them.
func arpTargets(ts []string) []net.IP {
	out := make([]net.IP, 0, len(ts))
	for _, t := range ts {
		if ip := net.ParseIP(t).To4(); ip != nil {
			out = append(out, ip)
		}
	}
	return out
}

// keepUnset returns want with the options it leaves out (see
// intent.BondOptionFields) taken from the bond as it is, so that ensureBond
// changes only what the inventory sets.
func keepUnset(want intent.BondInfo, l netlink.Link) intent.BondInfo {
	cur, ok := l.(*netlink.Bond)
	if !ok {
		return want
	}
	have := bondInfo(cur)
	if want.LACPRate == "" {
		want.LACPRate = have.LACPRate
	}
	if want.XmitHashPolicy == "" {
		want.XmitHashPolicy = have.XmitHashPolicy
	}
	if want.UpDelay == 0 {
		want.UpDelay = have.UpDelay
	}
	if want.DownDelay == 0 {
		want.DownDelay = have.DownDelay
	}
	if want.MinLinks == 0 {
		want.MinLinks = have.MinLinks
	}
	if want.ArpInterval == 0 {
		want.ArpIPTargets = have.ArpIPTargets
	}
	return want
}

// ensureBond creates the bond with options o, or changes the options that
// differ: miimon, arp_interval, arp_ip_target, xmit_hash_policy,
// up/downdelay and min_links in place; the mode and lacp_rate with the bond
// down (the kernel refuses them on an up bond, and a mode change also needs
// the bond without slaves, so the slaves are released and enslaved again).
// An empty lacp_rate or xmit_hash_policy is left as it is. `ip link add
// NAME type bond mode M ...` / `ip link set NAME type bond ...`.
func (x *Host) ensureBond(name string, o intent.BondInfo, mtu int, up bool) (created bool, err error) {
	l, err := x.linkByName(name)
	if err != nil {
		return false, err
	}
	if l == nil {
		b := bondAttrs(name, o)
		if mtu > 0 {
			b.MTU = mtu
		}
		if err := x.write("bond add", name, func() error { return x.h.LinkAdd(b) }); err != nil {
			return false, err
		}
		if up {
			l, err := x.h.LinkByName(name)
			if err != nil {
				return true, fmt.Errorf("get link %s: %w", name, err)
			}
			return true, x.setUp(l)
		}
		return true, nil
	}
	cur, ok := l.(*netlink.Bond)
	if !ok {
		return false, fmt.Errorf("%s is a %s link: %w", name, l.Type(), ErrKindConflict)
	}
	want := bondAttrs(name, o)
	change := netlink.NewLinkBond(netlink.LinkAttrs{Name: name, Index: cur.Index, TxQLen: -1})
	n := 0
	if cur.Miimon != want.Miimon {
		change.Miimon, n = want.Miimon, n+1
	}
	if want.UpDelay >= 0 && cur.UpDelay != want.UpDelay {
		change.UpDelay, n = want.UpDelay, n+1
	}
	if want.DownDelay >= 0 && cur.DownDelay != want.DownDelay {
		change.DownDelay, n = want.DownDelay, n+1
	}
	if cur.MinLinks != want.MinLinks {
		change.MinLinks, n = want.MinLinks, n+1
	}
	if o.XmitHashPolicy != "" && cur.XmitHashPolicy != want.XmitHashPolicy {
		change.XmitHashPolicy, n = want.XmitHashPolicy, n+1
	}
	// In a mode without ARP monitoring the kernel has none (a change to
	// such a mode turns it off and MII monitoring on by itself).
	if o.Mode.ARPMonitoring() {
		if cur.ArpInterval != want.ArpInterval {
			change.ArpInterval, n = want.ArpInterval, n+1
		}
		if intent.ArpTargetsString(bondInfo(cur).ArpIPTargets) != intent.ArpTargetsString(o.ArpIPTargets) {
			change.ArpIpTargets, n = arpTargets(o.ArpIPTargets), n+1
		}
	}
	modeChange := cur.Mode != want.Mode
	rateChange := o.Mode == intent.LACP && o.LACPRate != "" && cur.LacpRate != want.LacpRate
	if modeChange || rateChange {
		var slaves []netlink.Link
		if modeChange {
			links, err := x.h.LinkList()
			if err != nil {
				return false, fmt.Errorf("list links: %w", err)
			}
			for _, s := range links {
				if s.Attrs().MasterIndex == cur.Index {
					slaves = append(slaves, s)
					if err := x.write("link set nomaster", s.Attrs().Name, func() error { return x.h.LinkSetNoMaster(s) }); err != nil {
						return false, err
					}
				}
			}
		}
		if err := x.setDown(cur); err != nil {
			return false, err
		}
		dis := netlink.NewLinkBond(netlink.LinkAttrs{Name: name, Index: cur.Index, TxQLen: -1})
		dis.Mode = want.Mode
		if o.Mode == intent.LACP {
			dis.LacpRate = want.LacpRate
		}
		if err := x.write("bond set mode/lacp_rate", name, func() error { return x.h.LinkModify(dis) }); err != nil {
			return false, err
		}
		for _, s := range slaves {
			if err := x.enslave(s, cur); err != nil {
				return false, err
			}
		}
		cur.Flags &^= net.FlagUp
	}
	if n > 0 {
		if err := x.write("bond set options", name, func() error { return x.bondSetOptions(change) }); err != nil {
			return false, err
		}
	}
	if up {
		return false, x.setUp(cur)
	}
	return false, nil
}

// bondSetOptions changes the in-place options of an existing bond that b
// sets (>= 0: miimon, updelay, downdelay, min_links, xmit_hash_policy,
// arp_interval; non-nil: arp_ip_target, which replaces the whole list):
// RTM_NEWLINK with the bond's index and IFLA_LINKINFO only, as `ip link set
// NAME type bond miimon N` sends it. netlink's LinkModify also sends
// IFLA_IFNAME, which kernels up to 6.1 (SLE Micro's 5.14 included) answer
// with EBUSY on an up link — dev_change_name checks IFF_UP before it
// compares the names — after they applied the bond options.
func (x *Host) bondSetOptions(b *netlink.Bond) error {
	return x.inNetNS(func() error {
		req := nl.NewNetlinkRequest(unix.RTM_NEWLINK, unix.NLM_F_ACK)
		msg := nl.NewIfInfomsg(unix.AF_UNSPEC)
		msg.Index = int32(b.Index)
		req.AddData(msg)
		info := nl.NewRtAttr(unix.IFLA_LINKINFO, nil)
		info.AddRtAttr(nl.IFLA_INFO_KIND, nl.NonZeroTerminated("bond"))
		data := info.AddRtAttr(nl.IFLA_INFO_DATA, nil)
		for _, a := range []struct {
			typ int
			v   int
		}{{nl.IFLA_BOND_MIIMON, b.Miimon}, {nl.IFLA_BOND_UPDELAY, b.UpDelay}, {nl.IFLA_BOND_DOWNDELAY, b.DownDelay}, {nl.IFLA_BOND_MIN_LINKS, b.MinLinks}} {
			if a.v >= 0 {
				data.AddRtAttr(a.typ, nl.Uint32Attr(uint32(a.v)))
			}
		}
		if b.XmitHashPolicy >= 0 {
			data.AddRtAttr(nl.IFLA_BOND_XMIT_HASH_POLICY, nl.Uint8Attr(uint8(b.XmitHashPolicy)))
		}
		if b.ArpInterval >= 0 {
			data.AddRtAttr(nl.IFLA_BOND_ARP_INTERVAL, nl.Uint32Attr(uint32(b.ArpInterval)))
		}
		if b.ArpIpTargets != nil {
			// The kernel clears the list and adds these (bond_changelink).
			t := data.AddRtAttr(nl.IFLA_BOND_ARP_IP_TARGET, nil)
			for i, ip := range b.ArpIpTargets {
				t.AddRtAttr(i, ip.To4())
			}
		}
		req.AddData(info)
		_, err := req.Execute(unix.NETLINK_ROUTE, 0)
		return err
	})
}

// enslave puts NIC s into master: down, master, up (the kernel refuses to
// enslave an up link to a bond). `ip link set S down; ip link set S master
// M; ip link set S up`.
func (x *Host) enslave(s, master netlink.Link) error {
	name := s.Attrs().Name
	if err := x.setDown(s); err != nil {
		return err
	}
	if err := x.write("link set master "+master.Attrs().Name, name, func() error { return x.h.LinkSetMasterByIndex(s, master.Attrs().Index) }); err != nil {
		return err
	}
	s.Attrs().Flags &^= net.FlagUp
	return x.setUp(s)
}

// ensureSlave makes nic a slave of bond, up. A NIC enslaved elsewhere is an
// error, never moved.
func (x *Host) ensureSlave(nic, bond string) error {
	s, err := x.linkByName(nic)
	if err != nil {
		return err
	}
	if s == nil {
		return fmt.Errorf("nic %s: %w", nic, ErrNICMissing)
	}
	m, err := x.linkByName(bond)
	if err != nil {
		return err
	}
	if m == nil {
		return fmt.Errorf("bond %s does not exist", bond)
	}
	switch s.Attrs().MasterIndex {
	case m.Attrs().Index:
		return x.setUp(s)
	case 0:
		return x.enslave(s, m)
	}
	return fmt.Errorf("nic %s: %w", nic, ErrNICEnslaved)
}

// releaseSlave takes nic out of bond (`ip link set NIC nomaster`).
func (x *Host) releaseSlave(nic, bond string) error {
	s, err := x.linkByName(nic)
	if err != nil || s == nil {
		return err
	}
	m, err := x.linkByName(bond)
	if err != nil || m == nil || s.Attrs().MasterIndex != m.Attrs().Index {
		return err
	}
	return x.write("link set nomaster", nic, func() error { return x.h.LinkSetNoMaster(s) })
}

// ensureMTU sets a link's MTU (`ip link set NAME mtu N`).
func (x *Host) ensureMTU(name string, mtu int) error {
	if mtu <= 0 {
		return nil
	}
	l, err := x.linkByName(name)
	if err != nil {
		return err
	}
	if l == nil {
		return fmt.Errorf("set mtu %s: link does not exist", name)
	}
	if l.Attrs().MTU == mtu {
		return nil
	}
	return x.write("link set mtu", name, func() error { return x.h.LinkSetMTU(l, mtu) })
}

// ensureBridge creates the bridge with vlan_filtering on, or turns it on,
// makes port (the bond) its port and sets it up. `ip link add NAME type
// bridge vlan_filtering 1; ip link set PORT master NAME; ip link set NAME up`.
func (x *Host) ensureBridge(name string, mtu int, port string) (created bool, err error) {
	l, err := x.linkByName(name)
	if err != nil {
		return false, err
	}
	if l == nil {
		on := true
		a := netlink.NewLinkAttrs()
		a.Name = name
		if mtu > 0 {
			a.MTU = mtu
		}
		br := &netlink.Bridge{LinkAttrs: a, VlanFiltering: &on}
		if err := x.write("bridge add", name, func() error { return x.h.LinkAdd(br) }); err != nil {
			return false, err
		}
		created = true
		if l, err = x.h.LinkByName(name); err != nil {
			return true, fmt.Errorf("get link %s: %w", name, err)
		}
	}
	br, ok := l.(*netlink.Bridge)
	if !ok {
		return created, fmt.Errorf("%s is a %s link: %w", name, l.Type(), ErrKindConflict)
	}
	if br.VlanFiltering == nil || !*br.VlanFiltering {
		if err := x.write("bridge set vlan_filtering 1", name, func() error { return x.h.BridgeSetVlanFiltering(br, true) }); err != nil {
			return created, err
		}
	}
	if port != "" {
		p, err := x.linkByName(port)
		if err != nil {
			return created, err
		}
		if p == nil {
			return created, fmt.Errorf("bridge %s: port %s does not exist", name, port)
		}
		if p.Attrs().MasterIndex != br.Index {
			if err := x.write("link set master "+name, port, func() error { return x.h.LinkSetMasterByIndex(p, br.Index) }); err != nil {
				return created, err
			}
		}
		if err := x.setUp(p); err != nil {
			return created, err
		}
	}
	return created, x.setUp(br)
}

// portVLANs returns the live VLANs of one bridge port (or bridge).
func (x *Host) portVLANs(l netlink.Link) (map[int]intent.BridgeVLAN, error) {
	all, err := x.h.BridgeVlanList()
	if err != nil {
		return nil, fmt.Errorf("bridge vlan show: %w", err)
	}
	out := map[int]intent.BridgeVLAN{}
	for _, v := range all[int32(l.Attrs().Index)] {
		out[int(v.Vid)] = intent.BridgeVLAN{VID: int(v.Vid), PVID: v.PortVID(), Untagged: v.EngressUntag()}
	}
	return out, nil
}

// ensureVLANChange applies a bridge-vlans change: tagged VLANs added in
// ranges, the PVID (egress untagged) set, VLANs removed in ranges; only
// what the kernel does not already have.
func (x *Host) ensureVLANChange(c intent.HostChange) error {
	l, err := x.linkByName(c.Name)
	if err != nil {
		return err
	}
	if l == nil {
		return fmt.Errorf("bridge vlans: link %s does not exist", c.Name)
	}
	have, err := x.portVLANs(l)
	if err != nil {
		return err
	}
	var tagged, remove []int
	for _, v := range c.AddVLANs {
		if v == c.PVID {
			continue
		}
		if h, ok := have[v]; !ok || h.PVID || h.Untagged {
			tagged = append(tagged, v)
		}
	}
	for _, v := range c.RemoveVLANs {
		if _, ok := have[v]; ok && v != c.PVID {
			remove = append(remove, v)
		}
	}
	var pvid []intent.BridgeVLAN
	if c.PVID != 0 {
		if h, ok := have[c.PVID]; !ok || !h.PVID || !h.Untagged {
			pvid = []intent.BridgeVLAN{{VID: c.PVID, PVID: true, Untagged: true}}
		}
	}
	return x.writeVLANs(l, intent.NewVLANSet(tagged...), pvid, intent.NewVLANSet(remove...))
}

// writeVLANs adds tagged VLANs (one BridgeVlanAddRange per run), then the
// VLANs with flags (PVID cannot be part of a range), then removes VLANs (one
// BridgeVlanDelRange per run). On a bridge the VLANs are the bridge's own
// ("self"). `bridge vlan add dev DEV vid A-B [pvid untagged] [self]`.
func (x *Host) writeVLANs(l netlink.Link, tagged intent.VLANSet, flagged []intent.BridgeVLAN, remove intent.VLANSet) error {
	name := l.Attrs().Name
	_, self := l.(*netlink.Bridge)
	for _, r := range tagged.Ranges() {
		lo, hi := uint16(r[0]), uint16(r[1])
		op := fmt.Sprintf("bridge vlan add vid %d-%d", lo, hi)
		if err := x.write(op, name, func() error {
			if lo == hi {
				return x.h.BridgeVlanAdd(l, lo, false, false, self, false)
			}
			return x.h.BridgeVlanAddRange(l, lo, hi, false, false, self, false)
		}); err != nil {
			return err
		}
	}
	for _, v := range flagged {
		op := fmt.Sprintf("bridge vlan add vid %d pvid=%v untagged=%v", v.VID, v.PVID, v.Untagged)
		if err := x.write(op, name, func() error {
			return x.h.BridgeVlanAdd(l, uint16(v.VID), v.PVID, v.Untagged, self, false)
		}); err != nil {
			return err
		}
	}
	for _, r := range remove.Ranges() {
		lo, hi := uint16(r[0]), uint16(r[1])
		op := fmt.Sprintf("bridge vlan del vid %d-%d", lo, hi)
		if err := x.write(op, name, func() error {
			if lo == hi {
				return x.h.BridgeVlanDel(l, lo, false, false, self, false)
			}
			return x.h.BridgeVlanDelRange(l, lo, hi, false, false, self, false)
		}); err != nil {
			return err
		}
	}
	return nil
}

// ensureSubIf creates the 802.1q device name on parent with vid, or
// re-creates it when its parent or id differ. `ip link add link PARENT name
// NAME type vlan id VID; ip link set NAME up`.
func (x *Host) ensureSubIf(name, parent string, vid int, up bool) (created bool, err error) {
	if vid < 1 || vid > 4094 {
		return false, fmt.Errorf("vlan device %s: vlan id %d outside 1-4094", name, vid)
	}
	p, err := x.linkByName(parent)
	if err != nil {
		return false, err
	}
	if p == nil {
		return false, fmt.Errorf("vlan device %s: parent %s does not exist", name, parent)
	}
	l, err := x.linkByName(name)
	if err != nil {
		return false, err
	}
	if v, ok := l.(*netlink.Vlan); ok && (v.ParentIndex != p.Attrs().Index || v.VlanId != vid) {
		if err := x.write("link del", name, func() error { return x.h.LinkDel(l) }); err != nil {
			return false, err
		}
		l = nil
	}
	if l == nil {
		a := netlink.NewLinkAttrs()
		a.Name = name
		a.ParentIndex = p.Attrs().Index
		v := &netlink.Vlan{LinkAttrs: a, VlanId: vid, VlanProtocol: netlink.VLAN_PROTOCOL_8021Q}
		if err := x.write("vlan add", name, func() error { return x.h.LinkAdd(v) }); err != nil {
			return false, err
		}
		created = true
		if l, err = x.h.LinkByName(name); err != nil {
			return true, fmt.Errorf("get link %s: %w", name, err)
		}
	}
	if _, ok := l.(*netlink.Vlan); !ok {
		return created, fmt.Errorf("%s is a %s link: %w", name, l.Type(), ErrKindConflict)
	}
	if up {
		return created, x.setUp(l)
	}
	return created, nil
}

// deleteLink deletes a link if it exists (`ip link del NAME`).
func (x *Host) deleteLink(name string) error {
	l, err := x.linkByName(name)
	if err != nil || l == nil {
		return err
	}
	return x.write("link del", name, func() error { return x.h.LinkDel(l) })
}
