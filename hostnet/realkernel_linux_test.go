//go:build realkernel

// Real-kernel scenarios. They need root, bonding, 8021q and bridge VLAN
// filtering, so they run inside the VM that e2e/realkernel/run.sh boots:
//
//	e2e/realkernel/run.sh
//
// Each test builds its own network namespaces: "host" (where hostnet
// applies), "switch" (facing the host's NICs over veth pairs: a Linux bond
// where the host's mode needs a LAG, a bridge of independent ports where it
// does not) and, for the VLAN test, "vm".

package hostnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/validate"
)

// lab is two namespaces joined by veth pairs h<i> <-> s<i>.
type lab struct {
	t      *testing.T
	ns     map[string]netns.NsHandle
	host   *Host
	sw     *Host
	hostNS string
}

func newLab(t *testing.T, nics int) *lab {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root: run through e2e/realkernel/run.sh")
	}
	l := &lab{t: t, ns: map[string]netns.NsHandle{}}
	for _, n := range []string{"host", "switch"} {
		l.addNS(n)
	}
	var err error
	if l.host, err = Open(Options{Name: "host", NetNSPath: "/var/run/netns/host"}); err != nil {
		t.Fatal(err)
	}
	if l.sw, err = Open(Options{Name: "switch", NetNSPath: "/var/run/netns/switch"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.host.Close(); l.sw.Close() })
	for i := 0; i < nics; i++ {
		l.veth("host", fmt.Sprintf("h%d", i), "switch", fmt.Sprintf("s%d", i))
	}
	l.up("host", "lo")
	l.up("switch", "lo")
	return l
}

func (l *lab) addNS(name string) {
	t := l.t
	t.Helper()
	func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		orig, err := netns.Get()
		if err != nil {
			t.Fatal(err)
		}
		defer orig.Close()
		ns, err := netns.NewNamed(name)
		if err != nil {
			t.Fatalf("netns %s: %v", name, err)
		}
		if err := netns.Set(orig); err != nil {
			t.Fatal(err)
		}
		l.ns[name] = ns
	}()
	t.Cleanup(func() { ns := l.ns[name]; ns.Close(); netns.DeleteNamed(name) })
}

func (l *lab) h(ns string) *netlink.Handle {
	switch ns {
	case "host":
		return l.host.Handle()
	case "switch":
		return l.sw.Handle()
	}
	h, err := netlink.NewHandleAt(l.ns[ns])
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(h.Close)
	return h
}

func (l *lab) must(what string, err error) {
	l.t.Helper()
	if err != nil {
		l.t.Fatalf("%s: %v", what, err)
	}
}

func (l *lab) link(ns, name string) netlink.Link {
	l.t.Helper()
	k, err := l.h(ns).LinkByName(name)
	l.must("link "+ns+"/"+name, err)
	return k
}

func (l *lab) veth(nsA, a, nsB, b string) {
	l.t.Helper()
	attrs := netlink.NewLinkAttrs()
	attrs.Name = a
	l.must("veth "+a, l.h(nsA).LinkAdd(&netlink.Veth{LinkAttrs: attrs, PeerName: b, PeerNamespace: netlink.NsFd(l.ns[nsB])}))
	l.up(nsA, a)
	l.up(nsB, b)
}

func (l *lab) up(ns, name string) {
	l.t.Helper()
	l.must("up "+name, l.h(ns).LinkSetUp(l.link(ns, name)))
}

func (l *lab) addr(ns, name, cidr string) {
	l.t.Helper()
	a, err := netlink.ParseAddr(cidr)
	l.must("parse "+cidr, err)
	l.must("addr "+cidr, l.h(ns).AddrAdd(l.link(ns, name), a))
}

// switchBond builds the switch side: bond po10 of s0..s<n-1> in mode.
func (l *lab) switchBond(mode netlink.BondMode, n int) netlink.Link {
	l.t.Helper()
	h := l.h("switch")
	b := netlink.NewLinkBond(netlink.LinkAttrs{Name: "po10", TxQLen: -1})
	b.Mode = mode
	b.Miimon = 100
	if mode == netlink.BOND_MODE_802_3AD {
		b.LacpRate = netlink.BOND_LACP_RATE_FAST
	}
	l.must("switch bond", h.LinkAdd(b))
	for i := 0; i < n; i++ {
		s := l.link("switch", fmt.Sprintf("s%d", i))
		l.must("switch slave down", h.LinkSetDown(s))
		l.must("switch enslave", h.LinkSetMaster(s, b))
		l.must("switch slave up", h.LinkSetUp(s))
	}
	l.up("switch", "po10")
	return l.link("switch", "po10")
}

