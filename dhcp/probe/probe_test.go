package probe

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
)

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

func TestCheck(t *testing.T) {
	pool := intent.Pool{VLAN: 100, Subnet: "172.16.100.0/24", Ranges: []string{"172.16.100.50-172.16.100.200"},
		Gateway: "172.16.100.1", DNS: []string{"172.16.0.53", "172.16.0.54"}, Domain: "lab.example",
		Reservations: []intent.Reservation{{MAC: "02-00-00-00-00-AA", IP: "172.16.100.10"}}}
	good := Answer{Type: "OFFER", Address: netip.MustParseAddr("172.16.100.50"), SubnetMask: 24,
		Routers: addrs("172.16.100.1"), DNS: addrs("172.16.0.53", "172.16.0.54"), Domain: "lab.example"}
	with := func(f func(a *Answer)) Answer { a := good; f(&a); return a }
	tests := []struct {
		name string
		ans  Answer
		mac  string
		want []Finding
	}{
		{"match", good, "02:00:00:00:00:01", nil},
		{"reserved address outside range", with(func(a *Answer) { a.Address = netip.MustParseAddr("172.16.100.10") }), "02:00:00:00:00:aa", nil},
		{"wrong subnet", with(func(a *Answer) { a.Address = netip.MustParseAddr("10.0.0.5") }), "02:00:00:00:00:01",
			[]Finding{{Code: CodeWrongSubnet, Object: "address", Expected: "172.16.100.0/24", Found: "10.0.0.5", Message: "offered 10.0.0.5 is outside subnet 172.16.100.0/24"}}},
		{"outside range", with(func(a *Answer) { a.Address = netip.MustParseAddr("172.16.100.10") }), "02:00:00:00:00:01",
			[]Finding{{Code: CodePoolMismatch, Object: "address", Expected: "172.16.100.50-172.16.100.200", Found: "172.16.100.10", Message: "offered 172.16.100.10 is outside the pool's ranges"}}},
		{"router", with(func(a *Answer) { a.Routers = addrs("172.16.100.254") }), "02:00:00:00:00:01",
			[]Finding{{Code: CodePoolMismatch, Object: "router", Expected: "172.16.100.1", Found: "172.16.100.254", Message: "router option differs from the gateway"}}},
		{"no router", with(func(a *Answer) { a.Routers = nil }), "02:00:00:00:00:01",
			[]Finding{{Code: CodePoolMismatch, Object: "router", Expected: "172.16.100.1", Message: "router option differs from the gateway"}}},
		{"dns order", with(func(a *Answer) { a.DNS = addrs("172.16.0.54", "172.16.0.53") }), "02:00:00:00:00:01",
			[]Finding{{Code: CodePoolMismatch, Object: "dns", Expected: "172.16.0.53,172.16.0.54", Found: "172.16.0.54,172.16.0.53", Message: "DNS servers option differs"}}},
		{"mask and domain", with(func(a *Answer) { a.SubnetMask = 16; a.Domain = "" }), "02:00:00:00:00:01",
			[]Finding{
				{Code: CodePoolMismatch, Object: "subnet-mask", Expected: "/24", Found: "/16", Message: "subnet mask option differs from the subnet"},
				{Code: CodePoolMismatch, Object: "domain", Expected: "lab.example", Message: "domain name option differs"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Check(tt.ans, pool, tt.mac)); diff != "" {
				t.Fatalf("Check (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProbeOptions(t *testing.T) {
	ctx := context.Background()
	bad := []Options{
		{},
		{Interface: "eth0", Relay: netip.MustParseAddrPort("127.0.0.2:67")},
		{Relay: netip.MustParseAddrPort("127.0.0.2:6700")},                                                  // no server
		{Relay: netip.MustParseAddrPort("0.0.0.0:6700"), Server: netip.MustParseAddrPort("127.0.0.1:6767")}, // no giaddr
	}
	for _, o := range bad {
		if _, err := Probe(ctx, o); err == nil {
			t.Errorf("Probe(%+v) ran", o)
		}
	}
}

func TestProbeRelayNoOffer(t *testing.T) {
	// A bound socket that never answers stands for a silent server.
	silent, err := ListenRelay(context.Background(), netip.MustParseAddrPort("127.0.0.1:0"))
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	server := silent.LocalAddr().(interface{ AddrPort() netip.AddrPort }).AddrPort()
	free, err := ListenRelay(context.Background(), netip.MustParseAddrPort("127.0.0.2:0"))
	if err != nil {
		t.Fatal(err)
	}
	relay := free.LocalAddr().(interface{ AddrPort() netip.AddrPort }).AddrPort()
	free.Close()
	res, err := Probe(context.Background(), Options{Relay: relay, Server: server, Timeout: 20 * time.Millisecond, Retries: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{{Code: CodeNoOffer, Object: "offer", Message: "no DHCPOFFER via " + relay.String() + " after 2 attempts"}}
	if diff := cmp.Diff(want, res.Findings); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
}
