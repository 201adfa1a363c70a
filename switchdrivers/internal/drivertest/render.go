package drivertest

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/golden"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers"
)

// RenderScenarios are the render scenarios every CLI platform has a golden
// file for: one per bond-mode family (static, LACP, none, MLAG),
// incremental VLAN edits, a VLAN made active again and a LAG type change.
func (p Platform) RenderScenarios() map[string][]intent.SwitchChange {
	vlans := []intent.SwitchChange{
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "10", VLAN: &intent.VLAN{ID: 10, Name: "mgmt"}},
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100, Name: "vlan100"}},
	}
	lag := func(mode intent.ChannelMode, rate string, mlag int) []intent.SwitchChange {
		t := mode.LAGType()
		return append(append([]intent.SwitchChange{}, vlans...),
			intent.SwitchChange{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel10", LAGType: t,
				Description: "harvester-0 mgmt-bo", SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(10, 100),
				MTU: 9000, MinLinks: map[bool]int{true: 1}[t == intent.LAGLACP], MLAGID: mlag},
			intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: p.ShortPort(1), Join: true, ChannelGroup: 10,
				ChannelMode: mode, LACPRate: rate, MTU: 9000, Description: "harvester-0 eno1"},
			intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(2), Join: true, ChannelGroup: 10,
				ChannelMode: mode, LACPRate: rate, MTU: 9000, Description: "harvester-0 eno2"},
		)
	}
	return map[string][]intent.SwitchChange{
		"static": lag(intent.ChannelOn, "", 0),
		"lacp":   lag(intent.ChannelActive, "fast", 0),
		"mlag":   lag(intent.ChannelActive, "fast", 10),
		"none": append(append([]intent.SwitchChange{}, vlans...),
			intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(5), Description: "harvester-0 eno3",
				SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(10, 100), MTU: 9000},
			intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(6), Description: "harvester-0 eno4",
				SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(10, 100), MTU: 9000},
		),
		"incremental-vlans": {
			{Action: intent.Create, Object: intent.ObjVLAN, Name: "200", VLAN: &intent.VLAN{ID: 200}},
			{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel10", AddVLANs: intent.NewVLANSet(200, 201, 202), RemoveVLANs: intent.NewVLANSet(100)},
			{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(7), ReplaceVLANs: true, Allowed: intent.NewVLANSet(1, 10, 200, 201, 202)},
			{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(8), ReplaceVLANs: true, Allowed: intent.VLANSet{}},
			{Action: intent.Delete, Object: intent.ObjVLAN, Name: "100"},
		},
		"vlan-reactivate": {
			{Action: intent.Update, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100}, Reactivate: true,
				Fields: []intent.Field{{Name: "state", Before: "suspended", After: "active"}}},
		},
		"lag-type-change": p.recreateLAG(intent.SwitchChange{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel10", LAGType: intent.LAGLACP,
			SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(10, 100), MTU: 9000, MinLinks: 1}),
	}
}

