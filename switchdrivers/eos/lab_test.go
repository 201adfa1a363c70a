package eos

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
	"github.com/netalign/netalign/switchdrivers/internal/labtest"
)

// platform is EOS to the tests shared with the other CLI drivers.
var platform = drivertest.Platform{
	Name:    device.PlatformEOS,
	Scrapli: scrapliPlatform,
	Abbrev:  "Et",
	Open:    Open,
	Render:  Render,
	// configure session, the lines, the diff, the running configuration
	// and the session listing in one write, commit, copy: three round
	// trips however many lines (without a commit timer: labtest's
	// configuration has none).
	ApplyRoundTrips: func(int) int { return 3 },
	SetupRoundTrips: 0,
	ShowPending:     "show configuration sessions",
}

func TestLab(t *testing.T) { platform.RunLab(t) }

// A session EOS will not open (its limit of pending sessions is reached)
// stages nothing: the lines sent in the same write land in exec mode, where
// every one is refused, and the device is left as it was.
func TestLabSessionLimitLeavesDeviceUntouched(t *testing.T) {
	sw := platform.Start(t)
	d := platform.OpenLab(t, sw)
	ctx := drivertest.Context(t)
	other, err := clisession.Open(ctx, sw.Config, scrapliPlatform, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var fill []string
	for i := range 5 {
		fill = append(fill, fmt.Sprintf("configure session operator%d", i), "end")
	}
	if _, err := other.SendLines(ctx, fill); err != nil {
		t.Fatal(err)
	}
	// The model, not a show over another connection: that connection's
	// closing exit would reach the lab's round-trip counter at any time.
	beforeCfg := sw.Dev.Running()
	turns := sw.Server.RoundTrips()

	res, err := d.Apply(ctx, platform.SeedChanges())
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || !re.RolledBack || re.RollbackErr != nil {
		t.Fatalf("Apply = %v; want a RollbackError with RolledBack", err)
	}
	var ce *switchdrivers.CommandError
	if !errors.As(err, &ce) || !strings.HasPrefix(ce.Command, "configure session netalign-") || !strings.Contains(err.Error(), "open configuration session") {
		t.Errorf("cause = %v; want the refused configure session", err)
	}
	if len(res.Lines) == 0 {
		t.Error("no lines listed")
	}
	if n := sw.Server.RoundTrips() - turns; n != 1 {
		t.Errorf("apply took %d round trips, want 1 (the session, the lines and the diff in one write)", n)
	}
	if afterCfg := sw.Dev.Running(); !afterCfg.Equal(&beforeCfg) {
		t.Error("device model changed")
	}
	// The driver's CLI is still in exec mode and usable.
	if _, err := d.Observe(ctx); err != nil {
		t.Fatalf("observe after the refusal: %v", err)
	}
	var drop []string
	for i := range 5 {
		drop = append(drop, fmt.Sprintf("no configure session operator%d", i))
	}
	if _, err := other.SendLines(ctx, drop); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(ctx, platform.SeedChanges()); err != nil {
		t.Fatalf("apply once sessions are free: %v", err)
	}
}

// A description other tools wrote may read like an error message; inside
// JSON output or a diff it is output, not the device refusing a command.
func TestLabPercentInDescriptionIsNotARefusal(t *testing.T) {
	sw := platform.Start(t)
	const desc = "50% full % Invalid input ERROR: see ticket"
	setDescription(t, sw, "Ethernet3", desc)
	d := platform.OpenLab(t, sw)
	ctx := drivertest.Context(t)
	if _, err := d.Observe(ctx); err != nil {
		t.Fatalf("observe: %v", err)
	}
	changes := []intent.SwitchChange{{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet3", SetTrunk: true, NativeVLAN: 1, MTU: 9000}}
	res, err := d.Apply(ctx, changes)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Diff, desc) {
		t.Errorf("diff lacks the description:\n%s", res.Diff)
	}
}

// Descriptions other tools wrote may hold characters netalign never writes
// ('#', '>'); in the session diff they must not pass for prompts and
// desynchronise the session.
func TestLabForeignDescriptionInDiff(t *testing.T) {
	sw := platform.Start(t)
	const desc = "leaf1# ticket #42 -> rack 7"
	setDescription(t, sw, "Ethernet3", desc)
	d := platform.OpenLab(t, sw)
	ctx := drivertest.Context(t)
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

// setDescription gives port of sw a description written by another tool.
func setDescription(t *testing.T, sw *labtest.Switch, port, desc string) {
	t.Helper()
	if err := sw.Dev.Update(func(c *device.Config) error {
		in, err := c.Interface(port)
		if err != nil {
			return err
		}
		in.Description = desc
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// leaveSessions opens configuration sessions names on sw over a connection
// of their own and leaves them pending, as runs that lost their connection
// (or were killed) before commit or abort leave them.
func leaveSessions(t *testing.T, sw *labtest.Switch, names ...string) {
	t.Helper()
	ctx := drivertest.Context(t)
	other, err := clisession.Open(ctx, sw.Config, scrapliPlatform, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var lines []string
	for _, n := range names {
		lines = append(lines, "configure session "+n, "vlan 999", "end")
	}
	if _, err := other.SendLines(ctx, lines); err != nil {
		t.Fatal(err)
	}
}

// netalignSessions lists netalign's sessions sw keeps, with their state.
func netalignSessions(sw *labtest.Switch) map[string]string {
	out := map[string]string{}
	for n, st := range sw.Server.ConfigSessions() {
		if strings.HasPrefix(n, "netalign") {
			out[n] = st
		}
	}
	return out
}

// Five sessions earlier runs left pending fill EOS's limit: the next apply
// removes them, says so, and succeeds.
func TestLabLeftoverSessionsRemoved(t *testing.T) {
	sw := platform.Start(t)
	stale := []string{"netalign-0000000a", "netalign-0000000b", "netalign-0000000c", "netalign-0000000d", "netalign-0000000e"}
	leaveSessions(t, sw, stale...)
	d := platform.OpenLab(t, sw)
	ctx := drivertest.Context(t)
	res, err := d.Apply(ctx, platform.SeedChanges())
	if err != nil {
		t.Fatalf("apply with five leftover sessions: %v", err)
	}
	var want []string
	for _, n := range stale {
		want = append(want, "session "+n)
	}
	if diff := cmp.Diff(want, res.Cleaned); diff != "" {
		t.Errorf("cleaned (-want +got):\n%s", diff)
	}
	if got := sw.Server.ConfigSessions(); len(got) != 0 {
		t.Errorf("sessions after the apply: %v", got)
	}
	if !res.Saved || sw.Dev.Running().VLANs[999] != nil {
		t.Errorf("result %+v; VLAN 999 of a leftover session committed: %v", res, sw.Dev.Running().VLANs[999] != nil)
	}
	platform.SeedConverged(t, sw, d)
}

// Sessions that are not netalign's own (an operator's, a name netalign
// never gives) are left alone, even at EOS's limit of pending sessions.
func TestLabForeignSessionsLeftAlone(t *testing.T) {
	sw := platform.Start(t)
	foreign := []string{"operator1", "netalign-manual"}
	leaveSessions(t, sw, append([]string{"netalign-0badc0de", "netalign-1badc0de", "netalign-2badc0de"}, foreign...)...)
	d := platform.OpenLab(t, sw)
	res, err := d.Apply(drivertest.Context(t), platform.SeedChanges())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"session netalign-0badc0de", "session netalign-1badc0de", "session netalign-2badc0de"}; !slices.Equal(res.Cleaned, want) {
		t.Errorf("cleaned %q, want %q", res.Cleaned, want)
	}
	want := map[string]string{"operator1": "pending", "netalign-manual": "pending"}
	if diff := cmp.Diff(want, sw.Server.ConfigSessions()); diff != "" {
		t.Errorf("sessions (-want +got):\n%s", diff)
	}
}

// A run whose connection drops in the middle of its lines leaves its
// session pending; the next run (another process: another driver) finds
// it, removes it and converges, in the three round trips of an apply.
func TestLabDroppedConnectionNextRunCleansUp(t *testing.T) {
	sw := platform.Start(t)
	first := platform.OpenLab(t, sw)
	ctx := drivertest.Context(t)
	before := sw.Dev.Running()
	sw.Dev.SetFaults(device.Faults{DropAfter: int(sw.Dev.Commands()) + 4})
	if _, err := first.Apply(ctx, platform.SeedChanges()); !errors.Is(err, clisession.ErrConnectionLost) {
		t.Fatalf("Apply = %v; want a lost connection", err)
	}
	sw.Dev.SetFaults(device.Faults{})
	first.Close()
	if now := sw.Dev.Running(); !now.Equal(&before) {
		t.Fatal("the dropped apply changed the device")
	}
	left := netalignSessions(sw)
	if len(left) != 1 {
		t.Fatalf("sessions left by the dropped apply: %v", left)
	}

	next := platform.OpenLab(t, sw)
	res, err := next.Apply(ctx, platform.SeedChanges())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Cleaned) != 1 || left[strings.TrimPrefix(res.Cleaned[0], "session ")] != "pending" {
		t.Errorf("cleaned %q, want the session of the dropped apply %v", res.Cleaned, left)
	}
	if res.Commands != 3 {
		t.Errorf("apply took %d round trips, want 3 (leftovers listed in the staging write, removed in the save's)", res.Commands)
	}
	if got := sw.Server.ConfigSessions(); len(got) != 0 {
		t.Errorf("sessions after the next apply: %v", got)
	}
	platform.SeedConverged(t, sw, next)
}

// openTimed opens the driver on sw with commits that revert after timeout
// unless confirmed.
func openTimed(t *testing.T, sw *labtest.Switch, timeout time.Duration) *Driver {
	t.Helper()
	cfg := sw.Config
	cfg.ConfirmTimeout = timeout
	d, err := Open(drivertest.Context(t), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d.(*Driver)
}

// A timed commit takes effect at once, is listed as pendingCommitTimer,
// survives the apply's own check (Observe) and is saved only once
// confirmed.
func TestLabCommitTimerConfirmed(t *testing.T) {
	sw := platform.Start(t)
	d := openTimed(t, sw, 10*time.Minute)
	ctx := drivertest.Context(t)
	startup := sw.Dev.Startup()
	sent := time.Now()
	res, err := d.Apply(ctx, platform.SeedChanges())
	if err != nil {
		t.Fatal(err)
	}
	pending, at := d.Pending()
	if !pending || at.Before(sent.Add(10*time.Minute)) {
		t.Errorf("Pending() = %v, %v; want true, at least 10m from the apply", pending, at)
	}
	if res.Saved || res.Commands != 2 {
		t.Errorf("result: saved %v, %d round trips; want unsaved (saving waits for the confirmation), 2", res.Saved, res.Commands)
	}
	if now := sw.Dev.Startup(); !now.Equal(&startup) {
		t.Error("startup-config changed before the confirmation")
	}
	sessions := netalignSessions(sw)
	if len(sessions) != 1 {
		t.Fatalf("sessions = %v, want the commit pending its timer", sessions)
	}
	for _, st := range sessions {
		if st != "pendingCommitTimer" {
			t.Errorf("session state %q", st)
		}
	}
	st, err := d.Observe(ctx)
	if err != nil {
		t.Fatalf("observe after a timed commit (the engine's check): %v", err)
	}
	sw.MatchesModel(t, st)

	turns := sw.Server.RoundTrips()
	if err := d.Confirm(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sw.Server.RoundTrips() - turns; n != 2 {
		t.Errorf("confirm took %d round trips, want 2 (listing and confirmation, then the save)", n)
	}
	if p, _ := d.Pending(); p {
		t.Error("still pending after Confirm")
	}
	if got := sw.Server.ConfigSessions(); len(got) != 0 {
		t.Errorf("sessions after Confirm: %v", got)
	}
	if run, start := sw.Dev.Running(), sw.Dev.Startup(); !run.Equal(&start) {
		t.Error("startup-config differs from running-config after Confirm")
	}
	if err := d.Confirm(ctx); err != nil {
		t.Errorf("Confirm without a pending commit: %v", err)
	}
	// The commit is permanent: the next apply is not held by it.
	if _, err := d.Apply(ctx, []intent.SwitchChange{{Action: intent.Create, Object: intent.ObjVLAN, Name: "200", VLAN: &intent.VLAN{ID: 200}}}); err != nil {
		t.Fatal(err)
	}
}

// waitRunning polls the lab model until its running configuration equals
// want, within a bound far above the timers the tests set.
func waitRunning(t *testing.T, sw *labtest.Switch, want device.Config) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		now := sw.Dev.Running()
		if now.Equal(&want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the switch did not revert the unconfirmed commit")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A run that dies after a timed commit, before confirming it: the switch
// reverts by itself. Meanwhile another run observes nothing transient and
// commits nothing (CONCURRENT_CHANGE), and leaves the other run's session
// alone; afterwards it converges.
func TestLabCommitTimerRevertsUnlessConfirmed(t *testing.T) {
	sw := platform.Start(t)
	before := sw.Dev.Running()
	startup := sw.Dev.Startup()
	killed := openTimed(t, sw, 2*time.Second)
	ctx := drivertest.Context(t)
	if _, err := killed.Apply(ctx, platform.SeedChanges()); err != nil {
		t.Fatal(err)
	}
	if p, _ := killed.Pending(); !p {
		t.Fatal("no pending commit after a timed apply")
	}
	committed := sw.Dev.Running()
	if committed.Equal(&before) {
		t.Fatal("the timed commit did not take effect")
	}

	other := platform.OpenLab(t, sw)
	if _, err := other.Observe(ctx); cause.Of(err) != cause.ConcurrentChange {
		t.Errorf("observe during another run's unconfirmed commit = %v (%s), want %s", err, cause.Of(err), cause.ConcurrentChange)
	}
	changes := []intent.SwitchChange{{Action: intent.Create, Object: intent.ObjVLAN, Name: "200", VLAN: &intent.VLAN{ID: 200}}}
	_, err := other.Apply(ctx, changes)
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || !re.RolledBack || cause.Of(err) != cause.ConcurrentChange {
		t.Errorf("apply during another run's unconfirmed commit = %v, want a rolled back %s", err, cause.Of(err))
	}
	if now := sw.Dev.Running(); !now.Equal(&committed) {
		t.Error("the other run changed the device")
	}
	if len(netalignSessions(sw)) != 1 {
		t.Errorf("sessions = %v, want the unconfirmed commit's alone", sw.Server.ConfigSessions())
	}

	waitRunning(t, sw, before)
	if now := sw.Dev.Startup(); !now.Equal(&startup) {
		t.Error("startup-config changed by an unconfirmed commit")
	}
	err = killed.Confirm(ctx)
	if cause.Of(err) != cause.Timeout {
		t.Errorf("Confirm after the timer expired = %v (%s), want %s", err, cause.Of(err), cause.Timeout)
	}
	if now := sw.Dev.Startup(); !now.Equal(&startup) {
		t.Error("a late Confirm saved")
	}
	if got := sw.Server.ConfigSessions(); len(got) != 0 {
		t.Errorf("sessions after the revert: %v", got)
	}
	if _, err := other.Observe(ctx); err != nil {
		t.Fatalf("observe after the revert: %v", err)
	}
	if _, err := other.Apply(ctx, platform.SeedChanges()); err != nil {
		t.Fatalf("apply after the revert: %v", err)
	}
	platform.SeedConverged(t, sw, other)
}

// A change made on the switch between Observe and Apply: the apply
// commits nothing and says CONCURRENT_CHANGE; observing again lets it
// through.
func TestLabConcurrentChangeRefused(t *testing.T) {
	sw := platform.Start(t)
	d := platform.OpenLab(t, sw)
	ctx := drivertest.Context(t)
	if _, err := d.Observe(ctx); err != nil {
		t.Fatal(err)
	}
	setDescription(t, sw, "Ethernet5", "patched by hand")
	changed := sw.Dev.Running()
	turns := sw.Server.RoundTrips()
	res, err := d.Apply(ctx, platform.SeedChanges())
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || !re.RolledBack || cause.Of(err) != cause.ConcurrentChange {
		t.Fatalf("Apply = %v (%s); want a rolled back RollbackError with %s", err, cause.Of(err), cause.ConcurrentChange)
	}
	t.Logf("apply after a concurrent change: %v", err)
	if now := sw.Dev.Running(); !now.Equal(&changed) {
		t.Error("something was applied")
	}
	if got := sw.Server.ConfigSessions(); len(got) != 0 {
		t.Errorf("sessions after the refused apply: %v", got)
	}
	if n := sw.Server.RoundTrips() - turns; n != 2 || res.Commands != 2 {
		t.Errorf("refused apply took %d round trips (%d counted), want 2: the staging write, the abort", n, res.Commands)
	}
	if _, err := d.Observe(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(ctx, platform.SeedChanges()); err != nil {
		t.Fatalf("apply after observing again: %v", err)
	}
	if got := sw.Dev.Running().Interfaces["Ethernet5"].Description; got != "patched by hand" {
		t.Errorf("Ethernet5 description = %q", got)
	}
}
