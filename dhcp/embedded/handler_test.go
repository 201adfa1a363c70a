package embedded

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/netalign/netalign/internal/intent"
)

// testPool is a /28 with gateway .1 and the server on .2 inside the range, so
// 12 addresses are leasable.
func testPool() intent.Pool {
	return intent.Pool{Network: "vlan100", VLAN: 100, Subnet: "10.100.0.0/28", Ranges: []string{"10.100.0.1-10.100.0.14"},
		Gateway: "10.100.0.1", DNS: []string{"10.0.0.53", "10.0.0.54"}, Domain: "lab.example", LeaseTime: 600,
		Interface: "eth1", Relay: "10.100.0.1"}
}

// cmpAddr compares netip.Addr values.
var cmpAddr = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

var serverAddr = netip.MustParseAddr("10.100.0.2")

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

type env struct {
	t     *testing.T
	h     *Handler
	store *Store
	clk   *clock
	path  string
	pools []intent.Pool
	cfg   HandlerConfig // template: Pools, OwnAddrs and Now are set by open
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newEnv(t *testing.T, pools ...intent.Pool) *env {
	t.Helper()
	return newEnvConfig(t, HandlerConfig{Pools: pools})
}

func newEnvConfig(t *testing.T, cfg HandlerConfig) *env {
	t.Helper()
	pools := cfg.Pools
	if len(pools) == 0 {
		pools = []intent.Pool{testPool()}
	}
	e := &env{t: t, clk: &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		path: filepath.Join(t.TempDir(), "leases.db"), pools: pools, cfg: cfg}
	e.open()
	t.Cleanup(func() { e.store.Close() })
	return e
}

// open (re)opens the store and builds a fresh handler on it.
func (e *env) open() {
	e.t.Helper()
	s, err := OpenStore(e.path, false)
	if err != nil {
		e.t.Fatal(err)
	}
	cfg := e.cfg
	cfg.Pools, cfg.Now = e.pools, e.clk.now
	cfg.OwnAddrs = append([]netip.Addr{serverAddr}, cfg.OwnAddrs...)
	h, err := NewHandler(cfg, s, testLogger(e.t))
	if err != nil {
		e.t.Fatal(err)
	}
	e.h, e.store = h, s
}

func (e *env) restart() {
	e.t.Helper()
	if err := e.store.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

func mac(i int) net.HardwareAddr { return net.HardwareAddr{0x02, 0, 0, 0, byte(i >> 8), byte(i)} }

var onEth1 = Meta{Interface: "eth1"}

func (e *env) send(m *dhcpv4.DHCPv4, in Meta) *dhcpv4.DHCPv4 {
	e.t.Helper()
	return e.h.Handle(m, in)
}

func discover(t *testing.T, hw net.HardwareAddr, mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
	t.Helper()
	m, err := dhcpv4.NewDiscovery(hw, mods...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func request(t *testing.T, hw net.HardwareAddr, mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
	t.Helper()
	m, err := dhcpv4.New(append([]dhcpv4.Modifier{dhcpv4.WithHwAddr(hw), dhcpv4.WithMessageType(dhcpv4.MessageTypeRequest)}, mods...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ip(s string) net.IP { return net.ParseIP(s).To4() }

func optRequested(s string) dhcpv4.Modifier {
	return dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(ip(s)))
}

func optServer(a netip.Addr) dhcpv4.Modifier {
	return dhcpv4.WithOption(dhcpv4.OptServerIdentifier(a.AsSlice()))
}

// dora runs DISCOVER → OFFER → REQUEST → ACK and returns the address.
func (e *env) dora(hw net.HardwareAddr, in Meta, mods ...dhcpv4.Modifier) string {
	e.t.Helper()
	offer := e.send(discover(e.t, hw, mods...), in)
	if offer == nil || offer.MessageType() != dhcpv4.MessageTypeOffer {
		e.t.Fatalf("%s: no offer: %v", hw, offer)
	}
	req, err := dhcpv4.NewRequestFromOffer(offer, mods...)
	if err != nil {
		e.t.Fatal(err)
	}
	ack := e.send(req, in)
	if ack == nil || ack.MessageType() != dhcpv4.MessageTypeAck {
		e.t.Fatalf("%s: no ack for %s: %v", hw, offer.YourIPAddr, ack)
	}
	if !ack.YourIPAddr.Equal(offer.YourIPAddr) {
		e.t.Fatalf("%s: ack %s for offer %s", hw, ack.YourIPAddr, offer.YourIPAddr)
	}
	return ack.YourIPAddr.String()
}

type summary struct {
	Type     string
	YourIP   string
	ServerID string
	Mask     string
	Routers  string
	DNS      string
	Domain   string
	Lease    time.Duration
	Message  string
}

func summarize(m *dhcpv4.DHCPv4) summary {
	if m == nil {
		return summary{Type: "none"}
	}
	s := summary{Type: m.MessageType().String(), YourIP: m.YourIPAddr.String(), ServerID: fmt.Sprint(m.ServerIdentifier()),
		Routers: fmt.Sprint(m.Router()), DNS: fmt.Sprint(m.DNS()), Domain: m.DomainName(),
		Lease: m.IPAddressLeaseTime(0), Message: m.Message()}
	if mask := m.SubnetMask(); mask != nil {
		s.Mask = net.IP(mask).String()
	}
	return s
}

func TestHandlerDORA(t *testing.T) {
	e := newEnv(t)
	hw := mac(1)
	offer := e.send(discover(t, hw), onEth1)
	want := summary{Type: "OFFER", YourIP: "10.100.0.3", ServerID: "10.100.0.2", Mask: "255.255.255.240",
		Routers: "[10.100.0.1]", DNS: "[10.0.0.53 10.0.0.54]", Domain: "lab.example", Lease: 600 * time.Second}
	if diff := cmp.Diff(want, summarize(offer)); diff != "" {
		t.Fatalf("offer (-want +got):\n%s", diff)
	}
	req, err := dhcpv4.NewRequestFromOffer(offer)
	if err != nil {
		t.Fatal(err)
	}
	ack := e.send(req, onEth1)
	want.Type = "ACK"
	if diff := cmp.Diff(want, summarize(ack)); diff != "" {
		t.Fatalf("ack (-want +got):\n%s", diff)
	}
	if ack.TransactionID != req.TransactionID || ack.OpCode != dhcpv4.OpcodeBootReply {
		t.Fatalf("ack xid %s op %s", ack.TransactionID, ack.OpCode)
	}
	wantLeases := []Lease{{Pool: "10.100.0.0/28", IP: netip.MustParseAddr("10.100.0.3"), MAC: hw.String(), State: LeaseBound,
		Expires: e.clk.t.Add(600 * time.Second)}}
	if diff := cmp.Diff(wantLeases, e.h.Leases(), cmpAddr); diff != "" {
		t.Fatalf("leases (-want +got):\n%s", diff)
	}
}

func TestHandlerExhaustionAndForbiddenAddresses(t *testing.T) {
	e := newEnv(t)
	got := map[string]bool{}
	// 14 addresses in the range minus gateway .1 and server .2.
	for i := range 12 {
		a := e.dora(mac(i), onEth1)
		if got[a] {
			t.Fatalf("%s handed out twice", a)
		}
		got[a] = true
	}
	for _, bad := range []string{"10.100.0.0", "10.100.0.1", "10.100.0.2", "10.100.0.15"} {
		if got[bad] {
			t.Errorf("handed out %s", bad)
		}
	}
	if offer := e.send(discover(t, mac(100)), onEth1); offer != nil {
		t.Fatalf("exhausted pool offered %s", offer.YourIPAddr)
	}
	// A client asking for the gateway or the server gets something else or
	// nothing, never those.
	e2 := newEnv(t)
	for _, a := range []string{"10.100.0.1", "10.100.0.2", "10.100.0.15", "10.100.0.0"} {
		offer := e2.send(discover(t, mac(7), optRequested(a)), onEth1)
		if offer == nil || offer.YourIPAddr.String() == a {
			t.Fatalf("requested %s: offer %v", a, offer)
		}
		r := e2.send(request(t, mac(7), optRequested(a), optServer(serverAddr)), onEth1)
		if got := summarize(r).Type; got != "NAK" {
			t.Fatalf("REQUEST of %s answered %s, want NAK", a, got)
		}
	}
}

func TestHandlerRequestedAddressHonoured(t *testing.T) {
	e := newEnv(t)
	offer := e.send(discover(t, mac(1), optRequested("10.100.0.9")), onEth1)
	if got := offer.YourIPAddr.String(); got != "10.100.0.9" {
		t.Fatalf("offer %s, want the requested 10.100.0.9", got)
	}
	// Held for mac(1): another client asking for it gets another address.
	other := e.send(discover(t, mac(2), optRequested("10.100.0.9")), onEth1)
	if other.YourIPAddr.String() == "10.100.0.9" {
		t.Fatal("address offered to two clients")
	}
}

func TestHandlerRequestStates(t *testing.T) {
	e := newEnv(t)
	a := e.dora(mac(1), onEth1) // 10.100.0.3
	b := e.dora(mac(2), onEth1) // 10.100.0.4
	tests := []struct {
		name string
		req  *dhcpv4.DHCPv4
		in   Meta
		want string
	}{
		{"renew", request(t, mac(1), dhcpv4.WithClientIP(ip(a))), onEth1, "ACK"},
		{"renew of another client's address", request(t, mac(1), dhcpv4.WithClientIP(ip(b))), onEth1, "NAK"},
		{"renew from unknown client", request(t, mac(3), dhcpv4.WithClientIP(ip("10.100.0.9"))), onEth1, "NAK"},
		{"renew of address in wrong subnet", request(t, mac(1), dhcpv4.WithClientIP(ip("192.168.1.5"))), onEth1, "NAK"},
		{"unicast renew on unbound listener", request(t, mac(2), dhcpv4.WithClientIP(ip(b))), Meta{}, "ACK"},
		{"init-reboot with its lease", request(t, mac(1), optRequested(a)), onEth1, "ACK"},
		{"init-reboot wrong subnet", request(t, mac(1), optRequested("192.168.1.5")), onEth1, "NAK"},
		{"init-reboot unknown lease", request(t, mac(4), optRequested("10.100.0.10")), onEth1, "NAK"},
		{"init-reboot address of another", request(t, mac(4), optRequested(b)), onEth1, "NAK"},
		{"selecting taken address", request(t, mac(4), optRequested(a), optServer(serverAddr)), onEth1, "NAK"},
		{"selecting other server", request(t, mac(4), optRequested("10.100.0.10"), optServer(netip.MustParseAddr("10.100.0.13"))), onEth1, "none"},
		{"no pool on interface", request(t, mac(1), optRequested(a)), Meta{Interface: "eth9"}, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summarize(e.send(tt.req, tt.in)).Type; got != tt.want {
				t.Fatalf("answer %s, want %s", got, tt.want)
			}
		})
	}
}

func TestHandlerRenewExtendsLease(t *testing.T) {
	e := newEnv(t)
	a := e.dora(mac(1), onEth1)
	e.clk.advance(500 * time.Second)
	ack := e.send(request(t, mac(1), dhcpv4.WithClientIP(ip(a))), onEth1)
	if summarize(ack).Type != "ACK" || ack.YourIPAddr.String() != a {
		t.Fatalf("renew: %+v", summarize(ack))
	}
	if got, want := e.h.Leases()[0].Expires, e.clk.t.Add(600*time.Second); !got.Equal(want) {
		t.Fatalf("expires %s, want %s", got, want)
	}
	// Past its end the lease expires; the same client may still renew it
	// while nobody else took it.
	e.clk.advance(601 * time.Second)
	if err := e.h.Expire(); err != nil {
		t.Fatal(err)
	}
	if st := e.h.Leases()[0].State; st != LeaseExpired {
		t.Fatalf("state %s, want expired", st)
	}
	if got := summarize(e.send(request(t, mac(1), dhcpv4.WithClientIP(ip(a))), onEth1)).Type; got != "ACK" {
		t.Fatalf("renew of expired, untaken lease: %s, want ACK", got)
	}
}

func TestHandlerExpiredAddressReused(t *testing.T) {
	e := newEnv(t)
	var first string
	for i := range 12 {
		a := e.dora(mac(i), onEth1)
		if i == 0 {
			first = a
		}
	}
	e.clk.advance(300 * time.Second)
	// Everybody but mac(0) renews.
	for i := 1; i < 12; i++ {
		l := e.h.Leases()
		for _, x := range l {
			if x.MAC == mac(i).String() {
				e.send(request(t, mac(i), dhcpv4.WithClientIP(x.IP.AsSlice())), onEth1)
			}
		}
	}
	if offer := e.send(discover(t, mac(50)), onEth1); offer != nil {
		t.Fatalf("offer %s from a full pool", offer.YourIPAddr)
	}
	e.clk.advance(301 * time.Second) // mac(0)'s lease ended
	if got := e.dora(mac(50), onEth1); got != first {
		t.Fatalf("new client got %s, want the expired %s", got, first)
	}
	if got := summarize(e.send(request(t, mac(0), dhcpv4.WithClientIP(ip(first))), onEth1)).Type; got != "NAK" {
		t.Fatalf("old owner renewing a reassigned address: %s, want NAK", got)
	}
}

func TestHandlerRelease(t *testing.T) {
	e := newEnv(t)
	a := e.dora(mac(1), onEth1)
	rel := request(t, mac(1), dhcpv4.WithMessageType(dhcpv4.MessageTypeRelease), dhcpv4.WithClientIP(ip(a)), optServer(serverAddr))
	if r := e.send(rel, onEth1); r != nil {
		t.Fatalf("release answered %s", r.MessageType())
	}
	if st := e.h.Leases()[0].State; st != LeaseReleased {
		t.Fatalf("state %s, want released", st)
	}
	if got := summarize(e.send(request(t, mac(1), dhcpv4.WithClientIP(ip(a))), onEth1)).Type; got != "NAK" {
		t.Fatalf("renew after release: %s, want NAK", got)
	}
	// A new client prefers never-used addresses; the releasing client gets
	// its address back.
	if got := e.dora(mac(2), onEth1); got == a {
		t.Fatalf("released %s given to another client while others were free", a)
	}
	if got := e.dora(mac(1), onEth1); got != a {
		t.Fatalf("client got %s back, want %s", got, a)
	}
}

func TestHandlerDecline(t *testing.T) {
	const quarantine = 5 * time.Minute // shorter than the leases
	e := newEnvConfig(t, HandlerConfig{DeclineQuarantine: quarantine})
	a := e.dora(mac(1), onEth1)
	dec := request(t, mac(1), dhcpv4.WithMessageType(dhcpv4.MessageTypeDecline), optRequested(a), optServer(serverAddr))
	if r := e.send(dec, onEth1); r != nil {
		t.Fatalf("decline answered %s", r.MessageType())
	}
	want := []Lease{{Pool: "10.100.0.0/28", IP: netip.MustParseAddr(a), State: LeaseDeclined, Expires: e.clk.t.Add(quarantine)}}
	if diff := cmp.Diff(want, e.h.Leases(), cmpAddr); diff != "" {
		t.Fatalf("leases (-want +got):\n%s", diff)
	}
	if got := e.dora(mac(1), onEth1); got == a {
		t.Fatalf("declined %s offered again to the decliner", a)
	}
	for i := 2; i < 12; i++ {
		if got := e.dora(mac(i), onEth1); got == a {
			t.Fatalf("declined %s handed out to %s", a, mac(i))
		}
	}
	if offer := e.send(discover(t, mac(60)), onEth1); offer != nil {
		t.Fatalf("offer %s: the declined address is quarantined", offer.YourIPAddr)
	}
	e.clk.advance(quarantine)
	if got := e.dora(mac(60), onEth1); got != a {
		t.Fatalf("after quarantine got %s, want %s", got, a)
	}
	// A decline for an address the client was never given changes nothing.
	before := e.h.Leases()
	e.send(request(t, mac(61), dhcpv4.WithMessageType(dhcpv4.MessageTypeDecline), optRequested("10.100.0.5")), onEth1)
	if diff := cmp.Diff(before, e.h.Leases(), cmpAddr); diff != "" {
		t.Fatalf("foreign decline changed leases:\n%s", diff)
	}
}

func TestHandlerReservations(t *testing.T) {
	p := testPool()
	p.Reservations = []intent.Reservation{
		{MAC: "02:00:00:00:00:aa", IP: "10.100.0.14"}, // inside the range
		{MAC: "02-00-00-00-00-BB", IP: "10.100.0.15"}, // invalid: broadcast, tested in pool_test
	}
	p.Reservations = p.Reservations[:1]
	p.Subnet, p.Ranges = "10.100.0.0/27", []string{"10.100.0.1-10.100.0.14"}
	p.Reservations = append(p.Reservations, intent.Reservation{MAC: "02-00-00-00-00-BB", IP: "10.100.0.20"}) // outside the range
	e := newEnv(t, p)
	reserved := net.HardwareAddr{2, 0, 0, 0, 0, 0xaa}
	outside := net.HardwareAddr{2, 0, 0, 0, 0, 0xbb}
	if got := e.dora(outside, onEth1); got != "10.100.0.20" {
		t.Fatalf("reserved client outside the range got %s", got)
	}
	// Dynamic clients fill the range but never get .14.
	for i := range 11 {
		if got := e.dora(mac(i), onEth1); got == "10.100.0.14" {
			t.Fatalf("reserved address given to %s", mac(i))
		}
	}
	if offer := e.send(discover(t, mac(40)), onEth1); offer != nil {
		t.Fatalf("offer %s: only the reserved address is left", offer.YourIPAddr)
	}
	if got := e.dora(reserved, onEth1); got != "10.100.0.14" {
		t.Fatalf("reserved client got %s", got)
	}
	// Asking for another address does not move a reserved client.
	offer := e.send(discover(t, reserved, optRequested("10.100.0.3")), onEth1)
	if offer.YourIPAddr.String() != "10.100.0.14" {
		t.Fatalf("reserved client offered %s", offer.YourIPAddr)
	}
}

func TestHandlerReservationWinsOverLease(t *testing.T) {
	e := newEnv(t)
	a := e.dora(mac(1), onEth1) // 10.100.0.3
	// The operator now reserves that address for another machine.
	p := testPool()
	p.Reservations = []intent.Reservation{{MAC: mac(9).String(), IP: a}}
	if err := e.h.SetPools([]intent.Pool{p}, []netip.Addr{serverAddr}); err != nil {
		t.Fatal(err)
	}
	if got := e.dora(mac(9), onEth1); got != a {
		t.Fatalf("reserved client got %s, want %s", got, a)
	}
	if got := summarize(e.send(request(t, mac(1), dhcpv4.WithClientIP(ip(a))), onEth1)).Type; got != "NAK" {
		t.Fatalf("former holder renewing: %s, want NAK", got)
	}
	if got := e.dora(mac(1), onEth1); got == a {
		t.Fatalf("former holder got the reserved %s again", a)
	}
}

func TestHandlerPersistence(t *testing.T) {
	e := newEnv(t)
	addrs := map[string]string{}
	for i := range 5 {
		addrs[mac(i).String()] = e.dora(mac(i), onEth1)
	}
	e.restart()
	if diff := cmp.Diff(5, len(e.h.Leases())); diff != "" {
		t.Fatalf("leases after restart (-want +got):\n%s", diff)
	}
	// A rebooting client keeps its address (INIT-REBOOT), a rediscovering
	// one is offered it again, and a newcomer gets a fresh one.
	if got := summarize(e.send(request(t, mac(0), optRequested(addrs[mac(0).String()])), onEth1)); got.Type != "ACK" {
		t.Fatalf("init-reboot after restart: %+v", got)
	}
	for i := 1; i < 5; i++ {
		if got := e.dora(mac(i), onEth1); got != addrs[mac(i).String()] {
			t.Fatalf("%s got %s after restart, had %s", mac(i), got, addrs[mac(i).String()])
		}
	}
	if got := e.dora(mac(5), onEth1); got != "10.100.0.8" {
		t.Fatalf("newcomer got %s, want 10.100.0.8", got)
	}
}

func TestHandlerPoolSelection(t *testing.T) {
	v100 := testPool()
	v200 := intent.Pool{Network: "vlan200", VLAN: 200, Subnet: "10.200.0.0/24", Ranges: []string{"10.200.0.10-10.200.0.20"},
		Gateway: "10.200.0.1", Relay: "192.0.2.1"}
	v300 := intent.Pool{Network: "vlan300", VLAN: 300, Subnet: "10.30.0.0/24", Ranges: []string{"10.30.0.10-10.30.0.20"}, Interface: "eth3"}
	e := newEnvConfig(t, HandlerConfig{Pools: []intent.Pool{v100, v200, v300}, ServerID: netip.MustParseAddr("192.0.2.53")})
	tests := []struct {
		name   string
		mods   []dhcpv4.Modifier
		in     Meta
		want   string // offered subnet prefix of the address, or "none"
		server string
	}{
		{"interface eth1", nil, onEth1, "10.100.0.", "10.100.0.2"},
		{"interface eth3", nil, Meta{Interface: "eth3"}, "10.30.0.", "192.0.2.53"},
		{"giaddr equal to relay", []dhcpv4.Modifier{dhcpv4.WithGatewayIP(ip("192.0.2.1"))}, Meta{}, "10.200.0.", "192.0.2.53"},
		{"giaddr inside subnet", []dhcpv4.Modifier{dhcpv4.WithGatewayIP(ip("10.30.0.1"))}, Meta{}, "10.30.0.", "192.0.2.53"},
		{"giaddr wins over interface", []dhcpv4.Modifier{dhcpv4.WithGatewayIP(ip("192.0.2.1"))}, onEth1, "10.200.0.", "192.0.2.53"},
		{"unknown giaddr", []dhcpv4.Modifier{dhcpv4.WithGatewayIP(ip("198.51.100.1"))}, onEth1, "none", ""},
		{"unknown interface", nil, Meta{Interface: "eth7"}, "none", ""},
		{"unbound listener, no giaddr", nil, Meta{}, "none", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer := e.send(discover(t, mac(i), tt.mods...), tt.in)
			if tt.want == "none" {
				if offer != nil {
					t.Fatalf("offer %s, want none", offer.YourIPAddr)
				}
				return
			}
			if offer == nil {
				t.Fatal("no offer")
			}
			if got := offer.YourIPAddr.String(); len(got) < len(tt.want) || got[:len(tt.want)] != tt.want {
				t.Fatalf("offer %s, want in %s*", got, tt.want)
			}
			if got := offer.ServerIdentifier().String(); got != tt.server {
				t.Fatalf("server id %s, want %s", got, tt.server)
			}
			if !offer.GatewayIPAddr.Equal(discover(t, mac(i), tt.mods...).GatewayIPAddr) {
				t.Fatalf("giaddr not echoed: %s", offer.GatewayIPAddr)
			}
		})
	}
}

func TestHandlerNoServerID(t *testing.T) {
	s, err := OpenStore(filepath.Join(t.TempDir(), "l.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = NewHandler(HandlerConfig{Pools: []intent.Pool{testPool()}}, s, testLogger(t))
	if err == nil {
		t.Fatal("handler without any server identifier accepted")
	}
}

func TestHandlerInform(t *testing.T) {
	e := newEnv(t)
	m, err := dhcpv4.NewInform(mac(1), ip("10.100.0.12"))
	if err != nil {
		t.Fatal(err)
	}
	got := summarize(e.send(m, Meta{}))
	want := summary{Type: "ACK", YourIP: "0.0.0.0", ServerID: "10.100.0.2", Mask: "255.255.255.240",
		Routers: "[10.100.0.1]", DNS: "[10.0.0.53 10.0.0.54]", Domain: "lab.example"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("inform ack (-want +got):\n%s", diff)
	}
}

func TestReplyAddr(t *testing.T) {
	mk := func(mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
		m, err := dhcpv4.New(mods...)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ack := mk(dhcpv4.WithMessageType(dhcpv4.MessageTypeAck))
	nak := mk(dhcpv4.WithMessageType(dhcpv4.MessageTypeNak))
	tests := []struct {
		name       string
		req, reply *dhcpv4.DHCPv4
		want       string
	}{
		{"relayed", mk(dhcpv4.WithGatewayIP(ip("192.0.2.1")), dhcpv4.WithClientIP(ip("10.0.0.5"))), ack, "192.0.2.1:1067"},
		{"relayed nak", mk(dhcpv4.WithGatewayIP(ip("192.0.2.1"))), nak, "192.0.2.1:1067"},
		{"renewing client", mk(dhcpv4.WithClientIP(ip("10.0.0.5"))), ack, "10.0.0.5:68"},
		{"nak to renewing client", mk(dhcpv4.WithClientIP(ip("10.0.0.5"))), nak, "255.255.255.255:68"},
		{"new client", mk(), ack, "255.255.255.255:68"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReplyAddr(tt.req, tt.reply, 1067).String(); got != tt.want {
				t.Fatalf("ReplyAddr = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestHandlerConcurrentClientsPersisted(t *testing.T) {
	p := intent.Pool{Network: "big", VLAN: 5, Subnet: "10.5.0.0/16", Ranges: []string{"10.5.0.10-10.5.255.250"}, Relay: "192.0.2.1"}
	e := newEnvConfig(t, HandlerConfig{Pools: []intent.Pool{p}, ServerID: netip.MustParseAddr("192.0.2.53")})
	relayed := dhcpv4.WithGatewayIP(ip("192.0.2.1"))
	const workers, each = 8, 25
	got := make([][]string, workers)
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := range each {
				hw := mac(w*100 + i)
				d, _ := dhcpv4.NewDiscovery(hw, relayed)
				offer := e.h.Handle(d, Meta{})
				if offer == nil {
					errs <- fmt.Errorf("%s: no offer", hw)
					return
				}
				r, _ := dhcpv4.NewRequestFromOffer(offer, relayed)
				ack := e.h.Handle(r, Meta{})
				if ack == nil || ack.MessageType() != dhcpv4.MessageTypeAck {
					errs <- fmt.Errorf("%s: no ack", hw)
					return
				}
				got[w] = append(got[w], hw.String()+"="+ack.YourIPAddr.String())
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{}
	seen := map[string]bool{}
	for _, g := range got {
		for _, kv := range g {
			var m, a string
			fmt.Sscanf(strings.ReplaceAll(kv, "=", " "), "%s %s", &m, &a)
			if seen[a] {
				t.Fatalf("%s leased twice", a)
			}
			seen[a] = true
			want[m] = a
		}
	}
	e.restart()
	stored := map[string]string{}
	for _, l := range e.h.Leases() {
		if l.State == LeaseBound {
			stored[l.MAC] = l.IP.String()
		}
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Fatalf("leases after restart (-want +got):\n%s", diff)
	}
}
