package drivertest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/internal/lab/sshcli"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
	"github.com/netalign/netalign/switchdrivers/internal/labtest"
)

// SeedChanges builds, from a blank switch, an LACP LAG to h0 (ports 1-2), a
// plain trunk to h1 (port 3) and a static LAG to h2 (port 4).
func (p Platform) SeedChanges() []intent.SwitchChange {
	trunk := func(c intent.SwitchChange) intent.SwitchChange {
		c.SetTrunk, c.NativeVLAN, c.ReplaceVLANs, c.Allowed = true, 1, true, intent.NewVLANSet(10, 100)
		return c
	}
	return []intent.SwitchChange{
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "10", VLAN: &intent.VLAN{ID: 10, Name: "mgmt"}},
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100, Name: "vlan100"}},
		trunk(intent.SwitchChange{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel10", LAGType: intent.LAGLACP, MTU: 9000, MinLinks: 1, Description: "h0 mgmt-bo"}),
		{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(1), Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast", Description: "h0 eno1"},
		{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(2), Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast", Description: "h0 eno2"},
		trunk(intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(3), MTU: 9000, Description: "h1 eno1"}),
		trunk(intent.SwitchChange{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel20", LAGType: intent.LAGStatic, MTU: 9000}),
		{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(4), Join: true, ChannelGroup: 20, ChannelMode: intent.ChannelOn},
	}
}

// SeedConverged observes sw through d after an apply of SeedChanges and
// fails t when the observation differs from the lab model or
// Port-Channel10 lacks its two members.
func (p Platform) SeedConverged(t testing.TB, sw *labtest.Switch, d switchdrivers.Driver) {
	t.Helper()
	st, err := d.Observe(Context(t))
	if err != nil {
		t.Fatal(err)
	}
	sw.MatchesModel(t, st)
	if po := st.Interface("Port-Channel10"); po == nil || len(po.Members) != 2 {
		t.Errorf("Port-Channel10 = %+v", po)
	}
}

// Context is a context for one lab test, ended with the test.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Start runs a lab switch of the platform named leaf1.
func (p Platform) Start(t testing.TB) *labtest.Switch {
	t.Helper()
	return labtest.Start(t, "leaf1", p.Name)
}

// OpenLab opens the driver on sw, closed when the test ends.
func (p Platform) OpenLab(t testing.TB, sw *labtest.Switch) switchdrivers.Driver {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := p.Open(ctx, sw.Config, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// Show runs cmd on sw over a session of its own.
func (p Platform) Show(t testing.TB, sw *labtest.Switch, cmd string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := clisession.Open(ctx, sw.Config, p.Scrapli, nil)
	if err != nil {
		return "", err
	}
	defer s.Close()
	return s.Exec(ctx, cmd)
}

// RunningConfig reads `show running-config` over a separate session: the
// bytes an operator would compare.
func (p Platform) RunningConfig(t testing.TB, sw *labtest.Switch) string {
	t.Helper()
	out, err := p.Show(t, sw, "show running-config")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Pending returns ShowPending's output and whether it lists anything of
// netalign's.
func (p Platform) Pending(t testing.TB, sw *labtest.Switch) (string, bool) {
	t.Helper()
	out, err := p.Show(t, sw, p.ShowPending)
	if err != nil {
		t.Fatal(err)
	}
	return out, strings.Contains(out, "netalign")
}

// SameRunningConfig fails t when sw's running-config is no longer before.
func (p Platform) SameRunningConfig(t testing.TB, sw *labtest.Switch, before string) {
	t.Helper()
	if after := p.RunningConfig(t, sw); after != before {
		t.Errorf("running-config changed:\n--- before\n%s\n--- after\n%s", before, after)
	}
}

// RunLab runs the lab scenarios every CLI driver passes, each against a
// fresh simulated switch.
func (p Platform) RunLab(t *testing.T) {
	for _, tt := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"ApplyObserveConverge", p.labApplyObserveConverge},
		{"RoundTrips", p.labRoundTrips},
		{"PrivilegedLogin", p.labPrivilegedLogin},
		{"IncrementalVLANs", p.labIncrementalVLANs},
		{"RefusedLineRollsBack", p.labRefusedLineRollsBack},
		{"RejectedCommitLeavesDeviceUntouched", p.labRejectedCommit},
		{"DroppedConnectionLeavesNoPartialConfig", p.labDroppedConnection},
		{"CancelledContext", p.labCancelledContext},
		{"HostKeyVerified", p.labHostKeyVerified},
		{"OtherPlatform", p.labOtherPlatform},
		{"MLAG", p.labMLAG},
		{"MLAGPeering", p.labMLAGPeering},
		{"LAGTypeChange", p.labLAGTypeChange},
		{"VLANState", p.labVLANState},
	} {
		t.Run(tt.name, tt.run)
	}
}

// labRoundTrips counts, at the lab, the round trips of opening a driver
// and of observing: the terminal set-up in one write, every show command
// in one write, whatever their number.
func (p Platform) labRoundTrips(t *testing.T) {
	sw := p.Start(t)
	d := p.OpenLab(t, sw)
	opened := sw.Server.RoundTrips()
	// enable (the lab's test user logs in unprivileged; the password
	// prompt's answer is no command line), then the terminal set-up.
	if opened != 2 {
		t.Errorf("opening took %d round trips, want 2", opened)
	}
	// scrapligo reads the prompt before and after enable to know the
	// privilege level; the prompt netalign matches replies with comes
	// from the terminal set-up's replies, not from another read.
	if n := sw.Server.PromptProbes(); n != 2 {
		t.Errorf("opening read the prompt %d times, want 2", n)
	}
	echoes := sw.Server.EchoWaits()
	for i := range 2 {
		before := sw.Server.RoundTrips()
		if _, err := d.Observe(Context(t)); err != nil {
			t.Fatal(err)
		}
		if n := sw.Server.RoundTrips() - before; n != 1 {
			t.Errorf("observation %d took %d round trips, want 1", i+1, n)
		}
	}
	if _, err := d.Apply(Context(t), p.SeedChanges()); err != nil {
		t.Fatal(err)
	}
	before := sw.Server.RoundTrips()
	if _, err := d.Observe(Context(t)); err != nil {
		t.Fatal(err)
	}
	if n := sw.Server.RoundTrips() - before; n != 1 {
		t.Errorf("observation after an apply took %d round trips, want 1", n)
	}
	// Closing says exit without first reading the prompt (a round trip
	// on a real network, which a fleet would pay switch after switch).
	probes := sw.Server.PromptProbes()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if n := sw.Server.PromptProbes() - probes; n != 0 {
		t.Errorf("closing read the prompt %d times, want 0", n)
	}
	// Every command went with its return in one write: no round trip
	// spent waiting for an echo.
	if n := sw.Server.EchoWaits() - echoes; n != 0 {
		t.Errorf("observing, applying and closing waited for %d echoes, want 0", n)
	}
}

// labPrivilegedLogin: an account that lands in privileged exec mode (no
// enable) costs one round trip to open, the terminal set-up: the prompt the
// device prints on login says the mode, no prompt is asked for.
func (p Platform) labPrivilegedLogin(t *testing.T) {
	sw := labtest.StartWith(t, "leaf1", p.Name, func(o *sshcli.Options) { o.EnableSecret = "" })
	d := p.OpenLab(t, sw)
	if n := sw.Server.RoundTrips(); n != 1 {
		t.Errorf("opening took %d round trips, want 1", n)
	}
	if n := sw.Server.PromptProbes(); n != 0 {
		t.Errorf("opening read the prompt %d times, want 0", n)
	}
	if n := sw.Server.EchoWaits(); n != 0 {
		t.Errorf("opening waited for %d echoes, want 0", n)
	}
	st, err := d.Observe(Context(t))
	if err != nil {
		t.Fatal(err)
	}
	sw.MatchesModel(t, st)
}

func (p Platform) labApplyObserveConverge(t *testing.T) {
	sw := p.Start(t)
	d := p.OpenLab(t, sw)
	ctx := Context(t)

	res, err := d.Apply(ctx, p.SeedChanges())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Saved || len(res.Lines) == 0 {
		t.Errorf("result = %+v; want saved, lines listed", res)
	}
	if want := p.ApplyRoundTrips(len(res.Lines)); res.Commands != want {
		t.Errorf("apply took %d round trips for %d lines, want %d", res.Commands, len(res.Lines), want)
	}
	if res.Diff == "" {
		t.Error("no diff kept")
	}
	if run, start := sw.Dev.Running(), sw.Dev.Startup(); !run.Equal(&start) {
		t.Error("startup-config differs from running-config after a saved apply")
	}

	st, err := d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Hostname != "leaf1" || st.Name != "leaf1" || st.Platform != p.Name {
		t.Errorf("switch = %q/%q/%q", st.Name, st.Hostname, st.Platform)
	}
	for _, v := range []intent.VLAN{{ID: 10, Name: "mgmt"}, {ID: 100, Name: "vlan100"}} {
		if !slices.Contains(st.VLANs, v) {
			t.Errorf("VLAN %+v missing from %+v", v, st.VLANs)
		}
	}
	want := []intent.Interface{
		{Name: p.Port(1), Kind: intent.KindEthernet, Description: "h0 eno1", AdminUp: true, OperUp: true,
			ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast", MemberState: intent.MemberBundled},
		{Name: p.Port(3), Kind: intent.KindEthernet, Description: "h1 eno1", AdminUp: true, OperUp: true, MTU: 9000,
			Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.NewVLANSet(10, 100)},
		{Name: p.Port(4), Kind: intent.KindEthernet, AdminUp: true, OperUp: true,
			ChannelGroup: 20, ChannelMode: intent.ChannelOn, MemberState: intent.MemberBundled},
		{Name: "Port-Channel10", Kind: intent.KindLAG, Description: "h0 mgmt-bo", AdminUp: true, OperUp: true, MTU: 9000,
			Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.NewVLANSet(10, 100),
			LAGType: intent.LAGLACP, Members: []string{p.Port(1), p.Port(2)}, MinLinks: 1},
		{Name: "Port-Channel20", Kind: intent.KindLAG, AdminUp: true, OperUp: true, MTU: 9000,
			Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.NewVLANSet(10, 100),
			LAGType: intent.LAGStatic, Members: []string{p.Port(4)}},
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
	if n := st.Neighbor(p.Port(1)); n == nil || n.SystemName != "h0" {
		t.Errorf("LLDP on %s = %+v, want h0", p.Port(1), n)
	}

	// The lab's own model agrees with what the driver observed.
	truth := sw.Dev.State()
	for _, name := range []string{p.Port(1), p.Port(2), p.Port(3), p.Port(4), "Port-Channel10", "Port-Channel20"} {
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

func (p Platform) labIncrementalVLANs(t *testing.T) {
	sw := p.Start(t)
	d := p.OpenLab(t, sw)
	ctx := Context(t)
	if _, err := d.Apply(ctx, p.SeedChanges()); err != nil {
		t.Fatal(err)
	}
	// VLAN 300 is not netalign's: an incremental edit must keep it.
	changes := []intent.SwitchChange{
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "200", VLAN: &intent.VLAN{ID: 200}},
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "300", VLAN: &intent.VLAN{ID: 300}},
		{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(3), AddVLANs: intent.NewVLANSet(300)},
	}
	if _, err := d.Apply(ctx, changes); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(ctx, []intent.SwitchChange{
		{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(3), AddVLANs: intent.NewVLANSet(200), RemoveVLANs: intent.NewVLANSet(100)},
	}); err != nil {
		t.Fatal(err)
	}
	st, err := d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Interface(p.Port(3)).Allowed, intent.NewVLANSet(10, 200, 300); !got.Equal(want) {
		t.Errorf("%s allowed = %v, want %v", p.Port(3), got, want)
	}
}

// MissingPort is a trunk change on port 9, which the lab switches lack:
// the device refuses it after VLANs and LAGs were sent.
func (p Platform) MissingPort() intent.SwitchChange {
	return intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: p.Port(9), SetTrunk: true}
}

func (p Platform) labRefusedLineRollsBack(t *testing.T) {
	sw := p.Start(t)
	d := p.OpenLab(t, sw)
	ctx := Context(t)
	before := p.RunningConfig(t, sw)
	_, err := d.Apply(ctx, append(p.SeedChanges(), p.MissingPort()))
	var re *switchdrivers.RollbackError
	var ce *switchdrivers.CommandError
	if !errors.As(err, &re) || !re.RolledBack || !errors.As(err, &ce) {
		t.Fatalf("Apply = %v; want a rolled back RollbackError caused by a CommandError", err)
	}
	// The interface line, or the first line in it, is refused.
	lines, err := p.Render([]intent.SwitchChange{p.MissingPort()})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(lines[:2], ce.Command) {
		t.Errorf("refused command = %q, want one of %q", ce.Command, lines[:2])
	}
	p.SameRunningConfig(t, sw, before)
}

// labRejectedCommit: a commit the device refuses leaves running-config
// byte-identical and the device model unchanged, the error is a rolled-back
// RollbackError naming the refused commit, nothing of netalign's stays
// pending, and the driver is still usable.
func (p Platform) labRejectedCommit(t *testing.T) {
	sw := p.Start(t)
	d := p.OpenLab(t, sw)
	ctx := Context(t)
	if _, err := d.Apply(ctx, p.SeedChanges()[:2]); err != nil {
		t.Fatal(err)
	}
	before := p.RunningConfig(t, sw)
	beforeCfg := sw.Dev.Running()

	sw.Dev.SetFaults(device.Faults{RejectCommit: true})
	_, err := d.Apply(ctx, p.SeedChanges())
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || !re.RolledBack || re.RollbackErr != nil || re.Device != "leaf1" {
		t.Fatalf("Apply = %v; want a RollbackError with RolledBack", err)
	}
	var ce *switchdrivers.CommandError
	if !errors.As(err, &ce) || ce.Command != "commit" {
		t.Errorf("cause = %v; want the refused commit", err)
	}
	sw.Dev.SetFaults(device.Faults{})
	p.SameRunningConfig(t, sw, before)
	if afterCfg := sw.Dev.Running(); !afterCfg.Equal(&beforeCfg) {
		t.Error("device model changed")
	}
	if out, pending := p.Pending(t, sw); pending {
		t.Errorf("something of netalign's is still pending:\n%s", out)
	}
	if _, err := d.Apply(ctx, p.SeedChanges()); err != nil {
		t.Fatalf("apply after the fault cleared: %v", err)
	}
}

func (p Platform) labDroppedConnection(t *testing.T) {
	sw := p.Start(t)
	d := p.OpenLab(t, sw)
	ctx := Context(t)
	before := p.RunningConfig(t, sw)
	// The driver's connection has served Commands() - 1 commands (the
	// separate running-config read served one); drop it four commands
	// into the apply: in the middle of the configuration lines. Whatever
	// the device took of them must not stay.
	served := int(sw.Dev.Commands()) - 1
	sw.Dev.SetFaults(device.Faults{DropAfter: served + 4})
	_, err := d.Apply(ctx, p.SeedChanges())
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || !re.RolledBack {
		t.Fatalf("Apply = %v; want a RollbackError with RolledBack", err)
	}
	var ce *switchdrivers.CommandError
	if errors.As(err, &ce) || !errors.Is(err, clisession.ErrConnectionLost) {
		t.Fatalf("Apply = %v; want a lost connection, not a device refusal", err)
	}
	t.Logf("apply over a dropped connection: %v", err)
	sw.Dev.SetFaults(device.Faults{})
	p.SameRunningConfig(t, sw, before)
	// The driver reconnects by itself.
	if _, err := d.Apply(ctx, p.SeedChanges()); err != nil {
		t.Fatalf("apply after reconnect: %v", err)
	}
	st, err := d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if po := st.Interface("Port-Channel10"); po == nil || len(po.Members) != 2 {
		t.Errorf("Port-Channel10 after reconnect = %+v", po)
	}
	// What the lost connection left pending was removed.
	if out, pending := p.Pending(t, sw); pending {
		t.Errorf("netalign's transaction is still pending:\n%s", out)
	}
}

func (p Platform) labCancelledContext(t *testing.T) {
	sw := p.Start(t)
	d := p.OpenLab(t, sw)
	before := p.RunningConfig(t, sw)
	// Every round trip takes 300ms: the deadline passes while the
	// first configuration line (or block of lines) is at the device.
	const latency = 300 * time.Millisecond
	sw.Dev.SetFaults(device.Faults{Latency: latency})
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(p.SetupRoundTrips)*latency+latency/2)
	defer cancel()
	_, err := d.Apply(ctx, p.SeedChanges())
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || !re.RolledBack || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Apply = %v; want a RollbackError with RolledBack, caused by the deadline", err)
	}
	t.Logf("apply past its deadline: %v", err)
	sw.Dev.SetFaults(device.Faults{})
	p.SameRunningConfig(t, sw, before)
}

func (p Platform) labHostKeyVerified(t *testing.T) {
	sw := p.Start(t)
	other := labtest.Start(t, "leaf2", p.Name)
	cfg := sw.Config
	cfg.KnownHosts = other.Config.KnownHosts // the other switch's key only
	ctx := Context(t)
	d, err := p.Open(ctx, cfg, nil)
	if err == nil {
		d.Close()
		t.Fatal("connected to a switch whose host key is not in known_hosts")
	}
	if c := cause.Of(err); c != cause.HostKeyUnknown {
		t.Fatalf("Open = %v (%s); want %s", err, c, cause.HostKeyUnknown)
	}
	cfg.Insecure = true
	d, err = p.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatalf("insecure open: %v", err)
	}
	d.Close()
}

// labOtherPlatform: the inventory says this platform, the device is the
// other CLI platform of the lab. The driver says so when it opens, from
// the device's own replies.
func (p Platform) labOtherPlatform(t *testing.T) {
	other := device.PlatformNXOS
	if p.Name == device.PlatformNXOS {
		other = device.PlatformEOS
	}
	sw := labtest.Start(t, "leaf1", other)
	cfg := sw.Config
	cfg.Platform = p.Name
	d, err := p.Open(Context(t), cfg, nil)
	if err == nil {
		d.Close()
		t.Fatalf("the %s driver opened a %s device", p.Name, other)
	}
	if c := cause.Of(err); c != cause.PlatformMismatch || !strings.Contains(err.Error(), "does not answer as "+p.Name) {
		t.Fatalf("Open = %v (%s); want %s naming %s", err, c, cause.PlatformMismatch, p.Name)
	}
	t.Logf("%s driver on a %s device: %v", p.Name, other, err)
}

func (p Platform) labMLAG(t *testing.T) {
	sw := p.Start(t)
	if p.EnableMLAG != nil {
		if err := sw.Dev.Update(func(c *device.Config) error { p.EnableMLAG(c); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	d := p.OpenLab(t, sw)
	ctx := Context(t)
	changes := p.SeedChanges()
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

func (p Platform) labLAGTypeChange(t *testing.T) {
	sw := p.Start(t)
	d := p.OpenLab(t, sw)
	ctx := Context(t)
	// h0 runs 802.3ad; a static LAG facing it is wrong, the planner's
	// re-creation in one transaction fixes it.
	changes := p.SeedChanges()
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
	if _, err := d.Apply(ctx, p.recreateLAG(changes[2])); err != nil {
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
	if m := st.Interface(p.Port(1)); m.MemberState != intent.MemberBundled || m.LACPRate != "fast" {
		t.Errorf("%s after the change = %+v", p.Port(1), m)
	}
}
