package plan

import (
	"sort"

	"github.com/netalign/netalign/internal/intent"
)

// Version is the version of the plan's JSON form.
const Version = 1

// DeviceKind tells what a device plan is about.
type DeviceKind string

// Device kinds.
const (
	KindSwitch DeviceKind = "switch"
	KindHost   DeviceKind = "host"
	KindDHCP   DeviceKind = "dhcp"
)

// Plan is the list of typed changes that would bring every device to the
// desired state. Apply executes exactly this.
type Plan struct {
	Version int      `json:"version"`
	Devices []Device `json:"devices"`
}

// Device is the plan of one device.
type Device struct {
	Name     string     `json:"name"`
	Kind     DeviceKind `json:"kind"`
	Platform string     `json:"platform,omitempty"`
	// Switch, Host and DHCP hold the changes, in the order they must be
	// applied; only the one matching Kind is set.
	Switch []intent.SwitchChange `json:"switch,omitempty"`
	Host   []intent.HostChange   `json:"host,omitempty"`
	DHCP   []intent.PoolChange   `json:"dhcp,omitempty"`
	// Skipped says why the device is not planned (not observed, no access).
	Skipped string `json:"skipped,omitempty"`
	// Cause is set on a device that could not be observed: the failure
	// cause code (TIMEOUT, AUTH_FAILED...; docs/validate.md).
	Cause string `json:"cause,omitempty"`
	// Warnings are things the planner refused to change (protected ports,
	// pools not owned by netalign) or could not decide.
	Warnings []string `json:"warnings,omitempty"`
}

// Changes counts the device's changes.
func (d *Device) Changes() int { return len(d.Switch) + len(d.Host) + len(d.DHCP) }

// Disruptive reports whether any change interrupts traffic.
func (d *Device) Disruptive() bool {
	for _, c := range d.Switch {
		if c.Disruptive {
			return true
		}
	}
	for _, c := range d.Host {
		if c.Disruptive {
			return true
		}
	}
	return false
}

// Summary counts creates, updates and deletes over the plan.
type Summary struct {
	Devices, Create, Update, Delete, Disruptive int
}

// Summary returns the counts of the plan.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, d := range p.Devices {
		if d.Changes() > 0 {
			s.Devices++
		}
		count := func(a intent.Action, disruptive bool) {
			switch a {
			case intent.Create:
				s.Create++
			case intent.Update:
				s.Update++
			case intent.Delete:
				s.Delete++
			}
			if disruptive {
				s.Disruptive++
			}
		}
		for _, c := range d.Switch {
			count(c.Action, c.Disruptive)
		}
		for _, c := range d.Host {
			count(c.Action, c.Disruptive)
		}
		for _, c := range d.DHCP {
			count(c.Action, false)
		}
	}
	return s
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool {
	for _, d := range p.Devices {
		if d.Changes() > 0 {
			return false
		}
	}
	return true
}

// Device returns the plan of the named device of kind k, or nil.
func (p *Plan) Device(k DeviceKind, name string) *Device {
	for i := range p.Devices {
		if p.Devices[i].Kind == k && p.Devices[i].Name == name {
			return &p.Devices[i]
		}
	}
	return nil
}

// HostDiffer computes the changes that bring a host to its desired state.
// The Linux host planner lives with the netlink code that executes it
// (hostnet); the engine passes it in so that this package stays free of
// kernel dependencies.
type HostDiffer func(desired intent.DesiredHost, observed intent.HostState) []intent.HostChange

// Options tune Compute.
type Options struct {
	// HostDiff plans hosts; when nil, hosts are reported as skipped.
	HostDiff HostDiffer
	// AllowMgmtPort lets changes touch a switch's management port.
	AllowMgmtPort bool
	// IgnoreCabling plans ports whose LLDP neighbour contradicts the
	// inventory, which are held otherwise.
	IgnoreCabling bool
}

// Compute returns the plan from desired to observed. It is pure and
// deterministic: devices are sorted by kind then name, and changes are in
// apply order.
func Compute(desired *intent.Desired, observed *intent.Observed, opts Options) (*Plan, error) {
	p := &Plan{Version: Version, Devices: []Device{}}
	ids := allocateLAGIDs(desired, observed)
	for _, ds := range desired.Switches {
		d := Device{Name: ds.Name, Kind: KindSwitch, Platform: ds.Platform}
		obs := observed.Switch(ds.Name)
		if obs == nil {
			d.Skipped = "not observed"
		} else {
			d.Switch, d.Warnings = diffSwitch(ds, obs, ids, opts)
			applyPartial(&d, ds, obs)
		}
		p.Devices = append(p.Devices, d)
	}
	for _, dd := range desired.DHCP {
		d := Device{Name: dd.Server, Kind: KindDHCP, Platform: dd.Kind}
		obs := observed.DHCPServer(dd.Server)
		if obs == nil {
			d.Skipped = "not observed"
		} else {
			d.DHCP, d.Warnings = diffDHCP(dd, obs)
		}
		p.Devices = append(p.Devices, d)
	}
	for _, dh := range desired.Hosts {
		d := Device{Name: dh.Name, Kind: KindHost, Platform: "linux"}
		obs := observed.Host(dh.Name)
		switch {
		case obs == nil && dh.Access == "none":
			d.Skipped = "no access (access: none)"
		case obs == nil:
			d.Skipped = "not observed"
		case opts.HostDiff == nil:
			d.Skipped = "host planning not available"
		default:
			d.Host = opts.HostDiff(dh, *obs)
		}
		p.Devices = append(p.Devices, d)
	}
	order := map[DeviceKind]int{KindSwitch: 0, KindDHCP: 1, KindHost: 2}
	sort.SliceStable(p.Devices, func(i, j int) bool {
		a, b := p.Devices[i], p.Devices[j]
		if order[a.Kind] != order[b.Kind] {
			return order[a.Kind] < order[b.Kind]
		}
		return a.Name < b.Name
	})
	return p, nil
}
