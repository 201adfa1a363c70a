package eos

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
	"github.com/netalign/netalign/switchdrivers/internal/labtest"
)

// mlagCaptures are the captures of `show mlag` and `show mlag detail` in
// testdata, with what ParseMLAG must read from each (nil: refused).
var mlagCaptures = map[string]*intent.MLAGState{
	// dev1 of the NANOG77 NRFU tutorial: an established pair.
	"show_mlag.nrfu-dev1.json": {Domain: "MLAG_CTRLVLAN", State: intent.MLAGActive, PeerLinkUp: true, KeepaliveUp: true},
	// suzieq's vEOS leaf01, the secondary of its pair, heartbeats alive.
	"show_mlag_detail.suzieq-leaf01.json": {Domain: "mlag_leaf12", State: intent.MLAGActive, PeerLinkUp: true, KeepaliveUp: true},
	// suzieq's spine01 has no MLAG configuration.
	"show_mlag_detail.suzieq-spine01-disabled.json": {State: intent.MLAGDisabled},
	// The text form (no `| json`) of an inactive pair is not read as a
	// peering: a switch ignoring `| json` is an error, not "no MLAG".
	"show_mlag.ntc-inactive.txt": nil,
}

func TestMLAGCaptures(t *testing.T) {
	drivertest.MLAGCaptures(t, CmdShowMLAG, ObserveMLAG, mlagCaptures, "show_mlag.", "show_mlag_detail.")
}

// TestMLAGPeering covers the states no capture shows, in the words EOS
// uses (the ntc-templates sample of an inactive pair prints Inactive,
// Connecting and Lowerlayerdown; ANTA's VerifyMlagStatus fails on
// peerLinkStatus down).
func TestMLAGPeering(t *testing.T) {
	drivertest.MLAGOutputs(t, ObserveMLAG, []drivertest.MLAGCase{
		{Name: "peer link down", In: `{"state":"inactive","domainId":"d1","negStatus":"connecting","peerLinkStatus":"lowerLayerDown","localIntfStatus":"up"}`,
			Want: &intent.MLAGState{Domain: "d1", State: intent.MLAGInactive}},
		{Name: "ANTA's failure", In: `{"state":"active","negStatus":"connected","peerLinkStatus":"down","localIntfStatus":"up"}`,
			Want: &intent.MLAGState{State: intent.MLAGActive, KeepaliveUp: true}},
		{Name: "heartbeats lost", In: `{"state":"active","domainId":"d1","negStatus":"connected","peerLinkStatus":"up","detail":{"udpHeartbeatAlive":false}}`,
			Want: &intent.MLAGState{Domain: "d1", State: intent.MLAGActive, PeerLinkUp: true}},
		{Name: "config-sanity", In: `{"state":"Active","domainId":"d1","negStatus":"Connected","peerLinkStatus":"Up","configSanity":"inconsistent"}`,
			Want: &intent.MLAGState{Domain: "d1", State: intent.MLAGActive, PeerLinkUp: true, KeepaliveUp: true, Inconsistent: []string{"config-sanity inconsistent"}}},
		{Name: "disabled", In: `{"state":"disabled","domainId":"left-over","peerLinkStatus":"up"}`, Want: &intent.MLAGState{State: intent.MLAGDisabled}},
		{Name: "not available", In: "", Want: nil},
	}, `{}`, `{"mlagPorts":{}}`, `[1]`, `{"state":5}`)
}

// TestLabMLAGFollowsCaptures: the lab's `show mlag [detail] | json` uses
// only keys the captures have, and its text `show mlag` has the labels and
// layout of the ntc-templates sample.
func TestLabMLAGFollowsCaptures(t *testing.T) {
	real := map[string]bool{}
	for file, want := range mlagCaptures {
		if want != nil {
			for p := range drivertest.JSONPaths(t, drivertest.ReadFixture(t, file)) {
				real[p] = true
			}
		}
	}
	a, b := platform.StartPair(t)
	single := labtest.Start(t, "leaf9", device.PlatformEOS)
	for _, sw := range []*labtest.Switch{a, b, single} {
		for _, cmd := range []string{"show mlag | json", CmdShowMLAG} {
			out, err := platform.Show(t, sw, cmd)
			if err != nil {
				t.Fatal(err)
			}
			for p := range drivertest.JSONPaths(t, []byte(out)) {
				if !real[p] {
					t.Errorf("%s %q: key %s is in no capture", sw.Config.Name, cmd, p)
				}
			}
		}
	}
	// A configured switch whose peer link is down: inactive, as in the
	// sample.
	if err := a.Dev.SetMLAGPeerLink(false); err != nil {
		t.Fatal(err)
	}
	out, err := platform.Show(t, a, "show mlag")
	if err != nil {
		t.Fatal(err)
	}
	want := drivertest.Labels(string(drivertest.ReadFixture(t, "show_mlag.ntc-inactive.txt")))
	if diff := cmp.Diff(want, drivertest.Labels(out)); diff != "" {
		t.Errorf("labels and colon columns (-capture +lab):\n%s\n%s", diff, out)
	}
	drivertest.HasLines(t, out, "state               :            Inactive", "negotiation status  :          Connecting", "peer-link status    :      Lowerlayerdown")
}

// FuzzObserveMLAG: any output gives a peering or an error, never a panic
// (drivertest.CheckMLAG).
func FuzzObserveMLAG(f *testing.F) {
	for file := range mlagCaptures {
		f.Add(drivertest.ReadFixture(f, file))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := ObserveMLAG(drivertest.OrNil(b)); err == nil && m != nil {
			drivertest.CheckMLAG(t, m)
		}
	})
}