// recreateLAG is the planner's fix of a static Port-Channel10 on ports 1
// and 2 facing an 802.3ad bond: the members leave, the LAG is deleted and
// created again as create says, and the members join with LACP.
func (p Platform) recreateLAG(create intent.SwitchChange) []intent.SwitchChange {
	return []intent.SwitchChange{
		{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(1), Leave: true, Disruptive: true},
		{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(2), Leave: true, Disruptive: true},
		{Action: intent.Delete, Object: intent.ObjLAG, Name: "Port-Channel10", Disruptive: true},
		create,
		{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(1), Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
		{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(2), Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
	}
}

// RunRender runs the render tests every CLI driver passes; update rewrites
// the golden files.
func (p Platform) RunRender(t *testing.T, update bool) {
	t.Run("Golden", func(t *testing.T) { p.renderGolden(t, update) })
	t.Run("Empty", p.renderEmpty)
	t.Run("RefusesInjection", p.renderRefusesInjection)
	t.Run("RefusesNonsense", p.renderRefusesNonsense)
}

// renderGolden renders every scenario and compares the lines with
// testdata/render/<scenario>.golden, rewriting the files first when update
// is set.
func (p Platform) renderGolden(t *testing.T, update bool) {
	for name, changes := range p.RenderScenarios() {
		t.Run(name, func(t *testing.T) {
			lines, err := p.Render(changes)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(lines, "\n") + "\n"
			golden.Check(t, filepath.Join("testdata", "render", name+".golden"), []byte(got), update)
		})
	}
}

// renderEmpty checks that no change renders no line.
func (p Platform) renderEmpty(t *testing.T) {
	lines, err := p.Render(nil)
	if err != nil || len(lines) != 0 {
		t.Fatalf("Render(nil) = %q, %v; want nothing", lines, err)
	}
}

// renderRefusesInjection checks that names and descriptions that would
// smuggle a command onto the CLI are refused, with
// switchdrivers.ErrUnsafeCLIText where the text is unsafe.
func (p Platform) renderRefusesInjection(t *testing.T) {
	port := p.Port(1)
	tests := []struct {
		name string
		c    intent.SwitchChange
	}{
		{"newline in port name", intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: port + "\nshow run", SetTrunk: true}},
		{"cr in port name", intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: port + "\rreload", SetTrunk: true}},
		{"semicolon in vlan id", intent.SwitchChange{Action: intent.Create, Object: intent.ObjVLAN, Name: "100; reload"}},
		{"semicolon in vlan name", intent.SwitchChange{Action: intent.Create, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100, Name: "100; reload"}}},
		{"newline in vlan name", intent.SwitchChange{Action: intent.Create, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100, Name: "v\nno vlan 1"}}},
		{"newline in description", intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: port, Description: "node\nshow run"}},
		{"pipe in description", intent.SwitchChange{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel10", Description: "x | bash reboot"}},
		{"escape in description", intent.SwitchChange{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel10", Description: "x\x1b[2J"}},
		{"question mark in description", intent.SwitchChange{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel10", Description: "what?"}},
		{"suffix on lag name", intent.SwitchChange{Action: intent.Delete, Object: intent.ObjLAG, Name: "Port-Channel10 ; reload"}},
		{"other interface kind", intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Management1", SetTrunk: true}},
		{"lag name for a port", intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Port-Channel10", SetTrunk: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := p.Render([]intent.SwitchChange{tt.c})
			if err == nil {
				t.Fatalf("Render accepted %q: %q", tt.c.Name, lines)
			}
			if lines != nil {
				t.Errorf("Render returned lines with an error: %q", lines)
			}
		})
	}
	// The typed error reaches the caller.
	_, err := p.Render([]intent.SwitchChange{{Action: intent.Update, Object: intent.ObjInterface, Name: port, Description: "a\nb"}})
	if !errors.Is(err, switchdrivers.ErrUnsafeCLIText) {
		t.Errorf("err = %v, want ErrUnsafeCLIText", err)
	}
}

// renderRefusesNonsense checks that changes no switch could take are
// refused: VLAN ids out of range, deleting a port, joins without a group or
// mode, join and leave at once, out-of-range MTU, VLANs and LACP rates,
// unknown object kinds.
func (p Platform) renderRefusesNonsense(t *testing.T) {
	port := p.Port(1)
	for _, c := range []intent.SwitchChange{
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "4095"},
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "10", VLAN: &intent.VLAN{ID: 11}},
		{Action: intent.Delete, Object: intent.ObjInterface, Name: port},
		{Action: intent.Update, Object: intent.ObjInterface, Name: port, Join: true, ChannelGroup: 10},
		{Action: intent.Update, Object: intent.ObjInterface, Name: port, Join: true, ChannelMode: intent.ChannelOn},
		{Action: intent.Update, Object: intent.ObjInterface, Name: port, Join: true, ChannelGroup: 10, ChannelMode: "desirable"},
		{Action: intent.Update, Object: intent.ObjInterface, Name: port, Join: true, Leave: true, ChannelGroup: 10, ChannelMode: intent.ChannelOn},
		{Action: intent.Update, Object: intent.ObjInterface, Name: port, MTU: 20000},
		{Action: intent.Update, Object: intent.ObjInterface, Name: port, NativeVLAN: 5000},
		{Action: intent.Update, Object: intent.ObjInterface, Name: port, LACPRate: "turbo"},
		{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel1", AddVLANs: intent.VLANSet{0, 10}},
		{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel1", ReplaceVLANs: true, Allowed: intent.VLANSet{10, 4095}},
		{Action: intent.Update, Object: "bgp", Name: "x"},
	} {
		if lines, err := p.Render([]intent.SwitchChange{c}); err == nil {
			t.Errorf("Render(%+v) = %q, want an error", c, lines)
		}
	}
}
