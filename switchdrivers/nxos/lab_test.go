package nxos

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
	"github.com/netalign/netalign/switchdrivers/internal/labtest"
)

// seedChanges builds, from a blank switch, an LACP LAG to h0 (ports 1-2), a
// plain trunk to h1 (port 3) and a static LAG to h2 (port 4).
func seedChanges() []intent.SwitchChange {
	trunk := func(c intent.SwitchChange) intent.SwitchChange {
		c.SetTrunk, c.NativeVLAN, c.ReplaceVLANs, c.Allowed = true, 1, true, intent.NewVLANSet(10, 100)
		return c
	}
	return []intent.SwitchChange{
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "10", VLAN: &intent.VLAN{ID: 10, Name: "mgmt"}},
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100, Name: "vlan100"}},
		trunk(intent.SwitchChange{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel10", LAGType: intent.LAGLACP, MTU: 9000, MinLinks: 1, Description: "h0 mgmt-bo"}),
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1/1", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast", Description: "h0 eno1"},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1/2", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast", Description: "h0 eno2"},
		trunk(intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1/3", MTU: 9000, Description: "h1 eno1"}),
		trunk(intent.SwitchChange{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel20", LAGType: intent.LAGStatic, MTU: 9000}),
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1/4", Join: true, ChannelGroup: 20, ChannelMode: intent.ChannelOn},
	}
}

func openLab(t *testing.T, sw *labtest.Switch) switchdrivers.Driver {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := Open(ctx, sw.Config, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// runningConfig reads `show running-config` over a separate session: the
// bytes an operator would compare.
func runningConfig(t *testing.T, sw *labtest.Switch) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := clisession.Open(ctx, sw.Config, scrapliPlatform, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := s.Exec(ctx, "show running-config")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestLabApplyObserveConverge(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformNXOS)
	d := openLab(t, sw)
	ctx := ctxT(t)

	res, err := d.Apply(ctx, seedChanges())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Saved || len(res.Lines) == 0 {
		t.Errorf("result = %+v; want saved, lines listed", res)
	}
	// checkpoint, configure terminal, the lines, end, diff, copy, no
	// checkpoint.
	if want := len(res.Lines) + 6; res.Commands != want {
		t.Errorf("apply took %d round trips, want %d", res.Commands, want)
	}
	if res.Diff == "" {
		t.Error("no session diff kept")
	}
	if run, start := sw.Dev.Running(), sw.Dev.Startup(); !run.Equal(&start) {
		t.Error("startup-config differs from running-config after a saved apply")
	}

	st, err := d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Hostname != "leaf1" || st.Name != "leaf1" || st.Platform != Platform {
		t.Errorf("switch = %q/%q/%q", st.Name, st.Hostname, st.Platform)
	}
	for _, v := range []intent.VLAN{{ID: 10, Name: "mgmt"}, {ID: 100, Name: "vlan100"}} {
		if !slicesContains(st.VLANs, v) {
			t.Errorf("VLAN %+v missing from %+v", v, st.VLANs)
		}
	}
	want := []intent.Interface{
		{Name: "Ethernet1/1", Kind: intent.KindEthernet, Description: "h0 eno1", AdminUp: true, OperUp: true,
			ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast", MemberState: intent.MemberBundled},
		{Name: "Ethernet1/3", Kind: intent.KindEthernet, Description: "h1 eno1", AdminUp: true, OperUp: true, MTU: 9000,
			Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.NewVLANSet(10, 100)},
		{Name: "Ethernet1/4", Kind: intent.KindEthernet, AdminUp: true, OperUp: true,
			ChannelGroup: 20, ChannelMode: intent.ChannelOn, MemberState: intent.MemberBundled},
		{Name: "Port-Channel10", Kind: intent.KindLAG, Description: "h0 mgmt-bo", AdminUp: true, OperUp: true, MTU: 9000,
			Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.NewVLANSet(10, 100),
			LAGType: intent.LAGLACP, Members: []string{"Ethernet1/1", "Ethernet1/2"}, MinLinks: 1},
		{Name: "Port-Channel20", Kind: intent.KindLAG, AdminUp: true, OperUp: true, MTU: 9000,
			Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.NewVLANSet(10, 100),
			LAGType: intent.LAGStatic, Members: []string{"Ethernet1/4"}},
	}
	ignore := cmpopts.IgnoreFields(intent.Interface{}, "MTU", "Mode", "AccessVLAN", "NativeVLAN", "Allowed")
	for _, w := range want {
		got := st.Interface(w.Name)
		if got == nil {
			t.Errorf("%s missing", w.Name)
			continue
		}
		opts := []cmp.Option{cmpopts.EquateEmpty()}
		if w.Kind == intent.KindEthernet && w.ChannelGroup != 0 {
			// A member's own layer-2 settings are the LAG's business.
			opts = append(opts, ignore)
		}
		if diff := cmp.Diff(w, *got, opts...); diff != "" {
			t.Errorf("%s (-want +got):\n%s", w.Name, diff)
		}
	}
	sw.MatchesModel(t, st)
	if n := st.Neighbor("Ethernet1/1"); n == nil || n.SystemName != "h0" {
		t.Errorf("LLDP on Ethernet1 = %+v, want h0", n)
	}

	// The lab's own model agrees with what the driver observed.
	truth := sw.Dev.State()
	for _, name := range []string{"Ethernet1/1", "Ethernet1/2", "Ethernet1/3", "Ethernet1/4", "Port-Channel10", "Port-Channel20"} {
		g, w := st.Interface(name), truth.Interface(name)
		if g == nil || w == nil {
			t.Fatalf("%s: observed %v, lab model %v", name, g, w)
		}
		if diff := cmp.Diff(w, g, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: lab model (-) vs observed (+):\n%s", name, diff)
		}
	}

	// Convergence: nothing left to do pushes nothing.
	before := sw.Dev.Commands()
	res, err = d.Apply(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Commands != 0 || len(res.Lines) != 0 || sw.Dev.Commands() != before {
		t.Errorf("empty apply sent %d commands (%d at the device), lines %q", res.Commands, sw.Dev.Commands()-before, res.Lines)
	}
}

func slicesContains(vs []intent.VLAN, v intent.VLAN) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func TestLabIncrementalVLANs(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformNXOS)
	d := openLab(t, sw)
	ctx := ctxT(t)
	if _, err := d.Apply(ctx, seedChanges()); err != nil {
		t.Fatal(err)
	}
	// VLAN 300 is not netalign's: an incremental edit must keep it.
	changes := []intent.SwitchChange{
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "200", VLAN: &intent.VLAN{ID: 200}},
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "300", VLAN: &intent.VLAN{ID: 300}},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1/3", AddVLANs: intent.NewVLANSet(300)},
	}
	if _, err := d.Apply(ctx, changes); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(ctx, []intent.SwitchChange{
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1/3", AddVLANs: intent.NewVLANSet(200), RemoveVLANs: intent.NewVLANSet(100)},
	}); err != nil {
		t.Fatal(err)
	}
	st, err := d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Interface("Ethernet1/3").Allowed, intent.NewVLANSet(10, 200, 300); !got.Equal(want) {
		t.Errorf("Ethernet3 allowed = %v, want %v", got, want)
	}
}

// NX-OS applies lines as they arrive; what a refused commit is on EOS, a
// refused rollback is here: with the commit fault the checkpoint cannot be
// restored, and the report must say so rather than claim a rollback.
func TestLabFailedRollbackIsReported(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformNXOS)
	d := openLab(t, sw)
	ctx := ctxT(t)
	sw.Dev.SetFaults(device.Faults{RejectCommit: true})
	changes := append(seedChanges(), intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1/9", SetTrunk: true})
	_, err := d.Apply(ctx, changes)
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || re.RolledBack || re.RollbackErr == nil {
		t.Fatalf("Apply = %v; want a RollbackError with a failed rollback", err)
	}
	t.Logf("report: %v", err)
	sw.Dev.SetFaults(device.Faults{})
	// The checkpoint is kept so that an operator can roll back by hand.
	out, err := runningCheckpoints(t, sw)
	if err != nil {
		t.Fatal(err)
	}
	if !containsSession(out) {
		t.Errorf("no netalign checkpoint left for a manual rollback:\n%s", out)
	}
}

func TestLabRefusedLineRollsBack(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformNXOS)
	d := openLab(t, sw)
	ctx := ctxT(t)
	before := runningConfig(t, sw)
	// Ethernet9 does not exist on this switch: the device refuses the line
	// after VLANs and a LAG were staged.
	changes := append(seedChanges(), intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1/9", SetTrunk: true})
	_, err := d.Apply(ctx, changes)
	var re *switchdrivers.RollbackError
	var ce *switchdrivers.CommandError
	if !errors.As(err, &re) || !re.RolledBack || !errors.As(err, &ce) {
		t.Fatalf("Apply = %v; want a rolled back RollbackError caused by a CommandError", err)
	}
	if ce.Command != "interface Ethernet1/9" && ce.Command != "switchport" {
		t.Errorf("refused command = %q", ce.Command)
	}
	if after := runningConfig(t, sw); after != before {
		t.Errorf("running-config changed:\n--- before\n%s\n--- after\n%s", before, after)
	}
}

func TestLabDroppedConnectionLeavesNoPartialConfig(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformNXOS)
	d := openLab(t, sw)
	ctx := ctxT(t)
	before := runningConfig(t, sw)
	// The driver's connection has served Commands() - 1 commands (the
	// separate running-config read served one); drop it four commands
	// into the apply (checkpoint, configure terminal, two lines). NX-OS
	// has applied those lines: the driver must reconnect and restore the
	// checkpoint.
	served := int(sw.Dev.Commands()) - 1
	sw.Dev.SetFaults(device.Faults{DropAfter: served + 4})
	_, err := d.Apply(ctx, seedChanges())
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || !re.RolledBack {
		t.Fatalf("Apply = %v; want a RollbackError with RolledBack (checkpoint restored over a new connection)", err)
	}
	var ce *switchdrivers.CommandError
	if errors.As(err, &ce) || !errors.Is(err, clisession.ErrConnectionLost) {
		t.Fatalf("Apply = %v; want a lost connection, not a device refusal", err)
	}
	t.Logf("apply over a dropped connection: %v", err)
	sw.Dev.SetFaults(device.Faults{})
	if after := runningConfig(t, sw); after != before {
		t.Errorf("running-config changed:\n--- before\n%s\n--- after\n%s", before, after)
	}
	// The driver reconnects by itself.
	if _, err := d.Apply(ctx, seedChanges()); err != nil {
		t.Fatalf("apply after reconnect: %v", err)
	}
	st, err := d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if po := st.Interface("Port-Channel10"); po == nil || len(po.Members) != 2 {
		t.Errorf("Port-Channel10 after reconnect = %+v", po)
	}
}

func TestLabCancelledContext(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformNXOS)
	d := openLab(t, sw)
	before := runningConfig(t, sw)
	// Every reply takes 300ms: the deadline passes in the middle of the
	// configuration lines.
	sw.Dev.SetFaults(device.Faults{Latency: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 1200*time.Millisecond)
	defer cancel()
	_, err := d.Apply(ctx, seedChanges())
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || !re.RolledBack || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Apply = %v; want a RollbackError with RolledBack, caused by the deadline", err)
	}
	t.Logf("apply past its deadline: %v", err)
	sw.Dev.SetFaults(device.Faults{})
	if after := runningConfig(t, sw); after != before {
		t.Errorf("running-config changed:\n--- before\n%s\n--- after\n%s", before, after)
	}
}

