package device

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netalign/netalign/internal/intent"
)

// twoPortSwitch returns a switch whose Ethernet1 and Ethernet2 face eno1 and
// eno2 of host h0, bonded in mode.
func twoPortSwitch(platform string, mode intent.BondMode) *Device {
	return New("leaf1", platform, []PortSpec{
		{Name: "Et1", Peer: &HostNIC{Host: "h0", NIC: "eno1", BondMode: mode, ClusterNetwork: "mgmt"}},
		{Name: "Et2", Peer: &HostNIC{Host: "h0", NIC: "eno2", BondMode: mode, ClusterNetwork: "mgmt"}},
		{Name: "Et3"},
	})
}

func memberStates(t *testing.T, d *Device) map[string]intent.MemberState {
	t.Helper()
	st := d.State()
	out := map[string]intent.MemberState{}
	for _, in := range st.Interfaces {
		if in.Kind == intent.KindEthernet && in.ChannelGroup > 0 {
			out[in.Name] = in.MemberState
		}
	}
	return out
}

// TestRealismTable is the lab's LACP realism table: for every bond mode and
// every LAG type on the switch, the member state the switch reports.
func TestRealismTable(t *testing.T) {
	lagModes := []struct {
		name string
		mode intent.ChannelMode // "" = no LAG
	}{{"none", ""}, {"static", intent.ChannelOn}, {"lacp-active", intent.ChannelActive}, {"lacp-passive", intent.ChannelPassive}}
	want := map[intent.LAGType]map[string]intent.MemberState{
		// Host bond runs no LACP (balance-rr, active-backup, xor, broadcast, tlb, alb).
		intent.LAGNone: {
			"static": intent.MemberBundled, "lacp-active": intent.MemberSuspended, "lacp-passive": intent.MemberSuspended,
		},
		intent.LAGStatic: {
			"static": intent.MemberBundled, "lacp-active": intent.MemberSuspended, "lacp-passive": intent.MemberSuspended,
		},
		// 802.3ad: LACP bundles (Linux is always active, so passive works);
		// a static LAG is bundled on the switch side, the host sees no partner.
		intent.LAGLACP: {
			"static": intent.MemberBundled, "lacp-active": intent.MemberBundled, "lacp-passive": intent.MemberBundled,
		},
	}
	for mode := intent.BalanceRR; mode <= intent.BalanceALB; mode++ {
		for _, lm := range lagModes {
			for _, platform := range []string{PlatformEOS, PlatformNXOS} {
				t.Run(fmt.Sprintf("%s/%s/%s", mode, lm.name, platform), func(t *testing.T) {
					d := twoPortSwitch(platform, mode)
					if lm.mode != "" {
						if err := d.Update(func(c *Config) error {
							if err := c.SetChannelGroup("Ethernet1", 10, lm.mode); err != nil {
								return err
							}
							return c.SetChannelGroup("Ethernet2", 10, lm.mode)
						}); err != nil {
							t.Fatal(err)
						}
					}
					got := memberStates(t, d)
					wantMap := map[string]intent.MemberState{}
					if lm.mode != "" {
						s := want[mode.LAG()][lm.name]
						wantMap = map[string]intent.MemberState{"Ethernet1": s, "Ethernet2": s}
					}
					if diff := cmp.Diff(wantMap, got); diff != "" {
						t.Errorf("member states (-want +got):\n%s", diff)
					}
					st := d.State()
					e1 := st.Interface("Ethernet1")
					suspended := wantMap["Ethernet1"] == intent.MemberSuspended
					if wantOper := !(suspended && platform == PlatformNXOS); e1.OperUp != wantOper {
						t.Errorf("Ethernet1 oper up = %v, want %v", e1.OperUp, wantOper)
					}
					if lm.mode != "" {
						po := st.Interface("Port-Channel10")
						if po == nil {
							t.Fatal("Port-Channel10 missing")
						}
						if got, want := po.LAGType, lm.mode.LAGType(); got != want {
							t.Errorf("lag type = %s, want %s", got, want)
						}
						if po.OperUp == suspended {
							t.Errorf("Port-Channel10 oper up = %v with members %s", po.OperUp, wantMap["Ethernet1"])
						}
						if diff := cmp.Diff([]string{"Ethernet1", "Ethernet2"}, po.Members); diff != "" {
							t.Errorf("members (-want +got):\n%s", diff)
						}
					}
				})
			}
		}
	}
}

