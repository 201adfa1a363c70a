package hostnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"

	"github.com/netalign/netalign/internal/intent"
)

// defaultGateway returns the gateway of the IPv4 (else IPv6) default route,
// or "" when there is none.
func (x *Host) defaultGateway() (string, error) {
	for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		rs, err := x.h.RouteList(nil, fam)
		if err != nil {
			return "", fmt.Errorf("list routes: %w", err)
		}
		for _, r := range rs {
			if r.Gw == nil {
				continue
			}
			if r.Dst == nil {
				return r.Gw.String(), nil
			}
			if ones, _ := r.Dst.Mask.Size(); ones == 0 {
				return r.Gw.String(), nil
			}
		}
	}
	return "", nil
}

// routes returns the main-table routes, for the checkpoint: taking a link
// down deletes the IPv4 routes through it, and the restore puts them back.
func (x *Host) routes() ([]netlink.Route, error) {
	var out []netlink.Route
	for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		rs, err := x.h.RouteList(nil, fam)
		if err != nil {
			return nil, fmt.Errorf("list routes: %w", err)
		}
		out = append(out, rs...)
	}
	return out, nil
}

func sameRoute(a, b netlink.Route) bool {
	return a.LinkIndex == b.LinkIndex && a.Gw.Equal(b.Gw) && a.Priority == b.Priority && a.Table == b.Table &&
		a.Dst.String() == b.Dst.String()
}

// restore brings the host back to the checkpoint cp: it deletes the links
// the apply created, restores bond options, masters, MTUs, VLAN filtering,
// bridge VLANs (exactly), deleted VLAN sub-interfaces, admin states and
// missing routes. It goes on after an error and returns all of them.
func (x *Host) restore(ctx context.Context, cp *intent.HostState, routes []netlink.Route, created []string) error {
	var errs []error
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, n := range slices.Backward(created) {
		if cp.Link(n) == nil {
			note(x.deleteLink(n))
		}
	}
	cur, err := x.Observe(ctx)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// Bond options first (a mode change releases and re-enslaves slaves).
	for _, l := range cp.Links {
		if l.Kind == intent.LinkBond && l.Bond != nil && cur.Link(l.Name) != nil {
			_, err := x.ensureBond(l.Name, *l.Bond, 0, false)
			note(err)
		}
	}
	// Deleted VLAN sub-interfaces come back.
	for _, l := range cp.Links {
		if l.Kind == intent.LinkVLAN && cur.Link(l.Name) == nil {
			_, err := x.ensureSubIf(l.Name, l.Parent, l.VLANID, false)
			note(err)
		}
	}
	if cur, err = x.Observe(ctx); err != nil {
		return errors.Join(append(errs, fmt.Errorf("restore: %w", err))...)
	}
	for _, want := range cp.Links {
		have := cur.Link(want.Name)
		if have == nil {
			continue
		}
		note(x.restoreMaster(want, have))
	}
	for _, want := range cp.Links {
		l, err := x.linkByName(want.Name)
		if err != nil || l == nil {
			note(err)
			continue
		}
		if want.MTU > 0 && l.Attrs().MTU != want.MTU {
			note(x.write("link set mtu", want.Name, func() error { return x.h.LinkSetMTU(l, want.MTU) }))
		}
		if br, ok := l.(*netlink.Bridge); ok {
			on := br.VlanFiltering != nil && *br.VlanFiltering
			if on != want.VLANFiltering {
				note(x.write(fmt.Sprintf("bridge set vlan_filtering %v", want.VLANFiltering), want.Name,
					func() error { return x.h.BridgeSetVlanFiltering(br, want.VLANFiltering) }))
			}
		}
		if want.Kind == intent.LinkBridge || cp.Link(want.Master) != nil && cp.Link(want.Master).Kind == intent.LinkBridge {
			note(x.restoreVLANs(l, want.BridgeVLANs))
		}
	}
	for _, want := range cp.Links {
		l, err := x.linkByName(want.Name)
		if err != nil || l == nil {
			note(err)
			continue
		}
		if want.AdminUp {
			note(x.setUp(l))
		} else {
			note(x.setDown(l))
		}
	}
	note(x.restoreRoutes(routes))
	if len(errs) > 0 {
		return fmt.Errorf("restore: %w", errors.Join(errs...))
	}
	return nil
}

// restoreMaster gives a link back its checkpoint master.
func (x *Host) restoreMaster(want intent.Link, have *intent.Link) error {
	if want.Master == have.Master {
		return nil
	}
	l, err := x.linkByName(want.Name)
	if err != nil || l == nil {
		return err
	}
	if want.Master == "" {
		return x.write("link set nomaster", want.Name, func() error { return x.h.LinkSetNoMaster(l) })
	}
	m, err := x.linkByName(want.Master)
	if err != nil {
		return err
	}
	if m == nil {
		return fmt.Errorf("restore %s: master %s is gone", want.Name, want.Master)
	}
	if have.Master != "" {
		if err := x.write("link set nomaster", want.Name, func() error { return x.h.LinkSetNoMaster(l) }); err != nil {
			return err
		}
	}
	if _, ok := m.(*netlink.Bond); ok {
		return x.enslave(l, m)
	}
	return x.write("link set master "+want.Master, want.Name, func() error { return x.h.LinkSetMasterByIndex(l, m.Attrs().Index) })
}

