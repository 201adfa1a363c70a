package nxos

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/internal/lab/sshcli"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
	"github.com/netalign/netalign/switchdrivers/internal/labtest"
)

// platform is NX-OS to the tests shared with the other CLI drivers.
var platform = drivertest.Platform{
	Name:    device.PlatformNXOS,
	Scrapli: scrapliPlatform,
	Abbrev:  "Eth",
	Open:    Open,
	Render:  Render,
	// The session, the lines, its contents, verify, the running
	// configuration and the listing of leftovers in one write; commit;
	// copy: three round trips however many lines.
	ApplyRoundTrips: func(int) int { return 3 },
	SetupRoundTrips: 0,
	ShowPending:     CmdShowSessionSummary,
	// vPC itself (feature, domain, peer-link) is the operator's; netalign
	// only puts port-channels in it.
	EnableMLAG: func(c *device.Config) { c.Features["vpc"] = true },
}

func TestLab(t *testing.T) { platform.RunLab(t) }

// pending lists netalign's configuration sessions and checkpoints on sw.
func pending(t *testing.T, sw *labtest.Switch) (sessions, checkpoints []string) {
	t.Helper()
	if out, err := platform.Show(t, sw, CmdShowSessionSummary); err == nil {
		sessions = OwnSessions(out)
	}
	out, err := platform.Show(t, sw, CmdShowCheckpointSummary)
	if err != nil {
		t.Fatal(err)
	}
	return sessions, OwnCheckpoints(out)
}

// noneLeft fails t when netalign left a session or a checkpoint on sw.
func noneLeft(t *testing.T, sw *labtest.Switch) {
	t.Helper()
	if s, c := pending(t, sw); len(s)+len(c) > 0 {
		t.Errorf("left on the device: sessions %q, checkpoints %q", s, c)
	}
}

// sameModel fails t when sw's running configuration is no longer before.
func sameModel(t *testing.T, sw *labtest.Switch, before device.Config) {
	t.Helper()
	if after := sw.Dev.Running(); !after.Equal(&before) {
		t.Error("the device's running configuration changed")
	}
}

// openCounted opens the driver on sw and returns how many commands its
// connection served to open.
func openCounted(t *testing.T, sw *labtest.Switch) (switchdrivers.Driver, int) {
	t.Helper()
	before := sw.Dev.Commands()
	d := platform.OpenLab(t, sw)
	return d, int(sw.Dev.Commands() - before)
}

// A connection lost before the commit ran — in the middle of the staged
// lines, or as the commit was sent, as when netalign is killed — leaves a
// pending session and nothing live; the next apply removes the session and
// converges.
func TestLabLostConnectionLeavesNothingLive(t *testing.T) {
	seed := platform.SeedChanges()
	lines, err := Render(seed)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		// after is how many commands of the apply the connection serves:
		// the session, its lines, its contents, verify, two listings.
		after int
		// sent: the commit was sent and no answer came, so the driver
		// cannot know that it did not run.
		sent bool
	}{
		{"mid-staging", 1 + 3, false},
		{"at commit", 1 + len(lines) + 4, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sw := platform.Start(t)
			d, served := openCounted(t, sw)
			ctx := drivertest.Context(t)
			before := sw.Dev.Running()
			sw.Dev.SetFaults(device.Faults{DropAfter: served + tt.after})
			_, err := d.Apply(ctx, seed)
			var re *switchdrivers.RollbackError
			if !errors.As(err, &re) || re.RolledBack == tt.sent || (re.RollbackErr != nil) != tt.sent || !errors.Is(err, clisession.ErrConnectionLost) {
				t.Fatalf("Apply = %v; want a RollbackError after a lost connection, rolled back: %v", err, !tt.sent)
			}
			t.Logf("report: %v", err)
			sw.Dev.SetFaults(device.Faults{})
			sameModel(t, sw, before)
			stale, _ := pending(t, sw)
			if len(stale) != 1 {
				t.Fatalf("pending sessions %q, want the one of the lost apply", stale)
			}
			staged, err := platform.Show(t, sw, "show configuration session "+stale[0])
			if err != nil || !strings.Contains(staged, "feature lacp") {
				t.Errorf("the pending session holds %q (%v), want the staged lines", staged, err)
			}

			res, err := d.Apply(ctx, seed)
			if err != nil {
				t.Fatalf("apply after reconnecting: %v", err)
			}
			if diff := cmp.Diff([]string{"session " + stale[0]}, res.Cleaned); diff != "" {
				t.Errorf("cleaned (-want +got):\n%s", diff)
			}
			platform.SeedConverged(t, sw, d)
			noneLeft(t, sw)
		})
	}
}

