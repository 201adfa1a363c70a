package main

import (
	"github.com/spf13/cobra"

	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/validate"
)

// planDocument is the JSON output of plan: the plan (docs/plan.md) with
// the run's header, the devices that could not be observed and, when the
// run could not start, why.
type planDocument struct {
	runInfo
	*plan.Plan
	Unreachable []validate.Unreachable `json:"unreachable"`
	Insecure    []string               `json:"insecure"`
	Errors      []validate.RunError    `json:"errors"`
}

func newPlanCmd(a *app) *cobra.Command {
	var (
		output, snapshot string
		detailed         bool
		target           []string
	)
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Observe every device and show what apply would change",
		Long: `plan observes every device of the inventory (or reads --snapshot) and prints the
typed changes that would bring hosts, switches and DHCP servers to the inventory.
A device that cannot be observed is shown as skipped with its cause; the others are
planned, exactly as apply would.
Exit codes: 0 success; 1 error or a device could not be observed.
With --detailed-exitcode: 0 no changes, 1 error, 2 changes (and every device observed).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput("--output", output, "text", "json"); err != nil {
				return err
			}
			doc := planDocument{runInfo: a.runInfo(), Unreachable: []validate.Unreachable{}, Insecure: []string{}, Errors: []validate.RunError{}}
			failed := func(err error) error {
				if output == "json" {
					doc.Errors = runErrors(err)
					_ = writeJSON(a.stdout, doc)
				}
				return exitWith(1, err)
			}
			s, err := a.newSession(cmd, target)
			if err != nil {
				return failed(err)
			}
			defer s.eng.Close()
			obs, err := s.observe(cmd.Context(), snapshot)
			if err != nil {
				return failed(err)
			}
			p, err := s.plan(obs)
			if err != nil {
				return failed(err)
			}
			us := s.tg.unreachable(obs.Unreachable)
			doc.Plan, doc.Unreachable, doc.Insecure = p, append(doc.Unreachable, us...), append(doc.Insecure, s.eng.Insecure()...)
			if output == "json" {
				err = writeJSON(a.stdout, doc)
			} else {
				err = plan.RenderText(a.stdout, p, plan.TextOptions{Color: a.color(a.stdout)})
				a.insecureWarning(doc.Insecure)
			}
			if err != nil {
				return exitWith(1, err)
			}
			if ctx := cmd.Context(); ctx.Err() != nil {
				return exitWith(1, errInterruptedRun(ctx))
			}
			if len(us) > 0 {
				return exitWith(1, unreachableError(us))
			}
			if detailed && !p.Empty() {
				return exitWith(2, nil)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&output, "output", "o", "text", "output format: text or json")
	f.StringVar(&snapshot, "snapshot", "", "plan against this observed-state snapshot instead of the devices (offline)")
	f.BoolVar(&detailed, "detailed-exitcode", false, "exit 0 when there are no changes, 2 when there are, 1 on error")
	f.Bool("insecure", false, "skip SSH host key and TLS certificate verification (logged per device)")
	f.Bool("ignore-cabling", false, "plan ports whose LLDP neighbour is another host or NIC than the inventory says (held otherwise)")
	addTargetFlag(cmd, &target)
	return cmd
}
