package embedded_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
	"github.com/vishvananda/netns"

	"github.com/netalign/netalign/dhcp/embedded"
	"github.com/netalign/netalign/dhcp/probe"
	"github.com/netalign/netalign/internal/intent"
)

// These tests run real DHCP traffic between two network namespaces joined by
// a veth pair: the server in one, the client (nclient4 raw socket, as a VM
// would) in the other. They need root and iproute2.

// requirePrereqs skips without root or ip(8), or fails when
// NETALIGN_REQUIRE_PREREQS=1.
func requirePrereqs(t *testing.T) {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root (network namespaces, raw sockets, port 67)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		missing = append(missing, "ip from Debian package iproute2")
	}
	if len(missing) == 0 {
		return
	}
	msg := "needs " + strings.Join(missing, " and ")
	if os.Getenv("NETALIGN_REQUIRE_PREREQS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

var labSeq atomic.Int32

// lab is two namespaces: srv with veth srvIf (10.77.0.2/24) and cli with
// veth cliIf (no address), both with lo up.
type lab struct {
	srvNS, cliNS string
	srv, cli     netns.NsHandle
	srvIf, cliIf string
	cliMAC       net.HardwareAddr
	serverAddr   netip.Addr
	leaseFile    string
	logT         *testing.T
	serverCancel context.CancelFunc
	serverDone   chan error
	server       *embedded.Server
}

func ipCmd(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

func newLab(t *testing.T) *lab {
	t.Helper()
	requirePrereqs(t)
	n := labSeq.Add(1)
	id := fmt.Sprintf("%d-%d", os.Getpid()%100000, n)
	l := &lab{
		srvNS: "na-dhcp-s-" + id, cliNS: "na-dhcp-c-" + id,
		srvIf: fmt.Sprintf("nas%d", n), cliIf: fmt.Sprintf("nac%d", n),
		serverAddr: netip.MustParseAddr("10.77.0.2"),
		leaseFile:  filepath.Join(t.TempDir(), "leases.db"),
		logT:       t,
	}
	ipCmd(t, "netns", "add", l.srvNS)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", l.srvNS).Run() })
	ipCmd(t, "netns", "add", l.cliNS)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", l.cliNS).Run() })
	ipCmd(t, "-n", l.srvNS, "link", "add", l.srvIf, "type", "veth", "peer", "name", l.cliIf, "netns", l.cliNS)
	ipCmd(t, "-n", l.srvNS, "addr", "add", "10.77.0.2/24", "dev", l.srvIf)
	for _, ns := range []string{l.srvNS, l.cliNS} {
		ipCmd(t, "-n", ns, "link", "set", "lo", "up")
	}
	ipCmd(t, "-n", l.srvNS, "link", "set", l.srvIf, "up")
	ipCmd(t, "-n", l.cliNS, "link", "set", l.cliIf, "up")
	var err error
	if l.srv, err = netns.GetFromName(l.srvNS); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.srv.Close() })
	if l.cli, err = netns.GetFromName(l.cliNS); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.cli.Close() })
	in(t, l.cli, func() error {
		ifc, err := net.InterfaceByName(l.cliIf)
		if err != nil {
			return err
		}
		l.cliMAC = ifc.HardwareAddr
		return nil
	})
	return l
}

// in runs fn on a goroutine whose OS thread is moved into ns. The thread is
// never unlocked, so it ends with the goroutine and never goes back to the
// scheduler in the wrong namespace.
func in(t *testing.T, ns netns.NsHandle, fn func() error) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := netns.Set(ns); err != nil {
			errc <- fmt.Errorf("enter netns: %w", err)
			return
		}
		errc <- fn()
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// pool is the VLAN's pool: a tiny range that includes the gateway (.1) and
// the server (.2), so only .3 and .4 can be leased.
func (l *lab) pool() intent.Pool {
	return intent.Pool{Network: "vlan77", VLAN: 77, Subnet: "10.77.0.0/24", Ranges: []string{"10.77.0.1-10.77.0.4"},
		Gateway: "10.77.0.1", DNS: []string{"10.77.0.53"}, Domain: "lab.example", LeaseTime: 600, Interface: l.srvIf}
}

// start runs the server in the server namespace until stop.
func (l *lab) start(t *testing.T, cfg embedded.Config) {
	t.Helper()
	if cfg.LeaseFile == "" {
		cfg.LeaseFile = l.leaseFile
	}
	if len(cfg.Pools) == 0 {
		cfg.Pools = []intent.Pool{l.pool()}
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan error, 1)
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := netns.Set(l.srv); err != nil {
			ready <- err
			return
		}
		s, err := embedded.NewServer(cfg, logger(t))
		if err != nil {
			ready <- err
			return
		}
		l.server = s
		ready <- nil
		done <- s.Run(ctx)
	}()
	if err := <-ready; err != nil {
		cancel()
		t.Fatalf("start server: %v", err)
	}
	l.serverCancel, l.serverDone = cancel, done
	t.Cleanup(l.stop)
}