// What earlier runs left — netalign's sessions and checkpoints, by their
// exact names — is removed at the start of the next apply and reported;
// everything else is left alone.
func TestLabLeftoversRemoved(t *testing.T) {
	sw := platform.Start(t)
	ctx := drivertest.Context(t)
	other, err := clisession.Open(ctx, sw.Config, scrapliPlatform, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.SendLines(ctx, []string{
		"checkpoint netalign-0123abcd", "checkpoint operator-cp", "checkpoint netalign-backup",
		"configure session netalign-89abcdef", "vlan 999", "end",
		"configure session operator-s", "vlan 998", "end",
	}); err != nil {
		t.Fatal(err)
	}
	d := platform.OpenLab(t, sw)
	res, err := d.Apply(ctx, platform.SeedChanges())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"session netalign-89abcdef", "checkpoint netalign-0123abcd"}, res.Cleaned); diff != "" {
		t.Errorf("cleaned (-want +got):\n%s", diff)
	}
	// No more round trips than a clean apply: the listing rides in the
	// staging write, the removal in the save's.
	if res.Commands != 3 {
		t.Errorf("apply took %d round trips, want 3", res.Commands)
	}
	sessions, err := platform.Show(t, sw, CmdShowSessionSummary)
	if err != nil {
		t.Fatal(err)
	}
	cps, err := platform.Show(t, sw, CmdShowCheckpointSummary)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"operator-s"} {
		if !strings.Contains(sessions, want) {
			t.Errorf("session %s removed:\n%s", want, sessions)
		}
	}
	for _, want := range []string{"operator-cp", "netalign-backup"} {
		if !strings.Contains(cps, want) {
			t.Errorf("checkpoint %s removed:\n%s", want, cps)
		}
	}
	noneLeft(t, sw)
	run := sw.Dev.Running()
	if run.VLANs[999] != nil || run.VLANs[998] != nil {
		t.Error("a pending session's lines went live")
	}
}

