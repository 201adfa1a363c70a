package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netalign/netalign/internal/engine"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/termsafe"
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
	// ignoreCabling plans ports whose LLDP neighbour contradicts the
	// inventory.
	ignoreCabling bool
	// tg is the --target selection.
	tg targets
}

// newSession loads the inventory, derives the desired state, checks the
// --target names (none: every device) and builds the engine.
func (a *app) newSession(cmd *cobra.Command, target []string) (*session, error) {
	inv, err := a.loadInventory(cmd.Context())
	if err != nil {
		return nil, exitWith(2, err)
	}
	desired, err := intent.Derive(inv)
	if err != nil {
		return nil, exitWith(2, fmt.Errorf("%s: %w", inv.Source, err))
	}
	allowMgmt, _ := cmd.Flags().GetBool("allow-mgmt")
	sw, dh, hosts, err := a.backends(allowMgmt)
	if err != nil {
		return nil, exitWith(2, err)
	}
	hosts.rollbackTimeout = inv.Settings.RollbackTimeout
	noSave, _ := cmd.Flags().GetBool("no-save")
	insecure, _ := cmd.Flags().GetBool("insecure")
	eng := engine.New(inv, engine.Options{
		Switches: sw, DHCP: dh, Hosts: hosts, Log: a.log,
		Parallelism: inv.Settings.Parallelism, Timeout: inv.Settings.Timeout,
		NoSave: noSave, Insecure: insecure, Progress: a.progress(),
		DeviceLock: deviceLock,
	})
	a.mu.Lock()
	a.eng = eng
	a.mu.Unlock()
	ignoreCabling, _ := cmd.Flags().GetBool("ignore-cabling")
	s := &session{inv: inv, desired: desired, eng: eng, allowMgmt: allowMgmt, ignoreCabling: ignoreCabling}
	if s.tg, err = s.targets(target); err != nil {
		eng.Close()
		return nil, exitWith(2, err)
	}
	return s, nil
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

// maxSnapshotSize bounds a snapshot file: a 1,000-switch fleet of 48 ports
// observes to a few tens of MB.
const maxSnapshotSize = 512 << 20

func readSnapshot(path string) (*intent.Observed, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > maxSnapshotSize {
		return nil, fmt.Errorf("snapshot %s: %d bytes, larger than the %d MiB netalign reads", path, fi.Size(), maxSnapshotSize>>20)
	}
	var obs intent.Observed
	dec := json.NewDecoder(io.LimitReader(f, maxSnapshotSize))
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
// each: "leaf1: TIMEOUT: observe: no SSH banner ...".
func unreachableError(u []validate.Unreachable) error {
	var lines []string
	for _, x := range u {
		lines = append(lines, fmt.Sprintf("%s: %s: %s", termsafe.Line(x.Device), x.Cause, termsafe.Line(x.Err)))
	}
	if len(lines) == 1 {
		return fmt.Errorf("%s", lines[0])
	}
	return fmt.Errorf("%d devices could not be observed:\n  %s", len(u), strings.Join(lines, "\n  "))
}

// plan is the plan over obs, with the devices that could not be observed
// skipped, limited to the --target selection: the same for plan and apply.
func (s *session) plan(obs *engine.Observation) (*plan.Plan, error) {
	p, err := s.eng.Plan(s.desired, obs, plan.Options{AllowMgmtPort: s.allowMgmt, IgnoreCabling: s.ignoreCabling})
	if err != nil {
		return nil, err
	}
	s.tg.plan(p)
	return p, nil
}

func checkOutput(flag, v string, allowed ...string) error {
	for _, x := range allowed {
		if v == x {
			return nil
		}
	}
	return exitWith(2, fmt.Errorf("%s %q: want one of %s", flag, v, strings.Join(allowed, ", ")))
}

// targets is the --target selection, by device name; empty selects every
// device.
type targets map[string]bool

// addTargetFlag adds --target to cmd.
func addTargetFlag(cmd *cobra.Command, names *[]string) {
	cmd.Flags().StringArrayVar(names, "target", nil,
		"limit the run to this device (a switch, DHCP server or host of the inventory; repeatable): others are observed but not changed or reported")
}

// targets checks the --target names against the inventory.
func (s *session) targets(names []string) (targets, error) {
	known := map[string]bool{}
	for _, x := range s.inv.Switches {
		known[x.Name] = true
	}
	for _, x := range s.inv.DHCPServers {
		known[x.Name] = true
	}
	for _, x := range s.inv.Hosts {
		known[x.Name] = true
	}
	t := targets{}
	var unknown []string
	for _, n := range names {
		if !known[n] {
			unknown = append(unknown, fmt.Sprintf("%q", n))
		}
		t[n] = true
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("--target %s: not a switch, DHCP server or host of %s", strings.Join(unknown, ", "), s.inv.Source)
	}
	return t, nil
}

func (t targets) keep(name string) bool { return len(t) == 0 || t[name] }

// plan skips the devices outside the selection.
func (t targets) plan(p *plan.Plan) {
	if len(t) > 0 {
		plan.Target(p, func(_ plan.DeviceKind, name string) bool { return t[name] })
	}
}

// unreachable keeps the unreachable devices of the selection.
func (t targets) unreachable(us []validate.Unreachable) []validate.Unreachable {
	var out []validate.Unreachable
	for _, u := range us {
		if t.keep(u.Device) {
			out = append(out, u)
		}
	}
	return out
}

// report is the validation report over the selected devices.
func (t targets) report(obs *engine.Observation, findings []validate.Finding, notRun ...validate.Skip) validate.Report {
	devices, unreachable, skipped := obs.Devices, obs.Unreachable, append(append([]validate.Skip{}, obs.Skipped...), notRun...)
	if len(t) == 0 {
		return validate.NewReport(devices, unreachable, skipped, findings)
	}
	var sk []validate.Skip
	for _, x := range skipped {
		if x.Device == "" || t[x.Device] {
			sk = append(sk, x)
		}
	}
	var ds []string
	for _, d := range devices {
		if t[d] {
			ds = append(ds, d)
		}
	}
	var fs []validate.Finding
	for _, f := range findings {
		if t[f.Device] {
			fs = append(fs, f)
		}
	}
	return validate.NewReport(ds, t.unreachable(unreachable), sk, fs)
}
