package kea

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/golden"
	"github.com/netalign/netalign/internal/intent"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestStripComments(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"line comment", "{\"a\": 1 // one\n}", "{\"a\": 1 \n}"},
		{"hash comment", "# head\n{\"a\": 1}", "\n{\"a\": 1}"},
		{"block comment keeps newlines", "{/* x\ny */\"a\": 1}", "{\n\"a\": 1}"},
		{"markers inside strings", `{"u": "http://x/#y", "p": "/* no */"}`, `{"u": "http://x/#y", "p": "/* no */"}`},
		{"escaped quote", `{"s": "a\"//b"}`, `{"s": "a\"//b"}`},
		{"comment at end without newline", `{"a": 1} // end`, `{"a": 1} `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, string(StripComments([]byte(tt.in)))); diff != "" {
				t.Errorf("StripComments (-want +got):\n%s", diff)
			}
		})
	}
}

// loadDhcp4 reads a fixture: a configuration file with a Dhcp4 key, or a
// bare Dhcp4 object as config-get returns it.
func loadDhcp4(t *testing.T, name string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := Dhcp4(b); err == nil {
		return d
	}
	return json.RawMessage(StripComments(b))
}

var fixtures = []string{
	"kea-dhcp4.advanced.json",
	"kea-dhcp4.reservations.json",
	"kea-dhcp4.several-subnets.json",
	"kea-dhcp4.shared-network-relay.json",
	"kea-dhcp4.template-power-user-home-1.conf",
	"kea-dhcp4.unparsed-config-33.two-subnets-options.json",
	"kea-dhcp4.unparsed-config-71.shared-network-3-subnets.json",
}

