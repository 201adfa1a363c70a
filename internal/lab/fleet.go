package lab

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/inventory"
)

// FleetInventory is the synthetic inventory StartFleet runs: n EOS switches
// sw0001..swNNNN with portsPerSwitch ports each, every pair of ports cabled
// to one host (eno1, eno2) whose mgmt bond is 802.3ad.
func FleetInventory(n, portsPerSwitch int) *inventory.Inventory {
	inv := &inventory.Inventory{
		Version: 1,
		ClusterNetworks: []inventory.ClusterNetwork{{
			Name: "mgmt", MTU: 1500, UntaggedVLAN: 1,
			Bond: inventory.Bond{Mode: "802.3ad", Miimon: new(100), LACPRate: "fast"},
		}},
		Networks: []inventory.Network{{Name: "vlan100", ClusterNetwork: "mgmt", VLAN: 100}},
	}
	for i := 1; i <= n; i++ {
		sw := fmt.Sprintf("sw%04d", i)
		inv.Switches = append(inv.Switches, inventory.Switch{Name: sw, Platform: device.PlatformEOS, Protocol: "ssh", Address: "127.0.0.1"})
		for p := 1; p+1 <= portsPerSwitch; p += 2 {
			inv.Hosts = append(inv.Hosts, inventory.Host{
				Name:   fmt.Sprintf("%s-h%02d", sw, (p+1)/2),
				Access: "none",
				ClusterNetworks: []inventory.HostClusterNetwork{{Name: "mgmt", NICs: []inventory.NIC{
					{Name: "eno1", Switch: sw, Port: "Ethernet" + strconv.Itoa(p)},
					{Name: "eno2", Switch: sw, Port: "Ethernet" + strconv.Itoa(p+1)},
				}}},
			})
		}
	}
	return inv
}

// StartFleet starts FleetInventory(n, portsPerSwitch) with
// opts.Ports = portsPerSwitch.
func StartFleet(ctx context.Context, n, portsPerSwitch int, opts Options) (*Lab, error) {
	opts.Ports = portsPerSwitch
	return Start(ctx, FleetInventory(n, portsPerSwitch), opts)
}

// FaultsUsage documents ParseFault's syntax.
const FaultsUsage = `SWITCH:latency=DUR,jitter=DUR,seed=N,drop-after=N,reject-commit,auth-fail,blackhole,slow-accept=DUR`

// ParseFault reads one fault specification as given to `netalign lab up
// --fault`, for example "leaf1:latency=50ms,drop-after=5,reject-commit".
func ParseFault(spec string) (string, device.Faults, error) {
	var f device.Faults
	name, rest, ok := strings.Cut(spec, ":")
	if !ok || name == "" {
		return "", f, fmt.Errorf("fault %q: want %s", spec, FaultsUsage)
	}
	for _, item := range strings.Split(rest, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, hasV := strings.Cut(item, "=")
		dur := func() (time.Duration, error) {
			d, err := time.ParseDuration(v)
			if err != nil || !hasV {
				return 0, fmt.Errorf("fault %q: %s wants a duration", spec, k)
			}
			return d, nil
		}
		num := func() (int, error) {
			n, err := strconv.Atoi(v)
			if err != nil || !hasV || n < 0 {
				return 0, fmt.Errorf("fault %q: %s wants a number", spec, k)
			}
			return n, nil
		}
		var err error
		switch k {
		case "latency":
			f.Latency, err = dur()
		case "jitter":
			f.Jitter, err = dur()
		case "slow-accept":
			f.SlowAccept, err = dur()
		case "seed":
			var n int
			n, err = num()
			f.Seed = uint64(n)
		case "drop-after":
			f.DropAfter, err = num()
		case "reject-commit":
			f.RejectCommit = true
		case "auth-fail":
			f.AuthFail = true
		case "blackhole":
			f.Blackhole = true
		default:
			err = fmt.Errorf("fault %q: unknown %q; want %s", spec, k, FaultsUsage)
		}
		if err != nil {
			return "", f, err
		}
	}
	return name, f, nil
}
