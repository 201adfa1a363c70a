package openconfig

import (
	"errors"
	"flag"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/netalign/netalign/internal/golden"
	"github.com/netalign/netalign/internal/intent"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// renderRequest is the prototext of a SetRequest with whitespace runs
// collapsed: protobuf-go deliberately varies prototext spacing between
// builds, and the golden files must not.
func renderRequest(t *testing.T, req proto.Message) string {
	t.Helper()
	b, err := prototext.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	space := regexp.MustCompile(`[ \t]+`)
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		body := strings.TrimLeft(line, " ")
		indent := line[:len(line)-len(body)]
		out.WriteString(indent + space.ReplaceAllString(body, " ") + "\n")
	}
	return out.String()
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".golden"), []byte(got), *update)
}

func vlan(id int, name string) intent.SwitchChange {
	return intent.SwitchChange{Action: intent.Create, Object: intent.ObjVLAN, Name: strconv.Itoa(id), VLAN: &intent.VLAN{ID: id, Name: name}}
}

// observedLACP is a switch with Port-Channel10 (LACP, fast) on Ethernet1-2,
// trunk native 1 allowing 10,20,30, and Ethernet5 a plain trunk allowing 10.
func observedLACP() *intent.SwitchState {
	trunk := func(in intent.Interface, allowed ...int) intent.Interface {
		in.Mode, in.NativeVLAN, in.Allowed = intent.ModeTrunk, 1, intent.NewVLANSet(allowed...)
		return in
	}
	return &intent.SwitchState{
		VLANs: []intent.VLAN{{ID: 1}, {ID: 10}, {ID: 20}, {ID: 30}},
		Interfaces: []intent.Interface{
			trunk(intent.Interface{Name: "Port-Channel10", Kind: intent.KindLAG, LAGType: intent.LAGLACP, Members: []string{"Ethernet1", "Ethernet2"}}, 10, 20, 30),
			{Name: "Ethernet1", Kind: intent.KindEthernet, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
			{Name: "Ethernet2", Kind: intent.KindEthernet, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
			trunk(intent.Interface{Name: "Ethernet5", Kind: intent.KindEthernet}, 10),
			{Name: "Ethernet6", Kind: intent.KindEthernet, Mode: intent.ModeAccess, AccessVLAN: 1},
		},
	}
}

func TestBuildSetRequestGolden(t *testing.T) {
	cases := []struct {
		name    string
		ni      string
		current *intent.SwitchState
		changes []intent.SwitchChange
	}{
		{
			name: "lacp_lag",
			changes: []intent.SwitchChange{
				vlan(10, "mgmt"), vlan(100, "vlan100"),
				{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel10", LAGType: intent.LAGLACP, MinLinks: 1,
					SetTrunk: true, NativeVLAN: 1, ReplaceVLANs: true, Allowed: intent.NewVLANSet(10, 100), MTU: 9000, Description: "harvester-0 mgmt-bo"},
				{Action: intent.Update, Object: intent.ObjInterface, Name: "Et1", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
				{Action: intent.Update, Object: intent.ObjInterface, Name: "Et2", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
			},
		},
		{
			name: "static_lag",
			ni:   "vrf-l2",
			changes: []intent.SwitchChange{
				vlan(200, ""),
				{Action: intent.Create, Object: intent.ObjLAG, Name: "Po20", LAGType: intent.LAGStatic,
					SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(200, 201, 202, 203)},
				{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet3", Join: true, ChannelGroup: 20, ChannelMode: intent.ChannelOn},
				{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet4", Join: true, ChannelGroup: 20, ChannelMode: intent.ChannelOn},
			},
		},
		{
			name:    "no_lag",
			current: observedLACP(),
			changes: []intent.SwitchChange{
				{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet5", SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(100), MTU: 9000},
				{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet6", SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(100), MTU: 9000},
			},
		},
		{
			name:    "incremental_vlans",
			current: observedLACP(),
			changes: []intent.SwitchChange{
				vlan(40, ""),
				{Action: intent.Delete, Object: intent.ObjVLAN, Name: "20", VLAN: &intent.VLAN{ID: 20}},
				{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel10", AddVLANs: intent.NewVLANSet(40), RemoveVLANs: intent.NewVLANSet(20)},
				{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet5", RemoveVLANs: intent.NewVLANSet(99)},
			},
		},
		{
			name:    "vlan_reactivate",
			current: &intent.SwitchState{VLANs: []intent.VLAN{{ID: 1}, {ID: 100, Suspended: true}}},
			changes: []intent.SwitchChange{
				{Action: intent.Update, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100}, Reactivate: true},
			},
		},
		{
			name:    "lag_type_change",
			current: observedLACP(),
			changes: []intent.SwitchChange{
				{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Leave: true, Disruptive: true},
				{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet2", Leave: true, Disruptive: true},
				{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel10", LAGType: intent.LAGStatic, Disruptive: true},
				{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelOn, Disruptive: true},
				{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet2", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelOn, Disruptive: true},
			},
		},
		{
			name:    "lag_delete",
			current: observedLACP(),
			changes: []intent.SwitchChange{
				{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Leave: true},
				{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet2", Leave: true},
				{Action: intent.Delete, Object: intent.ObjLAG, Name: "Port-Channel10"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, lines, err := BuildSetRequest(tc.changes, Translation{NetworkInstance: tc.ni, Current: tc.current})
			if err != nil {
				t.Fatal(err)
			}
			got := renderRequest(t, req)
			got += "# lines\n# " + strings.Join(lines, "\n# ") + "\n"
			checkGolden(t, tc.name, got)
			// Pure: the same input renders the same request.
			again, _, err := BuildSetRequest(tc.changes, Translation{NetworkInstance: tc.ni, Current: tc.current})
			if err != nil || renderRequest(t, again)+"# lines\n# "+strings.Join(lines, "\n# ")+"\n" != got {
				t.Error("translation is not deterministic")
			}
		})
	}
}

// TestLAGDeleteTakesMembersOut: deleting a LAG without explicit Leave
// changes gives the same request as with them.
func TestLAGDeleteTakesMembersOut(t *testing.T) {
	tr := Translation{Current: observedLACP()}
	explicit, _, err := BuildSetRequest([]intent.SwitchChange{
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Leave: true},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet2", Leave: true},
		{Action: intent.Delete, Object: intent.ObjLAG, Name: "Port-Channel10"},
	}, tr)
	if err != nil {
		t.Fatal(err)
	}
	implicit, _, err := BuildSetRequest([]intent.SwitchChange{{Action: intent.Delete, Object: intent.ObjLAG, Name: "Po10"}}, tr)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(renderRequest(t, explicit), renderRequest(t, implicit)); d != "" {
		t.Errorf("(-explicit +implicit):\n%s", d)
	}
	// A member moving to another LAG in the same request is not taken out.
	moved, lines, err := BuildSetRequest([]intent.SwitchChange{
		{Action: intent.Delete, Object: intent.ObjLAG, Name: "Port-Channel10"},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Join: true, ChannelGroup: 11, ChannelMode: intent.ChannelActive},
	}, tr)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range moved.Delete {
		if PathString(p) == "/interfaces/interface[name=Ethernet1]/ethernet/config/aggregate-id" {
			t.Errorf("Ethernet1's aggregate-id is deleted although it joins Port-Channel11:\n%s", strings.Join(lines, "\n"))
		}
	}
}

func TestBuildSetRequestRefuses(t *testing.T) {
	cases := []struct {
		name    string
		changes []intent.SwitchChange
		want    string
		is      error
	}{
		{"mlag id", []intent.SwitchChange{{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel10", LAGType: intent.LAGLACP, MLAGID: 10}},
			"mlag id 10", ErrUnsupported},
		{"conflicting member modes", []intent.SwitchChange{
			{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive},
			{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet2", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelOn},
		}, "conflicts with active", nil},
		{"mode against lag type", []intent.SwitchChange{
			{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel10", LAGType: intent.LAGStatic},
			{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive},
		}, "makes a lacp LAG", nil},
		{"empty trunk list", []intent.SwitchChange{
			{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", SetTrunk: true, ReplaceVLANs: true, Allowed: intent.VLANSet{}},
		}, "empty trunk vlan list", ErrUnsupported},
		{"bad lacp rate", []intent.SwitchChange{
			{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "turbo"},
		}, `lacp rate "turbo"`, nil},
		{"delete a port", []intent.SwitchChange{{Action: intent.Delete, Object: intent.ObjInterface, Name: "Ethernet1"}},
			"cannot be deleted", ErrUnsupported},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := BuildSetRequest(tc.changes, Translation{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
		})
	}
}

func TestParsePathRoundTrip(t *testing.T) {
	for _, s := range []string{
		"/",
		"/interfaces/interface[name=Ethernet1]/config",
		"/network-instances/network-instance[name=default]/vlans/vlan[vlan-id=100]/config",
		`/interfaces/interface[name=Ethernet1/1]/ethernet/config/aggregate-id`,
		`/a/b[k=x\]y]/c`,
	} {
		p, err := ParsePath(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got := PathString(p); got != s {
			t.Errorf("round trip %s -> %s", s, got)
		}
	}
	for _, bad := range []string{"/a//b", "/a[k]", "/a[k=v", "/[k=v]"} {
		if _, err := ParsePath(bad); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}
