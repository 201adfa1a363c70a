package embedded

import (
	"errors"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/intent"
)

func TestValidatePools(t *testing.T) {
	good := intent.Pool{Network: "vlan100", VLAN: 100, Subnet: "172.16.100.0/24", Ranges: []string{"172.16.100.50-172.16.100.200"},
		Gateway: "172.16.100.1", DNS: []string{"172.16.0.53"}}
	with := func(f func(p *intent.Pool)) []intent.Pool {
		p := good
		f(&p)
		return []intent.Pool{p}
	}
	tests := []struct {
		name  string
		pools []intent.Pool
		want  string // substring of the error; "" = valid
	}{
		{"valid", []intent.Pool{good}, ""},
		{"single address range", with(func(p *intent.Pool) { p.Ranges = []string{"172.16.100.9"} }), ""},
		{"not a cidr", with(func(p *intent.Pool) { p.Subnet = "172.16.100.0" }), "not an IPv4 CIDR"},
		{"ipv6", with(func(p *intent.Pool) { p.Subnet = "2001:db8::/64" }), "not an IPv4 CIDR"},
		{"too small", with(func(p *intent.Pool) { p.Subnet = "172.16.100.0/31"; p.Ranges = []string{"172.16.100.0-172.16.100.1"} }), "too small"},
		{"no range", with(func(p *intent.Pool) { p.Ranges = nil }), "no address range"},
		{"range outside", with(func(p *intent.Pool) { p.Ranges = []string{"172.16.100.50-172.16.101.10"} }), "outside subnet"},
		{"range reversed", with(func(p *intent.Pool) { p.Ranges = []string{"172.16.100.90-172.16.100.80"} }), "ends before it starts"},
		{"range from network address", with(func(p *intent.Pool) { p.Ranges = []string{"172.16.100.0-172.16.100.80"} }), "network or broadcast"},
		{"range to broadcast", with(func(p *intent.Pool) { p.Ranges = []string{"172.16.100.10-172.16.100.255"} }), "network or broadcast"},
		{"gateway outside", with(func(p *intent.Pool) { p.Gateway = "10.0.0.1" }), "gateway 10.0.0.1 is outside"},
		{"bad dns", with(func(p *intent.Pool) { p.DNS = []string{"dns.example"} }), "dns"},
		{"bad relay", with(func(p *intent.Pool) { p.Relay = "x" }), "relay"},
		{"negative lease", with(func(p *intent.Pool) { p.LeaseTime = -1 }), "negative"},
		{"bad mac", with(func(p *intent.Pool) { p.Reservations = []intent.Reservation{{MAC: "zz", IP: "172.16.100.5"}} }), "reservation"},
		{"reservation outside", with(func(p *intent.Pool) {
			p.Reservations = []intent.Reservation{{MAC: "02:00:00:00:00:01", IP: "172.16.101.5"}}
		}), "outside subnet"},
		{"reservation on gateway", with(func(p *intent.Pool) {
			p.Reservations = []intent.Reservation{{MAC: "02:00:00:00:00:01", IP: "172.16.100.1"}}
		}), "is the gateway"},
		{"mac reserved twice", with(func(p *intent.Pool) {
			p.Reservations = []intent.Reservation{{MAC: "02:00:00:00:00:01", IP: "172.16.100.5"}, {MAC: "02-00-00-00-00-01", IP: "172.16.100.6"}}
		}), "reserved twice"},
		{"ip reserved twice", with(func(p *intent.Pool) {
			p.Reservations = []intent.Reservation{{MAC: "02:00:00:00:00:01", IP: "172.16.100.5"}, {MAC: "02:00:00:00:00:02", IP: "172.16.100.5"}}
		}), "reserved for both"},
		{"overlapping subnets", []intent.Pool{good, {VLAN: 101, Subnet: "172.16.0.0/16", Ranges: []string{"172.16.1.1-172.16.1.9"}}}, "overlaps"},
		{"same vlan", []intent.Pool{good, {VLAN: 100, Subnet: "10.0.0.0/24", Ranges: []string{"10.0.0.1-10.0.0.9"}}}, "VLAN 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePools(tt.pools)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidatePools() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalidPool) {
				t.Fatalf("ValidatePools() = %v, want ErrInvalidPool containing %q", err, tt.want)
			}
		})
	}
}

func TestPoolAddrAt(t *testing.T) {
	p, err := compilePool(intent.Pool{Subnet: "10.0.0.0/24", Ranges: []string{"10.0.0.10-10.0.0.12", "10.0.0.200"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.size != 4 {
		t.Fatalf("size = %d, want 4", p.size)
	}
	var got []string
	for i := 0; i < p.size; i++ {
		got = append(got, p.addrAt(i).String())
	}
	if want := "10.0.0.10 10.0.0.11 10.0.0.12 10.0.0.200"; strings.Join(got, " ") != want {
		t.Fatalf("addresses = %v, want %s", got, want)
	}
	if p.broadcast.String() != "10.0.0.255" || p.network.String() != "10.0.0.0" {
		t.Fatalf("network/broadcast = %s/%s", p.network, p.broadcast)
	}
}
