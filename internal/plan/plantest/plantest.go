// Package plantest has test helpers shared by the planner's and the
// validator's tests: the observed state of blank devices, and a simulation
// of applying a plan to an observed state.
package plantest

import (
	"slices"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
)

// Blank is the observed state of factory-fresh devices: every cabled port an
// access port in VLAN 1 with MTU 1500, no LAGs, no pools.
func Blank(d *intent.Desired) *intent.Observed {
	obs := &intent.Observed{Version: intent.SnapshotVersion}
	for _, ds := range d.Switches {
		st := intent.SwitchState{Name: ds.Name, Platform: ds.Platform, VLANs: []intent.VLAN{{ID: 1, Name: "default"}}}
		for _, p := range ds.Ports {
			st.Interfaces = append(st.Interfaces, intent.Interface{
				Name: p.Name, Kind: intent.KindEthernet, AdminUp: true, OperUp: true, MTU: 1500,
				Mode: intent.ModeAccess, AccessVLAN: 1,
			})
		}
		obs.Switches = append(obs.Switches, st)
	}
	for _, dd := range d.DHCP {
		obs.DHCP = append(obs.DHCP, intent.DHCPState{Server: dd.Server, Kind: dd.Kind, Pools: []intent.Pool{}})
	}
	return obs
}

// Simulate applies a plan to an observed state the way a switch and a DHCP
// server would, so tests can check that planning converges.
func Simulate(t testing.TB, obs *intent.Observed, p *plan.Plan) {
	t.Helper()
	for _, d := range p.Devices {
		switch d.Kind {
		case plan.KindSwitch:
			st := obs.Switch(d.Name)
			for _, c := range d.Switch {
				switchChange(t, st, c)
			}
		case plan.KindDHCP:
			st := obs.DHCPServer(d.Name)
			for _, c := range d.DHCP {
				st.Pools = slices.DeleteFunc(st.Pools, func(x intent.Pool) bool { return x.VLAN == c.Pool.VLAN })
				if c.Action != intent.Delete {
					st.Pools = append(st.Pools, c.Pool)
				}
			}
		}
	}
}

func switchChange(t testing.TB, st *intent.SwitchState, c intent.SwitchChange) {
	switch c.Object {
	case intent.ObjVLAN:
		if c.Action == intent.Create {
			st.VLANs = append(st.VLANs, *c.VLAN)
		}
		if v := st.VLAN(c.VLAN.ID); v != nil && c.Reactivate {
			v.Suspended, v.Shutdown = false, false
		}
		return
	case intent.ObjLAG:
		switch c.Action {
		case intent.Create:
			st.Interfaces = append(st.Interfaces, intent.Interface{Name: c.Name, Kind: intent.KindLAG, AdminUp: true, OperUp: true, MTU: 1500, LAGType: c.LAGType, Description: c.Description})
		case intent.Delete:
			st.Interfaces = slices.DeleteFunc(st.Interfaces, func(x intent.Interface) bool { return x.Name == c.Name })
			return
		}
	}
	itf := st.Interface(c.Name)
	if itf == nil {
		t.Fatalf("%s: change to missing interface %s", st.Name, c.Name)
	}
	if c.SetTrunk {
		itf.Mode = intent.ModeTrunk
		itf.Allowed = intent.VLANRange(1, 4094)
	}
	if c.NativeVLAN != 0 {
		itf.NativeVLAN = c.NativeVLAN
	}
	if c.ReplaceVLANs {
		itf.Allowed = c.Allowed
	}
	itf.Allowed = itf.Allowed.Union(c.AddVLANs).Minus(c.RemoveVLANs)
	if c.MTU != 0 {
		itf.MTU = c.MTU
	}
	if c.MLAGID != 0 {
		itf.MLAGID = c.MLAGID
	}
	if c.MinLinks != 0 {
		itf.MinLinks = c.MinLinks
	}
	if c.Leave {
		itf.ChannelGroup, itf.ChannelMode, itf.LACPRate = 0, "", ""
	}
	if c.Join {
		itf.ChannelGroup, itf.ChannelMode = c.ChannelGroup, c.ChannelMode
		if lag := st.Interface(intent.LAGName(c.ChannelGroup)); lag != nil {
			lag.LAGType = c.ChannelMode.LAGType()
		}
	}
	if c.LACPRate != "" {
		itf.LACPRate = c.LACPRate
	}
}
