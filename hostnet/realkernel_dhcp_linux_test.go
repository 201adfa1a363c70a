//go:build realkernel

package hostnet

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/netalign/netalign/dhcp/embedded"
	"github.com/netalign/netalign/dhcp/probe"
	"github.com/netalign/netalign/internal/intent"
)

// dataDesired is a non-management cluster network "data" (802.3ad, fast
// LACP) carrying vlans on its bond port.
func dataDesired(nics []string, vlans ...int) intent.DesiredHost {
	return intent.DesiredHost{Name: "host", Bonds: []intent.DesiredBond{{
		ClusterNetwork: "data", Bond: "data-bo", Bridge: "data-br", NICs: nics, MTU: 1500,
		Options: intent.BondInfo{Mode: intent.LACP, Miimon: 100, LACPRate: "fast", XmitHashPolicy: "layer3+4"},
		VLANs:   intent.NewVLANSet(vlans...), PVID: 1,
	}}}
}

// inNS runs fn on a new goroutine whose OS thread is moved into the lab
// namespace ns. The thread is never unlocked: it exits with the goroutine
// instead of going back to the scheduler in the wrong namespace.
func (l *lab) inNS(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := netns.Set(l.ns[ns]); err != nil {
			errc <- fmt.Errorf("enter netns %s: %w", ns, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// testWriter sends log lines to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// dhcpServer runs netalign's built-in DHCP server in the switch namespace
// until the test ends. Its sockets are opened by NewServer on a thread in
// that namespace.
func (l *lab) dhcpServer(cfg embedded.Config) *embedded.Server {
	t := l.t
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, nil)).With("dhcp", "switch")
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan error, 1)
	done := make(chan error, 1)
	var srv *embedded.Server
	go func() {
		runtime.LockOSThread()
		if err := netns.Set(l.ns["switch"]); err != nil {
			started <- fmt.Errorf("enter netns switch: %w", err)
			return
		}
		var err error
		srv, err = embedded.NewServer(cfg, log)
		started <- err
		if err != nil {
			return
		}
		done <- srv.Run(ctx)
	}()
	l.must("dhcp server", <-started)
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dhcp server: %v", err)
		}
	})
	return srv
}

// probeFrom runs the DHCP probe on nic inside the namespace ns.
func (l *lab) probeFrom(ns string, opts probe.Options) (*probe.Result, error) {
	var (
		res *probe.Result
		err error
	)
	l.must("probe thread", l.inNS(ns, func() error {
		res, err = probe.Probe(context.Background(), opts)
		return nil
	}))
	return res, err
}

