package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/netalign/netalign/internal/engine"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/validate"
)

// applyReport is the JSON output of apply.
type applyReport struct {
	Version  int              `json:"version"`
	Plan     *plan.Plan       `json:"plan"`
	Results  []engine.Result  `json:"results"`
	Validate *validate.Report `json:"validate,omitempty"`
}

func newApplyCmd(a *app) *cobra.Command {
	var (
		output string
		yes    bool
		target []string
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
			s, err := a.newSession(cmd, target)
			if err != nil {
				return err
			}
			defer s.eng.Close()
			ctx := cmd.Context()
			obs := s.eng.Observe(ctx)
			if len(obs.Unreachable) > 0 {
				a.log.Warn("some devices could not be observed; they are skipped", "count", len(obs.Unreachable))
			}
			p, err := s.plan(obs)
			if err != nil {
				return exitWith(2, err)
			}
			for _, u := range obs.Unreachable {
				if d := p.Device(plan.DeviceKind(u.Kind), u.Device); d != nil {
					d.Skipped = "not observed: " + u.Err
				}
			}
			s.tg.plan(p)
			if output == "text" {
				if err := plan.RenderText(a.stdout, p, plan.TextOptions{Color: a.color(a.stdout)}); err != nil {
					return exitWith(2, err)
				}
			}
			if !p.Empty() && !yes {
				if !a.confirm() {
					return exitWith(1, fmt.Errorf("apply cancelled (pass --yes to apply without asking)"))
				}
			}
			results := s.eng.Apply(ctx, p)
			engine.SortResults(results)

			// Observe again and validate what is now on the devices.
			var rep *validate.Report
			switch {
			case ctx.Err() != nil:
			case p.Empty():
				// Nothing was pushed: what was observed is what is there.
				findings := validate.Check(validate.Input{Desired: s.desired, Observed: obs.Observed, Unreachable: obs.Unreachable})
				r := s.tg.report(obs.Devices, findings)
				rep = &r
			default:
				after := s.eng.Reobserve(ctx, obs, results)
				findings := validate.Check(validate.Input{Desired: s.desired, Observed: after.Observed, Unreachable: after.Unreachable})
				r := s.tg.report(after.Devices, findings)
				rep = &r
			}
			failed := len(s.tg.unreachable(obs.Unreachable)) > 0
			for _, r := range results {
				switch r.Status {
				case engine.StatusFailed, engine.StatusRolledBack, engine.StatusNotReached, engine.StatusUnsaved:
					failed = true
				case engine.StatusSkipped:
					if strings.HasPrefix(r.Reason, "not observed") {
						failed = true
					}
				}
			}
			if rep != nil && !rep.Clean {
				failed = true
			}
			if output == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(applyReport{Version: 1, Plan: p, Results: results, Validate: rep}); err != nil {
					return exitWith(2, err)
				}
			} else {
				a.printResults(results, rep)
			}
			if ctx.Err() != nil {
				return exitWith(1, fmt.Errorf("interrupted: devices marked not-reached were left untouched"))
			}
			if failed {
				return exitWith(1, nil)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&output, "output", "o", "text", "output format: text or json")
	f.BoolVarP(&yes, "yes", "y", false, "apply without asking for confirmation")
	f.Bool("allow-mgmt", false, "allow changes to mgmt-br, mgmt-bo, the management VLAN device and a switch's management port")
	f.Bool("no-save", false, "do not copy running-config to startup-config after a commit")
	f.Bool("insecure", false, "skip SSH host key and TLS certificate verification (logged per device)")
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
		// The device is in the first column already.
		detail := strings.TrimPrefix(r.Error, r.Device+": ")
		if detail == "" {
			detail = r.Reason
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\n", r.Device, r.Kind, r.Status, r.Changes, oneLine(detail))
	}
	tw.Flush()
	if rep != nil {
		fmt.Fprintln(a.stdout, "\nValidation after apply:")
		_ = rep.WriteTable(a.stdout, a.color(a.stdout))
	}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " | ")
}
