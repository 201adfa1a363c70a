package clirender

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
)

// TestDialect checks that each Dialect field lands where it should; the
// vendor packages pin their complete output with golden files.
func TestDialect(t *testing.T) {
	d := Dialect{
		LAGName:      regexp.MustCompile(`^Port-Channel[0-9]{1,2}$`),
		LAGInterface: func(n string) string { return strings.ToLower(n) },
		MinMTU:       1000, MaxMTU: 2000,
		Trunk:    []string{"l2", "trunk on"},
		MinLinks: "ml", MLAG: "peer-lag", LACPRate: "lacp speed",
	}
	changes := []intent.SwitchChange{
		{Action: intent.Create, Object: intent.ObjLAG, Name: "Po10", SetTrunk: true, MTU: 1500, MinLinks: 2, MLAGID: 7},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Et1", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "slow"},
		{Action: intent.Delete, Object: intent.ObjLAG, Name: "Port-Channel11"},
	}
	got, err := d.Render(changes)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"interface port-channel10", "mtu 1500", "l2", "trunk on", "ml 2", "peer-lag 7",
		"interface Ethernet1", "channel-group 10 mode active", "lacp speed normal",
		"no interface port-channel11",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, c := range []intent.SwitchChange{
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", MTU: 999},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", MTU: 2001},
		{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel100"},
	} {
		if lines, err := d.Render([]intent.SwitchChange{c}); err == nil {
			t.Errorf("Render(%+v) = %q, want an error", c, lines)
		}
	}
}
