package bench

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/golden"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/inventory"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestBound(t *testing.T) {
	for _, tc := range []struct {
		name           string
		n, par, rt     int
		lat, handshake time.Duration
		want           time.Duration
	}{
		{"one wave", 16, 16, 2, 20 * time.Millisecond, 2 * time.Millisecond, 42 * time.Millisecond},
		{"partial last wave", 17, 16, 2, 20 * time.Millisecond, 2 * time.Millisecond, 84 * time.Millisecond},
		{"500 at 16", 500, 16, 1, 20 * time.Millisecond, 0, 32 * 20 * time.Millisecond},
		{"no latency", 100, 10, 3, 0, time.Millisecond, 10 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Bound(tc.n, tc.par, tc.rt, tc.lat, tc.handshake); got != tc.want {
				t.Errorf("Bound = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReplaceSection(t *testing.T) {
	begin, end := markers("fleet")
	doc := "# Perf\n\n" + begin + "\nold table\n" + end + "\n\ntail\n"
	got, err := replaceSection(doc, "fleet", "| new |\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# Perf\n\n" + begin + "\n| new |\n" + end + "\n\ntail\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
	// Regenerating is stable.
	again, err := replaceSection(got, "fleet", "| new |\n")
	if err != nil || again != got {
		t.Errorf("second replace changed the document: %v\n%s", err, again)
	}
	if _, err := replaceSection(doc, "peer", "x"); err == nil {
		t.Error("missing section: no error")
	}
}

func TestParseInts(t *testing.T) {
	got, err := ParseInts("1, 20,100")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1, 20, 100}, got); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
	for _, bad := range []string{"1,x", "0", "-3"} {
		if _, err := ParseInts(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestRecap reads a PLAY RECAP as ansible-playbook 2.14 prints it.
func TestRecap(t *testing.T) {
	out := `PLAY RECAP *********************************************************************
r001a                      : ok=4    changed=4    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   
r001b                      : ok=4    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   
`
	changed, err := recap(out, 2)
	if err != nil || changed != 1 {
		t.Errorf("recap = %d, %v; want 1, nil", changed, err)
	}
	if _, err := recap(out, 3); err == nil {
		t.Error("missing host: no error")
	}
	failed := strings.Replace(out, "failed=0", "failed=1", 1)
	if _, err := recap(failed, 2); err == nil {
		t.Error("failed host: no error")
	}
}

// TestPeerInventory checks the peer inventory's shape and that it passes
// netalign's own validation.
func TestPeerInventory(t *testing.T) {
	for _, n := range []int{1, 2, 5} {
		inv := PeerInventory(n)
		if len(inv.Switches) != n {
			t.Fatalf("n=%d: %d switches", n, len(inv.Switches))
		}
		ports := map[string]int{}
		for _, h := range inv.Hosts {
			for _, cn := range h.ClusterNetworks {
				for _, nic := range cn.NICs {
					if nic.Switch != "" {
						ports[nic.Switch]++
					}
				}
			}
		}
		for _, sw := range inv.Switches {
			if ports[sw.Name] != PeerPorts {
				t.Errorf("n=%d: switch %s has %d host ports, want %d", n, sw.Name, ports[sw.Name], PeerPorts)
			}
		}
		inv.ApplyDefaults()
		if err := inventory.Validate(inv, intent.InventoryOptions()); err != nil {
			t.Errorf("n=%d: %v", n, err)
		}
	}
}

// TestPlaybookGolden renders the playbook of a two-switch rack.
func TestPlaybookGolden(t *testing.T) {
	dir := t.TempDir()
	eps := map[string]Endpoint{PeerSwitchName(0): {"127.0.0.1", 2201}, PeerSwitchName(1): {"127.0.0.1", 2202}}
	if err := Playbook(dir, PeerInventory(2), eps, "LAB_USER", "LAB_PASS"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{PlaybookFile, HostsFile, filepath.Join(ConfigsDir, "r001a.cfg"), filepath.Join(ConfigsDir, "r001b.cfg")} {
		got, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", "playbook", f+".golden"), got, *update)
	}
}

// TestPlaybookNeedsPinnedLAGs: without pinned ids the two tools could pick
// different port-channel numbers, so the generator refuses.
func TestPlaybookNeedsPinnedLAGs(t *testing.T) {
	inv := PeerInventory(1)
	for i := range inv.Hosts {
		for j := range inv.Hosts[i].ClusterNetworks {
			for k := range inv.Hosts[i].ClusterNetworks[j].NICs {
				inv.Hosts[i].ClusterNetworks[j].NICs[k].LAGID = 0
			}
		}
	}
	err := Playbook(t.TempDir(), inv, map[string]Endpoint{PeerSwitchName(0): {"127.0.0.1", 22}}, "U", "P")
	if err == nil || !strings.Contains(err.Error(), "no pinned id") {
		t.Errorf("err = %v, want a pinned id error", err)
	}
}

// TestIdealObserve: the ideal client logs in once per switch and sends the
// terminal set-up and every show command in one write, which the lab
// answers in full.
func TestIdealObserve(t *testing.T) {
	ctx := context.Background()
	l, err := StartLab(ctx, lab.FleetInventory(3, 4), t.TempDir(), 4, 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var addrs []string
	for _, sw := range l.Switches() {
		addrs = append(addrs, sw.Addr)
	}
	if _, err := IdealObserve(ctx, addrs, 2); err != nil {
		t.Fatal(err)
	}
	for _, c := range l.Counters() {
		if c.Logins != 1 || c.Commands != 9 {
			t.Errorf("%s: %d logins, %d commands; want 1 login, the 9 lines of one write", c.Switch, c.Logins, c.Commands)
		}
	}
}
