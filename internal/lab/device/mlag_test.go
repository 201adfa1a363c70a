package device

import (
	"errors"
	"testing"

	"github.com/netalign/netalign/internal/intent"
)

// mlagPair is two switches of platform paired as MLAG/vPC peers, domain
// configured, each with Ethernet1 (cabled to h0's 802.3ad bond) in
// Port-Channel10 with MLAG id 10.
func mlagPair(t *testing.T, platform string) (a, b *Device) {
	t.Helper()
	port := "Ethernet1"
	specs := func(nic string) []PortSpec {
		return []PortSpec{{Name: port, Peer: &HostNIC{Host: "h0", NIC: nic, BondMode: intent.LACP, ClusterNetwork: "mgmt"}}}
	}
	a, b = New("leaf1", platform, specs("eno1")), New("leaf2", platform, specs("eno2"))
	f := NewFabric()
	f.Add(a)
	f.Add(b)
	f.PairMLAG(a, b)
	for _, d := range []*Device{a, b} {
		if err := d.Update(func(c *Config) error {
			c.MLAG, c.Features["vpc"] = true, true
			if err := c.SetChannelGroup(port, 10, intent.ChannelActive); err != nil {
				return err
			}
			c.Interfaces["Port-Channel10"].MLAGID = 10
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

// TestMLAGLinks: the peer link and the keep-alive decide whether the pair
// presents one LACP system (EOS: both up; NX-OS: the peer link up), and
// the vendor-neutral peering each switch reports.
func TestMLAGLinks(t *testing.T) {
	tests := []struct {
		platform         string
		peerLink, alive  bool
		wantB            intent.MemberState
		state            intent.MLAGPeering
		wantKeepaliveUpB bool
	}{
		{PlatformEOS, true, true, intent.MemberBundled, intent.MLAGActive, true},
		{PlatformEOS, false, true, intent.MemberSuspended, intent.MLAGInactive, false},
		{PlatformEOS, true, false, intent.MemberSuspended, intent.MLAGInactive, false},
		{PlatformNXOS, true, true, intent.MemberBundled, intent.MLAGActive, true},
		{PlatformNXOS, false, true, intent.MemberSuspended, intent.MLAGInactive, true},
		{PlatformNXOS, true, false, intent.MemberBundled, intent.MLAGActive, false},
	}
	for _, tt := range tests {
		a, b := mlagPair(t, tt.platform)
		// Either peer pulling a link pulls it for both.
		if err := a.SetMLAGPeerLink(tt.peerLink); err != nil {
			t.Fatal(err)
		}
		if err := b.SetMLAGKeepalive(tt.alive); err != nil {
			t.Fatal(err)
		}
		sa, sb := a.Snapshot(), b.Snapshot()
		if got := sa.Oper["Ethernet1"].MemberState; got != intent.MemberBundled {
			t.Errorf("%+v: leaf1 Ethernet1 %s, want bundled (it sorts first)", tt, got)
		}
		if got := sb.Oper["Ethernet1"].MemberState; got != tt.wantB {
			t.Errorf("%+v: leaf2 Ethernet1 %s, want %s", tt, got, tt.wantB)
		}
		want := intent.MLAGState{Domain: MLAGDomain(tt.platform), State: tt.state, PeerLinkUp: tt.peerLink, KeepaliveUp: tt.wantKeepaliveUpB}
		for _, st := range []intent.SwitchState{sa.State(), sb.State()} {
			if st.MLAG == nil || st.MLAG.Domain != want.Domain || st.MLAG.State != want.State || st.MLAG.PeerLinkUp != want.PeerLinkUp || st.MLAG.KeepaliveUp != want.KeepaliveUp {
				t.Errorf("%+v: %s peering %+v, want %+v", tt, st.Name, st.MLAG, want)
			}
		}
	}
}

func TestMLAGDrift(t *testing.T) {
	a, b := mlagPair(t, PlatformEOS)
	for _, spec := range [][]string{{"mlag-peer-link", "down"}, {"mlag-keepalive", "down"}, {"mlag-id", "Port-Channel10", "11"}} {
		if err := a.Drift(spec); err != nil {
			t.Fatalf("%v: %v", spec, err)
		}
	}
	if s := b.Snapshot().MLAG; s.PeerLinkUp || s.KeepaliveUp {
		t.Errorf("leaf2 after leaf1 pulled both links: %+v", s)
	}
	if id := a.Running().Interfaces["Port-Channel10"].MLAGID; id != 11 {
		t.Errorf("mlag id %d, want 11", id)
	}
	// Restored from the other side.
	for _, spec := range [][]string{{"mlag-peer-link", "up"}, {"mlag-keepalive", "UP"}} {
		if err := b.Drift(spec); err != nil {
			t.Fatalf("%v: %v", spec, err)
		}
	}
	if s := a.Snapshot().MLAG; !s.PeerLinkUp || !s.KeepaliveUp {
		t.Errorf("leaf1 after leaf2 restored both links: %+v", s)
	}
	for _, spec := range [][]string{{"mlag-peer-link"}, {"mlag-keepalive", "sideways"}, {"mlag-id", "Ethernet1", "5"}, {"mlag-id", "Port-Channel10", "-1"}} {
		if err := a.Drift(spec); err == nil {
			t.Errorf("%v accepted", spec)
		}
	}
	alone := New("leaf9", PlatformEOS, nil)
	if err := alone.SetMLAGPeerLink(false); !errors.Is(err, ErrInvalid) {
		t.Errorf("a switch without a peer: %v, want ErrInvalid", err)
	}
}