// switchPorts builds the switch side of a bond mode that needs no LAG
// (active-backup): s0..s<n-1> as independent ports of one VLAN, bridge br10,
// so that whichever slave the host makes active reaches the switch.
func (l *lab) switchPorts(n int) netlink.Link {
	l.t.Helper()
	h := l.h("switch")
	attrs := netlink.NewLinkAttrs()
	attrs.Name = "br10"
	l.must("switch bridge", h.LinkAdd(&netlink.Bridge{LinkAttrs: attrs}))
	br := l.link("switch", "br10")
	for i := 0; i < n; i++ {
		l.must("switch port", h.LinkSetMaster(l.link("switch", fmt.Sprintf("s%d", i)), br))
	}
	l.up("switch", "br10")
	return l.link("switch", "br10")
}

// ping reports whether dst answers from inside ns within wait.
func (l *lab) ping(ns, dst string, wait time.Duration) bool {
	l.t.Helper()
	x := &Host{ns: l.ns[ns]}
	p, err := x.newPinger(dst)
	l.must("pinger", err)
	defer p.Close()
	_, err = p.waitReachable(context.Background(), wait)
	return err == nil
}

func mgmtDesired(mode intent.BondMode, nics ...string) intent.DesiredHost {
	return intent.DesiredHost{Name: "host", Bonds: []intent.DesiredBond{{
		ClusterNetwork: "mgmt", Bond: "mgmt-bo", Bridge: "mgmt-br", NICs: nics, MTU: 1500,
		Options: intent.BondInfo{Mode: mode, Miimon: 100, LACPRate: "fast", XmitHashPolicy: "layer3+4"},
		VLANs:   intent.NewVLANSet(100), PVID: 1, Protected: true,
	}}}
}

// converge plans and applies desired on the lab host, without the
// connectivity check.
func (l *lab) converge(d intent.DesiredHost) *ApplyResult {
	l.t.Helper()
	obs, err := l.host.Observe(context.Background())
	l.must("observe", err)
	res, err := l.host.Apply(context.Background(), Diff(d, *obs), ApplyOptions{NoCheck: true})
	l.must("apply", err)
	return res
}

