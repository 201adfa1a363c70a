package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/netalign/netalign/inventory"
)

func newInventoryCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "inventory", Short: "Work with inventory files"}
	check := &cobra.Command{
		Use:   "check",
		Short: "Load and validate an inventory; report every problem with its file and field",
		Long: `check loads and validates an inventory and reports every problem with its file,
line (for keys) and field path. Platforms, DHCP server kinds and the names that
reach a device are checked against the drivers of this build.

With --resolve it also checks, without contacting any device, that every
environment variable and file a credential, known_hosts or TLS setting names is
there, and that every known_hosts file holds a key for its device.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := checkOptions()
			if err != nil {
				return exitWith(2, err)
			}
			inv, err := a.loadInventoryWith(cmd.Context(), opts)
			if err == nil {
				if resolve, _ := cmd.Flags().GetBool("resolve"); resolve {
					err = inventory.CheckReferences(inv)
				}
			}
			if err != nil {
				var verrs inventory.ValidationErrors
				if errors.As(err, &verrs) {
					for _, e := range verrs {
						fmt.Fprintln(a.stderr, e.Error())
					}
					return exitWith(1, fmt.Errorf("%d problem(s) in the inventory", len(verrs)))
				}
				return exitWith(1, err)
			}
			fmt.Fprintf(a.stdout, "%s: OK (%d cluster networks, %d networks, %d hosts, %d switches, %d DHCP servers)\n",
				inv.Source, len(inv.ClusterNetworks), len(inv.Networks), len(inv.Hosts), len(inv.Switches), len(inv.DHCPServers))
			return nil
		},
	}
	check.Flags().Bool("resolve", false, "also check that referenced environment variables, files and known_hosts entries exist (no device is contacted)")
	cmd.AddCommand(check)
	return cmd
}