// TestRealKernelVMDHCP: a VM on VLAN 100 of the data cluster network obtains
// a lease from netalign's built-in DHCP server, which listens on the switch's
// VLAN 100 sub-interface, through the VLAN-filtering bridge data-br and the
// LACP bond data-bo. A VM on VLAN 200 gets no offer while the cluster network
// does not carry VLAN 200, and one once netalign adds it to the bond port.
func TestRealKernelVMDHCP(t *testing.T) {
	l := newLab(t, 2)
	l.addNS("vm")
	l.switchBond(netlink.BOND_MODE_802_3AD, 2)
	res := l.converge(dataDesired([]string{"h0", "h1"}, 100))
	t.Logf("apply data: %d changes, %d netlink writes", len(res.Applied), res.Writes)
	l.waitLACP(l.host, "data-bo")
	l.waitLACP(l.sw, "po10")

	// The switch routes each VLAN on a sub-interface of its port-channel (the
	// gateway of the VLAN's subnet), where the DHCP server listens.
	pools := map[int]intent.Pool{}
	for _, vid := range []int{100, 200} {
		subif := fmt.Sprintf("po10.%d", vid)
		a := netlink.NewLinkAttrs()
		a.Name, a.ParentIndex = subif, l.link("switch", "po10").Attrs().Index
		l.must("switch subif", l.h("switch").LinkAdd(&netlink.Vlan{LinkAttrs: a, VlanId: vid}))
		l.up("switch", subif)
		l.addr("switch", subif, fmt.Sprintf("10.%d.0.1/24", vid))
		pools[vid] = intent.Pool{Network: fmt.Sprintf("vm%d", vid), VLAN: vid, Subnet: fmt.Sprintf("10.%d.0.0/24", vid),
			Ranges:  []string{fmt.Sprintf("10.%d.0.100-10.%d.0.199", vid, vid)},
			Gateway: fmt.Sprintf("10.%d.0.1", vid), DNS: []string{fmt.Sprintf("10.%d.0.53", vid)},
			Domain: fmt.Sprintf("vm%d.example", vid), LeaseTime: 600, Interface: subif}
	}
	srv := l.dhcpServer(embedded.Config{
		Pools:      []intent.Pool{pools[100], pools[200]},
		LeaseFile:  filepath.Join(t.TempDir(), "leases.db"),
		Interfaces: []string{"po10.100", "po10.200"},
	})

	// What the bridge CNI does for a VM NIC: an access port of data-br with
	// the VM network's VLAN as PVID, untagged, and without VLAN 1.
	hh := l.h("host")
	for _, vm := range []struct {
		port, nic string
		vid       int
	}{{"vm100", "vm0", 100}, {"vm200", "vm1", 200}} {
		l.veth("host", vm.port, "vm", vm.nic)
		p := l.link("host", vm.port)
		l.must("vm port master", hh.LinkSetMaster(p, l.link("host", "data-br")))
		l.must("vm port vlan", hh.BridgeVlanAdd(p, uint16(vm.vid), true, true, false, true))
		l.must("vm port drop vlan 1", hh.BridgeVlanDel(p, 1, false, false, false, true))
	}
	vm0MAC := l.link("vm", "vm0").Attrs().HardwareAddr

	// VLAN 100: DISCOVER/OFFER/REQUEST/ACK through data-br and data-bo.
	pool := pools[100]
	got, err := l.probeFrom("vm", probe.Options{Interface: "vm0", Expect: &pool, DORA: true, Retries: 3})
	l.must("probe vm0", err)
	if !got.OK() || got.Ack == nil {
		t.Fatalf("VM on VLAN 100: findings %+v, offer %+v, ack %+v", got.Findings, got.Offer, got.Ack)
	}
	lease := got.Ack.Address
	t.Logf("VM on VLAN 100 (%s) leased %s from %s, routers %v", got.MAC, lease, got.Ack.ServerID, got.Ack.Routers)
	if lo, hi := netip.MustParseAddr("10.100.0.100"), netip.MustParseAddr("10.100.0.199"); lease.Less(lo) || hi.Less(lease) {
		t.Errorf("lease %s outside the pool range 10.100.0.100-10.100.0.199", lease)
	}
	if want := []netip.Addr{netip.MustParseAddr(pool.Gateway)}; len(got.Ack.Routers) != 1 || got.Ack.Routers[0] != want[0] {
		t.Errorf("router option %v, want %v", got.Ack.Routers, want)
	}
	if got.Ack.SubnetMask != 24 || got.Ack.ServerID != netip.MustParseAddr("10.100.0.1") || got.Ack.Domain != pool.Domain {
		t.Errorf("ack: mask /%d server id %s domain %q, want /24 10.100.0.1 %q", got.Ack.SubnetMask, got.Ack.ServerID, got.Ack.Domain, pool.Domain)
	}
	var bound bool
	for _, x := range srv.Handler().Leases() {
		if x.IP == lease && x.State == embedded.LeaseBound && strings.EqualFold(x.MAC, vm0MAC.String()) {
			bound = true
		}
	}
	if !bound {
		t.Errorf("server has no bound lease %s for %s: %+v", lease, vm0MAC, srv.Handler().Leases())
	}
	// The lease works: with it the VM reaches its router.
	l.addr("vm", "vm0", netip.PrefixFrom(lease, 24).String())
	if !l.ping("vm", pool.Gateway, 10*time.Second) {
		t.Errorf("VM on VLAN 100 with lease %s cannot reach its router %s", lease, pool.Gateway)
	}

	// VLAN 200 is served on the switch but not carried by data-bo.
	pool200 := pools[200]
	none, err := l.probeFrom("vm", probe.Options{Interface: "vm1", Expect: &pool200, Timeout: time.Second, Retries: 2})
	l.must("probe vm1", err)
	if len(none.Findings) != 1 || none.Findings[0].Code != probe.CodeNoOffer || none.Offer != nil {
		t.Errorf("VM on VLAN 200 through data-bo without VLAN 200: offer %+v, findings %+v, want only %s",
			none.Offer, none.Findings, probe.CodeNoOffer)
	}

	// netalign adds VLAN 200 to the bond port: the same VM is served.
	res = l.converge(dataDesired([]string{"h0", "h1"}, 100, 200))
	if len(res.Applied) != 1 || res.Applied[0].Object != intent.ObjBridgeVLAN {
		t.Errorf("adding VLAN 200: applied %+v, want one bridge-vlans change", res.Applied)
	}
	got, err = l.probeFrom("vm", probe.Options{Interface: "vm1", Expect: &pool200, DORA: true, Retries: 3})
	l.must("probe vm1 after VLAN 200 was added", err)
	if !got.OK() || got.Ack == nil || !netip.MustParsePrefix(pool200.Subnet).Contains(got.Ack.Address) {
		t.Errorf("VM on VLAN 200 after netalign added it: findings %+v, ack %+v", got.Findings, got.Ack)
	}
}
