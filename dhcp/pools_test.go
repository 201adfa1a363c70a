package dhcp

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netalign/netalign/internal/intent"
)

func pool(vlan int, subnet, rng string) intent.Pool {
	return intent.Pool{Network: "net", VLAN: vlan, Subnet: subnet, Ranges: []string{rng}}
}

func TestApplyChanges(t *testing.T) {
	p100 := pool(100, "172.16.100.0/24", "172.16.100.50-172.16.100.200")
	p101 := pool(101, "172.16.101.0/24", "172.16.101.50-172.16.101.200")
	p101b := pool(101, "172.16.101.0/24", "172.16.101.10-172.16.101.20")
	owned := func(ps ...intent.Pool) []intent.Pool {
		for i := range ps {
			ps[i].Owned = true
		}
		return ps
	}
	tests := []struct {
		name    string
		cur     []intent.Pool
		changes []intent.PoolChange
		want    []intent.Pool
		wantErr error
	}{
		{"create into empty", nil, []intent.PoolChange{{Action: intent.Create, Pool: p101}, {Action: intent.Create, Pool: p100}}, owned(p100, p101), nil},
		{"update and delete", owned(p100, p101), []intent.PoolChange{{Action: intent.Update, Pool: p101b}, {Action: intent.Delete, Pool: p100}}, owned(p101b), nil},
		{"delete all", owned(p100), []intent.PoolChange{{Action: intent.Delete, Pool: p100}}, []intent.Pool{}, nil},
		{"create existing", owned(p100), []intent.PoolChange{{Action: intent.Create, Pool: p100}}, nil, ErrPoolConflict},
		{"update missing", nil, []intent.PoolChange{{Action: intent.Update, Pool: p100}}, nil, ErrPoolConflict},
		{"delete missing", nil, []intent.PoolChange{{Action: intent.Delete, Pool: p100}}, nil, ErrPoolConflict},
		{"two changes to one vlan", nil, []intent.PoolChange{{Action: intent.Create, Pool: p100}, {Action: intent.Delete, Pool: p100}}, nil, ErrPoolConflict},
		{"overlapping subnets", nil, []intent.PoolChange{{Action: intent.Create, Pool: p100}, {Action: intent.Create, Pool: pool(7, "172.16.0.0/16", "172.16.1.1-172.16.1.9")}}, nil, ErrInvalidPool},
		{"invalid pool", nil, []intent.PoolChange{{Action: intent.Create, Pool: pool(100, "172.16.100.0/24", "172.16.200.1-172.16.200.9")}}, nil, ErrInvalidPool},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ApplyChanges(tt.cur, tt.changes)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ApplyChanges (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidatePool(t *testing.T) {
	good := intent.Pool{
		Network: "vlan100", VLAN: 100, Subnet: "172.16.100.0/24",
		Ranges:  []string{"172.16.100.50-172.16.100.100", "172.16.100.150 - 172.16.100.200"},
		Gateway: "172.16.100.1", DNS: []string{"172.16.0.53"}, Domain: "lab.example", Relay: "172.16.100.1", Interface: "eth1.100",
		Reservations: []intent.Reservation{{MAC: "52:54:00:AA:BB:01", IP: "172.16.100.10", Hostname: "vm-1"}},
	}
	if err := ValidatePool(good); err != nil {
		t.Fatalf("valid pool rejected: %v", err)
	}
	tests := []struct {
		name string
		edit func(*intent.Pool)
	}{
		{"vlan 0", func(p *intent.Pool) { p.VLAN = 0 }},
		{"vlan 4095", func(p *intent.Pool) { p.VLAN = 4095 }},
		{"host bits", func(p *intent.Pool) { p.Subnet = "172.16.100.1/24" }},
		{"ipv6 subnet", func(p *intent.Pool) { p.Subnet = "2001:db8::/64" }},
		{"no range", func(p *intent.Pool) { p.Ranges = nil }},
		{"reversed range", func(p *intent.Pool) { p.Ranges = []string{"172.16.100.99-172.16.100.50"} }},
		{"range outside", func(p *intent.Pool) { p.Ranges = []string{"172.16.101.1-172.16.101.9"} }},
		{"overlapping ranges", func(p *intent.Pool) {
			p.Ranges = []string{"172.16.100.50-172.16.100.100", "172.16.100.90-172.16.100.120"}
		}},
		{"gateway outside", func(p *intent.Pool) { p.Gateway = "10.0.0.1" }},
		{"gateway in range", func(p *intent.Pool) { p.Gateway = "172.16.100.60" }},
		{"bad dns", func(p *intent.Pool) { p.DNS = []string{"dns.example"} }},
		{"domain with comma", func(p *intent.Pool) { p.Domain = "a.example,b" }},
		{"network with newline", func(p *intent.Pool) { p.Network = "x\ny" }},
		{"interface with space", func(p *intent.Pool) { p.Interface = "eth1 100" }},
		{"interface too long", func(p *intent.Pool) { p.Interface = "eth1234567890123" }},
		{"relay not an address", func(p *intent.Pool) { p.Relay = "router" }},
		{"negative lease", func(p *intent.Pool) { p.LeaseTime = -1 }},
		{"bad mac", func(p *intent.Pool) { p.Reservations[0].MAC = "52:54:00" }},
		{"reservation outside", func(p *intent.Pool) { p.Reservations[0].IP = "10.0.0.5" }},
		{"hostname with comma", func(p *intent.Pool) { p.Reservations[0].Hostname = "vm,1" }},
		{"duplicate mac", func(p *intent.Pool) {
			p.Reservations = append(p.Reservations, intent.Reservation{MAC: "52:54:00:aa:bb:01", IP: "172.16.100.11"})
		}},
		{"duplicate ip", func(p *intent.Pool) {
			p.Reservations = append(p.Reservations, intent.Reservation{MAC: "52:54:00:aa:bb:02", IP: "172.16.100.10"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good
			p.Reservations = append([]intent.Reservation(nil), good.Reservations...)
			tt.edit(&p)
			if err := ValidatePool(p); !errors.Is(err, ErrInvalidPool) {
				t.Fatalf("ValidatePool = %v, want ErrInvalidPool", err)
			}
		})
	}
}

func TestPrefixRange(t *testing.T) {
	tests := []struct{ in, first, last string }{
		{"192.0.2.64/26", "192.0.2.64", "192.0.2.127"},
		{"10.0.0.0/8", "10.0.0.0", "10.255.255.255"},
		{"192.0.2.7/32", "192.0.2.7", "192.0.2.7"},
	}
	for _, tt := range tests {
		a, b := PrefixRange(netip.MustParsePrefix(tt.in))
		if a.String() != tt.first || b.String() != tt.last {
			t.Errorf("PrefixRange(%s) = %s-%s, want %s-%s", tt.in, a, b, tt.first, tt.last)
		}
	}
}

func TestCheckUnowned(t *testing.T) {
	mine := []intent.Pool{pool(100, "172.16.100.0/24", "172.16.100.50-172.16.100.60")}
	for _, foreign := range [][]intent.Pool{
		{pool(100, "10.0.0.0/24", "10.0.0.5-10.0.0.9")},
		{pool(5, "172.16.100.0/24", "172.16.100.5-172.16.100.9")},
	} {
		if err := CheckUnowned(mine, foreign); !errors.Is(err, ErrPoolConflict) {
			t.Errorf("CheckUnowned(%v) = %v, want ErrPoolConflict", foreign, err)
		}
	}
	if err := CheckUnowned(mine, []intent.Pool{pool(5, "10.0.0.0/24", "10.0.0.5-10.0.0.9")}); err != nil {
		t.Errorf("unrelated pool: %v", err)
	}
}
