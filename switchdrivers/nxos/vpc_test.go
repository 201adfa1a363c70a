package nxos

import (
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
	"github.com/netalign/netalign/switchdrivers/internal/labtest"
)

// vpcCaptures are the captures of `show vpc` in testdata, with what
// ObserveVPC must read from each (nil: refused).
var vpcCaptures = map[string]*intent.MLAGState{
	// suzieq's leaf03 (`| json native`: numbers, every table a list,
	// "vpc-end" twice): the primary of domain 34, peer-ok, peer-alive,
	// peer link Po1 up (port state 1), vPCs 3 and 4 consistent.
	"show_vpc.suzieq-leaf03-json-native.json": {Domain: "34", State: intent.MLAGActive, PeerLinkUp: true, KeepaliveUp: true},
	// The text forms (no `| json`) are not read as a peering: a switch
	// ignoring `| json` is an error, not "no vPC".
	"show_vpc.genie-7-wrapped-vlans.txt":  nil,
	"show_vpc.genie-6-not-configured.txt": nil,
}

func TestVPCCaptures(t *testing.T) {
	drivertest.MLAGCaptures(t, CmdShowVPC, ObserveVPC, vpcCaptures, "show_vpc.")
}

// TestVPCPeering covers `| json` (strings, one row an object) and the
// states no capture shows, in the words of Cisco's NX-API reference
// (peer-ok, peer-alive, consistent/SUCCESS; type-2 inconsistent with
// SYSERR_MCECM_COMPAT_CHK_NOT_DONE on the Nexus 7000 page; a peer-link
// port state "enabled" on the Nexus 3500 page) and of an NX-API reply with
// the peer link down (peer-link-down, peer-link-port-state "0"). The
// per-vPC reason is made up: no reference shows one.
func TestVPCPeering(t *testing.T) {
	head := `"vpc-domain-id":"100","vpc-peer-consistency":"consistent","vpc-peer-consistency-status":"SUCCESS","vpc-per-vlan-peer-consistency":"consistent",`
	drivertest.MLAGOutputs(t, ObserveVPC, []drivertest.MLAGCase{
		{Name: "peer link down", In: `{` + head + `"vpc-peer-status":"peer-link-down","vpc-peer-keepalive-status":"peer-alive",
			"TABLE_peerlink":{"ROW_peerlink":{"peer-link-id":"1","peerlink-ifindex":"Po1","peer-link-port-state":"0"}},
			"TABLE_vpc":{"ROW_vpc":{"vpc-id":"10","vpc-ifindex":"Po10","vpc-port-state":"1","vpc-consistency":"consistent","vpc-consistency-status":"SUCCESS"}}}`,
			Want: &intent.MLAGState{Domain: "100", State: intent.MLAGInactive, KeepaliveUp: true}},
		{Name: "keep-alive lost", In: `{` + head + `"vpc-peer-status":"peer-ok","vpc-peer-keepalive-status":"peer-not-alive",
			"TABLE_peerlink":{"ROW_peerlink":{"peer-link-id":"1","peerlink-ifindex":"Po1","peer-link-port-state":"1"}}}`,
			Want: &intent.MLAGState{Domain: "100", State: intent.MLAGActive, PeerLinkUp: true}},
		{Name: "inconsistent", In: `{` + head + `"vpc-peer-status":"peer-ok","vpc-peer-keepalive-status":"peer-alive",
			"vpc-type-2-consistency":"inconsistent","vpc-type-2-consistency-status":"SYSERR_MCECM_COMPAT_CHK_NOT_DONE",
			"TABLE_peerlink":{"ROW_peerlink":{"peer-link-id":"1","peerlink-ifindex":"Po45","peer-link-port-state":"enabled"}},
			"TABLE_vpc":{"ROW_vpc":[{"vpc-id":"35","vpc-ifindex":"Po35","vpc-port-state":"1","vpc-consistency":"consistent","vpc-consistency-status":"SUCCESS"},
			{"vpc-id":"36","vpc-ifindex":"Po36","vpc-port-state":"0","vpc-consistency":"inconsistent","vpc-consistency-status":"Compatibility check failed for MTU"}]}}`,
			Want: &intent.MLAGState{Domain: "100", State: intent.MLAGActive, PeerLinkUp: true, KeepaliveUp: true, Inconsistent: []string{
				"type-2: inconsistent (SYSERR_MCECM_COMPAT_CHK_NOT_DONE)", "vpc 36 (Po36): inconsistent (Compatibility check failed for MTU)"}}},
		{Name: "not configured", In: `{"vpc-domain-id":"not_configured","vpc-peer-status":"peer-link-not-configured","vpc-peer-keepalive-status":"disabled","vpc-peer-consistency":"inconsistent"}`,
			Want: &intent.MLAGState{State: intent.MLAGDisabled}},
		{Name: "no feature vpc", In: "", Want: nil},
	}, `{}`, `{"vpc-peer-status":"peer-ok"}`, `[1]`, `{"vpc-domain-id":{}}`, `{"vpc-domain-id":"1","TABLE_vpc":{"ROW_vpc":"x"}}`)
}

