package dnsmasq

import (
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netalign/netalign/internal/golden"
	"github.com/netalign/netalign/internal/intent"
)

var update = flag.Bool("update", false, "rewrite golden files")

func samplePools() []intent.Pool {
	return []intent.Pool{
		{Network: "vlan100", VLAN: 100, Subnet: "172.16.100.0/24", Ranges: []string{"172.16.100.50-172.16.100.200"},
			Gateway: "172.16.100.1", DNS: []string{"172.16.0.53", "172.16.0.54"}, Domain: "lab.example", LeaseTime: 43200,
			Relay: "172.16.100.1", Owned: true,
			Reservations: []intent.Reservation{{MAC: "52:54:00:aa:bb:01", IP: "172.16.100.10", Hostname: "vm1"}}},
		{Network: "vlan101", VLAN: 101, Subnet: "172.16.101.0/25", Ranges: []string{"172.16.101.10-172.16.101.20", "172.16.101.100-172.16.101.120"},
			Gateway: "172.16.101.1", Interface: "eth1.101", LeaseTime: 150, Owned: true},
		{VLAN: 102, Subnet: "172.16.102.0/24", Ranges: []string{"172.16.102.50-172.16.102.60"}, Owned: true,
			Reservations: []intent.Reservation{{MAC: "52:54:00:aa:bb:02", IP: "172.16.102.7"}}},
	}
}

func TestRenderGolden(t *testing.T) {
	got := Render(samplePools())
	golden.Check(t, filepath.Join("testdata", "netalign.conf.golden"), got, *update)
}

func TestParseRoundTrip(t *testing.T) {
	for _, pools := range [][]intent.Pool{samplePools(), samplePools()[:1], nil} {
		got, err := Parse(Render(pools))
		if err != nil {
			t.Fatal(err)
		}
		if len(pools) == 0 {
			pools = []intent.Pool{}
		}
		if diff := cmp.Diff(pools, got); diff != "" {
			t.Errorf("Parse(Render(p)) (-want +got):\n%s", diff)
		}
	}
}

// TestParseHostSyntax parses the dhcp-host forms dnsmasq documents in its
// example configuration: MAC and address, and MAC, name, address and lease
// time.
func TestParseHostSyntax(t *testing.T) {
	want := map[string]intent.Reservation{
		"dhcp-host=11:22:33:44:55:66,192.168.0.60":          {MAC: "11:22:33:44:55:66", IP: "192.168.0.60"},
		"dhcp-host=11:22:33:44:55:66,fred,192.168.0.60,45m": {MAC: "11:22:33:44:55:66", IP: "192.168.0.60", Hostname: "fred"},
	}
	for line, w := range want {
		body := Header + "\ndhcp-range=set:vlan5,192.168.0.50,192.168.0.150,255.255.255.0\n" + line + "\n"
		pools, err := Parse([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if diff := cmp.Diff([]intent.Reservation{w}, pools[0].Reservations); diff != "" {
			t.Errorf("%s (-want +got):\n%s", line, diff)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not ours", "dhcp-range=192.168.0.50,192.168.0.150\n", "not managed by netalign"},
		{"foreign directive", Header + "\nserver=8.8.8.8\n", "line 2: server is not a directive netalign writes"},
		{"untagged range", Header + "\ndhcp-range=192.168.0.50,192.168.0.150,255.255.255.0\n", "line 2"},
		{"reservation outside every pool", Header + "\ndhcp-range=set:vlan5,192.168.0.50,192.168.0.150,255.255.255.0\ndhcp-host=11:22:33:44:55:66,10.0.0.1\n", "in no pool's subnet"},
		{"bad lease", Header + "\ndhcp-range=set:vlan5,192.168.0.50,192.168.0.150,255.255.255.0,soon\n", "lease time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := Parse([]byte("dhcp-range=1.2.3.4,1.2.3.5\n")); !errors.Is(err, ErrNotManaged) {
		t.Errorf("Parse of a foreign file: %v, want ErrNotManaged", err)
	}
}

func TestLease(t *testing.T) {
	tests := []struct {
		sec  int
		text string
	}{{43200, "12h"}, {90, "90"}, {120, "2m"}, {86400, "1d"}, {1209600, "2w"}, {3601, "3601"}}
	for _, tt := range tests {
		if got := formatLease(tt.sec); got != tt.text {
			t.Errorf("formatLease(%d) = %q, want %q", tt.sec, got, tt.text)
		}
		if got, err := parseLease(tt.text); err != nil || got != tt.sec {
			t.Errorf("parseLease(%q) = %d, %v; want %d", tt.text, got, err, tt.sec)
		}
	}
}
