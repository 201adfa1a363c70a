package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netalign/netalign/internal/engine"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/validate"
	"github.com/netalign/netalign/inventory"
)

// run is one command's working set: the inventory, its desired state and an
// engine with open drivers.
type session struct {
	inv     *inventory.Inventory
	desired *intent.Desired
	eng     *engine.Engine
	// allowMgmt lets the plan touch management devices and ports.
	allowMgmt bool
}

func (a *app) newSession(cmd *cobra.Command) (*session, error) {
	inv, err := a.loadInventory()
	if err != nil {
		return nil, exitWith(2, err)
	}
	desired, err := intent.Derive(inv)
	if err != nil {
		return nil, exitWith(2, fmt.Errorf("%s: %w", inv.Source, err))
	}
	allowMgmt, _ := cmd.Flags().GetBool("allow-mgmt")
	sw, dh, hosts := a.backends(allowMgmt)
	hosts.rollbackTimeout = inv.Settings.RollbackTimeout
	noSave, _ := cmd.Flags().GetBool("no-save")
	insecure, _ := cmd.Flags().GetBool("insecure")
	eng := engine.New(inv, engine.Options{
		Switches: sw, DHCP: dh, Hosts: hosts, Log: a.log,
		Parallelism: inv.Settings.Parallelism, Timeout: inv.Settings.Timeout,
		NoSave: noSave, Insecure: insecure, Progress: a.progress(),
	})
	return &session{inv: inv, desired: desired, eng: eng, allowMgmt: allowMgmt}, nil
}

// observe reads the snapshot file when given, else every device.
func (s *session) observe(ctx context.Context, snapshot string) (*engine.Observation, error) {
	if snapshot != "" {
		obs, err := readSnapshot(snapshot)
		if err != nil {
			return nil, err
		}
		var devices []string
		for _, x := range obs.Switches {
			devices = append(devices, x.Name)
		}
		for _, x := range obs.DHCP {
			devices = append(devices, x.Server)
		}
		for _, x := range obs.Hosts {
			devices = append(devices, x.Name)
		}
		return &engine.Observation{Observed: obs, Devices: devices}, nil
	}
	return s.eng.Observe(ctx), nil
}

func readSnapshot(path string) (*intent.Observed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	var obs intent.Observed
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&obs); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	if obs.Version != intent.SnapshotVersion {
		return nil, fmt.Errorf("snapshot %s: version %d, this netalign reads version %d", path, obs.Version, intent.SnapshotVersion)
	}
	return &obs, nil
}

// unreachableError summarises devices that could not be observed, one line
// each.
func unreachableError(u []validate.Unreachable) error {
	var lines []string
	for _, x := range u {
		lines = append(lines, oneLine(x.Err))
	}
	if len(lines) == 1 {
		return fmt.Errorf("%s", lines[0])
	}
	return fmt.Errorf("%d devices could not be observed: %s", len(u), strings.Join(lines, "; "))
}

func (s *session) plan(obs *engine.Observation) (*plan.Plan, error) {
	return plan.Compute(s.desired, obs.Observed, plan.Options{HostDiff: s.eng.HostDiffer(), AllowMgmtPort: s.allowMgmt})
}

func checkOutput(flag, v string, allowed ...string) error {
	for _, x := range allowed {
		if v == x {
			return nil
		}
	}
	return exitWith(2, fmt.Errorf("%s %q: want one of %s", flag, v, strings.Join(allowed, ", ")))
}
