package inventory_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/netalign/netalign/inventory"
)

// fleet writes an inventory of n switches in MLAG pairs with 48 host ports
// each: 24*n hosts, each with an LACP bond over one port of each switch of
// a pair.
func fleet(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\nclusterNetworks:\n  - {name: mgmt, mtu: 9000, bond: {mode: 802.3ad, lacpRate: fast}, mgmtVlan: 10}\n")
	b.WriteString("networks:\n  - {name: vlan100, clusterNetwork: mgmt, vlan: 100}\nswitches:\n")
	for i := range n {
		peer := i ^ 1
		fmt.Fprintf(&b, "  - {name: sw%d, platform: eos, address: 10.%d.%d.1, credentials: {usernameEnv: U, passwordEnv: P}, lagIds: 1-999, mlagPeer: sw%d}\n", i, i/256, i%256, peer)
	}
	b.WriteString("hosts:\n")
	for p := 0; p < n; p += 2 {
		for port := 1; port <= 48; port++ {
			fmt.Fprintf(&b, "  - name: h%d-%d\n    clusterNetworks:\n      - name: mgmt\n        nics:\n", p, port)
			fmt.Fprintf(&b, "          - {name: eno1, switch: sw%d, port: Ethernet%d}\n", p, port)
			fmt.Fprintf(&b, "          - {name: eno2, switch: sw%d, port: Ethernet%d}\n", p+1, port)
		}
	}
	return []byte(b.String())
}

func TestFleetIsValid(t *testing.T) {
	cleanEnv(t)
	inv, err := inventory.LoadBytes("fleet.yaml", fleet(4), "yaml", opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Hosts) != 96 || len(inv.Switches) != 4 {
		t.Fatalf("fleet(4): %d hosts, %d switches", len(inv.Hosts), len(inv.Switches))
	}
}

// BenchmarkLoadFleet loads and validates 100 switches with 48 host ports
// each (2,400 hosts).
func BenchmarkLoadFleet(b *testing.B) {
	data := fleet(100)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := inventory.LoadBytes("fleet.yaml", data, "yaml", opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateFleet validates 1,000 switches with 48 host ports each
// (24,000 hosts, 48,000 cabled NICs), decoding excluded.
func BenchmarkValidateFleet(b *testing.B) {
	inv, err := inventory.LoadBytes("fleet.yaml", fleet(1000), "yaml", opts)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := inventory.Validate(inv, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadFleet1000 loads and validates 1,000 switches with 48 host
// ports each, the size of the fleet benchmark.
func BenchmarkLoadFleet1000(b *testing.B) {
	data := fleet(1000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := inventory.LoadBytes("fleet.yaml", data, "yaml", opts); err != nil {
			b.Fatal(err)
		}
	}
}
