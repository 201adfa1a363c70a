package validate_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/validate"
)

// peered is configs/mlag.yaml (the vPC pair n9k-a/n9k-b, bonds prod-0 and
// prod-1 on both) converged, each switch reporting peering.
func peered(t *testing.T, file string, peering intent.MLAGState) (*intent.Desired, *intent.Observed) {
	t.Helper()
	d := load(t, file)
	obs := converged(t, d)
	for i := range obs.Switches {
		m := peering
		obs.Switches[i].MLAG = &m
	}
	return d, obs
}

// lagOf is the LAG holding port on sw.
func lagOf(t *testing.T, obs *intent.Observed, sw, port string) *intent.Interface {
	t.Helper()
	st := obs.Switch(sw)
	return st.Interface(intent.LAGName(st.Interface(port).ChannelGroup))
}

var up = intent.MLAGState{Domain: "1", State: intent.MLAGActive, PeerLinkUp: true, KeepaliveUp: true}

func TestMLAGPair(t *testing.T) {
	tests := []struct {
		name    string
		peering intent.MLAGState
		drift   func(t *testing.T, obs *intent.Observed)
		want    []string
		// found and message of the first finding, when set.
		found, message string
	}{
		{name: "clean pair", peering: up},
		{
			name: "different vPC ids", peering: up,
			drift: func(t *testing.T, obs *intent.Observed) { lagOf(t, obs, "n9k-b", "Ethernet1/1").MLAGID = 250 },
			want:  []string{"LAG_MEMBERS_SPLIT n9k-a prod-0/mgmt", "LAG_MEMBERS_SPLIT n9k-b prod-0/mgmt"},
			found: "n9k-a Port-Channel201 (vpc 201): Ethernet1/1; n9k-b Port-Channel201 (vpc 250): Ethernet1/1",
			message: "the ports facing prod-0's mgmt bond are in two LAGs that are not one vPC on peers n9k-a and n9k-b: " +
				"the host hears two LACP systems and bundles one side only",
		},
		{
			name: "no vPC id on one peer", peering: up,
			drift: func(t *testing.T, obs *intent.Observed) { lagOf(t, obs, "n9k-a", "Ethernet1/2").MLAGID = 0 },
			want:  []string{"LAG_MEMBERS_SPLIT n9k-a prod-1/mgmt", "LAG_MEMBERS_SPLIT n9k-b prod-1/mgmt"},
		},
		{
			name: "LAG on one peer only", peering: up,
			drift: func(t *testing.T, obs *intent.Observed) {
				p := obs.Switch("n9k-b").Interface("Ethernet1/1")
				p.ChannelGroup, p.ChannelMode = 0, ""
			},
			// n9k-b also lacks its LAG, whose Port-Channel201 is left
			// without members.
			want:  []string{"LAG_MEMBERS_SPLIT n9k-a prod-0/mgmt", "LAG_MISSING n9k-b Ethernet1/1", "LAG_ORPHAN n9k-b Port-Channel201", "LAG_MEMBERS_SPLIT n9k-b prod-0/mgmt"},
			found: "n9k-a Port-Channel201 (vpc 201): Ethernet1/1; n9k-b no LAG: Ethernet1/1",
			message: "the ports facing prod-0's mgmt bond are in a LAG on one vPC peer only (none on n9k-b): " +
				"the bond cannot bundle across n9k-a and n9k-b",
		},
		{
			name: "peer link down", peering: intent.MLAGState{Domain: "1", State: intent.MLAGInactive, KeepaliveUp: true},
			want:  []string{"MLAG_PEER_DOWN n9k-a mlag peer n9k-b", "MLAG_PEER_DOWN n9k-b mlag peer n9k-a"},
			found: "not established (inactive), peer link down",
			message: "the vPC peering with n9k-b is not up: every bond facing both switches is at risk " +
				"(one switch failing or isolated takes it down or splits it): prod-0 mgmt-bo, prod-1 mgmt-bo",
		},
		{
			name: "keep-alive lost", peering: intent.MLAGState{Domain: "1", State: intent.MLAGActive, PeerLinkUp: true},
			want:  []string{"MLAG_PEER_DOWN n9k-a mlag peer n9k-b", "MLAG_PEER_DOWN n9k-b mlag peer n9k-a"},
			found: "keep-alive lost",
		},
		{
			name: "no domain", peering: intent.MLAGState{State: intent.MLAGDisabled},
			want:  []string{"MLAG_PEER_DOWN n9k-a mlag peer n9k-b", "MLAG_PEER_DOWN n9k-b mlag peer n9k-a"},
			found: "no domain configured",
		},
		{
			name: "MTU differs", peering: up,
			drift: func(t *testing.T, obs *intent.Observed) { lagOf(t, obs, "n9k-a", "Ethernet1/1").MTU = 9216 },
			want:  []string{"MLAG_PEER_MISMATCH n9k-a prod-0/mgmt", "MLAG_PEER_MISMATCH n9k-b prod-0/mgmt"},
			found: "mtu 9216 on n9k-a, 9000 on n9k-b",
		},
		{
			name: "extra VLAN on one peer", peering: up,
			drift: func(t *testing.T, obs *intent.Observed) {
				l := lagOf(t, obs, "n9k-b", "Ethernet1/2")
				l.Allowed = l.Allowed.Union(intent.NewVLANSet(600))
			},
			want:  []string{"MLAG_PEER_MISMATCH n9k-a prod-1/mgmt", "VLAN_EXTRA n9k-b Port-Channel200", "MLAG_PEER_MISMATCH n9k-b prod-1/mgmt"},
			found: "allowed vlans 1,50,500-501 on n9k-a, 1,50,500-501,600 on n9k-b",
		},
		{
			// What the inventory's values already say is not repeated
			// as a mismatch between the peers.
			name: "native VLAN differs from the inventory on one peer", peering: up,
			drift: func(t *testing.T, obs *intent.Observed) { lagOf(t, obs, "n9k-b", "Ethernet1/2").NativeVLAN = 50 },
			want:  []string{"NATIVE_VLAN_MISMATCH n9k-b Port-Channel200"},
		},
		{
			name:    "the switch reports an inconsistency",
			peering: intent.MLAGState{Domain: "1", State: intent.MLAGActive, PeerLinkUp: true, KeepaliveUp: true, Inconsistent: []string{"type-2: inconsistent (SYSERR_MCECM_COMPAT_CHK_NOT_DONE)"}},
			want:    []string{"MLAG_PEER_MISMATCH n9k-a mlag peer n9k-b", "MLAG_PEER_MISMATCH n9k-b mlag peer n9k-a"},
			found:   "type-2: inconsistent (SYSERR_MCECM_COMPAT_CHK_NOT_DONE)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, obs := peered(t, "mlag.yaml", tt.peering)
			if tt.drift != nil {
				tt.drift(t, obs)
			}
			fs := validate.Check(validate.Input{Desired: d, Observed: obs})
			if diff := cmp.Diff(tt.want, codes(fs)); diff != "" {
				t.Fatalf("findings (-want +got):\n%s", diff)
			}
			if tt.found != "" && fs[0].Found != tt.found {
				t.Errorf("found %q, want %q", fs[0].Found, tt.found)
			}
			if tt.message != "" && fs[0].Message != tt.message {
				t.Errorf("message %q, want %q", fs[0].Message, tt.message)
			}
			for _, f := range fs {
				if f.Severity != validate.SeverityError && f.Code != validate.LAGOrphan && f.Code != validate.VLANExtra {
					t.Errorf("%s: severity %s", f.Code, f.Severity)
				}
			}
		})
	}
}

