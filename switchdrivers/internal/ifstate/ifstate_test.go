package ifstate

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/internal/intent"
)

func TestRunningHostname(t *testing.T) {
	for in, want := range map[string]string{
		"! device: leaf1\nhostname leaf1\n!\ninterface Ethernet1\n": "leaf1",
		"version 9.3(8)\r\nhostname n9k-1\r\n":                      "n9k-1",
		"interface Ethernet1\n   description hostname x\n":          "",
		"": "",
	} {
		if got := RunningHostname(in); got != want {
			t.Errorf("RunningHostname(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSet(t *testing.T) {
	s := Set{}
	for _, raw := range []string{"Management1", "Vlan10", "Loopback0", "mgmt0"} {
		if i := s.Get(raw); i != nil {
			t.Errorf("Get(%q) = %+v, want nil", raw, i)
		}
	}
	if s.Get("Et10") != s.Get("Ethernet10") || s.Get("port-channel5") != s.Get("Port-Channel5") {
		t.Error("spellings of one interface are different entries")
	}
	s.ApplyConfig(map[string]*Config{
		"Ethernet2":     {Name: "Ethernet2", ChannelGroup: 5, ChannelMode: intent.ChannelActive, LACPFast: true},
		"Ethernet10":    {Name: "Ethernet10", ChannelGroup: 5, ChannelMode: intent.ChannelPassive},
		"Ethernet3":     {Name: "Ethernet3", ChannelGroup: 7, ChannelMode: intent.ChannelOn, LACPFast: true},
		"Port-Channel5": {Name: "Port-Channel5", MinLinks: 1, MLAG: 5},
		"Management1":   {Name: "Management1", ChannelGroup: 9},
	})
	s.LinkMembers()
	s.LinkMembers()
	s.SortMembers()
	want := []intent.Interface{
		{Name: "Ethernet2", Kind: intent.KindEthernet, ChannelGroup: 5, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
		{Name: "Ethernet3", Kind: intent.KindEthernet, ChannelGroup: 7, ChannelMode: intent.ChannelOn},
		{Name: "Ethernet10", Kind: intent.KindEthernet, ChannelGroup: 5, ChannelMode: intent.ChannelPassive, LACPRate: "slow"},
		{Name: "Port-Channel5", Kind: intent.KindLAG, Members: []string{"Ethernet2", "Ethernet10"}, MinLinks: 1, MLAGID: 5},
		{Name: "Port-Channel7", Kind: intent.KindLAG, Members: []string{"Ethernet3"}},
	}
	if diff := cmp.Diff(want, s.Sorted(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := (Set{}).Sorted(); got == nil || len(got) != 0 {
		t.Errorf("empty Sorted = %#v, want an empty list", got)
	}
}
