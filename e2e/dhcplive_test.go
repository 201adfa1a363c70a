package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netalign/netalign/internal/lab"
)

// TestEmbeddedDHCPLiveness: validate checks that the lab's built-in DHCP
// server runs, not only what its pools file says: clean while it runs; with
// the server stopped (its pools file intact) the server is unreachable
// with cause UNREACHABLE and a message that says what to start, and the
// switches are still checked; clean again once it runs again.
func TestEmbeddedDHCPLiveness(t *testing.T) {
	l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{})
	inv := *l.Inventory()
	inv.Settings.Timeout = faultTimeout
	file := writeInventory(t, &inv)
	env := []string{lab.DefaultUsernameEnv + "=" + lab.DefaultUsername, lab.DefaultPasswordEnv + "=" + lab.DefaultPassword}
	run := func(args ...string) result {
		return netalignExactEnv(t, env, append(args, "-i", file, "--log-level", "error")...)
	}
	if r := run("apply", "--yes"); r.code != 0 {
		t.Fatalf("apply: exit %d\n%s", r.code, r)
	}
	if r := run("validate"); r.code != 0 {
		t.Fatalf("validate with the server running: exit %d, want 0\n%s", r.code, r)
	}

	if err := l.StopDHCP("lab-dhcp"); err != nil {
		t.Fatal(err)
	}
	tc := faultCase{device: "lab-dhcp", cause: "UNREACHABLE",
		says: []string{"the built-in DHCP server is not answering on 127.0.0.1:", "is `netalign dhcp serve` running?"}}
	for _, args := range [][]string{{"validate", "-o", "json"}, {"validate"}} {
		start := time.Now()
		r := run(args...)
		what := strings.Join(args, " ")
		if took := time.Since(start); took > faultTimeout+faultSlack {
			t.Errorf("%s: took %s", what, took.Round(time.Millisecond))
		}
		if r.code == 0 {
			t.Errorf("%s: exit 0 with the built-in DHCP server stopped\n%s", what, r)
		}
		checkCauseLine(t, what, r, tc)
		if args[len(args)-1] == "json" {
			checkJSONCause(t, what, r, tc)
			if got := findings(t, r); len(got) != 1 || got[0] != "UNREACHABLE lab-dhcp dhcp" {
				t.Errorf("%s: findings %v, want the server unreachable and nothing else", what, got)
			}
		}
	}

	if err := l.StartDHCP(context.Background(), "lab-dhcp"); err != nil {
		t.Fatal(err)
	}
	if r := run("validate"); r.code != 0 {
		t.Errorf("validate with the server running again: exit %d, want 0\n%s", r.code, r)
	}
}
