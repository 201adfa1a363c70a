package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/netalign/netalign/internal/termsafe"
	"github.com/netalign/netalign/inventory"
)

func newInventoryCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "inventory", Short: "Work with inventory files"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Load and validate an inventory; report every problem with its file and field",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			inv, err := a.loadInventory()
			if err != nil {
				var verrs inventory.ValidationErrors
				if errors.As(err, &verrs) {
					for _, e := range verrs {
						fmt.Fprintln(a.stderr, termsafe.Line(e.Error()))
					}
					return exitWith(1, fmt.Errorf("%d problem(s) in the inventory", len(verrs)))
				}
				return exitWith(1, err)
			}
			fmt.Fprintf(a.stdout, "%s: OK (%d cluster networks, %d networks, %d hosts, %d switches, %d DHCP servers)\n",
				inv.Source, len(inv.ClusterNetworks), len(inv.Networks), len(inv.Hosts), len(inv.Switches), len(inv.DHCPServers))
			return nil
		},
	})
	return cmd
}
