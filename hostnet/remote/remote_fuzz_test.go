package remote

import (
	"testing"

	"github.com/netalign/netalign/hostnet"
	"github.com/netalign/netalign/internal/fuzzseed"
)

// FuzzSplitBonding feeds CmdBonding's output (every bond's
// /proc/net/bonding file behind a "==> name <==" marker) through the parse
// that Observe runs, seeded with the captures in testdata.
func FuzzSplitBonding(f *testing.F) {
	read := func(name string) []byte { return fuzzseed.Files(f, name)[0] }
	links := read("ip_-d_-j_link_show.realkernel-host.json")
	bridge := read("bridge_-j_vlan_show.realkernel-host.json")
	f.Add([]byte("==> /proc/net/bonding/mgmt-bo <==\n" + string(read("proc_net_bonding_mgmt-bo.realkernel-8023ad-bundled.txt")) +
		"\n==> /proc/net/bonding/oob-bo <==\n" + string(read("proc_net_bonding_oob-bo.realkernel-active-backup.txt"))))
	f.Fuzz(func(t *testing.T, out []byte) {
		bonding, err := SplitBonding(out)
		if err != nil {
			return
		}
		if st, err := hostnet.HostStateFromIproute2("fuzz", links, bridge, bonding); err == nil && st == nil {
			t.Fatal("no state and no error")
		}
	})
}