func TestParsePools(t *testing.T) {
	tests := []struct {
		file string
		want []intent.Pool
	}{
		{"kea-dhcp4.several-subnets.json", []intent.Pool{
			{VLAN: 1, Subnet: "192.0.2.0/24", Ranges: []string{"192.0.2.1-192.0.2.200"}},
			{VLAN: 2, Subnet: "192.0.3.0/24", Ranges: []string{"192.0.3.100-192.0.3.200"}},
			{VLAN: 3, Subnet: "192.0.4.0/24", Ranges: []string{"192.0.4.1-192.0.4.254"}},
		}},
		{"kea-dhcp4.shared-network-relay.json", []intent.Pool{
			// Subnet 1 names relay 0.0.0.0, Kea's "no relay"; both inherit
			// the shared network's interface.
			{VLAN: 1, Subnet: "10.0.0.0/8", LeaseTime: 30, Interface: "eth1"},
			{VLAN: 2, Subnet: "192.0.2.0/24", LeaseTime: 30, Interface: "eth1"},
			{VLAN: 3, Subnet: "192.0.3.0/24", Ranges: []string{"192.0.3.1-192.0.3.200"}, Interface: "eth0"},
		}},
		{"kea-dhcp4.reservations.json", []intent.Pool{
			// Only the hw-address reservation is a MAC reservation.
			{VLAN: 1, Subnet: "192.0.2.0/24", Ranges: []string{"192.0.2.1-192.0.2.200"}, Interface: "eth0",
				Reservations: []intent.Reservation{{MAC: "1a:1b:1c:1d:1e:1f", IP: "192.0.2.201"}}},
		}},
		{"kea-dhcp4.unparsed-config-33.two-subnets-options.json", []intent.Pool{
			{VLAN: 1, Subnet: "192.0.2.0/24", Ranges: []string{"192.0.2.1-192.0.2.100"}, LeaseTime: 4000},
			{VLAN: 2, Subnet: "192.0.3.0/24", Ranges: []string{"192.0.3.101-192.0.3.150"}, LeaseTime: 4000},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParsePools(loadDhcp4(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParsePools (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePoolsEveryFixture(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f, func(t *testing.T) {
			pools, err := ParsePools(loadDhcp4(t, f))
			if err != nil {
				t.Fatal(err)
			}
			if len(pools) == 0 {
				t.Fatal("no subnet found")
			}
			for _, p := range pools {
				if p.Owned {
					t.Errorf("subnet %d reported as netalign's", p.VLAN)
				}
			}
		})
	}
}

func ownedPools() []intent.Pool {
	return []intent.Pool{
		{Network: "vlan210", VLAN: 210, Subnet: "172.16.210.0/24", Ranges: []string{"172.16.210.50-172.16.210.200"},
			Gateway: "172.16.210.1", DNS: []string{"172.16.0.53", "172.16.0.54"}, Domain: "lab.example", LeaseTime: 43200,
			Relay: "172.16.210.1", Owned: true,
			Reservations: []intent.Reservation{{MAC: "52:54:00:aa:bb:01", IP: "172.16.210.10", Hostname: "vm1"}}},
		{Network: "vlan211", VLAN: 211, Subnet: "172.16.211.0/24", Ranges: []string{"172.16.211.10-172.16.211.20", "172.16.211.100-172.16.211.150"},
			Gateway: "172.16.211.1", Interface: "eth1.211", Owned: true},
		{Network: "vlan212", VLAN: 212, Subnet: "172.16.212.0/24", Ranges: []string{"172.16.212.50-172.16.212.60"}, Owned: true},
	}
}

// stripOwned decodes a Dhcp4 object and removes the subnets netalign owns,
// leaving what must equal the original.
func stripOwned(t *testing.T, d json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(d, &m); err != nil {
		t.Fatal(err)
	}
	subs, _ := m["subnet4"].([]any)
	var keep []any
	for _, s := range subs {
		uc, _ := s.(map[string]any)["user-context"].(map[string]any)
		if _, mine := ownerOf(uc); !mine {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		delete(m, "subnet4") // absent and empty mean the same to Kea
	} else {
		m["subnet4"] = keep
	}
	return m
}

// TestRewritePreservesEverythingElse rewrites every fixture through a create,
// an update and a delete, and checks after each step that every foreign
// subnet and every other setting is unchanged in meaning and that netalign's
// subnets read back as written.
func TestRewritePreservesEverythingElse(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f, func(t *testing.T) {
			orig := loadDhcp4(t, f)
			want := stripOwned(t, orig)
			steps := [][]intent.Pool{ownedPools()}
			changed := ownedPools()[:2]
			changed[0].Ranges = []string{"172.16.210.60-172.16.210.90"}
			changed[0].LeaseTime = 0
			steps = append(steps, changed, nil)
			cur := orig
			for i, owned := range steps {
				next, err := Rewrite(cur, owned)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if diff := cmp.Diff(want, stripOwned(t, next)); diff != "" {
					t.Fatalf("step %d: foreign configuration changed (-want +got):\n%s", i, diff)
				}
				all, err := ParsePools(next)
				if err != nil {
					t.Fatal(err)
				}
				var got []intent.Pool
				for _, p := range all {
					if p.Owned {
						got = append(got, p)
					}
				}
				if diff := cmp.Diff(owned, got); diff != "" {
					t.Fatalf("step %d: owned pools (-want +got):\n%s", i, diff)
				}
				cur = next
			}
		})
	}
}

func TestRewriteRefusesForeignCollision(t *testing.T) {
	orig := loadDhcp4(t, "kea-dhcp4.several-subnets.json")
	tests := []struct {
		name string
		pool intent.Pool
	}{
		{"same id", intent.Pool{VLAN: 2, Subnet: "172.16.2.0/24", Ranges: []string{"172.16.2.10-172.16.2.20"}, Owned: true}},
		{"same subnet", intent.Pool{VLAN: 100, Subnet: "192.0.4.0/24", Ranges: []string{"192.0.4.10-192.0.4.20"}, Owned: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Rewrite(orig, []intent.Pool{tt.pool})
			if !errors.Is(err, dhcp.ErrPoolConflict) {
				t.Fatalf("Rewrite error = %v, want ErrPoolConflict", err)
			}
		})
	}
}

func TestRenderSubnetGolden(t *testing.T) {
	got, err := json.MarshalIndent(func() []map[string]any {
		var out []map[string]any
		for _, p := range ownedPools() {
			out = append(out, RenderSubnet(p))
		}
		return out
	}(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden.Check(t, filepath.Join("testdata", "rendered-subnets.golden"), got, *update)
}
