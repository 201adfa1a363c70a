package nxos

import (
	"errors"
	"testing"

	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
)

// platform is NX-OS to the tests shared with the other CLI drivers.
var platform = drivertest.Platform{
	Name:    device.PlatformNXOS,
	Scrapli: scrapliPlatform,
	Abbrev:  "Eth",
	Open:    Open,
	Render:  Render,
	// checkpoint, configure terminal, the lines, end, diff, copy, no
	// checkpoint.
	ApplyRoundTrips: func(lines int) int { return lines + 6 },
	SetupRoundTrips: 2,
	ShowPending:     "show checkpoint summary",
	// vPC itself (feature, domain, peer-link) is the operator's; netalign
	// only puts port-channels in it.
	EnableMLAG: func(c *device.Config) { c.Features["vpc"] = true },
}

func TestLab(t *testing.T) { platform.RunLab(t) }

// NX-OS applies lines as they arrive; what a refused commit is on EOS, a
// refused rollback is here: with the commit fault the checkpoint cannot be
// restored, and the report must say so rather than claim a rollback.
func TestLabFailedRollbackIsReported(t *testing.T) {
	sw := platform.Start(t)
	d := platform.OpenLab(t, sw)
	ctx := drivertest.Context(t)
	sw.Dev.SetFaults(device.Faults{RejectCommit: true})
	_, err := d.Apply(ctx, append(platform.SeedChanges(), platform.MissingPort()))
	var re *switchdrivers.RollbackError
	if !errors.As(err, &re) || re.RolledBack || re.RollbackErr == nil {
		t.Fatalf("Apply = %v; want a RollbackError with a failed rollback", err)
	}
	t.Logf("report: %v", err)
	sw.Dev.SetFaults(device.Faults{})
	// The checkpoint is kept so that an operator can roll back by hand.
	if out, pending := platform.Pending(t, sw); !pending {
		t.Errorf("no netalign checkpoint left for a manual rollback:\n%s", out)
	}
}
