package embedded

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/inventory"
)

func TestConfigFor(t *testing.T) {
	tests := []struct {
		name    string
		srv     inventory.DHCPServer
		want    Config
		wantErr bool
	}{
		{"file only", inventory.DHCPServer{Name: "b", LeaseFile: "/var/lib/netalign/leases.db"},
			Config{LeaseFile: "/var/lib/netalign/leases.db", PoolsFile: "/var/lib/netalign/leases.db.pools.json"}, false},
		{"endpoint address", inventory.DHCPServer{Name: "b", LeaseFile: "/l.db", ConfigPath: "/p.json", Endpoint: "192.0.2.53"},
			Config{LeaseFile: "/l.db", PoolsFile: "/p.json", ListenAddr: netip.MustParseAddrPort("192.0.2.53:67"), ServerID: netip.MustParseAddr("192.0.2.53")}, false},
		{"endpoint with port", inventory.DHCPServer{Name: "b", LeaseFile: "/l.db", Endpoint: "127.0.0.1:1067"},
			Config{LeaseFile: "/l.db", PoolsFile: "/l.db.pools.json", ListenAddr: netip.MustParseAddrPort("127.0.0.1:1067"), ServerID: netip.MustParseAddr("127.0.0.1")}, false},
		{"no lease file", inventory.DHCPServer{Name: "b", ConfigPath: "/p.json"}, Config{}, true},
		{"wildcard endpoint", inventory.DHCPServer{Name: "b", LeaseFile: "/l.db", Endpoint: "0.0.0.0:67"}, Config{}, true},
		{"url endpoint", inventory.DHCPServer{Name: "b", LeaseFile: "/l.db", Endpoint: "http://x"}, Config{}, true},
	}
	cmpAddrPort := cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ConfigFor(tt.srv, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmpAddr, cmpAddrPort); diff != "" {
				t.Fatalf("ConfigFor (-want +got):\n%s", diff)
			}
		})
	}
}
