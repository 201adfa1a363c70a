package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/netalign/netalign/dhcp/embedded"
	"github.com/netalign/netalign/hostnet/harvester"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/inventory"
)

// addExtraCommands adds the lab, dhcp and harvester commands.
func addExtraCommands(a *app, root *cobra.Command) {
	root.AddCommand(newLabCmd(a), newDHCPCmd(a), newHarvesterCmd(a))
}

func newDHCPCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "dhcp", Short: "netalign's built-in DHCP server"}
	var (
		name, leaseFile, listen string
		ifaces                  []string
	)
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Serve the inventory's pools of a DHCP server of kind embedded",
		Long: `serve runs netalign's built-in DHCPv4 server for one dhcpServers entry of kind
embedded: it serves the pools of the networks that name it, chosen by the receiving
interface or the relay address (giaddr), with leases kept in a lease file across
restarts. apply updates its pools file; the running server picks changes up.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			inv, err := a.loadInventory(cmd.Context())
			if err != nil {
				return exitWith(2, err)
			}
			entry, err := embeddedEntry(inv, name)
			if err != nil {
				return exitWith(2, err)
			}
			desired, err := intent.Derive(inv)
			if err != nil {
				return exitWith(2, err)
			}
			var pools []intent.Pool
			for _, d := range desired.DHCP {
				if d.Server == entry.Name {
					pools = d.Pools
				}
			}
			e := *entry
			if leaseFile != "" {
				e.LeaseFile = leaseFile
			}
			if listen != "" {
				e.Endpoint = listen
			}
			cfg, err := embedded.ConfigFor(e, pools)
			if err != nil {
				return exitWith(2, err)
			}
			cfg.Interfaces = ifaces
			a.log.Info("serving DHCP", "server", entry.Name, "pools", len(pools), "leases", cfg.LeaseFile, "listen", cfg.ListenAddr, "interfaces", ifaces)
			if err := embedded.Serve(cmd.Context(), cfg, a.log); err != nil {
				return exitWith(1, err)
			}
			return nil
		},
	}
	f := serve.Flags()
	f.StringVar(&name, "server", "", "the dhcpServers entry to serve (default: the only one of kind embedded)")
	f.StringVar(&leaseFile, "lease-file", "", "lease database (default: the entry's leaseFile)")
	f.StringVar(&listen, "listen", "", "IP:PORT for relayed requests and renewals (default: the entry's endpoint)")
	f.StringArrayVar(&ifaces, "interface", nil, "serve clients on this interface directly (repeatable; default: the pools' interfaces)")
	cmd.AddCommand(serve)
	return cmd
}

func embeddedEntry(inv *inventory.Inventory, name string) (*inventory.DHCPServer, error) {
	var found []*inventory.DHCPServer
	for i := range inv.DHCPServers {
		s := &inv.DHCPServers[i]
		if s.Kind == embedded.Kind && (name == "" || s.Name == name) {
			found = append(found, s)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) == 0 && name != "":
		return nil, fmt.Errorf("no DHCP server %q of kind embedded in the inventory", name)
	case len(found) == 0:
		return nil, fmt.Errorf("no DHCP server of kind embedded in the inventory")
	}
	return nil, fmt.Errorf("several DHCP servers of kind embedded: pass --server NAME")
}

func newHarvesterCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "harvester", Short: "Convert between Harvester objects and netalign inventories"}
	var file string
	imp := &cobra.Command{
		Use:   "import",
		Short: "Turn `kubectl get clusternetworks,vlanconfigs,network-attachment-definitions -A -o yaml` into inventory YAML",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in := os.Stdin
			if file != "" && file != "-" {
				f, err := os.Open(file)
				if err != nil {
					return exitWith(2, err)
				}
				defer f.Close()
				in = f
			}
			im, err := harvester.Import(in)
			if err != nil {
				return exitWith(1, err)
			}
			for _, w := range im.Warnings {
				a.log.Warn(w)
			}
			inv := &inventory.Inventory{Version: 1, ClusterNetworks: im.ClusterNetworks, Networks: im.Networks}
			for host, cns := range im.HostNICs() {
				if host == "*" {
					continue
				}
				h := inventory.Host{Name: host}
				h.ClusterNetworks = cns
				inv.Hosts = append(inv.Hosts, h)
			}
			b, err := lab.MarshalInventoryYAML(inv)
			if err != nil {
				return exitWith(1, err)
			}
			_, err = a.stdout.Write(b)
			return err
		},
	}
	imp.Flags().StringVarP(&file, "file", "f", "-", "kubectl YAML output to read (- for stdin)")
	exp := &cobra.Command{
		Use:   "export",
		Short: "Write Harvester ClusterNetwork, VlanConfig and NetworkAttachmentDefinition manifests for an inventory",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			inv, err := a.loadInventory(cmd.Context())
			if err != nil {
				return exitWith(2, err)
			}
			if err := harvester.Export(inv, a.stdout); err != nil {
				return exitWith(1, err)
			}
			return nil
		},
	}
	cmd.AddCommand(imp, exp)
	return cmd
}
