package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/netalign/netalign/internal/validate"
)

func newValidateCmd(a *app) *cobra.Command {
	var (
		output, snapshot string
		listCodes        bool
		probeDHCP        bool
		strictIsolation  bool
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
				fmt.Fprintln(tw, "CODE\tSEVERITY\tLAYER\tMEANING\tWHAT TO DO")
				for _, c := range validate.AllCodes() {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Code, c.Severity, c.Layer, c.Meaning, c.Action)
				}
				return tw.Flush()
			}
			if err := checkOutput("--output", output, "text", "json", "junit"); err != nil {
				return err
			}
			info := a.runInfo()
			write := func(rep validate.Report, layers map[string]string) error {
				rep.Netalign, rep.Time, rep.Inventory = info.Netalign, info.Time, info.Inventory
				switch output {
				case "json":
					return rep.WriteJSON(a.stdout)
				case "junit":
					return rep.WriteJUnit(a.stdout, layers)
				}
				return rep.WriteTable(a.stdout, a.color(a.stdout))
			}
			// A run that cannot check anything still writes its document
			// (-o json, -o junit), saying why: a CI job gets a report.
			cannotRun := func(err error) error {
				if output != "text" {
					_ = write(validate.FailedReport(runErrors(err)), nil)
				}
				return exitWith(2, err)
			}
			s, err := a.newSession(cmd, target)
			if err != nil {
				return cannotRun(err)
			}
			defer s.eng.Close()
			ctx := cmd.Context()
			obs, err := s.observe(ctx, snapshot)
			if err != nil {
				return cannotRun(err)
			}
			var extra []validate.Finding
			if probeDHCP {
				if snapshot != "" {
					return cannotRun(fmt.Errorf("--probe-dhcp needs live devices; it cannot run with --snapshot"))
				}
				extra, err = a.probeDHCP(ctx, s, probeIfaces)
				if err != nil {
					return cannotRun(err)
				}
			}
			findings := validate.Check(validate.Input{Desired: s.desired, Observed: obs.Observed, Unreachable: obs.Unreachable, Extra: extra, StrictIsolation: strictIsolation})
			var notRun []validate.Skip
			if !probeDHCP {
				for _, c := range []validate.Code{validate.DHCPNoOffer, validate.DHCPWrongSubnet} {
					notRun = append(notRun, validate.Skip{Code: c, Reason: "the live DHCP probe did not run (pass --probe-dhcp)"})
				}
			}
			rep := s.tg.report(obs, findings, notRun...)
			rep.Insecure = append(rep.Insecure, s.eng.Insecure()...)
			if err := write(rep, layers(s)); err != nil {
				return exitWith(2, err)
			}
			if output == "text" {
				a.insecureWarning(rep.Insecure)
			}
			switch {
			case ctx.Err() != nil:
				return exitWith(2, errInterruptedRun(ctx))
			case len(rep.Devices) > 0 && rep.Summary.Checked == 0 && len(rep.Unreachable) > 0:
				// Nothing could be observed: nothing was validated.
				return exitWith(2, unreachableError(rep.Unreachable))
			case len(rep.Devices) > 0 && rep.Summary.Checked == 0:
				return exitWith(2, fmt.Errorf("nothing was checked: every device was skipped"))
			case len(s.tg) > 0 && len(rep.Unreachable) > 0:
				// A device asked for by name could not be checked.
				return exitWith(2, unreachableError(rep.Unreachable))
			case len(s.tg) > 0 && rep.Summary.Skipped > 0:
				var names []string
				for _, sk := range rep.Skipped {
					if sk.Device != "" {
						names = append(names, sk.Device+" ("+sk.Reason+")")
					}
				}
				return exitWith(2, fmt.Errorf("--target names devices that cannot be checked: %s", strings.Join(names, "; ")))
			case len(rep.Unreachable) > 0:
				// The document has the causes; the log of a CI job shows
				// them too, one line each.
				return exitWith(1, unreachableError(rep.Unreachable))
			case !rep.Clean:
				return exitWith(1, nil)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&output, "output", "o", "text", "output format: text, json or junit")
	f.StringVar(&snapshot, "snapshot", "", "validate this observed-state snapshot instead of the devices (offline)")
	f.BoolVar(&listCodes, "list-codes", false, "list the finding codes and exit")
	f.BoolVar(&strictIsolation, "strict-isolation", false, "report VLAN_EXTRA and HOST_VLAN_EXTRA (VLANs a port or bridge port does not need) as errors, not warnings")
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
