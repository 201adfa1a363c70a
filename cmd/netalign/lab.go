package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/internal/lab/gnmi"
	"github.com/netalign/netalign/inventory"
)

const defaultLabDir = ".netalign-lab"

func newLabCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "A simulated lab of switches and a DHCP server on loopback",
		Long: `lab runs simulated switches that speak the real protocols — Arista EOS and Cisco
NX-OS CLIs over SSH, OpenConfig over gNMI with TLS — and netalign's built-in DHCP
server, all on 127.0.0.1, wired to the hosts of an inventory. netalign's own drivers
talk to them unmodified.`,
	}
	var dir string
	cmd.PersistentFlags().StringVar(&dir, "dir", defaultLabDir, "lab directory: generated inventory, known_hosts, CA, host keys, control socket")

	var faults []string
	var faultFile string
	var ports int
	up := &cobra.Command{
		Use:   "up",
		Short: "Start the lab for an inventory and run until interrupted (or `lab down`)",
		Long: `up starts one simulated switch per switch of the inventory, and a built-in DHCP
server per DHCP server of kind embedded, and writes DIR/inventory.yaml: the same
inventory pointing at the simulated devices (credentials by environment reference:
source DIR/lab.env). It runs until Ctrl-C, SIGTERM or ` + "`netalign lab down`" + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			inv, err := a.loadInventory(cmd.Context())
			if err != nil {
				return exitWith(2, err)
			}
			opts := lab.Options{Dir: dir, Control: true, DHCP: true, Ports: ports, Logger: a.log, Faults: map[string]device.Faults{}}
			specs := append([]string(nil), faults...)
			if faultFile != "" {
				b, err := os.ReadFile(faultFile)
				if err != nil {
					return exitWith(2, fmt.Errorf("--fault-file: %w", err))
				}
				for _, line := range strings.Split(string(b), "\n") {
					if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
						specs = append(specs, line)
					}
				}
			}
			for _, spec := range specs {
				name, f, err := lab.ParseFault(spec)
				if err != nil {
					return exitWith(2, err)
				}
				opts.Faults[name] = f
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return exitWith(2, err)
			}
			ca, err := gnmi.LoadOrCreateCA(dir)
			if err != nil {
				return exitWith(2, err)
			}
			user, pass := labCredentials()
			opts.Username, opts.Password = user, pass
			opts.GNMI = gnmi.Hook(gnmi.Options{CA: ca, Username: user, Password: pass, Logger: a.log})
			opts.GNMITLS = &inventory.TLS{CA: ca.File()}
			ctx := cmd.Context()
			l, err := lab.Start(ctx, inv, opts)
			if err != nil {
				return exitWith(2, err)
			}
			defer l.Close()
			if err := lab.WriteTable(a.stdout, l.Switches()); err != nil {
				return exitWith(2, err)
			}
			fmt.Fprintf(a.stdout, "\nLab inventory: %s\nCredentials:   . %s\nStop with Ctrl-C or: netalign lab down --dir %s\n",
				l.InventoryPath(), filepath.Join(dir, lab.EnvFile), dir)
			select {
			case <-ctx.Done():
			case <-l.Done():
			}
			a.log.Info("lab stopping")
			return nil
		},
	}
	up.Flags().StringArrayVar(&faults, "fault", nil, "inject a fault: "+lab.FaultsUsage+" (repeatable)")
	up.Flags().StringVar(&faultFile, "fault-file", "", "read fault specifications from a file, one per line (# comments)")
	up.Flags().IntVar(&ports, "ports", 0, "front-panel ports per simulated switch besides the cabled ones (default 32)")

	down := &cobra.Command{
		Use:   "down",
		Short: "Stop the lab running in --dir",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := lab.Down(cmd.Context(), dir); err != nil {
				return exitWith(1, err)
			}
			return nil
		},
	}
	status := &cobra.Command{
		Use:   "status",
		Short: "List the switches of the lab running in --dir",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			infos, err := lab.Running(cmd.Context(), dir)
			if err != nil {
				return exitWith(1, err)
			}
			return lab.WriteTable(a.stdout, infos)
		},
	}
	drift := &cobra.Command{
		Use:   "drift SWITCH WORDS...",
		Short: "Change a simulated switch behind netalign's back, as an operator would by hand",
		Long:  "drift changes the running configuration of one switch of the lab running in --dir.\nWORDS: " + device.DriftUsage,
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := lab.Drift(cmd.Context(), dir, args[0], args[1:]); err != nil {
				return exitWith(1, err)
			}
			fmt.Fprintf(a.stdout, "%s: drift applied: %v\n", args[0], args[1:])
			return nil
		},
	}
	cmd.AddCommand(up, down, status, drift)
	return cmd
}

// labCredentials are the credentials the simulated devices accept: from
// the environment, else the lab's defaults.
func labCredentials() (string, string) {
	user, pass := os.Getenv(lab.DefaultUsernameEnv), os.Getenv(lab.DefaultPasswordEnv)
	if user == "" {
		user = lab.DefaultUsername
	}
	if pass == "" {
		pass = lab.DefaultPassword
	}
	return user, pass
}