// restoreVLANs makes a port's (or bridge's) VLANs exactly want.
func (x *Host) restoreVLANs(l netlink.Link, want []intent.BridgeVLAN) error {
	have, err := x.portVLANs(l)
	if err != nil {
		return err
	}
	var tagged, remove []int
	var flagged []intent.BridgeVLAN
	wantIDs := map[int]bool{}
	for _, w := range want {
		wantIDs[w.VID] = true
		h, ok := have[w.VID]
		if ok && h == w {
			continue
		}
		if w.PVID || w.Untagged {
			flagged = append(flagged, w)
		} else {
			tagged = append(tagged, w.VID)
		}
	}
	for v := range have {
		if !wantIDs[v] {
			remove = append(remove, v)
		}
	}
	return x.writeVLANs(l, intent.NewVLANSet(tagged...), flagged, intent.NewVLANSet(remove...))
}

// restoreRoutes adds the checkpoint routes that are missing now.
func (x *Host) restoreRoutes(routes []netlink.Route) error {
	cur, err := x.routes()
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range routes {
		if slices.ContainsFunc(cur, func(c netlink.Route) bool { return sameRoute(c, r) }) {
			continue
		}
		if r.Protocol == unix.RTPROT_KERNEL {
			continue // re-created by the kernel with its address
		}
		err := x.write("route add "+r.Dst.String(), fmt.Sprint(r.LinkIndex), func() error { return x.h.RouteAdd(&r) })
		if err != nil && !errors.Is(err, unix.EEXIST) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pinger sends ICMP echo requests through a raw socket opened in the host's
// namespace. A raw socket (not the ping binary) keeps the check free of
// external tools; Apply runs as root anyway.
type pinger struct {
	conn   *icmp.PacketConn
	dst    net.IP
	v6     bool
	id     int
	seq    int
	target string
}

func (x *Host) newPinger(target string) (*pinger, error) {
	ip := net.ParseIP(target)
	if ip == nil {
		return nil, fmt.Errorf("check target %q is not an IP address", target)
	}
	p := &pinger{dst: ip, v6: ip.To4() == nil, id: os.Getpid() & 0xffff, target: target}
	err := x.inNetNS(func() error {
		var err error
		if p.v6 {
			p.conn, err = icmp.ListenPacket("ip6:ipv6-icmp", "::")
		} else {
			p.conn, err = icmp.ListenPacket("ip4:icmp", "0.0.0.0")
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open icmp socket: %w", err)
	}
	return p, nil
}

func (p *pinger) Close() error { return p.conn.Close() }

// waitReachable pings once per second until a reply arrives or timeout.
func (p *pinger) waitReachable(ctx context.Context, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	deadline := start.Add(timeout)
	var last error
	for {
		if err := ctx.Err(); err != nil {
			return time.Since(start), err
		}
		wait := time.Second
		if rest := time.Until(deadline); rest < wait {
			wait = rest
		}
		if wait <= 0 {
			if last == nil {
				last = errors.New("no echo reply")
			}
			return time.Since(start), last
		}
		ok, err := p.ping(wait)
		if ok {
			return time.Since(start), nil
		}
		if err != nil {
			last = err
			// Send errors (no route yet) return at once: pace the retries.
			time.Sleep(min(wait, 200*time.Millisecond))
		}
	}
}

// ping sends one echo request and waits up to wait for its reply.
func (p *pinger) ping(wait time.Duration) (bool, error) {
	p.seq++
	var typ icmp.Type = ipv4.ICMPTypeEcho
	proto := 1
	if p.v6 {
		typ, proto = ipv6.ICMPTypeEchoRequest, 58
	}
	m := icmp.Message{Type: typ, Body: &icmp.Echo{ID: p.id, Seq: p.seq, Data: []byte("netalign")}}
	b, err := m.Marshal(nil)
	if err != nil {
		return false, err
	}
	if _, err := p.conn.WriteTo(b, &net.IPAddr{IP: p.dst}); err != nil {
		return false, fmt.Errorf("send echo to %s: %w", p.target, err)
	}
	end := time.Now().Add(wait)
	buf := make([]byte, 1500)
	for {
		if err := p.conn.SetReadDeadline(end); err != nil {
			return false, err
		}
		n, from, err := p.conn.ReadFrom(buf)
		if err != nil {
			return false, nil // timeout: no reply this round
		}
		if a, ok := from.(*net.IPAddr); !ok || !a.IP.Equal(p.dst) {
			continue
		}
		r, err := icmp.ParseMessage(proto, buf[:n])
		if err != nil {
			continue
		}
		if e, ok := r.Body.(*icmp.Echo); ok && (r.Type == ipv4.ICMPTypeEchoReply || r.Type == ipv6.ICMPTypeEchoReply) &&
			e.ID == p.id && e.Seq == p.seq {
			return true, nil
		}
	}
}
