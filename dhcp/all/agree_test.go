package all

import (
	"slices"
	"strings"
	"testing"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

// TestCheckAgreesWithServers: every pool interface and reservation host
// name inventory check accepts is one the servers' configuration writers
// accept (dhcp.ValidatePool), and quotes, '$', '\', control, bidi and
// zero-width characters in an interface are refused by check already.
func TestCheckAgreesWithServers(t *testing.T) {
	r := dhcp.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	opts := intent.InventoryOptions()
	opts.DHCP = r.Inventory()
	refused := []string{`eth1"`, "eth1'", "eth$1", `eth\1`, "eth`1", "eth\x071", "eth\u202e1", "eth\u200b1", "eth\u2066x", "eth\ufeff1",
		"eth 1", "eth1/2", "eth1:2", strings.Repeat("e", 16), "ethé"}
	accepted := []string{"eth1", "eth1.100", "br_vm-100", strings.Repeat("e", 15)}
	hostnames := []string{"vm-1", "vm_1", "vm.example.net", "a..b", "-vm", strings.Repeat("h", 63), strings.Repeat("h", 64)}
	type pool struct{ iface, hostname string }
	var cases []pool
	for _, iface := range append(refused, accepted...) {
		cases = append(cases, pool{iface, "vm-1"})
	}
	for _, h := range hostnames {
		cases = append(cases, pool{"eth1", h})
	}
	for _, tc := range cases {
		iface := tc.iface
		inv := &inventory.Inventory{
			Version: 1,
			Networks: []inventory.Network{{Name: "vms", ClusterNetwork: "mgmt", VLAN: 100, DHCP: &inventory.DHCPBlock{
				Server: "kea1", Subnet: "10.0.0.0/24", Range: "10.0.0.10-10.0.0.20", Interface: iface,
				Reservations: []inventory.Reservation{{MAC: "52:54:00:00:00:01", IP: "10.0.0.5", Hostname: tc.hostname}}}}},
			DHCPServers: []inventory.DHCPServer{{Name: "kea1", Kind: "kea", Endpoint: "https://192.0.2.53:8000"}},
		}
		inv.ApplyDefaults()
		err := inventory.Validate(inv, opts)
		if tc.hostname == "vm-1" {
			wantOK := !slices.Contains(refused, iface)
			if (err == nil) != wantOK {
				t.Errorf("interface %q: check = %v, want accepted %v", iface, err, wantOK)
			}
			if err != nil && !strings.Contains(err.Error(), "networks[0].dhcp.interface") {
				t.Errorf("interface %q: problem not at networks[0].dhcp.interface: %v", iface, err)
			}
		}
		if err != nil {
			continue
		}
		d, err := intent.Derive(inv)
		if err != nil {
			t.Fatal(err)
		}
		for _, srv := range d.DHCP {
			for _, p := range srv.Pools {
				if err := dhcp.ValidatePool(p); err != nil {
					t.Errorf("%+v: accepted by check, refused by the server driver: %v", tc, err)
				}
			}
		}
	}
}
