package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
	"golang.org/x/term"

	"github.com/netalign/netalign/internal/engine"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

// app is the state of one invocation: streams, flags and the logger. There
// are no package-level globals.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	v              *viper.Viper
	log            *slog.Logger
	// stopProfile ends the CPU profile started by --cpu-profile.
	stopProfile func()
	// exit ends the process (os.Exit); a second interrupt signal calls it.
	exit func(code int)

	mu sync.Mutex
	// eng is the running command's engine, for the interrupt notice.
	eng *engine.Engine
}

func newRootCmd(a *app) *cobra.Command {
	a.v = viper.New()
	a.v.SetEnvPrefix("NETALIGN")
	a.v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	a.v.AutomaticEnv()

	root := &cobra.Command{
		Use:   "netalign",
		Short: "Keep hosts, switches and DHCP servers of a Harvester cluster network in agreement",
		Long: `netalign reads one inventory file (hosts, NICs and their cabling, cluster networks,
VLANs, switches, DHCP servers) and plans, applies or validates the configuration of
Linux host bonds and bridges, switch trunks and LAGs, and DHCP pools.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.setupLogging(); err != nil {
				return err
			}
			return a.startProfile(cmd)
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitWith(2, err) })
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	pf := root.PersistentFlags()
	pf.StringP("inventory", "i", "", "inventory file (YAML, JSON or TOML) [$NETALIGN_INVENTORY]")
	pf.Int("parallelism", 0, "devices handled at once (default: inventory settings.parallelism, 16) [$NETALIGN_PARALLELISM]")
	pf.Duration("timeout", 0, "deadline of one device's observe or apply (default: inventory settings.timeout, 60s) [$NETALIGN_TIMEOUT]")
	pf.String("log-level", "info", "log level: debug, info, warn, error [$NETALIGN_LOG_LEVEL]")
	pf.String("log-format", "text", "log format on stderr: text or json [$NETALIGN_LOG_FORMAT]")
	pf.Bool("no-color", false, "never color output [$NO_COLOR]")
	pf.String("cpu-profile", "", "write a Go CPU profile of the run to this file (for go tool pprof)")
	_ = pf.MarkHidden("cpu-profile")
	for _, name := range []string{"inventory", "parallelism", "timeout", "log-level", "log-format", "no-color"} {
		_ = a.v.BindPFlag(name, pf.Lookup(name))
	}

	root.AddCommand(
		newVersionCmd(a),
		newInventoryCmd(a),
		newObserveCmd(a),
		newPlanCmd(a),
		newApplyCmd(a),
		newValidateCmd(a),
		newHostCmd(a),
	)
	addExtraCommands(a, root)
	return root
}

func (a *app) setupLogging() error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.v.GetString("log-level"))); err != nil {
		return exitWith(2, fmt.Errorf("--log-level: %w", err))
	}
	opts := &slog.HandlerOptions{Level: level}
	switch a.v.GetString("log-format") {
	case "text", "":
		a.log = slog.New(slog.NewTextHandler(a.stderr, opts))
	case "json":
		a.log = slog.New(slog.NewJSONHandler(a.stderr, opts))
	default:
		return exitWith(2, fmt.Errorf("--log-format %q: want text or json", a.v.GetString("log-format")))
	}
	return nil
}

// startProfile starts the CPU profile --cpu-profile asks for; run stops it.
func (a *app) startProfile(cmd *cobra.Command) error {
	path, _ := cmd.Root().PersistentFlags().GetString("cpu-profile")
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return exitWith(2, fmt.Errorf("--cpu-profile: %w", err))
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return exitWith(2, fmt.Errorf("--cpu-profile: %w", err))
	}
	a.stopProfile = func() {
		pprof.StopCPUProfile()
		f.Close()
	}
	return nil
}

// loadInventory loads and validates the inventory named by -i, and applies
// the command-line overrides of its settings. A platform or DHCP kind
// without a driver is not an inventory problem here: the run reports that
// device as failed and goes on with the others (inventory check refuses it).
func (a *app) loadInventory(ctx context.Context) (*inventory.Inventory, error) {
	return a.loadInventoryWith(ctx, intent.InventoryOptions())
}

// loadInventoryWith is loadInventory with the given options; the load ends
// when ctx does.
func (a *app) loadInventoryWith(ctx context.Context, opts inventory.Options) (*inventory.Inventory, error) {
	path := a.v.GetString("inventory")
	if path == "" {
		return nil, fmt.Errorf("no inventory: pass -i FILE or set NETALIGN_INVENTORY")
	}
	inv, err := inventory.LoadContext(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	if p := a.v.GetInt("parallelism"); p > 0 {
		inv.Settings.Parallelism = p
	}
	if t := a.v.GetDuration("timeout"); t > 0 {
		inv.Settings.Timeout = t
	}
	return inv, nil
}

// color reports whether w is a terminal and color is not disabled.
func (a *app) color(w io.Writer) bool {
	if a.v.GetBool("no-color") || os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(a.stdout, "netalign %s\n", version())
			return nil
		},
	}
}
