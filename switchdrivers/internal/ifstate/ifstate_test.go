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

func TestReadConfigs(t *testing.T) {
	text := "hostname sw1\n!\ninterface Ethernet1\n   channel-group 10 mode active\n   tx-queue 0\n      channel-group 99 mode on\n!\ninterface Port-Channel10\n   mlag 10\n"
	got, err := ReadConfigs("show running-config", text, func(c *Config, f []string) (err error) {
		switch f[0] {
		case "channel-group":
			c.ChannelGroup, err = Number(f[1], "channel-group")
		case "mlag":
			c.MLAG, err = Number(f[1], "mlag id")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got["Ethernet1"].ChannelGroup != 10 || got["Port-Channel10"].MLAG != 10 || len(got) != 2 {
		t.Errorf("got %+v %+v (%d blocks); want the block's own lines only", got["Ethernet1"], got["Port-Channel10"], len(got))
	}
	_, err = ReadConfigs("show running-config", "interface Ethernet2\n  channel-group x mode on\n", func(c *Config, f []string) (err error) {
		c.ChannelGroup, err = Number(f[1], "channel-group")
		return err
	})
	if err == nil || err.Error() != `parse "show running-config": Ethernet2: "channel-group x mode on": bad channel-group` {
		t.Errorf("error = %v", err)
	}
}
