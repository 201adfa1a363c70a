package eos

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

// Render scenarios shared in shape with the nxos package: one per bond-mode
// family (static, LACP, none, MLAG), incremental VLAN edits and a LAG type
// change.
func renderScenarios() map[string][]intent.SwitchChange {
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
			intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Et1", Join: true, ChannelGroup: 10,
				ChannelMode: mode, LACPRate: rate, MTU: 9000, Description: "harvester-0 eno1"},
			intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet2", Join: true, ChannelGroup: 10,
				ChannelMode: mode, LACPRate: rate, MTU: 9000, Description: "harvester-0 eno2"},
		)
	}
	return map[string][]intent.SwitchChange{
		"static": lag(intent.ChannelOn, "", 0),
		"lacp":   lag(intent.ChannelActive, "fast", 0),
		"mlag":   lag(intent.ChannelActive, "fast", 10),
		"none": append(append([]intent.SwitchChange{}, vlans...),
			intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet5", Description: "harvester-0 eno3",
				SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(10, 100), MTU: 9000},
			intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet6", Description: "harvester-0 eno4",
				SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(10, 100), MTU: 9000},
		),
		"incremental-vlans": {
			{Action: intent.Create, Object: intent.ObjVLAN, Name: "200", VLAN: &intent.VLAN{ID: 200}},
			{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel10", AddVLANs: intent.NewVLANSet(200, 201, 202), RemoveVLANs: intent.NewVLANSet(100)},
			{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet7", ReplaceVLANs: true, Allowed: intent.NewVLANSet(1, 10, 200, 201, 202)},
			{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet8", ReplaceVLANs: true, Allowed: intent.VLANSet{}},
			{Action: intent.Delete, Object: intent.ObjVLAN, Name: "100"},
		},
		"lag-type-change": {
			{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Leave: true, Disruptive: true},
			{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet2", Leave: true, Disruptive: true},
			{Action: intent.Delete, Object: intent.ObjLAG, Name: "Port-Channel10", Disruptive: true},
			{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel10", LAGType: intent.LAGLACP,
				SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(10, 100), MTU: 9000, MinLinks: 1},
			{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
			{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet2", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
		},
	}
}

func TestRenderGolden(t *testing.T) {
	for name, changes := range renderScenarios() {
		t.Run(name, func(t *testing.T) {
			lines, err := Render(changes)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(lines, "\n") + "\n"
			path := filepath.Join("testdata", "render", name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestRenderGolden -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

func TestRenderEmpty(t *testing.T) {
	lines, err := Render(nil)
	if err != nil || len(lines) != 0 {
		t.Fatalf("Render(nil) = %q, %v; want nothing", lines, err)
	}
}

func TestRenderRefusesInjection(t *testing.T) {
	tests := []struct {
		name string
		c    intent.SwitchChange
	}{
		{"newline in port name", intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1\nshow run", SetTrunk: true}},
		{"cr in port name", intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1\rreload", SetTrunk: true}},
		{"semicolon in vlan id", intent.SwitchChange{Action: intent.Create, Object: intent.ObjVLAN, Name: "100; reload"}},
		{"semicolon in vlan name", intent.SwitchChange{Action: intent.Create, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100, Name: "100; reload"}}},
		{"newline in vlan name", intent.SwitchChange{Action: intent.Create, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100, Name: "v\nno vlan 1"}}},
		{"newline in description", intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Description: "node\nshow run"}},
		{"pipe in description", intent.SwitchChange{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel10", Description: "x | bash reboot"}},
		{"escape in description", intent.SwitchChange{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel10", Description: "x\x1b[2J"}},
		{"question mark in description", intent.SwitchChange{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel10", Description: "what?"}},
		{"suffix on lag name", intent.SwitchChange{Action: intent.Delete, Object: intent.ObjLAG, Name: "Port-Channel10 ; reload"}},
		{"other interface kind", intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Management1", SetTrunk: true}},
		{"lag name for a port", intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Port-Channel10", SetTrunk: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := Render([]intent.SwitchChange{tt.c})
			if err == nil {
				t.Fatalf("Render accepted %q: %q", tt.c.Name, lines)
			}
			if lines != nil {
				t.Errorf("Render returned lines with an error: %q", lines)
			}
		})
	}
	// The typed error reaches the caller.
	_, err := Render([]intent.SwitchChange{{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Description: "a\nb"}})
	if !errors.Is(err, switchdrivers.ErrUnsafeCLIText) {
		t.Errorf("err = %v, want ErrUnsafeCLIText", err)
	}
}

func TestRenderRefusesNonsense(t *testing.T) {
	for _, c := range []intent.SwitchChange{
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "4095"},
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "10", VLAN: &intent.VLAN{ID: 11}},
		{Action: intent.Delete, Object: intent.ObjInterface, Name: "Ethernet1"},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Join: true, ChannelGroup: 10},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Join: true, ChannelMode: intent.ChannelOn},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Join: true, ChannelGroup: 10, ChannelMode: "desirable"},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Join: true, Leave: true, ChannelGroup: 10, ChannelMode: intent.ChannelOn},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", MTU: 20000},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", NativeVLAN: 5000},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", LACPRate: "turbo"},
		{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel1", AddVLANs: intent.VLANSet{0, 10}},
		{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel1", ReplaceVLANs: true, Allowed: intent.VLANSet{10, 4095}},
		{Action: intent.Update, Object: "bgp", Name: "x"},
	} {
		if lines, err := Render([]intent.SwitchChange{c}); err == nil {
			t.Errorf("Render(%+v) = %q, want an error", c, lines)
		}
	}
}