// TestLabVPCFollowsCaptures: the lab's `show vpc | json` uses only keys the
// capture has, and its text `show vpc` the labels and layout of the
// genieparser samples.
func TestLabVPCFollowsCaptures(t *testing.T) {
	real := drivertest.JSONPaths(t, drivertest.ReadFixture(t, "show_vpc.suzieq-leaf03-json-native.json"))
	labels := drivertest.Labels(string(drivertest.ReadFixture(t, "show_vpc.genie-7-wrapped-vlans.txt")))
	for k, v := range drivertest.Labels(string(drivertest.ReadFixture(t, "show_vpc.genie-6-not-configured.txt"))) {
		labels[k] = v
	}
	a, b := platform.StartPair(t)
	// A switch with `feature vpc` and no domain.
	single := labtest.Start(t, "leaf9", device.PlatformNXOS)
	if err := single.Dev.Update(func(c *device.Config) error { c.Features["vpc"] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		for _, sw := range []*labtest.Switch{a, b, single} {
			out, err := platform.Show(t, sw, CmdShowVPC)
			if err != nil {
				t.Fatal(err)
			}
			for p := range drivertest.JSONPaths(t, []byte(out)) {
				if !real[p] {
					t.Errorf("%s, %s: key %s is in no capture", step, sw.Config.Name, p)
				}
			}
			if out, err = platform.Show(t, sw, "show vpc"); err != nil {
				t.Fatal(err)
			}
			for k, col := range drivertest.Labels(out) {
				if c, ok := labels[k]; !ok || c != col {
					t.Errorf("%s, %s: label %q at column %d; the captures have it at %d (present: %v)\n%s", step, sw.Config.Name, k, col, c, ok, out)
				}
			}
		}
	}
	check("peer-ok")
	if err := b.Dev.SetMLAGPeerLink(false); err != nil {
		t.Fatal(err)
	}
	check("peer link down")
	out, err := platform.Show(t, a, "show vpc")
	if err != nil {
		t.Fatal(err)
	}
	drivertest.HasLines(t, out, "Peer status                       : peer link is down", "vPC keep-alive status             : peer is alive")
}

// FuzzObserveVPC: any output gives a peering or an error, never a panic
// (drivertest.CheckMLAG); a configured domain has an id.
func FuzzObserveVPC(f *testing.F) {
	for file := range vpcCaptures {
		f.Add(drivertest.ReadFixture(f, file))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ObserveVPC(b)
		if err != nil || m == nil {
			return
		}
		drivertest.CheckMLAG(t, m)
		if m.State != intent.MLAGDisabled && m.Domain == "" {
			t.Errorf("%s without a domain", m.State)
		}
	})
}