// TestMLAGPairNotObserved: without an observed peering (a driver that
// cannot read it) or without the peer's observation, nothing is guessed.
func TestMLAGPairNotObserved(t *testing.T) {
	d := load(t, "mlag.yaml")
	obs := converged(t, d)
	lagOf(t, obs, "n9k-b", "Ethernet1/1").MLAGID = 250
	only := &intent.Observed{Switches: []intent.SwitchState{*obs.Switch("n9k-b")}}
	if fs := validate.Check(validate.Input{Desired: d, Observed: only}); len(fs) != 0 {
		t.Errorf("findings with one peer observed: %v", codes(fs))
	}
}

// TestMLAGPairEOS: on an EOS pair the words are MLAG's.
func TestMLAGPairEOS(t *testing.T) {
	d, obs := peered(t, "harvester-seed.yaml", intent.MLAGState{Domain: "netalign", State: intent.MLAGInactive, PeerLinkUp: true})
	var port string
	for _, ds := range d.Switches {
		if ds.Name == "leaf2" && len(ds.LAGs) > 0 {
			port = ds.LAGs[0].Members[0]
		}
	}
	lagOf(t, obs, "leaf2", port).MLAGID = 999
	fs := validate.Check(validate.Input{Desired: d, Observed: obs})
	var split, down []validate.Finding
	for _, f := range fs {
		switch f.Code {
		case validate.LAGMembersSplit:
			split = append(split, f)
		case validate.MLAGPeerDown:
			down = append(down, f)
		}
	}
	if len(split) != 2 || !strings.Contains(split[0].Found, "(mlag 999)") || !strings.Contains(split[0].Message, "not one MLAG on peers leaf1 and leaf2") {
		t.Errorf("LAG_MEMBERS_SPLIT: %+v", split)
	}
	if len(down) != 2 || down[0].Found != "not established (inactive), keep-alive lost" || !strings.HasPrefix(down[0].Message, "the MLAG peering with leaf2 is not up: every bond facing both switches is at risk") {
		t.Errorf("MLAG_PEER_DOWN: %+v", down)
	}
}
