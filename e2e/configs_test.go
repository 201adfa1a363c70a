package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/lab"
)

// TestEveryExamplePlansAgainstTheLab: every inventory in configs/ passes
// `inventory check` and `plan` runs against the lab for its switches (and
// the built-in DHCP server where it has one): a change is planned for
// each, none is skipped. DHCP servers the lab does not simulate (Kea,
// dnsmasq) are left out with --target.
func TestEveryExamplePlansAgainstTheLab(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "configs", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("configs: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			if r := netalign(t, nil, "inventory", "check", "-i", file); r.code != 0 {
				t.Fatalf("inventory check: %s", r)
			}
			l := startLab(t, file, lab.Options{})
			inv := l.Inventory()
			args := []string{"plan", "-i", l.InventoryPath(), "--detailed-exitcode"}
			var targets []string
			for _, sw := range inv.Switches {
				targets = append(targets, sw.Name)
			}
			for _, s := range inv.DHCPServers {
				if s.Kind == "embedded" {
					targets = append(targets, s.Name)
				}
			}
			for _, n := range targets {
				args = append(args, "--target", n)
			}
			r := netalign(t, nil, args...)
			if r.code != 2 {
				t.Fatalf("plan from blank: exit %d, want 2 (changes)\n%s", r.code, r)
			}
			for _, n := range targets {
				for _, line := range strings.Split(r.stdout, "\n") {
					if strings.Contains(line, " "+n+" ") && strings.Contains(line, "skipped") {
						t.Errorf("%s skipped: %s", n, line)
					}
				}
			}
		})
	}
}
