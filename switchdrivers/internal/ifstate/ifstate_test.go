package ifstate

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers/internal/norm"
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

func TestReadConfigs(t *testing.T) {
	text := "hostname sw1\n!\ninterface Ethernet1\n   channel-group 10 mode active\n   tx-queue 0\n      channel-group 99 mode on\n!\ninterface Port-Channel10\n   mlag 10\n"
	read := func(c *Config, f []string) (err error) {
		switch f[0] {
		case "channel-group":
			c.ChannelGroup, err = Number(f[1], "channel-group")
		case "mlag":
			c.MLAG, err = Number(f[1], "mlag id")
		}
		return err
	}
	var skips norm.Skips
	got := ReadConfigs("show running-config", text, &skips, read)
	if got["Ethernet1"].ChannelGroup != 10 || got["Port-Channel10"].MLAG != 10 || len(got) != 2 || len(skips.List()) != 0 {
		t.Errorf("got %+v %+v (%d blocks), skipped %v; want the block's own lines only", got["Ethernet1"], got["Port-Channel10"], len(got), skips.List())
	}
	// A line that cannot be read leaves its block out, and only that one.
	got = ReadConfigs("show running-config", "interface Ethernet2\n  channel-group x mode on\n  mlag 3\ninterface Ethernet3\n  channel-group 4 mode on\n", &skips, read)
	if len(got) != 1 || got["Ethernet3"].ChannelGroup != 4 {
		t.Errorf("got %v; want Ethernet3 alone", got)
	}
	want := []intent.Unparsed{{Command: "show running-config", Kind: intent.ObjInterface, Record: "Ethernet2", Reason: `line "channel-group x mode on": bad channel-group`}}
	if diff := cmp.Diff(want, skips.List()); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}
