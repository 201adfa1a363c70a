package main

import (
	"github.com/spf13/cobra"

	"github.com/netalign/netalign/internal/plan"
)

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
Exit codes: 0 success; 1 error. With --detailed-exitcode: 0 no changes, 1 error, 2 changes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput("--output", output, "text", "json"); err != nil {
				return err
			}
			s, err := a.newSession(cmd, target)
			if err != nil {
				return exitWith(1, err)
			}
			defer s.eng.Close()
			obs, err := s.observe(cmd.Context(), snapshot)
			if err != nil {
				return exitWith(1, err)
			}
			if us := s.tg.unreachable(obs.Unreachable); len(us) > 0 {
				return exitWith(1, unreachableError(us))
			}
			p, err := s.plan(obs)
			if err != nil {
				return exitWith(1, err)
			}
			s.tg.plan(p)
			if output == "json" {
				err = plan.RenderJSON(a.stdout, p)
			} else {
				err = plan.RenderText(a.stdout, p, plan.TextOptions{Color: a.color(a.stdout)})
			}
			if err != nil {
				return exitWith(1, err)
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
	addTargetFlag(cmd, &target)
	return cmd
}