// A device changed by someone else between Observe and Apply is not
// committed to: the session is aborted, nothing of netalign's is applied
// and nothing of the other change is undone.
func TestLabConcurrentChange(t *testing.T) {
	sw := platform.Start(t)
	d := platform.OpenLab(t, sw)
	ctx := drivertest.Context(t)
	if _, err := d.Observe(ctx); err != nil {
		t.Fatal(err)
	}
	someoneElse(t, sw, 300)
	before := sw.Dev.Running()
	for range 2 {
		// Until the device is observed again.
		_, err := d.Apply(ctx, platform.SeedChanges())
		var re *switchdrivers.RollbackError
		if !errors.As(err, &re) || !re.RolledBack || cause.Of(err) != cause.ConcurrentChange {
			t.Fatalf("Apply = %v (%s); want a rolled back RollbackError, %s", err, cause.Of(err), cause.ConcurrentChange)
		}
		t.Logf("apply after a concurrent change: %v", err)
		sameModel(t, sw, before)
		noneLeft(t, sw)
	}

	// Observed again, the change is part of what netalign saw.
	if _, err := d.Observe(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(ctx, platform.SeedChanges()); err != nil {
		t.Fatalf("apply after observing again: %v", err)
	}
	// One Observe covers one Apply: netalign's own commit is no
	// concurrent change to the next.
	if _, err := d.Apply(ctx, []intent.SwitchChange{{Action: intent.Create, Object: intent.ObjVLAN, Name: "200", VLAN: &intent.VLAN{ID: 200}}}); err != nil {
		t.Fatalf("second apply after one observation: %v", err)
	}
	if run := sw.Dev.Running(); run.VLANs[300] == nil || run.VLANs[200] == nil || run.VLANs[10] == nil {
		t.Errorf("VLANs after the applies: %v", run.VLANIDs())
	}

	// Without an Observe on this driver there is nothing to compare with.
	fresh := platform.OpenLab(t, sw)
	someoneElse(t, sw, 301)
	if _, err := fresh.Apply(ctx, []intent.SwitchChange{{Action: intent.Create, Object: intent.ObjVLAN, Name: "201", VLAN: &intent.VLAN{ID: 201}}}); err != nil {
		t.Fatalf("apply without an observation: %v", err)
	}
}

// someoneElse adds VLAN id to sw, as another tool would.
func someoneElse(t *testing.T, sw *labtest.Switch, id int) {
	t.Helper()
	if err := sw.Dev.Update(func(c *device.Config) error { return c.AddVLAN(id, "other") }); err != nil {
		t.Fatal(err)
	}
}

// startWithoutSessions runs an NX-OS switch whose release has no
// configuration sessions, and a driver on it whose log is returned.
func startWithoutSessions(t *testing.T) (*labtest.Switch, switchdrivers.Driver, *bytes.Buffer) {
	t.Helper()
	sw := labtest.StartWith(t, "leaf1", device.PlatformNXOS, func(o *sshcli.Options) { o.NoConfigSessions = true })
	var log bytes.Buffer
	d, err := Open(drivertest.Context(t), sw.Config, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return sw, d, &log
}

// Without configuration sessions the driver falls back to a checkpoint
// and its rollback, and says so.
func TestLabWithoutSessionsFallsBack(t *testing.T) {
	sw, d, log := startWithoutSessions(t)
	ctx := drivertest.Context(t)
	res, err := d.Apply(ctx, platform.SeedChanges())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Diff, "!netalign: "+fallbackNote+"\n") || !strings.Contains(res.Diff, "+interface port-channel10") {
		t.Errorf("diff = %q; want the fallback note and the rollback-patch diff", res.Diff)
	}
	if !strings.Contains(log.String(), "level=WARN msg=\"no configuration sessions on this device") {
		t.Errorf("no warning of the fallback in the log:\n%s", log.String())
	}
	// The staging write the device refused; the listing, the checkpoint
	// and the running configuration; configure terminal, each line, end;
	// the diff, the checkpoint's removal and the copy.
	if want := len(res.Lines) + 5; res.Commands != want {
		t.Errorf("apply took %d round trips for %d lines, want %d", res.Commands, len(res.Lines), want)
	}
	if !res.Saved {
		t.Error("not saved")
	}
	noneLeft(t, sw)
	st, err := d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sw.MatchesModel(t, st)

	// The driver knows now: no more staging writes.
	res, err = d.Apply(ctx, []intent.SwitchChange{{Action: intent.Create, Object: intent.ObjVLAN, Name: "201", VLAN: &intent.VLAN{ID: 201}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(res.Lines) + 4; res.Commands != want {
		t.Errorf("second apply took %d round trips for %d lines, want %d", res.Commands, len(res.Lines), want)
	}

	// A refused line rolls back, and the error says how the apply ran.
	before := platform.RunningConfig(t, sw)
	_, err = d.Apply(ctx, []intent.SwitchChange{{Action: intent.Create, Object: intent.ObjVLAN, Name: "200", VLAN: &intent.VLAN{ID: 200}}, platform.MissingPort()})
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || !re.RolledBack || !strings.Contains(err.Error(), fallbackNote) {
		t.Fatalf("Apply = %v; want a rolled back RollbackError naming the fallback", err)
	}
	platform.SameRunningConfig(t, sw, before)
	noneLeft(t, sw)

	// A concurrent change is caught before anything is applied.
	if _, err := d.Observe(ctx); err != nil {
		t.Fatal(err)
	}
	someoneElse(t, sw, 300)
	beforeCfg := sw.Dev.Running()
	_, err = d.Apply(ctx, []intent.SwitchChange{{Action: intent.Create, Object: intent.ObjVLAN, Name: "200", VLAN: &intent.VLAN{ID: 200}}})
	if cause.Of(err) != cause.ConcurrentChange || !errors.As(err, &re) || !re.RolledBack {
		t.Fatalf("Apply = %v (%s); want a rolled back %s", err, cause.Of(err), cause.ConcurrentChange)
	}
	sameModel(t, sw, beforeCfg)
	noneLeft(t, sw)
}

// With the checkpoint fallback, lines are live as they arrive: when the
// rollback itself is refused the report must say so rather than claim a
// rollback, and the checkpoint stays for a manual rollback until the next
// apply removes it.
func TestLabFailedRollbackIsReported(t *testing.T) {
	sw, d, _ := startWithoutSessions(t)
	ctx := drivertest.Context(t)
	sw.Dev.SetFaults(device.Faults{RejectCommit: true})
	_, err := d.Apply(ctx, append(platform.SeedChanges(), platform.MissingPort()))
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || re.RolledBack || re.RollbackErr == nil {
		t.Fatalf("Apply = %v; want a RollbackError with a failed rollback", err)
	}
	t.Logf("report: %v", err)
	sw.Dev.SetFaults(device.Faults{})
	_, kept := pending(t, sw)
	if len(kept) != 1 {
		t.Fatalf("checkpoints %q, want the one kept for a manual rollback", kept)
	}
	res, err := d.Apply(ctx, platform.SeedChanges())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"checkpoint " + kept[0]}, res.Cleaned); diff != "" {
		t.Errorf("cleaned (-want +got):\n%s", diff)
	}
	noneLeft(t, sw)
}
