package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/engine"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/runlock"
	"github.com/netalign/netalign/internal/termsafe"
	"github.com/netalign/netalign/internal/validate"
)

// applyReport is the JSON output of apply, written on every exit.
type applyReport struct {
	Version int `json:"version"`
	runInfo
	Plan        *plan.Plan             `json:"plan"`
	Results     []engine.Result        `json:"results"`
	Validate    *validate.Report       `json:"validate,omitempty"`
	Unreachable []validate.Unreachable `json:"unreachable"`
	Insecure    []string               `json:"insecure"`
	Errors      []validate.RunError    `json:"errors"`
}

func newApplyCmd(a *app) *cobra.Command {
	var (
		output          string
		yes             bool
		strictIsolation bool
		target          []string
		lockTimeout     time.Duration
	)
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Push the plan: one atomic transaction per device, many devices in parallel",
		Long: `apply observes every device, computes the plan, and pushes it: switches and DHCP
servers first, then hosts; each device in one transaction that is rolled back on
failure. It then observes again and validates. Ctrl-C starts no new transaction and
lets in-flight ones finish or roll back.
Exit codes: 0 everything applied and validated clean; 1 a device failed, was rolled
back or not reached, or mismatches remain; 2 could not run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput("--output", output, "text", "json"); err != nil {
				return err
			}
			doc := applyReport{Version: 2, runInfo: a.runInfo(), Results: []engine.Result{},
				Unreachable: []validate.Unreachable{}, Insecure: []string{}, Errors: []validate.RunError{}}
			cannotRun := func(err error) error {
				if output == "json" {
					doc.Errors = runErrors(err)
					_ = writeJSON(a.stdout, doc)
				}
				return exitWith(2, err)
			}
			s, err := a.newSession(cmd, target)
			if err != nil {
				return cannotRun(err)
			}
			defer s.eng.Close()
			ctx := cmd.Context()
			// Two applies of one inventory from this machine would race
			// on the same devices: the second waits or is refused.
			lock, err := runlock.Acquire(ctx, runlock.Dir(), s.inv.Source, lockTimeout)
			if err != nil {
				return cannotRun(err)
			}
			defer lock.Release()
			obs := s.eng.Observe(ctx)
			p, err := s.plan(obs)
			if err != nil {
				return cannotRun(err)
			}
			doc.Plan, doc.Insecure = p, append(doc.Insecure, s.eng.Insecure()...)
			doc.Unreachable = append(doc.Unreachable, s.tg.unreachable(obs.Unreachable)...)
			if output == "text" {
				if err := plan.RenderText(a.stdout, p, plan.TextOptions{Color: a.color(a.stdout)}); err != nil {
					return exitWith(2, err)
				}
			}
			if len(doc.Unreachable) > 0 {
				a.log.Warn("some devices could not be observed; nothing is changed on them", "count", len(doc.Unreachable))
			}
			if !p.Empty() && !yes && ctx.Err() == nil {
				if !a.confirm() {
					if output == "json" {
						_ = writeJSON(a.stdout, doc)
					}
					return exitWith(1, fmt.Errorf("apply cancelled (pass --yes to apply without asking)"))
				}
			}
			results := s.eng.Apply(ctx, p)
			engine.SortResults(results)
			doc.Results = results

			// Observe again what apply touched, confirm the commits that
			// revert unless confirmed, and validate what is now on the
			// devices. This runs after an interrupt too: the transactions
			// that finished are kept (a second interrupt abandons them,
			// and timed commits revert by themselves).
			current, findings := obs, []validate.Finding(nil)
			if !p.Empty() {
				current = s.eng.Reobserve(context.WithoutCancel(ctx), obs, results)
				s.eng.Confirm(ctx, results, current)
			}
			findings = validate.Check(validate.Input{Desired: s.desired, Observed: current.Observed, Unreachable: current.Unreachable, StrictIsolation: strictIsolation})
			r := s.tg.report(current, findings)
			doc.Validate = &r
			failed := len(doc.Unreachable) > 0
			for _, r := range results {
				switch r.Status {
				case engine.StatusFailed, engine.StatusRolledBack, engine.StatusNotReached, engine.StatusUnsaved, engine.StatusReverting:
					failed = true
				case engine.StatusSkipped:
					if r.Cause != "" {
						failed = true
					}
				}
			}
			if doc.Validate != nil {
				doc.Validate.Netalign, doc.Validate.Time, doc.Validate.Inventory = doc.Netalign, doc.Time, doc.Inventory
				doc.Validate.Insecure = append(doc.Validate.Insecure, doc.Insecure...)
				if !doc.Validate.Clean {
					failed = true
				}
			}
			if output == "json" {
				if err := writeJSON(a.stdout, doc); err != nil {
					return exitWith(2, err)
				}
			} else {
				a.printResults(results, doc.Validate)
				a.insecureWarning(doc.Insecure)
			}
			if ctx.Err() != nil {
				return exitWith(1, errInterruptedRun(ctx))
			}
			if len(doc.Unreachable) > 0 {
				return exitWith(1, unreachableError(doc.Unreachable))
			}
			if failed {
				return exitWith(1, nil)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&output, "output", "o", "text", "output format: text or json")
	f.BoolVar(&strictIsolation, "strict-isolation", false, "in the validation after apply, report VLAN_EXTRA and HOST_VLAN_EXTRA as errors, not warnings")
	f.BoolVarP(&yes, "yes", "y", false, "apply without asking for confirmation")
	f.DurationVar(&lockTimeout, "lock-timeout", 0, "wait this long for another apply of the same inventory on this machine to finish (0: refuse at once)")
	f.Bool("allow-mgmt", false, "allow changes to mgmt-br, mgmt-bo, the management VLAN device and a switch's management port")
	f.Bool("no-save", false, "do not copy running-config to startup-config after a commit")
	f.Bool("insecure", false, "skip SSH host key and TLS certificate verification (logged per device)")
	f.Bool("ignore-cabling", false, "plan ports whose LLDP neighbour is another host or NIC than the inventory says (held otherwise)")
	addTargetFlag(cmd, &target)
	return cmd
}

// confirm asks on a terminal; without one, apply needs --yes.
func (a *app) confirm() bool {
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false
	}
	fmt.Fprint(a.stdout, "\nApply these changes? Only 'yes' is accepted: ")
	line, _ := bufio.NewReader(a.stdin).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

func (a *app) printResults(results []engine.Result, rep *validate.Report) {
	fmt.Fprintln(a.stdout, "\nApply results:")
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  DEVICE\tKIND\tSTATUS\tCHANGES\tDETAIL")
	for _, r := range results {
		// The device is in the first column already; errors never repeat it.
		detail := r.Error
		if r.Cause != "" && detail != "" {
			detail = string(r.Cause) + ": " + detail
		}
		if detail == "" {
			detail = r.Reason
		}
		if len(r.Cleaned) > 0 {
			detail = strings.TrimPrefix(detail+"; ", "; ") + "removed leftovers of earlier runs: " + strings.Join(r.Cleaned, ", ")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\n", termsafe.Line(r.Device), r.Kind, r.Status, r.Changes, termsafe.Line(detail))
	}
	tw.Flush()
	if rep != nil {
		fmt.Fprintln(a.stdout, "\nValidation after apply:")
		_ = rep.WriteTable(a.stdout, a.color(a.stdout))
	}
}

// deviceLock holds a device's lock of this machine for one transaction,
// waiting for another run's transaction on it at most until ctx ends; a
// device still held then is a CONCURRENT_CHANGE.
func deviceLock(ctx context.Context, key string) (func(), error) {
	wait := time.Minute
	if dl, ok := ctx.Deadline(); ok {
		wait = time.Until(dl)
	}
	l, err := runlock.AcquireDevice(ctx, runlock.Dir(), key, wait)
	if errors.Is(err, runlock.ErrBusy) {
		return nil, cause.Wrap(cause.ConcurrentChange, err, "%v", err)
	}
	if err != nil {
		return nil, err
	}
	return func() { _ = l.Release() }, nil
}