func TestLabHostKeyVerified(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformNXOS)
	other := labtest.Start(t, "leaf2", device.PlatformNXOS)
	cfg := sw.Config
	cfg.KnownHosts = other.Config.KnownHosts // the other switch's key only
	ctx := ctxT(t)
	if d, err := Open(ctx, cfg, nil); err == nil {
		d.Close()
		t.Fatal("connected to a switch whose host key is not in known_hosts")
	}
	cfg.Insecure = true
	d, err := Open(ctx, cfg, nil)
	if err != nil {
		t.Fatalf("insecure open: %v", err)
	}
	d.Close()
}

func runningCheckpoints(t *testing.T, sw *labtest.Switch) (string, error) {
	t.Helper()
	ctx := ctxT(t)
	s, err := clisession.Open(ctx, sw.Config, scrapliPlatform, nil)
	if err != nil {
		return "", err
	}
	defer s.Close()
	return s.Exec(ctx, "show checkpoint summary")
}

func containsSession(out string) bool {
	for i := 0; i+8 <= len(out); i++ {
		if out[i:i+8] == "netalign" {
			return true
		}
	}
	return false
}

func TestLabMLAG(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformNXOS)
	// vPC itself (feature, domain, peer-link) is the operator's; netalign
	// only puts port-channels in it.
	if err := sw.Dev.Update(func(c *device.Config) error { c.Features["vpc"] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	d := openLab(t, sw)
	ctx := ctxT(t)
	changes := seedChanges()
	changes[2].MLAGID = 10
	if _, err := d.Apply(ctx, changes); err != nil {
		t.Fatal(err)
	}
	st, err := d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Interface("Port-Channel10").MLAGID; got != 10 {
		t.Errorf("MLAG id = %d, want 10", got)
	}
	// Moving the LAG to MLAG id 11 is an update of the port-channel only.
	if _, err := d.Apply(ctx, []intent.SwitchChange{{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel10", MLAGID: 11}}); err != nil {
		t.Fatal(err)
	}
	if st, err = d.Observe(ctx); err != nil {
		t.Fatal(err)
	}
	if got := st.Interface("Port-Channel10").MLAGID; got != 11 {
		t.Errorf("MLAG id = %d, want 11", got)
	}
}

func TestLabLAGTypeChange(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformNXOS)
	d := openLab(t, sw)
	ctx := ctxT(t)
	// h0 runs 802.3ad; a static LAG facing it is wrong, the planner's
	// re-creation in one transaction fixes it.
	changes := seedChanges()
	changes[3].ChannelMode, changes[3].LACPRate = intent.ChannelOn, ""
	changes[4].ChannelMode, changes[4].LACPRate = intent.ChannelOn, ""
	if _, err := d.Apply(ctx, changes); err != nil {
		t.Fatal(err)
	}
	st, err := d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Interface("Port-Channel10").LAGType; got != intent.LAGStatic {
		t.Fatalf("LAG type = %s, want static before the change", got)
	}
	// A static LAG facing an 802.3ad bond: whatever member state the lab
	// simulates, the driver reports the same.
	sw.MatchesModel(t, st)
	recreate := []intent.SwitchChange{
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1/1", Leave: true, Disruptive: true},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1/2", Leave: true, Disruptive: true},
		{Action: intent.Delete, Object: intent.ObjLAG, Name: "Port-Channel10", Disruptive: true},
		changes[2],
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1/1", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1/2", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
	}
	if _, err := d.Apply(ctx, recreate); err != nil {
		t.Fatal(err)
	}
	if st, err = d.Observe(ctx); err != nil {
		t.Fatal(err)
	}
	sw.MatchesModel(t, st)
	po := st.Interface("Port-Channel10")
	if po.LAGType != intent.LAGLACP || len(po.Members) != 2 || !po.Allowed.Equal(intent.NewVLANSet(10, 100)) {
		t.Errorf("Port-Channel10 after the change = %+v", po)
	}
	if m := st.Interface("Ethernet1/1"); m.MemberState != intent.MemberBundled || m.LACPRate != "fast" {
		t.Errorf("Ethernet1 after the change = %+v", m)
	}
}
