package inventory_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netalign/netalign/dhcp"
	dhcpall "github.com/netalign/netalign/dhcp/all"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
	"github.com/netalign/netalign/switchdrivers"
	swall "github.com/netalign/netalign/switchdrivers/all"
)

// opts are the options of inventory check: the bond-mode table of
// internal/intent and what the real driver registries accept.
var opts = checkOptions()

func checkOptions() inventory.Options {
	sw, dh := switchdrivers.NewRegistry(), dhcp.NewRegistry()
	if err := errors.Join(swall.Register(sw), dhcpall.Register(dh)); err != nil {
		panic(err)
	}
	o := intent.InventoryOptions()
	o.Switches, o.DHCP = sw.Inventory(), dh.Inventory()
	return o
}

// cleanEnv hides NETALIGN_SETTINGS_* variables of the surrounding shell
// (viper ignores empty variables), so that tests see the files only.
func cleanEnv(t testing.TB) {
	t.Helper()
	for _, k := range []string{"parallelism", "timeout", "rollbackTimeout", "saveConfig"} {
		t.Setenv(inventory.EnvVar("settings."+k), "")
	}
}

// TestConfigs loads and validates every example inventory in configs/ as
// inventory check does, with the real driver registries.
func TestConfigs(t *testing.T) {
	cleanEnv(t)
	files, err := filepath.Glob(filepath.Join("..", "configs", "*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		switch strings.TrimPrefix(filepath.Ext(f), ".") {
		case "yaml", "yml", "json", "toml":
		default:
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			inv, err := inventory.Load(f, opts)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(inv.Hosts) == 0 || len(inv.Switches) == 0 {
				t.Errorf("example has %d hosts and %d switches; want some of each", len(inv.Hosts), len(inv.Switches))
			}
		})
	}
	if n < 6 {
		t.Errorf("found %d example inventories in configs/, want at least 6", n)
	}
	if _, err := os.Stat(filepath.Join("..", "configs", "lab.yaml")); err != nil {
		t.Errorf("configs/lab.yaml: %v", err)
	}
}
