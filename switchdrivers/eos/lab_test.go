package eos

import (
	"errors"
	"fmt"
	"strings"
	"testing"

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
	// configure session, the lines and the diff in one write, commit,
	// copy: three round trips however many lines.
	ApplyRoundTrips: func(int) int { return 3 },
	SetupRoundTrips: 0,
	ShowPending:     "show configuration sessions",
}

func TestLab(t *testing.T) { platform.RunLab(t) }

func TestLabRejectedCommitLeavesDeviceUntouched(t *testing.T) {
	sw := platform.Start(t)
	d := platform.OpenLab(t, sw)
	ctx := drivertest.Context(t)
	if _, err := d.Apply(ctx, platform.SeedChanges()[:2]); err != nil {
		t.Fatal(err)
	}
	before := platform.RunningConfig(t, sw)
	beforeCfg := sw.Dev.Running()

	sw.Dev.SetFaults(device.Faults{RejectCommit: true})
	_, err := d.Apply(ctx, platform.SeedChanges())
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || !re.RolledBack || re.RollbackErr != nil || re.Device != "leaf1" {
		t.Fatalf("Apply = %v; want a RollbackError with RolledBack", err)
	}
	var ce *switchdrivers.CommandError
	if !errors.As(err, &ce) || ce.Command != "commit" {
		t.Errorf("cause = %v; want the refused commit", err)
	}
	sw.Dev.SetFaults(device.Faults{})
	platform.SameRunningConfig(t, sw, before)
	if afterCfg := sw.Dev.Running(); !afterCfg.Equal(&beforeCfg) {
		t.Error("device model changed")
	}
	// The driver is still usable, and the aborted session is gone.
	if out, pending := platform.Pending(t, sw); pending {
		t.Errorf("a netalign session is still pending:\n%s", out)
	}
	if _, err := d.Apply(ctx, platform.SeedChanges()); err != nil {
		t.Fatalf("apply after the fault cleared: %v", err)
	}
}

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