func (l *lab) stop() {
	if l.serverCancel == nil {
		return
	}
	l.serverCancel()
	if err := <-l.serverDone; err != nil {
		l.logT.Errorf("server Run: %v", err)
	}
	l.serverCancel = nil
}

// probe runs a probe from the client namespace.
func (l *lab) probe(t *testing.T, o probe.Options) *probe.Result {
	t.Helper()
	if o.Interface == "" && !o.Relay.IsValid() {
		o.Interface = l.cliIf
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	var res *probe.Result
	in(t, l.cli, func() error {
		var err error
		res, err = probe.Probe(context.Background(), o)
		return err
	})
	return res
}

func (l *lab) acked(t *testing.T, hw net.HardwareAddr) string {
	t.Helper()
	res := l.probe(t, probe.Options{HWAddr: hw, DORA: true})
	if res.Ack == nil {
		t.Fatalf("%s: no lease: %+v", hw, res.Findings)
	}
	return res.Ack.Address.String()
}

func TestNetnsDORAAndRelease(t *testing.T) {
	l := newLab(t)
	l.start(t, embedded.Config{})
	want := l.pool()
	res := l.probe(t, probe.Options{Expect: &want, Release: true})
	if !res.OK() || res.Ack == nil || !res.Released {
		t.Fatalf("probe: %+v", res)
	}
	if res.Offer.Address.String() != "10.77.0.3" || res.Offer.ServerID != l.serverAddr || res.MAC != l.cliMAC.String() {
		t.Fatalf("offer %+v from %s", res.Offer, res.MAC)
	}
	waitFor(t, func() bool {
		ls := l.server.Handler().Leases()
		return len(ls) == 1 && ls[0].State == embedded.LeaseReleased && ls[0].MAC == l.cliMAC.String()
	})
	// A probe expecting another pool reports the mismatches.
	other := l.pool()
	other.Gateway, other.DNS = "10.77.0.254", []string{"10.77.0.53", "10.77.0.54"}
	res = l.probe(t, probe.Options{Expect: &other})
	var codes []string
	for _, f := range res.Findings {
		codes = append(codes, f.Code+" "+f.Object)
	}
	if got, want := strings.Join(codes, ","), "DHCP_POOL_MISMATCH router,DHCP_POOL_MISMATCH dns"; got != want {
		t.Fatalf("findings %s, want %s", got, want)
	}
	wrong := l.pool()
	wrong.Subnet, wrong.Ranges, wrong.Gateway = "10.78.0.0/24", []string{"10.78.0.10-10.78.0.20"}, ""
	res = l.probe(t, probe.Options{Expect: &wrong})
	if len(res.Findings) == 0 || res.Findings[0].Code != probe.CodeWrongSubnet {
		t.Fatalf("findings %+v, want DHCP_WRONG_SUBNET first", res.Findings)
	}
}

func TestNetnsRenew(t *testing.T) {
	l := newLab(t)
	l.start(t, embedded.Config{})
	var lease *nclient4.Lease
	in(t, l.cli, func() error {
		c, err := nclient4.New(l.cliIf, nclient4.WithTimeout(2*time.Second))
		if err != nil {
			return err
		}
		defer c.Close()
		lease, err = c.Request(context.Background())
		return err
	})
	leased := lease.ACK.YourIPAddr.String()
	first := l.server.Handler().Leases()[0].Expires
	// A bound client has its address configured and renews by unicast to the
	// server identifier, from its address (RFC 2131 4.4.5).
	ipCmd(t, "-n", l.cliNS, "addr", "add", leased+"/24", "dev", l.cliIf)
	var renewed *nclient4.Lease
	in(t, l.cli, func() error {
		c, err := nclient4.New(l.cliIf, nclient4.WithTimeout(2*time.Second),
			nclient4.WithUnicast(&net.UDPAddr{IP: net.ParseIP(leased), Port: dhcpv4.ClientPort}),
			nclient4.WithServerAddr(&net.UDPAddr{IP: l.serverAddr.AsSlice(), Port: dhcpv4.ServerPort}))
		if err != nil {
			return err
		}
		defer c.Close()
		renewed, err = c.Renew(context.Background(), lease)
		return err
	})
	if got := renewed.ACK.YourIPAddr.String(); got != leased {
		t.Fatalf("renewed %s, had %s", got, leased)
	}
	ls := l.server.Handler().Leases()
	if len(ls) != 1 || !ls[0].Expires.After(first) || ls[0].State != embedded.LeaseBound {
		t.Fatalf("lease after renew: %+v (first expiry %s)", ls, first)
	}
}

func TestNetnsReservation(t *testing.T) {
	l := newLab(t)
	reserved := mustMAC(t, "02:00:00:00:77:01")
	p := l.pool()
	p.Reservations = []intent.Reservation{{MAC: reserved.String(), IP: "10.77.0.100"}}
	l.start(t, embedded.Config{Pools: []intent.Pool{p}})
	if got := l.acked(t, mustMAC(t, "02:00:00:00:77:02")); got != "10.77.0.3" {
		t.Fatalf("dynamic client got %s", got)
	}
	res := l.probe(t, probe.Options{HWAddr: reserved, Expect: &p, DORA: true})
	if res.Ack == nil || res.Ack.Address.String() != "10.77.0.100" || !res.OK() {
		t.Fatalf("reserved client: %+v", res)
	}
}

func TestNetnsRestartKeepsLeases(t *testing.T) {
	l := newLab(t)
	a, b := mustMAC(t, "02:00:00:00:77:0a"), mustMAC(t, "02:00:00:00:77:0b")
	l.start(t, embedded.Config{})
	la, lb := l.acked(t, a), l.acked(t, b)
	l.stop()
	l.start(t, embedded.Config{})
	// Reverse order: without the lease file b would get a's address.
	if got := l.acked(t, b); got != lb {
		t.Fatalf("b got %s after restart, had %s", got, lb)
	}
	if got := l.acked(t, a); got != la {
		t.Fatalf("a got %s after restart, had %s", got, la)
	}
}

func TestNetnsExhaustionNeverGatewayOrServer(t *testing.T) {
	l := newLab(t)
	l.start(t, embedded.Config{})
	got := []string{l.acked(t, mustMAC(t, "02:00:00:00:77:21")), l.acked(t, mustMAC(t, "02:00:00:00:77:22"))}
	if strings.Join(got, ",") != "10.77.0.3,10.77.0.4" {
		t.Fatalf("leases %v, want 10.77.0.3 and 10.77.0.4 (never .1 gateway, .2 server)", got)
	}
	res := l.probe(t, probe.Options{HWAddr: mustMAC(t, "02:00:00:00:77:23"), Retries: 1, Timeout: 300 * time.Millisecond})
	if len(res.Findings) != 1 || res.Findings[0].Code != probe.CodeNoOffer {
		t.Fatalf("exhausted pool: %+v", res)
	}
}

func TestNetnsDecline(t *testing.T) {
	l := newLab(t)
	l.start(t, embedded.Config{})
	a := mustMAC(t, "02:00:00:00:77:31")
	declined := l.acked(t, a)
	in(t, l.cli, func() error {
		conn, err := nclient4.NewRawUDPConn(l.cliIf, dhcpv4.ClientPort)
		if err != nil {
			return err
		}
		defer conn.Close()
		m, err := dhcpv4.New(dhcpv4.WithHwAddr(a), dhcpv4.WithMessageType(dhcpv4.MessageTypeDecline),
			dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.ParseIP(declined))),
			dhcpv4.WithOption(dhcpv4.OptServerIdentifier(l.serverAddr.AsSlice())))
		if err != nil {
			return err
		}
		_, err = conn.WriteTo(m.ToBytes(), &net.UDPAddr{IP: net.IPv4bcast, Port: dhcpv4.ServerPort})
		return err
	})
	waitFor(t, func() bool {
		ls := l.server.Handler().Leases()
		return len(ls) == 1 && ls[0].State == embedded.LeaseDeclined
	})
	if got := l.acked(t, a); got == declined {
		t.Fatalf("declined %s handed out again", declined)
	}
	res := l.probe(t, probe.Options{HWAddr: mustMAC(t, "02:00:00:00:77:32"), Retries: 1, Timeout: 300 * time.Millisecond})
	if len(res.Findings) != 1 || res.Findings[0].Code != probe.CodeNoOffer {
		t.Fatalf("quarantined address offered: %+v", res)
	}
}

