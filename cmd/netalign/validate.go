package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/netalign/netalign/internal/validate"
)

func newValidateCmd(a *app) *cobra.Command {
	var (
		output, snapshot string
		listCodes        bool
		probeDHCP        bool
		probeIfaces      []string
		target           []string
	)
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Report every mismatch between hosts, switches and DHCP servers (read-only)",
		Long: `validate observes every device (or reads --snapshot) and reports every mismatch
across layers with stable codes (see --list-codes and docs/validate.md). It never
writes to a device. Output: a table, -o json (docs/validate.md) or -o junit.
Exit codes: 0 clean; 1 mismatches found; 2 could not run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if listCodes {
				tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "CODE\tSEVERITY\tLAYER\tMEANING")
				for _, c := range validate.Codes() {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Code, c.Severity, c.Layer, c.Meaning)
				}
				return tw.Flush()
			}
			if err := checkOutput("--output", output, "text", "json", "junit"); err != nil {
				return err
			}
			s, err := a.newSession(cmd, target)
			if err != nil {
				return err
			}
			defer s.eng.Close()
			obs, err := s.observe(cmd.Context(), snapshot)
			if err != nil {
				return exitWith(2, err)
			}
			if len(obs.Devices) > 0 && len(obs.Unreachable) == len(obs.Devices) {
				return exitWith(2, unreachableError(obs.Unreachable))
			}
			var extra []validate.Finding
			if probeDHCP {
				if snapshot != "" {
					return exitWith(2, fmt.Errorf("--probe-dhcp needs live devices; it cannot run with --snapshot"))
				}
				extra, err = a.probeDHCP(cmd.Context(), s, probeIfaces)
				if err != nil {
					return exitWith(2, err)
				}
			}
			findings := validate.Check(validate.Input{Desired: s.desired, Observed: obs.Observed, Unreachable: obs.Unreachable, Extra: extra})
			rep := s.tg.report(obs.Devices, findings)
			switch output {
			case "json":
				err = rep.WriteJSON(a.stdout)
			case "junit":
				err = rep.WriteJUnit(a.stdout, layers(s))
			default:
				err = rep.WriteTable(a.stdout, a.color(a.stdout))
			}
			if err != nil {
				return exitWith(2, err)
			}
			if !rep.Clean {
				return exitWith(1, nil)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&output, "output", "o", "text", "output format: text, json or junit")
	f.StringVar(&snapshot, "snapshot", "", "validate this observed-state snapshot instead of the devices (offline)")
	f.BoolVar(&listCodes, "list-codes", false, "list the finding codes and exit")
	f.BoolVar(&probeDHCP, "probe-dhcp", false, "also send a live DHCP DISCOVER on every VLAN with a pool")
	f.StringArrayVar(&probeIfaces, "probe-interface", nil, "probe VLAN from a local interface as a client: VLAN=IFACE (repeatable); other pools are probed as a relay agent from their relay address")
	f.Bool("insecure", false, "skip SSH host key and TLS certificate verification (logged per device)")
	addTargetFlag(cmd, &target)
	return cmd
}

func layers(s *session) map[string]string {
	out := map[string]string{}
	for _, x := range s.inv.Switches {
		out[x.Name] = "switch"
	}
	for _, x := range s.inv.Hosts {
		out[x.Name] = "host"
	}
	for _, x := range s.inv.DHCPServers {
		out[x.Name] = "dhcp"
	}
	return out
}
