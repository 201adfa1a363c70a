package inventory_test

import (
	"context"
	"errors"
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
	inv, err := inventory.LoadBytes(context.Background(), "fleet.yaml", fleet(4), "yaml", opts)
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
		if _, err := inventory.LoadBytes(context.Background(), "fleet.yaml", data, "yaml", opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateFleet validates 1,000 switches with 48 host ports each
// (24,000 hosts, 48,000 cabled NICs), decoding excluded.
func BenchmarkValidateFleet(b *testing.B) {
	inv, err := inventory.LoadBytes(context.Background(), "fleet.yaml", fleet(1000), "yaml", opts)
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
		if _, err := inventory.LoadBytes(context.Background(), "fleet.yaml", data, "yaml", opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck100kHosts loads and validates 100,032 hosts cabled to 4,168
// switches, as inventory check does.
func BenchmarkCheck100kHosts(b *testing.B) {
	cleanEnv(b)
	data := fleet(4168)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := inventory.LoadBytes(context.Background(), "fleet.yaml", data, "yaml", opts); err != nil {
			b.Fatal(err)
		}
	}
}

// unknownKeys is an inventory with n misspelt top-level keys.
func unknownKeys(n int) []byte {
	var buf strings.Builder
	buf.WriteString("version: 1\n")
	for i := range n {
		fmt.Fprintf(&buf, "swiches%d: x\n", i)
	}
	return []byte(buf.String())
}

// BenchmarkCheck200kUnknownKeys reports 200,000 unknown keys, each with its
// line: one walk over the document, not a scan of it per key.
func BenchmarkCheck200kUnknownKeys(b *testing.B) {
	cleanEnv(b)
	data := unknownKeys(200_000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_, err := inventory.LoadBytes(context.Background(), "keys.yaml", data, "yaml", opts)
		var ve inventory.ValidationErrors
		if !errors.As(err, &ve) || len(ve) != 200_000 {
			b.Fatalf("got %d problems, want 200000 (%v)", len(ve), err)
		}
	}
}

// deepDocs are documents nested depth levels deep, in each format and
// style.
func deepDocs(depth int) map[string][]byte {
	var block strings.Builder
	block.WriteString("version: 1\n")
	for i := range depth {
		block.WriteString(strings.Repeat("  ", i) + "settings:\n")
	}
	flow := "version: 1\nsettings: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n"
	json := `{"version": 1, "settings": ` + strings.Repeat(`{"a": `, depth) + "1" + strings.Repeat("}", depth+1)
	toml := "version = 1\nsettings = " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n"
	return map[string][]byte{"yaml block": []byte(block.String()), "yaml flow": []byte(flow), "json": []byte(json), "toml": []byte(toml)}
}

// BenchmarkCheckDepth2000 refuses documents nested 2,000 levels deep before
// any parser runs.
func BenchmarkCheckDepth2000(b *testing.B) {
	for name, data := range deepDocs(2000) {
		format := strings.Fields(name)[0]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := inventory.LoadBytes(context.Background(), "deep."+format, data, format, opts); !errors.Is(err, inventory.ErrTooDeep) {
					b.Fatalf("err = %v, want ErrTooDeep", err)
				}
			}
		})
	}
}
