package eos

import (
	"context"
	"errors"
	"strings"
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
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast", Description: "h0 eno1"},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet2", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast", Description: "h0 eno2"},
		trunk(intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet3", MTU: 9000, Description: "h1 eno1"}),
		trunk(intent.SwitchChange{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel20", LAGType: intent.LAGStatic, MTU: 9000}),
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet4", Join: true, ChannelGroup: 20, ChannelMode: intent.ChannelOn},
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
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	d := openLab(t, sw)
	ctx := ctxT(t)

	res, err := d.Apply(ctx, seedChanges())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Saved || len(res.Lines) == 0 {
		t.Errorf("result = %+v; want saved, lines listed", res)
	}
	// configure session, the lines and the diff in one write, commit,
	// copy: four round trips however many lines.
	if res.Commands != 4 {
		t.Errorf("apply took %d round trips for %d lines, want 4", res.Commands, len(res.Lines))
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
		{Name: "Ethernet1", Kind: intent.KindEthernet, Description: "h0 eno1", AdminUp: true, OperUp: true,
			ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast", MemberState: intent.MemberBundled},
		{Name: "Ethernet3", Kind: intent.KindEthernet, Description: "h1 eno1", AdminUp: true, OperUp: true, MTU: 9000,
			Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.NewVLANSet(10, 100)},
		{Name: "Ethernet4", Kind: intent.KindEthernet, AdminUp: true, OperUp: true,
			ChannelGroup: 20, ChannelMode: intent.ChannelOn, MemberState: intent.MemberBundled},
		{Name: "Port-Channel10", Kind: intent.KindLAG, Description: "h0 mgmt-bo", AdminUp: true, OperUp: true, MTU: 9000,
			Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.NewVLANSet(10, 100),
			LAGType: intent.LAGLACP, Members: []string{"Ethernet1", "Ethernet2"}, MinLinks: 1},
		{Name: "Port-Channel20", Kind: intent.KindLAG, AdminUp: true, OperUp: true, MTU: 9000,
			Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.NewVLANSet(10, 100),
			LAGType: intent.LAGStatic, Members: []string{"Ethernet4"}},
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
	if n := st.Neighbor("Ethernet1"); n == nil || n.SystemName != "h0" {
		t.Errorf("LLDP on Ethernet1 = %+v, want h0", n)
	}

	// The lab's own model agrees with what the driver observed.
	truth := sw.Dev.State()
	for _, name := range []string{"Ethernet1", "Ethernet2", "Ethernet3", "Ethernet4", "Port-Channel10", "Port-Channel20"} {
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
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	d := openLab(t, sw)
	ctx := ctxT(t)
	if _, err := d.Apply(ctx, seedChanges()); err != nil {
		t.Fatal(err)
	}
	// VLAN 300 is not netalign's: an incremental edit must keep it.
	changes := []intent.SwitchChange{
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "200", VLAN: &intent.VLAN{ID: 200}},
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "300", VLAN: &intent.VLAN{ID: 300}},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet3", AddVLANs: intent.NewVLANSet(300)},
	}
	if _, err := d.Apply(ctx, changes); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(ctx, []intent.SwitchChange{
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet3", AddVLANs: intent.NewVLANSet(200), RemoveVLANs: intent.NewVLANSet(100)},
	}); err != nil {
		t.Fatal(err)
	}
	st, err := d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Interface("Ethernet3").Allowed, intent.NewVLANSet(10, 200, 300); !got.Equal(want) {
		t.Errorf("Ethernet3 allowed = %v, want %v", got, want)
	}
}

func TestLabRejectedCommitLeavesDeviceUntouched(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	d := openLab(t, sw)
	ctx := ctxT(t)
	if _, err := d.Apply(ctx, seedChanges()[:2]); err != nil {
		t.Fatal(err)
	}
	before := runningConfig(t, sw)
	beforeCfg := sw.Dev.Running()

	sw.Dev.SetFaults(device.Faults{RejectCommit: true})
	_, err := d.Apply(ctx, seedChanges())
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || !re.RolledBack || re.RollbackErr != nil || re.Device != "leaf1" {
		t.Fatalf("Apply = %v; want a RollbackError with RolledBack", err)
	}
	var ce *switchdrivers.CommandError
	if !errors.As(err, &ce) || ce.Command != "commit" {
		t.Errorf("cause = %v; want the refused commit", err)
	}
	sw.Dev.SetFaults(device.Faults{})
	if after := runningConfig(t, sw); after != before {
		t.Errorf("running-config changed:\n--- before\n%s\n--- after\n%s", before, after)
	}
	if afterCfg := sw.Dev.Running(); !afterCfg.Equal(&beforeCfg) {
		t.Error("device model changed")
	}
	// The driver is still usable, and the aborted session is gone.
	out, err := runningSessions(t, sw)
	if err != nil {
		t.Fatal(err)
	}
	if containsSession(out) {
		t.Errorf("a netalign session is still pending:\n%s", out)
	}
	if _, err := d.Apply(ctx, seedChanges()); err != nil {
		t.Fatalf("apply after the fault cleared: %v", err)
	}
}

func TestLabRefusedLineAborts(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	d := openLab(t, sw)
	ctx := ctxT(t)
	before := runningConfig(t, sw)
	// Ethernet9 does not exist on this switch: the device refuses the line
	// after VLANs and a LAG were staged.
	changes := append(seedChanges(), intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet9", SetTrunk: true})
	_, err := d.Apply(ctx, changes)
	var re *switchdrivers.RollbackError
	var ce *switchdrivers.CommandError
	if !errors.As(err, &re) || !re.RolledBack || !errors.As(err, &ce) {
		t.Fatalf("Apply = %v; want a rolled back RollbackError caused by a CommandError", err)
	}
	if ce.Command != "interface Ethernet9" && ce.Command != "switchport mode trunk" {
		t.Errorf("refused command = %q", ce.Command)
	}
	if after := runningConfig(t, sw); after != before {
		t.Errorf("running-config changed:\n--- before\n%s\n--- after\n%s", before, after)
	}
}

func TestLabDroppedConnectionLeavesNoPartialConfig(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	d := openLab(t, sw)
	ctx := ctxT(t)
	before := runningConfig(t, sw)
	// The driver's connection has served Commands() - 1 commands (the
	// separate running-config read served one); drop it four commands
	// into the apply: in the middle of the configuration lines.
	served := int(sw.Dev.Commands()) - 1
	sw.Dev.SetFaults(device.Faults{DropAfter: served + 4})
	_, err := d.Apply(ctx, seedChanges())
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || !re.RolledBack {
		t.Fatalf("Apply = %v; want a RollbackError with RolledBack (session never committed)", err)
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
	// The session the lost connection left pending was removed.
	out, err := runningSessions(t, sw)
	if err != nil {
		t.Fatal(err)
	}
	if containsSession(out) {
		t.Errorf("a netalign session is still pending:\n%s", out)
	}
}

func TestLabCancelledContext(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
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
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	other := labtest.Start(t, "leaf2", device.PlatformEOS)
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

func runningSessions(t *testing.T, sw *labtest.Switch) (string, error) {
	t.Helper()
	ctx := ctxT(t)
	s, err := clisession.Open(ctx, sw.Config, scrapliPlatform, nil)
	if err != nil {
		return "", err
	}
	defer s.Close()
	return s.Exec(ctx, "show configuration sessions")
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
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
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
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
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
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Leave: true, Disruptive: true},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet2", Leave: true, Disruptive: true},
		{Action: intent.Delete, Object: intent.ObjLAG, Name: "Port-Channel10", Disruptive: true},
		changes[2],
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet2", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
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
	if m := st.Interface("Ethernet1"); m.MemberState != intent.MemberBundled || m.LACPRate != "fast" {
		t.Errorf("Ethernet1 after the change = %+v", m)
	}
}

// Descriptions other tools wrote may hold characters netalign never writes
// ('#', '>'); in the session diff they must not pass for prompts and
// desynchronise the session.
func TestLabForeignDescriptionInDiff(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	const desc = "leaf1# ticket #42 -> rack 7"
	if err := sw.Dev.Update(func(c *device.Config) error {
		in, err := c.Interface("Ethernet3")
		if err != nil {
			return err
		}
		in.Description = desc
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	d := openLab(t, sw)
	ctx := ctxT(t)
	changes := []intent.SwitchChange{{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet3", SetTrunk: true, NativeVLAN: 1, MTU: 9000}}
	res, err := d.Apply(ctx, changes)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Diff, "+   mtu 9000") {
		t.Errorf("diff = %q", res.Diff)
	}
	st, err := d.Observe(ctx)
	if err != nil {
		t.Fatalf("observe after the apply: %v", err)
	}
	if got := st.Interface("Ethernet3"); got.Description != desc || got.MTU != 9000 {
		t.Errorf("Ethernet3 = %+v", got)
	}
	sw.MatchesModel(t, st)
}