func TestSplitAndPartnerMismatch(t *testing.T) {
	ports := []PortSpec{
		{Name: "Ethernet1", Peer: &HostNIC{Host: "h0", NIC: "eno1", BondMode: intent.LACP, ClusterNetwork: "mgmt"}},
		{Name: "Ethernet2", Peer: &HostNIC{Host: "h0", NIC: "eno2", BondMode: intent.LACP, ClusterNetwork: "mgmt"}},
		{Name: "Ethernet3", Peer: &HostNIC{Host: "h0", NIC: "eno3", BondMode: intent.LACP, ClusterNetwork: "mgmt"}},
		{Name: "Ethernet4", Peer: &HostNIC{Host: "h1", NIC: "eno1", BondMode: intent.LACP, ClusterNetwork: "mgmt"}},
		{Name: "Ethernet5"},
	}
	tests := []struct {
		name   string
		groups map[string]int
		want   map[string]intent.MemberState
	}{
		{
			name:   "bond split over two LAGs: the larger wins",
			groups: map[string]int{"Ethernet1": 20, "Ethernet2": 10, "Ethernet3": 10},
			want:   map[string]intent.MemberState{"Ethernet1": intent.MemberSuspended, "Ethernet2": intent.MemberBundled, "Ethernet3": intent.MemberBundled},
		},
		{
			name:   "bond split evenly: the lowest id wins",
			groups: map[string]int{"Ethernet1": 20, "Ethernet2": 10},
			want:   map[string]intent.MemberState{"Ethernet1": intent.MemberSuspended, "Ethernet2": intent.MemberBundled},
		},
		{
			name:   "two bonds in one LAG: the partner with most ports wins",
			groups: map[string]int{"Ethernet1": 10, "Ethernet2": 10, "Ethernet4": 10},
			want:   map[string]intent.MemberState{"Ethernet1": intent.MemberBundled, "Ethernet2": intent.MemberBundled, "Ethernet4": intent.MemberSuspended},
		},
		{
			name:   "uncabled member is down",
			groups: map[string]int{"Ethernet1": 10, "Ethernet5": 10},
			want:   map[string]intent.MemberState{"Ethernet1": intent.MemberBundled, "Ethernet5": intent.MemberDown},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := New("leaf1", PlatformEOS, ports)
			if err := d.Update(func(c *Config) error {
				for p, id := range tt.groups {
					if err := c.SetChannelGroup(p, id, intent.ChannelActive); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, memberStates(t, d)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMinLinks(t *testing.T) {
	d := twoPortSwitch(PlatformEOS, intent.LACP)
	if err := d.Update(func(c *Config) error {
		if err := c.SetChannelGroup("Ethernet1", 10, intent.ChannelActive); err != nil {
			return err
		}
		if err := c.SetChannelGroup("Ethernet2", 10, intent.ChannelActive); err != nil {
			return err
		}
		c.Interfaces["Port-Channel10"].MinLinks = 2
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if st := d.State(); !st.Interface("Po10").OperUp {
		t.Fatal("Po10 down with 2 of min-links 2 bundled")
	}
	if err := d.SetShutdown("Ethernet2", true); err != nil {
		t.Fatal(err)
	}
	st := d.State()
	if st.Interface("Po10").OperUp {
		t.Error("Po10 up with 1 of min-links 2 bundled")
	}
	if got := st.Interface("Ethernet2").MemberState; got != intent.MemberDown {
		t.Errorf("shut member state = %s, want down", got)
	}
}

func TestUpdateAtomic(t *testing.T) {
	d := twoPortSwitch(PlatformEOS, intent.LACP)
	before := d.Running()
	boom := errors.New("boom")
	err := d.Update(func(c *Config) error {
		if err := c.AddVLAN(100, "vm"); err != nil {
			return err
		}
		c.Interfaces["Ethernet1"].Mode = intent.ModeTrunk
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	after := d.Running()
	if !before.Equal(&after) {
		t.Error("failed update changed the running config")
	}
	// Modifying a returned copy does not touch the device.
	after.Interfaces["Ethernet1"].Description = "x"
	if got := d.Running().Interfaces["Ethernet1"].Description; got != "" {
		t.Errorf("copy aliases the device: %q", got)
	}
}

func TestMixedChannelModesRejected(t *testing.T) {
	d := twoPortSwitch(PlatformEOS, intent.LACP)
	err := d.Update(func(c *Config) error {
		if err := c.SetChannelGroup("Ethernet1", 10, intent.ChannelOn); err != nil {
			return err
		}
		return c.SetChannelGroup("Ethernet2", 10, intent.ChannelActive)
	})
	if !errors.Is(err, ErrModeMismatch) {
		t.Fatalf("err = %v, want ErrModeMismatch", err)
	}
}

func TestCommitRejected(t *testing.T) {
	d := twoPortSwitch(PlatformEOS, intent.LACP)
	d.SetFaults(Faults{RejectCommit: true})
	if err := d.Commit(func(c *Config) error { return c.AddVLAN(5, "") }); !errors.Is(err, ErrCommitRejected) {
		t.Fatalf("err = %v", err)
	}
	if _, ok := d.Running().VLANs[5]; ok {
		t.Error("rejected commit applied")
	}
}

func TestDelayDeterministic(t *testing.T) {
	run := func() []int64 {
		d := twoPortSwitch(PlatformEOS, intent.LACP)
		d.SetFaults(Faults{Latency: 1000, Jitter: 1000, Seed: 42})
		var out []int64
		for range 5 {
			out = append(out, int64(d.Delay()))
		}
		return out
	}
	a, b := run(), run()
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different delays (-a +b):\n%s", diff)
	}
	for _, v := range a {
		if v < 1000 || v > 2000 {
			t.Errorf("delay %d outside [latency, latency+jitter]", v)
		}
	}
}

func TestLLDP(t *testing.T) {
	d := New("leaf1", PlatformEOS, []PortSpec{
		{Name: "Ethernet1", Peer: &HostNIC{Host: "h0", NIC: "eno1", MAC: "52:54:00:00:00:01"}},
		{Name: "Ethernet2", Peer: &HostNIC{Host: "h0", NIC: "eno2", LLDPPortIDIfname: true}},
		{Name: "Ethernet3"},
	})
	want := []intent.LLDPNeighbor{
		{LocalPort: "Ethernet1", SystemName: "h0", PortID: "52:54:00:00:00:01", ChassisID: HostChassisMAC("h0"), PortDescr: "eno1"},
		{LocalPort: "Ethernet2", SystemName: "h0", PortID: "eno2", ChassisID: HostChassisMAC("h0"), PortDescr: "eno2"},
	}
	if diff := cmp.Diff(want, d.State().LLDP); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// A shut port hears nothing.
	if err := d.SetShutdown("Et1", true); err != nil {
		t.Fatal(err)
	}
	if got := len(d.State().LLDP); got != 1 {
		t.Errorf("neighbours after shutdown = %d, want 1", got)
	}
}

func TestDrift(t *testing.T) {
	d := twoPortSwitch(PlatformEOS, intent.LACP)
	if err := d.Update(func(c *Config) error {
		c.Interfaces["Ethernet1"].Mode = intent.ModeTrunk
		c.Interfaces["Ethernet1"].Allowed = intent.NewVLANSet(1, 100, 200)
		if err := c.SetChannelGroup("Ethernet1", 10, intent.ChannelActive); err != nil {
			return err
		}
		return c.SetChannelGroup("Ethernet2", 10, intent.ChannelActive)
	}); err != nil {
		t.Fatal(err)
	}
	for _, spec := range [][]string{{"remove-allowed-vlan", "Et1", "100"}, {"add-allowed-vlan", "Et1", "300-302"}, {"lag-static", "10"}, {"mtu", "Ethernet2", "1500"}} {
		if err := d.Drift(spec); err != nil {
			t.Fatalf("%v: %v", spec, err)
		}
	}
	st := d.State()
	if got := st.Interface("Ethernet1").Allowed.String(); got != "1,200,300-302" {
		t.Errorf("allowed = %s", got)
	}
	if err := d.Drift([]string{"add-allowed-vlan", "Ethernet1", "all"}); err != nil {
		t.Fatal(err)
	}
	st = d.State()
	if got := st.Interface("Ethernet1").Allowed; !got.Equal(AllVLANs()) {
		t.Errorf("allowed after add all = %s", got)
	}
	if got := st.Interface("Po10").LAGType; got != intent.LAGStatic {
		t.Errorf("lag type = %s", got)
	}
	if err := d.Drift([]string{"bogus"}); err == nil {
		t.Error("unknown drift accepted")
	}
	if err := d.Drift([]string{"mtu", "Ethernet9", "1500"}); !errors.Is(err, ErrNoInterface) {
		t.Errorf("drift on missing port: %v", err)
	}
}

func TestInterfaceOrder(t *testing.T) {
	names := []string{"Ethernet10", "Port-Channel100", "Ethernet2", "Ethernet1/10", "Ethernet1/2", "Port-Channel20"}
	SortInterfaces(names)
	want := []string{"Port-Channel20", "Port-Channel100", "Ethernet1/2", "Ethernet1/10", "Ethernet2", "Ethernet10"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestFabricMLAG: a host bond with one NIC on each of two switches bundles
// on both only when the switches are an MLAG pair and both port-channels
// carry the same MLAG id; otherwise the bond selects one switch and the
// other shows its member suspended.
func TestFabricMLAG(t *testing.T) {
	tests := []struct {
		name       string
		mlagA      bool
		idA, idB   int
		paired     bool
		wantA      intent.MemberState
		wantB      intent.MemberState
		wantReason string
	}{
		{"mlag pair, same id", true, 10, 10, true, intent.MemberBundled, intent.MemberBundled, ""},
		{"no mlag ids", true, 0, 0, true, intent.MemberBundled, intent.MemberSuspended, ReasonSplit},
		{"different mlag ids", true, 10, 11, true, intent.MemberBundled, intent.MemberSuspended, ReasonSplit},
		{"mlag not configured on leaf1", false, 10, 10, true, intent.MemberBundled, intent.MemberSuspended, ReasonSplit},
		{"not paired in the inventory", true, 10, 10, false, intent.MemberBundled, intent.MemberSuspended, ReasonSplit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nic := func(n string) *HostNIC {
				return &HostNIC{Host: "h0", NIC: n, BondMode: intent.LACP, ClusterNetwork: "mgmt"}
			}
			a := New("leaf1", PlatformEOS, []PortSpec{{Name: "Ethernet1", Peer: nic("eno1")}})
			b := New("leaf2", PlatformEOS, []PortSpec{{Name: "Ethernet1", Peer: nic("eno2")}})
			f := NewFabric()
			f.Add(a)
			f.Add(b)
			if tt.paired {
				f.PairMLAG(a, b)
			}
			for _, x := range []struct {
				d    *Device
				mlag bool
				id   int
			}{{a, tt.mlagA, tt.idA}, {b, true, tt.idB}} {
				if err := x.d.Update(func(c *Config) error {
					c.MLAG = x.mlag
					if err := c.SetChannelGroup("Ethernet1", 10, intent.ChannelActive); err != nil {
						return err
					}
					c.Interfaces["Port-Channel10"].MLAGID = x.id
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			sa, sb := a.Snapshot(), b.Snapshot()
			if got := sa.Oper["Ethernet1"].MemberState; got != tt.wantA {
				t.Errorf("leaf1 Ethernet1 %s, want %s", got, tt.wantA)
			}
			if got := sb.Oper["Ethernet1"]; got.MemberState != tt.wantB || got.Reason != tt.wantReason {
				t.Errorf("leaf2 Ethernet1 %s (%s), want %s (%s)", got.MemberState, got.Reason, tt.wantB, tt.wantReason)
			}
			if up := sb.Oper["Port-Channel10"].LinkUp; up != (tt.wantB == intent.MemberBundled) {
				t.Errorf("leaf2 Po10 up = %v", up)
			}
		})
	}
}
