package hostnet

import (
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/fuzzseed"
)

// FuzzHostStateFromIproute2 feeds `ip -d -j link show`, `bridge -j vlan
// show` and one bond's /proc/net/bonding file, seeded with the captures in
// testdata. The state must come back or an error, never a panic.
func FuzzHostStateFromIproute2(f *testing.F) {
	bridge := readTestdata(f, "bridge_-j_vlan_show.realkernel-host.json")
	bonding := fuzzseed.Files(f, "proc_net_bonding*.txt")
	for i, link := range fuzzseed.Files(f, "ip_-d_-j_link_show*.json") {
		f.Add(link, bridge, bonding[i%len(bonding)])
	}
	f.Fuzz(func(t *testing.T, link, bridge, bonding []byte) {
		st, err := HostStateFromIproute2("fuzz", link, bridge, map[string][]byte{"mgmt-bo": bonding})
		if err == nil && st == nil {
			t.Fatal("no state and no error")
		}
	})
}

// FuzzParseProcBonding parses /proc/net/bonding files, seeded with every
// capture in testdata.
func FuzzParseProcBonding(f *testing.F) {
	fuzzseed.Add(f, "proc_net_bonding*.txt")
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := ParseProcBonding(b); err == nil && p == nil {
			t.Fatal("no result and no error")
		}
	})
}

// TestParseBridgeVLANsBounded: ranges outside 1-4094 and outputs that would
// expand into more than maxBridgeVLANs entries are refused, not expanded.
func TestParseBridgeVLANsBounded(t *testing.T) {
	many := `[` + strings.Repeat(`{"ifname":"p","vlans":[{"vlan":1,"vlanEnd":4094}]},`, 300) + `{"ifname":"q","vlans":[]}]`
	for _, in := range []string{
		`[{"ifname":"p","vlans":[{"vlan":1,"vlanEnd":2000000000}]}]`,
		`{"p":[{"vlan":-5,"vlanEnd":1}]}`,
		`[{"ifname":"p","vlans":[{"vlan":0}]}]`,
		many,
	} {
		if _, err := ParseBridgeVLANs([]byte(in)); err == nil {
			t.Errorf("%.60s… accepted", in)
		}
	}
}
