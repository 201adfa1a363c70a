package all

import (
	"slices"
	"strings"
	"testing"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

// TestCheckAgreesWithServers: every pool interface inventory check accepts
// is one the servers' configuration writers accept (dhcp.ValidatePool),
// and quotes, '$', '\', control, bidi and zero-width characters are
// refused by check already.
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
	for _, iface := range append(refused, accepted...) {
		inv := &inventory.Inventory{
			Version:     1,
			Networks:    []inventory.Network{{Name: "vms", ClusterNetwork: "mgmt", VLAN: 100, DHCP: &inventory.DHCPBlock{Server: "kea1", Subnet: "10.0.0.0/24", Range: "10.0.0.10-10.0.0.20", Interface: iface}}},
			DHCPServers: []inventory.DHCPServer{{Name: "kea1", Kind: "kea", Endpoint: "https://192.0.2.53:8000"}},
		}
		inv.ApplyDefaults()
		err := inventory.Validate(inv, opts)
		wantOK := !slices.Contains(refused, iface)
		if (err == nil) != wantOK {
			t.Errorf("interface %q: check = %v, want accepted %v", iface, err, wantOK)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "networks[0].dhcp.interface") {
				t.Errorf("interface %q: problem not at networks[0].dhcp.interface: %v", iface, err)
			}
			continue
		}
		d, err := intent.Derive(inv)
		if err != nil {
			t.Fatal(err)
		}
		for _, srv := range d.DHCP {
			for _, p := range srv.Pools {
				if err := dhcp.ValidatePool(p); err != nil {
					t.Errorf("interface %q: accepted by check, refused by the server driver: %v", iface, err)
				}
			}
		}
	}
}
