package inventory_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

// opts wires the bond-mode table of internal/intent in, as the CLI does.
var opts = inventory.Options{
	ParseBondMode:    intent.ParseBondModeNumber,
	BondModeNeedsLAG: func(m int) bool { return intent.BondMode(m).LAG() != intent.LAGNone },
}

// cleanEnv hides NETALIGN_SETTINGS_* variables of the surrounding shell
// (viper ignores empty variables), so that tests see the files only.
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{"parallelism", "timeout", "rollbackTimeout", "saveConfig"} {
		t.Setenv(inventory.EnvVar("settings."+k), "")
	}
}

// TestConfigs loads and validates every example inventory in configs/.
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