func TestNetnsRelayOnLoopback(t *testing.T) {
	l := newLab(t)
	relayed := intent.Pool{Network: "vlan300", VLAN: 300, Subnet: "10.30.0.0/24", Ranges: []string{"10.30.0.10-10.30.0.20"},
		Gateway: "10.30.0.1", DNS: []string{"10.30.0.53"}, Relay: "127.0.0.2"}
	// The device listener (0.0.0.0:67 on the veth) and the relay listener
	// (127.0.0.1:67) coexist, and the relay agent binds 127.0.0.2:67.
	l.start(t, embedded.Config{Pools: []intent.Pool{l.pool(), relayed},
		ListenAddr: netip.MustParseAddrPort("127.0.0.1:67"), ServerID: netip.MustParseAddr("127.0.0.1")})
	var res *probe.Result
	in(t, l.srv, func() error {
		var err error
		res, err = probe.Probe(context.Background(), probe.Options{Relay: netip.MustParseAddrPort("127.0.0.2:67"),
			Server: netip.MustParseAddrPort("127.0.0.1:67"), Expect: &relayed, Release: true, Timeout: 2 * time.Second})
		return err
	})
	if !res.OK() || res.Ack == nil || res.Ack.Address.String() != "10.30.0.10" || res.Ack.ServerID.String() != "127.0.0.1" {
		t.Fatalf("relay probe: %+v", res)
	}
	// The veth pool still answers on its link.
	if got := l.acked(t, mustMAC(t, "02:00:00:00:77:41")); got != "10.77.0.3" {
		t.Fatalf("link client got %s", got)
	}
}