// waitLACP waits until every slave of bond in ns is bundled (actor and
// partner port state collecting+distributing+in sync) and returns the state.
func (l *lab) waitLACP(x *Host, bond string) *intent.HostState {
	l.t.Helper()
	start := time.Now()
	for {
		st, err := x.Observe(context.Background())
		l.must("observe", err)
		var why []string
		n := 0
		for _, k := range st.Links {
			if k.Master != bond {
				continue
			}
			n++
			if !k.BondSlave.Bundled() || k.BondSlave.PartnerMAC == "" {
				why = append(why, fmt.Sprintf("%s %+v", k.Name, k.BondSlave))
			}
		}
		if n > 0 && len(why) == 0 {
			l.t.Logf("%s/%s: LACP bundled after %v", x.name, bond, time.Since(start).Round(time.Millisecond))
			return st
		}
		if time.Since(start) > 30*time.Second {
			l.t.Fatalf("%s/%s: LACP did not converge: %s", x.name, bond, strings.Join(why, "; "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestRealKernelLACP(t *testing.T) {
	l := newLab(t, 2)
	l.switchBond(netlink.BOND_MODE_802_3AD, 2)
	res := l.converge(mgmtDesired(intent.LACP, "h0", "h1"))
	t.Logf("apply: %d changes, %d netlink writes", len(res.Applied), res.Writes)

	hs := l.waitLACP(l.host, "mgmt-bo")
	ss := l.waitLACP(l.sw, "po10")
	hostMAC, swMAC := hs.Link("mgmt-bo").MAC, ss.Link("po10").MAC
	for _, side := range []struct {
		st       *intent.HostState
		slaves   []string
		bond     string
		wantPeer string
	}{{hs, []string{"h0", "h1"}, "mgmt-bo", swMAC}, {ss, []string{"s0", "s1"}, "po10", hostMAC}} {
		agg := side.st.Link(side.slaves[0]).BondSlave.AggregatorID
		for _, s := range side.slaves {
			bs := side.st.Link(s).BondSlave
			if bs.AggregatorID != agg || agg == 0 {
				t.Errorf("%s: aggregator %d, want %d shared by all slaves", s, bs.AggregatorID, agg)
			}
			if bs.PartnerMAC != side.wantPeer {
				t.Errorf("%s: partner MAC %s, want the other side's bond MAC %s", s, bs.PartnerMAC, side.wantPeer)
			}
			if bs.ActorPortState != 0x3f || bs.PartnerState != 0x3f {
				t.Errorf("%s: port states actor %#x partner %#x, want 0x3f (fast LACP, bundled)", s, bs.ActorPortState, bs.PartnerState)
			}
		}
	}
	b := hs.Link("mgmt-bo")
	want := &intent.BondInfo{Mode: intent.LACP, Miimon: 100, LACPRate: "fast", XmitHashPolicy: "layer3+4",
		ActiveAggregator: hs.Link("h0").BondSlave.AggregatorID}
	if diff := cmp.Diff(want, b.Bond); diff != "" {
		t.Errorf("mgmt-bo options (-want +got):\n%s", diff)
	}
	// Apply waited for LACP: the state it returned to is bundled, and
	// validate finds nothing on the host.
	if res.LACPUnbundled != nil {
		t.Errorf("apply: %v not bundled after the LACP wait (%v)", res.LACPUnbundled, res.LACPTook)
	}
	if fs := validate.Check(validate.Input{Desired: lacpLabDesired(), Observed: &intent.Observed{Hosts: []intent.HostState{*hs}}}); len(fs) != 0 {
		t.Errorf("validate on the bundled host: %+v", fs)
	}
	if b.Master != "mgmt-br" || !hs.Link("mgmt-br").VLANFiltering {
		t.Errorf("mgmt-bo master %q, mgmt-br vlan_filtering %v", b.Master, hs.Link("mgmt-br").VLANFiltering)
	}
	wantVLANs := []intent.BridgeVLAN{{VID: 1, PVID: true, Untagged: true}, {VID: 100}}
	if diff := cmp.Diff(wantVLANs, b.BridgeVLANs); diff != "" {
		t.Errorf("mgmt-bo VLANs (-want +got):\n%s", diff)
	}
}

// lacpLabDesired is mgmtDesired(802.3ad, h0, h1) with the switch ports the
// NICs are cabled to: s0 and s1 of switch "switch" or, given two names, s0
// of the first switch and s1 of the second (not MLAG peers).
func lacpLabDesired(switches ...string) *intent.Desired {
	if len(switches) == 0 {
		switches = []string{"switch", "switch"}
	}
	d := &intent.Desired{Hosts: []intent.DesiredHost{mgmtDesired(intent.LACP, "h0", "h1")}}
	for i, sw := range switches {
		p := intent.DesiredPort{Name: fmt.Sprintf("s%d", i), Host: "host", NIC: fmt.Sprintf("h%d", i), ClusterNetwork: "mgmt", BondMode: intent.LACP}
		if j := len(d.Switches) - 1; j >= 0 && d.Switches[j].Name == sw {
			d.Switches[j].Ports = append(d.Switches[j].Ports, p)
			continue
		}
		d.Switches = append(d.Switches, intent.DesiredSwitch{Name: sw, Ports: []intent.DesiredPort{p}})
	}
	return d
}

// TestRealKernelLACPNotBundled: an 802.3ad host bond that does not face
// one LACP partner is reported by hostnet.Observe + validate.Check, with
// every other rule clean: facing a static LAG (balance-xor), plain ports
// (a bridge), an LACP LAG that is changed to static, and two LACP systems
// (two switch bonds, one per NIC).
func TestRealKernelLACPNotBundled(t *testing.T) {
	// No partner, and the receive machine in DEFAULTED: the partner timed
	// out (actor state defaulted 0x40 without expired 0x80).
	noPartner := func(st *intent.HostState) bool {
		for _, n := range []string{"h0", "h1"} {
			if s := st.Link(n).BondSlave; !s.NoPartner() || s.ActorPortState&0xc0 != 0x40 {
				return false
			}
		}
		return true
	}
	twoPartners := func(st *intent.HostState) bool {
		a, b := st.Link("h0").BondSlave.PartnerMAC, st.Link("h1").BondSlave.PartnerMAC
		return a != "" && b != "" && a != intent.ZeroMAC && b != intent.ZeroMAC && a != b
	}
	for _, tc := range []struct {
		name       string
		switchSide func(*lab)
		// change is done to the switch after the host bundled with it.
		change  func(*lab)
		settled func(*intent.HostState) bool
		// switches the inventory cables h0 and h1 to (default: one).
		switches []string
		want     func(st *intent.HostState) []string
	}{
		{name: "static LAG", switchSide: func(l *lab) { l.switchBond(netlink.BOND_MODE_BALANCE_XOR, 2) }, settled: noPartner},
		{name: "plain ports", switchSide: func(l *lab) { l.switchPorts(2) }, settled: noPartner},
		{name: "LACP LAG changed to static",
			switchSide: func(l *lab) { l.switchBond(netlink.BOND_MODE_802_3AD, 2) },
			change: func(l *lab) {
				l.must("delete po10", l.h("switch").LinkDel(l.link("switch", "po10")))
				l.switchBond(netlink.BOND_MODE_BALANCE_XOR, 2)
			},
			settled: noPartner},
		{name: "two LACP systems",
			switchSide: func(l *lab) {
				l.switchLAG(netlink.BOND_MODE_802_3AD, "s0")
				l.switchLAGNamed("po11", netlink.BOND_MODE_802_3AD, "s1")
			},
			settled:  twoPartners,
			switches: []string{"leaf1", "leaf2"},
			want: func(st *intent.HostState) []string {
				// The NIC outside the active aggregator is not bundled.
				out := "h0"
				if st.Link("h0").BondSlave.AggregatorID == st.Link("mgmt-bo").Bond.ActiveAggregator {
					out = "h1"
				}
				return []string{"LACP_NOT_BUNDLED host " + out, "LACP_PARTNER_MISMATCH host mgmt-bo"}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t, 2)
			tc.switchSide(l)
			// Fast LACP: a partner that answers bundles in about 3 s, so
			// after a 5 s wait the bond is as LACP leaves it.
			obs, err := l.host.Observe(context.Background())
			l.must("observe", err)
			res, err := l.host.Apply(context.Background(), Diff(mgmtDesired(intent.LACP, "h0", "h1"), *obs), ApplyOptions{NoCheck: true, LACPWait: 5 * time.Second})
			l.must("apply", err)
			if tc.change != nil {
				if res.LACPUnbundled != nil {
					t.Fatalf("apply: %v not bundled with the LACP switch side", res.LACPUnbundled)
				}
				st := l.waitLACP(l.host, "mgmt-bo")
				if fs := validate.Check(validate.Input{Desired: lacpLabDesired(), Observed: &intent.Observed{Hosts: []intent.HostState{*st}}}); len(fs) != 0 {
					t.Fatalf("validate before the switch change: %+v", fs)
				}
				tc.change(l)
			} else if !slices.Equal(res.LACPUnbundled, []string{"mgmt-bo"}) {
				t.Errorf("apply: unbundled %v after %v, want [mgmt-bo]", res.LACPUnbundled, res.LACPTook)
			}
			// Wait until LACP has concluded, for 1 s on end: the partner
			// timed out (up to 6 s with fast LACP after a partner leaves; a
			// port re-initialised after a link flap looks defaulted for
			// one 100 ms tick) or both partners are known.
			var st *intent.HostState
			var since time.Time
			for start := time.Now(); ; time.Sleep(200 * time.Millisecond) {
				st, err = l.host.Observe(context.Background())
				l.must("observe", err)
				switch {
				case !tc.settled(st):
					since = time.Time{}
				case since.IsZero():
					since = time.Now()
				}
				if !since.IsZero() && time.Since(since) >= time.Second {
					t.Logf("LACP settled after %v: h0 %+v, h1 %+v", since.Sub(start).Round(time.Millisecond), st.Link("h0").BondSlave, st.Link("h1").BondSlave)
					break
				}
				if time.Since(start) > 20*time.Second {
					t.Fatalf("LACP did not settle: h0 %+v, h1 %+v", st.Link("h0").BondSlave, st.Link("h1").BondSlave)
				}
			}
			want := []string{"LACP_NOT_BUNDLED host h0", "LACP_NOT_BUNDLED host h1"}
			if tc.want != nil {
				want = tc.want(st)
			}
			d := lacpLabDesired(tc.switches...)
			fs := validate.Check(validate.Input{Desired: d, Observed: &intent.Observed{Hosts: []intent.HostState{*st}}})
			var got []string
			for _, f := range fs {
				got = append(got, string(f.Code)+" "+f.Device+" "+f.Object)
				t.Logf("%s %s %s: expected %q, found %q: %s", f.Code, f.Device, f.Object, f.Expected, f.Found, f.Message)
				if f.Code == validate.LACPNotBundled {
					var port string
					for _, ds := range d.Switches {
						for _, p := range ds.Ports {
							if p.NIC == f.Object {
								port = ds.Name + " " + p.Name
							}
						}
					}
					if !strings.Contains(f.Message, "mgmt-bo member "+f.Object+" (cabled to "+port+")") {
						t.Errorf("%s: message %q does not name the bond and the switch port %s", f.Object, f.Message, port)
					}
				}
				if f.Code == validate.LACPPartnerMismatch && tc.switches != nil && !strings.Contains(f.Message, "leaf1 and leaf2, which are not one MLAG pair") {
					t.Errorf("partner mismatch message %q does not say the switches are not an MLAG pair", f.Message)
				}
				if f.Code == validate.LACPNotBundled && tc.want == nil && !strings.Contains(f.Found, "no partner (00:00:00:00:00:00)") {
					t.Errorf("%s: found %q, want no partner", f.Object, f.Found)
				}
			}
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRealKernelStaticModes(t *testing.T) {
	// What a switch has facing each mode: a static LAG for balance-xor;
	// plain ports for active-backup (an active-backup bond on the switch
	// would pick its active port independently of the host and drop what
	// arrives on the other one).
	for _, tc := range []struct {
		mode       intent.BondMode
		switchSide func(*lab) netlink.Link
	}{
		{intent.ActiveBackup, func(l *lab) netlink.Link { return l.switchPorts(2) }},
		{intent.BalanceXOR, func(l *lab) netlink.Link { return l.switchBond(netlink.BOND_MODE_BALANCE_XOR, 2) }},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			l := newLab(t, 2)
			sw := tc.switchSide(l).Attrs().Name
			l.converge(mgmtDesired(tc.mode, "h0", "h1"))
			l.addr("host", "mgmt-br", "192.0.2.1/24")
			l.addr("switch", sw, "192.0.2.2/24")
			if !l.ping("host", "192.0.2.2", 10*time.Second) {
				t.Fatalf("%s: switch 192.0.2.2 unreachable through mgmt-bo/mgmt-br", tc.mode)
			}
			st, err := l.host.Observe(context.Background())
			l.must("observe", err)
			if got := st.Link("mgmt-bo").Bond.Mode; got != tc.mode {
				t.Errorf("mode %s, want %s", got, tc.mode)
			}
			active, activeNIC := 0, ""
			for _, n := range []string{"h0", "h1"} {
				k := st.Link(n)
				if k.Master != "mgmt-bo" || k.BondSlave == nil || k.BondSlave.MIIStatus != "up" {
					t.Errorf("%s: master %q slave %+v, want an up slave of mgmt-bo", n, k.Master, k.BondSlave)
					continue
				}
				if k.BondSlave.State == "active" {
					active, activeNIC = active+1, n
				}
				if k.BondSlave.AggregatorID != 0 {
					t.Errorf("%s: aggregator %d in a static mode", n, k.BondSlave.AggregatorID)
				}
			}
			wantActive := 2
			if tc.mode == intent.ActiveBackup {
				wantActive = 1
			}
			if active != wantActive {
				t.Fatalf("%d active slaves, want %d", active, wantActive)
			}
			if tc.mode != intent.ActiveBackup {
				return
			}
			// The switch port facing the active slave fails: the bond must
			// move to the other slave and reach the switch through it.
			peer := "s" + strings.TrimPrefix(activeNIC, "h")
			l.must("switch port down", l.h("switch").LinkSetDown(l.link("switch", peer)))
			if !l.ping("host", "192.0.2.2", 10*time.Second) {
				t.Fatalf("switch unreachable after %s (facing active slave %s) went down", peer, activeNIC)
			}
			st, err = l.host.Observe(context.Background())
			l.must("observe", err)
			if k := st.Link(activeNIC); k.BondSlave == nil || k.BondSlave.State == "active" {
				t.Errorf("%s still active after its link went down: %+v", activeNIC, k.BondSlave)
			}
		})
	}
}

func TestRealKernelVMVLAN(t *testing.T) {
	l := newLab(t, 2)
	l.addNS("vm")
	l.switchBond(netlink.BOND_MODE_802_3AD, 2)
	l.converge(mgmtDesired(intent.LACP, "h0", "h1"))
	l.waitLACP(l.host, "mgmt-bo")

	// What the bridge CNI does for a VM NIC on VLAN 100 (and a second one on
	// VLAN 200, which the cluster network does not carry).
	hh := l.h("host")
	for _, vm := range []struct {
		port, nic, subif string
		vid              int
		vmAddr, swAddr   string
	}{{"vm100", "eth0", "po10.100", 100, "10.100.0.1/24", "10.100.0.2/24"}, {"vm200", "eth1", "po10.200", 200, "10.200.0.1/24", "10.200.0.2/24"}} {
		l.veth("host", vm.port, "vm", vm.nic)
		p := l.link("host", vm.port)
		l.must("vm port master", hh.LinkSetMaster(p, l.link("host", "mgmt-br")))
		l.must("vm port vlan", hh.BridgeVlanAdd(p, uint16(vm.vid), true, true, false, true))
		l.must("vm port drop vlan 1", hh.BridgeVlanDel(p, 1, false, false, false, true))
		l.addr("vm", vm.nic, vm.vmAddr)
		a := netlink.NewLinkAttrs()
		a.Name, a.ParentIndex = vm.subif, l.link("switch", "po10").Attrs().Index
		l.must("switch subif", l.h("switch").LinkAdd(&netlink.Vlan{LinkAttrs: a, VlanId: vm.vid}))
		l.up("switch", vm.subif)
		l.addr("switch", vm.subif, vm.swAddr)
	}
	if !l.ping("vm", "10.100.0.2", 10*time.Second) {
		t.Errorf("VM on VLAN 100 cannot reach the switch's VLAN 100 sub-interface")
	}
	if l.ping("vm", "10.200.0.2", 3*time.Second) {
		t.Errorf("VM on VLAN 200 reaches the switch although mgmt-bo does not carry VLAN 200")
	}
}

func TestRealKernelIdempotentAndProtected(t *testing.T) {
	l := newLab(t, 2)
	l.switchBond(netlink.BOND_MODE_802_3AD, 2)
	d := mgmtDesired(intent.LACP, "h0", "h1")
	d.Bonds[0].MTU = 9000
	d.Bonds[0].MgmtVLAN = 10
	d.Bonds[0].VLANs = intent.NewVLANSet(10, 100, 200, 201, 202)
	obs, err := l.host.Observe(context.Background())
	l.must("observe", err)
	changes := Diff(d, *obs)
	first, err := l.host.Apply(context.Background(), changes, ApplyOptions{NoCheck: true})
	l.must("first apply", err)
	if first.Writes == 0 {
		t.Fatal("first apply made no writes")
	}
	t.Logf("first apply: %d changes, %d netlink writes", len(first.Applied), first.Writes)

	obs, err = l.host.Observe(context.Background())
	l.must("observe", err)
	if again := Diff(d, *obs); len(again) != 0 {
		t.Errorf("plan after apply is not empty: %+v", again)
	}
	// The same change list applied again: every change finds the kernel
	// already there.
	before := l.host.Writes()
	second, err := l.host.Apply(context.Background(), changes, ApplyOptions{NoCheck: true, AllowMgmt: true})
	l.must("second apply", err)
	if second.Writes != 0 || l.host.Writes() != before {
		t.Errorf("second apply made %d netlink writes, want 0", second.Writes)
	}
	for _, n := range []string{"h0", "h1", "mgmt-bo", "mgmt-br"} {
		if m := obs.Link(n).MTU; m != 9000 {
			t.Errorf("%s MTU %d, want 9000", n, m)
		}
	}
	if s := obs.Link("mgmt-br.10"); s == nil || s.VLANID != 10 || s.Parent != "mgmt-br" || !s.AdminUp {
		t.Errorf("mgmt-br.10 = %+v", s)
	}

	// mgmt-bo exists now: changing it needs the override.
	d.Bonds[0].Options.Miimon = 250
	upd := Diff(d, *obs)
	before = l.host.Writes()
	_, err = l.host.Apply(context.Background(), upd, ApplyOptions{NoCheck: true})
	if !errors.Is(err, ErrProtected) {
		t.Fatalf("apply on mgmt-bo without override: err %v, want ErrProtected", err)
	}
	if l.host.Writes() != before {
		t.Errorf("refused apply wrote %d times", l.host.Writes()-before)
	}
	res, err := l.host.Apply(context.Background(), upd, ApplyOptions{NoCheck: true, AllowMgmt: true})
	l.must("apply with override", err)
	if res.Writes != 1 {
		t.Errorf("miimon change in place: %d writes, want 1", res.Writes)
	}
	b, ok := l.link("host", "mgmt-bo").(*netlink.Bond)
	if !ok || b.Miimon != 250 || b.Flags&net.FlagUp == 0 {
		t.Errorf("mgmt-bo after in-place change: %+v", b)
	}
}

func TestRealKernelDisruptiveModeChange(t *testing.T) {
	l := newLab(t, 2)
	l.switchBond(netlink.BOND_MODE_BALANCE_XOR, 2)
	l.converge(mgmtDesired(intent.ActiveBackup, "h0", "h1"))
	d := mgmtDesired(intent.BalanceXOR, "h0", "h1")
	obs, err := l.host.Observe(context.Background())
	l.must("observe", err)
	ch := Diff(d, *obs)
	if len(ch) != 1 || !ch[0].Disruptive {
		t.Fatalf("mode change plan: %+v, want one disruptive bond update", ch)
	}
	_, err = l.host.Apply(context.Background(), ch, ApplyOptions{NoCheck: true, AllowMgmt: true})
	l.must("apply mode change", err)
	obs, err = l.host.Observe(context.Background())
	l.must("observe", err)
	if got := obs.Link("mgmt-bo").Bond.Mode; got != intent.BalanceXOR {
		t.Errorf("mode %s after change, want balance-xor", got)
	}
	for _, n := range []string{"h0", "h1"} {
		if obs.Link(n).Master != "mgmt-bo" || !obs.Link(n).AdminUp {
			t.Errorf("%s not an up slave of mgmt-bo after the mode change", n)
		}
	}
	if !obs.Link("mgmt-bo").AdminUp || obs.Link("mgmt-bo").Master != "mgmt-br" {
		t.Errorf("mgmt-bo down or out of mgmt-br after the mode change")
	}
	if again := Diff(d, *obs); len(again) != 0 {
		t.Errorf("plan after mode change not empty: %+v", again)
	}
}

// TestRealKernelRollbackOnLostConnectivity: hostnet.Apply restores the
// checkpoint when the gateway stops answering, in this process, and through
// a rollback watchdog that is the netalign binary (the library case: the
// watchdog runs in the test's namespace and opens the host's, named in the
// checkpoint); the watchdog leaves nothing behind.
func TestRealKernelRollbackOnLostConnectivity(t *testing.T) {
	for _, tc := range []struct {
		name     string
		watchdog bool
	}{{"in process", false}, {"watchdog", true}} {
		t.Run(tc.name, func(t *testing.T) {
			opts := ApplyOptions{CheckTimeout: 3 * time.Second}
			by := "netalign"
			if tc.watchdog {
				opts.Watchdog = &Watchdog{Command: []string{netalignBin(t), "host", "rollback-watchdog"}, Stderr: os.Stderr}
				by = "watchdog"
			}
			l := newLab(t, 1)
			// The host reaches its gateway through h0; enslaving h0 cuts it off.
			l.addr("host", "h0", "10.9.0.1/24")
			l.addr("switch", "s0", "10.9.0.2/24")
			l.must("default route", l.h("host").RouteAdd(&netlink.Route{Gw: net.ParseIP("10.9.0.2")}))
			if !l.ping("host", "10.9.0.2", 10*time.Second) {
				t.Fatal("gateway unreachable before the apply")
			}
			cp, err := l.host.Observe(context.Background())
			l.must("observe", err)

			res, err := l.host.Apply(context.Background(), Diff(mgmtDesired(intent.ActiveBackup, "h0"), *cp), opts)
			if !errors.Is(err, ErrConnectivityLost) {
				t.Fatalf("apply: err %v, want ErrConnectivityLost", err)
			}
			t.Logf("apply: %v; rolled back by %s with %d writes", err, res.RollbackBy, res.RollbackWrites)
			if !res.RolledBack || res.RollbackBy != by || res.RollbackErr != "" || res.RollbackWrites == 0 || res.CheckTarget != "10.9.0.2" {
				t.Errorf("result: rolledBack %v by %q, %d writes, rollbackErr %q, target %q", res.RolledBack, res.RollbackBy, res.RollbackWrites, res.RollbackErr, res.CheckTarget)
			}
			after, err := l.host.Observe(context.Background())
			l.must("observe", err)
			ignore := cmpopts.IgnoreFields(intent.Link{}, "OperState")
			if diff := cmp.Diff(cp.Links, after.Links, ignore); diff != "" {
				t.Errorf("host not restored to the checkpoint (-checkpoint +after):\n%s", diff)
			}
			gw, err := l.host.defaultGateway()
			l.must("default gateway", err)
			if gw != "10.9.0.2" {
				t.Errorf("default route via %q after restore, want 10.9.0.2", gw)
			}
			if !l.ping("host", "10.9.0.2", 10*time.Second) {
				t.Errorf("gateway unreachable after the restore")
			}
			noWatchdogLeft(t, 5*time.Second)
		})
	}
}

// allVLANs is every VLAN but the PVID on the bond port.
var allVLANs = intent.VLANRange(2, 4094)

func TestRealKernelAllVLANs(t *testing.T) {
	l := newLab(t, 2)
	l.switchBond(netlink.BOND_MODE_802_3AD, 2)
	d := mgmtDesired(intent.LACP, "h0", "h1")
	d.Bonds[0].VLANs = allVLANs
	obs, err := l.host.Observe(context.Background())
	l.must("observe", err)
	var vlanChanges []intent.HostChange
	for _, c := range Diff(d, *obs) {
		if c.Object == intent.ObjBridgeVLAN && c.Name == "mgmt-bo" {
			vlanChanges = append(vlanChanges, c)
		}
	}
	l.converge(mgmtDesired(intent.LACP, "h0", "h1"))
	before := l.host.Writes()
	start := time.Now()
	_, err = l.host.Apply(context.Background(), vlanChanges, ApplyOptions{NoCheck: true, AllowMgmt: true})
	l.must("apply 4094 vlans", err)
	took := time.Since(start)
	writes := l.host.Writes() - before
	st, err := l.host.Observe(context.Background())
	l.must("observe", err)
	got := st.Link("mgmt-bo").BridgeVLANs
	if len(got) != 4094 || got[0] != (intent.BridgeVLAN{VID: 1, PVID: true, Untagged: true}) || got[4093].VID != 4094 || got[4093].PVID || got[4093].Untagged {
		t.Fatalf("mgmt-bo has %d VLANs (first %+v), want 1 PVID untagged + 2-4094 tagged", len(got), got[0])
	}
	t.Logf("4094 VLANs on mgmt-bo: %d netlink writes in %v", writes, took.Round(time.Millisecond))
	if writes > 2 {
		t.Errorf("%d netlink writes for 2-4094, want one range call", writes)
	}
	if again := Diff(d, *st); len(again) != 0 {
		t.Errorf("plan after 4094 VLANs not empty: %d changes", len(again))
	}
}

// BenchmarkBridgeVLANs adds VLANs 2-4094 to a bond port: in ranges (what
// Apply does, one netlink call) against one netlink call per VLAN.
func BenchmarkBridgeVLANs(b *testing.B) {
	if os.Getuid() != 0 {
		b.Skip("needs root: run through e2e/realkernel/run.sh")
	}
	for _, mode := range []string{"range", "per-vlan"} {
		b.Run(mode, func(b *testing.B) {
			x, port, cleanup := benchPort(b)
			defer cleanup()
			h := x.Handle()
			for b.Loop() {
				b.StopTimer()
				if err := h.BridgeVlanDelRange(port, 2, 4094, false, false, false, false); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if mode == "range" {
					if err := x.writeVLANs(port, allVLANs, nil, nil); err != nil {
						b.Fatal(err)
					}
					continue
				}
				for _, v := range allVLANs {
					if err := h.BridgeVlanAdd(port, uint16(v), false, false, false, false); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(4093, "vlans/op")
		})
	}
}

// benchPort makes a namespace with a bond enslaved to a VLAN-filtering
// bridge and returns the bond.
func benchPort(b *testing.B) (*Host, netlink.Link, func()) {
	b.Helper()
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		b.Fatal(err)
	}
	ns, err := netns.NewNamed("bench")
	if err != nil {
		b.Fatal(err)
	}
	if err := netns.Set(orig); err != nil {
		b.Fatal(err)
	}
	runtime.UnlockOSThread()
	x, err := Open(Options{Name: "bench", NetNSPath: "/var/run/netns/bench"})
	if err != nil {
		b.Fatal(err)
	}
	cleanup := func() { x.Close(); ns.Close(); orig.Close(); netns.DeleteNamed("bench") }
	if _, err := x.ensureBond("bench-bo", intent.BondInfo{Mode: intent.ActiveBackup, Miimon: 100}, 0, true); err != nil {
		b.Fatal(err)
	}
	if _, err := x.ensureBridge("bench-br", 0, "bench-bo"); err != nil {
		b.Fatal(err)
	}
	port, err := x.Handle().LinkByName("bench-bo")
	if err != nil {
		b.Fatal(err)
	}
	return x, port, cleanup
}

// TestRealKernelObserveMatchesIproute2 checks that the two ways of observing
// a host agree on live kernel state: netlink (Observe) and the parsers of
// iproute2 JSON and /proc/net/bonding that remote observation uses.
func TestRealKernelObserveMatchesIproute2(t *testing.T) {
	l := newLab(t, 4)
	l.switchBond(netlink.BOND_MODE_802_3AD, 2)
	d := mgmtDesired(intent.LACP, "h0", "h1")
	d.Bonds[0].MgmtVLAN = 10
	d.Bonds[0].VLANs = intent.NewVLANSet(10, 100, 200, 201, 202)
	d.Bonds = append(d.Bonds, intent.DesiredBond{ClusterNetwork: "oob", NICs: []string{"h2", "h3"},
		Options: intent.BondInfo{Mode: intent.ActiveBackup}})
	l.converge(d)
	l.waitLACP(l.host, "mgmt-bo")

	run := func(name string, args ...string) []byte {
		out, err := exec.Command(name, args...).Output()
		l.must(name+" "+strings.Join(args, " "), err)
		return out
	}
	links := run("ip", "-n", "host", "-d", "-j", "link", "show")
	vlans := run("bridge", "-n", "host", "-j", "vlan", "show")
	bonding := map[string][]byte{}
	for _, b := range []string{"mgmt-bo", "oob-bo"} {
		l.must("read bonding", l.host.inNetNS(func() error {
			var err error
			bonding[b], err = os.ReadFile("/proc/thread-self/net/bonding/" + b)
			return err
		}))
	}
	viaNetlink, err := l.host.Observe(context.Background())
	l.must("observe", err)
	viaIproute2, err := HostStateFromIproute2("host", links, vlans, bonding)
	l.must("parse iproute2", err)
	// LACP port states move on their own between the two reads; compare
	// everything else.
	ignore := cmpopts.IgnoreFields(intent.BondSlaveInfo{}, "ActorPortState", "PartnerState")
	if diff := cmp.Diff(viaNetlink, viaIproute2, ignore); diff != "" {
		t.Errorf("netlink and iproute2 observation differ (-netlink +iproute2):\n%s", diff)
	}
	if s := viaNetlink.Link("mgmt-br.10"); s == nil || s.Kind != intent.LinkVLAN || s.Parent != "mgmt-br" {
		t.Errorf("mgmt-br.10 = %+v", s)
	}
}
