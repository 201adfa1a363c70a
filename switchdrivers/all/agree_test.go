package all

import (
	"fmt"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/plan/plantest"
	"github.com/netalign/netalign/inventory"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/eos"
	"github.com/netalign/netalign/switchdrivers/nxos"
	"github.com/netalign/netalign/switchdrivers/openconfig"
)

// renderers are the renderers of the registered drivers, by platform.
var renderers = map[string]func([]intent.SwitchChange) error{
	eos.Platform:  func(c []intent.SwitchChange) error { _, err := eos.Render(c); return err },
	nxos.Platform: func(c []intent.SwitchChange) error { _, err := nxos.Render(c); return err },
	openconfig.Platform: func(c []intent.SwitchChange) error {
		_, _, err := openconfig.BuildSetRequest(c, openconfig.Translation{})
		return err
	},
}

// oneSwitch is an inventory of one switch of platform with one host whose
// NIC is cabled to port, carrying the VM network netName.
func oneSwitch(platform, netName, port string) *inventory.Inventory {
	inv := &inventory.Inventory{
		Version:         1,
		ClusterNetworks: []inventory.ClusterNetwork{{Name: "mgmt", Bond: inventory.Bond{Mode: "802.3ad"}}},
		Networks:        []inventory.Network{{Name: netName, ClusterNetwork: "mgmt", VLAN: 100}},
		Switches: []inventory.Switch{{Name: "sw1", Platform: platform, Address: "192.0.2.1",
			Credentials: inventory.Credentials{UsernameEnv: "U", PasswordEnv: "P"}}},
		Hosts: []inventory.Host{{Name: "h0", ClusterNetworks: []inventory.HostClusterNetwork{{Name: "mgmt",
			NICs: []inventory.NIC{{Name: "eno1", Switch: "sw1", Port: port}}}}}},
	}
	inv.ApplyDefaults()
	return inv
}

// TestCheckAgreesWithRenderers: every network name and port name that
// inventory check accepts for a platform renders without error on that
// platform, at and over each limit the renderers set; and the limits bite.
func TestCheckAgreesWithRenderers(t *testing.T) {
	sw := switchdrivers.NewRegistry()
	if err := Register(sw); err != nil {
		t.Fatal(err)
	}
	opts := intent.InventoryOptions()
	opts.Switches = sw.Inventory()
	for _, k := range sw.Platforms() {
		if p, _, _ := strings.Cut(k, "/"); renderers[p] == nil {
			t.Fatalf("driver %s has no renderer in this test", k)
		}
	}

	var netNames []string
	for n := switchdrivers.MaxCLIWordLen - 2; n <= switchdrivers.MaxCLIWordLen+2; n++ {
		netNames = append(netNames, strings.Repeat("v", n), "v."+strings.Repeat("_", n-4)+"-1")
	}
	ports := []string{"Ethernet1", "Ethernet1/1", "Ethernet1/1/1", "Ethernet1/1/1/1", "Et1", "eth1/2", "ethernet3",
		"Ethernet999", "Ethernet1000", "Ethernet1/1000", "Gi1/0/1", "xe-0/0/1", "swp1", "Ethernet0", "Port-Channel10",
		"Po10", "Ethernet1.100", "mgmt0", "Management1", "Ethernet1:1", "1", "Ethernet_1"}

	type verdict struct{ accepted, rejected int }
	seen := map[string]*verdict{}
	try := func(platform, netName, port string) {
		t.Helper()
		v := seen[platform]
		if v == nil {
			v = &verdict{}
			seen[platform] = v
		}
		inv := oneSwitch(platform, netName, port)
		if err := inventory.Validate(inv, opts); err != nil {
			v.rejected++
			return
		}
		v.accepted++
		d, err := intent.Derive(inv)
		if err != nil {
			t.Errorf("%s, network %q, port %q: accepted by check, derive: %v", platform, netName, port, err)
			return
		}
		p, err := plan.Compute(d, plantest.Blank(d), plan.Options{})
		if err != nil {
			t.Errorf("%s, network %q, port %q: accepted by check, plan: %v", platform, netName, port, err)
			return
		}
		for _, dev := range p.Devices {
			if dev.Kind != plan.KindSwitch {
				continue
			}
			if err := renderers[platform](dev.Switch); err != nil {
				t.Errorf("%s, network %q, port %q: accepted by check, render: %v", platform, netName, port, err)
			}
		}
	}
	for platform := range renderers {
		for _, n := range netNames {
			try(platform, n, "Ethernet1")
		}
		for _, port := range ports {
			try(platform, "vlan100", port)
		}
	}

	// The limits bite: the longest VLAN name passes, one more byte does
	// not, on every platform; EOS and NX-OS take only their port names.
	for platform := range renderers {
		at := inventory.Validate(oneSwitch(platform, strings.Repeat("v", switchdrivers.MaxCLIWordLen), "Ethernet1"), opts)
		over := inventory.Validate(oneSwitch(platform, strings.Repeat("v", switchdrivers.MaxCLIWordLen+1), "Ethernet1"), opts)
		if at != nil || over == nil || !strings.Contains(over.Error(), "networks[0].name") {
			t.Errorf("%s: VLAN name of %d bytes: %v; of %d: %v", platform, switchdrivers.MaxCLIWordLen, at, switchdrivers.MaxCLIWordLen+1, over)
		}
	}
	for _, platform := range []string{eos.Platform, nxos.Platform} {
		err := inventory.Validate(oneSwitch(platform, "vlan100", "Gi1/0/1"), opts)
		if want := fmt.Sprintf("hosts[0].clusterNetworks[0].nics[0].port: not a port of platform %s", platform); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: port Gi1/0/1: %v, want %q", platform, err, want)
		}
	}
	for platform, v := range seen {
		if v.accepted == 0 || v.rejected == 0 {
			t.Errorf("%s: %d accepted, %d rejected: the cases miss a side of a limit", platform, v.accepted, v.rejected)
		}
	}
}
