//go:build realkernel

package hostnet

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vishvananda/netlink"

	"github.com/netalign/netalign/internal/intent"
)

// cliInventory is what an operator writes to let netalign manage the machine
// it runs on: one host with access local, the cluster network data (802.3ad,
// fast LACP) on eth-a and eth-b, a VM network on VLAN 100; no switches and no
// DHCP servers. The connectivity check pings the management peer on h0,
// which the apply must not cut off.
const cliInventory = `version: 1
settings:
  rollbackTimeout: 20s
clusterNetworks:
  - name: data
    bond: {mode: 802.3ad, lacpRate: fast}
networks:
  - name: vm100
    clusterNetwork: data
    vlan: 100
hosts:
  - name: host
    access: local
    connectivity: {target: 10.9.0.2}
    clusterNetworks:
      - name: data
        nics:
          - {name: eth-a}
          - {name: eth-b}
`

// netalignBin is the static netalign binary run.sh puts into the VM.
func netalignBin(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("NETALIGN_BIN")
	why := ""
	if bin == "" {
		why = "NETALIGN_BIN is not set (e2e/realkernel/run.sh builds netalign into the VM and sets it)"
	} else if _, err := os.Stat(bin); err != nil {
		why = "NETALIGN_BIN: " + err.Error()
	}
	if why == "" {
		return bin
	}
	if os.Getenv("NETALIGN_REQUIRE_PREREQS") == "1" {
		t.Fatal(why)
	}
	t.Skip(why)
	return ""
}

// switchLAG builds a switch-side bond po10 of ports in mode.
func (l *lab) switchLAG(mode netlink.BondMode, ports ...string) {
	l.t.Helper()
	l.switchLAGNamed("po10", mode, ports...)
}

// switchLAGNamed builds a switch-side bond name of ports in mode.
func (l *lab) switchLAGNamed(name string, mode netlink.BondMode, ports ...string) {
	l.t.Helper()
	h := l.h("switch")
	b := netlink.NewLinkBond(netlink.LinkAttrs{Name: name, TxQLen: -1})
	b.Mode = mode
	b.Miimon = 100
	if mode == netlink.BOND_MODE_802_3AD {
		b.LacpRate = netlink.BOND_LACP_RATE_FAST
	}
	l.must("switch bond", h.LinkAdd(b))
	for _, p := range ports {
		s := l.link("switch", p)
		l.must("switch port down", h.LinkSetDown(s))
		l.must("switch enslave "+p, h.LinkSetMaster(s, b))
		l.must("switch port up", h.LinkSetUp(s))
	}
	l.up("switch", name)
}

// netalign runs the binary inside the host namespace as an operator would
// (`ip netns exec host netalign ...`) and returns its exit code, stdout and
// stderr (the log).
func (l *lab) netalign(bin string, args ...string) (code int, stdout, stderr string) {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", "host", bin, "--no-color"}, args...)...)
	var out, log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &log
	start := time.Now()
	err := cmd.Run()
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			l.t.Fatalf("netalign %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	l.t.Logf("netalign %s: exit %d in %v\n%s--- stderr ---\n%s", strings.Join(args, " "), code,
		time.Since(start).Round(time.Millisecond), out.String(), log.String())
	return code, out.String(), log.String()
}

// cliLab is the lab of the CLI scenarios: the host's management link h0
// (10.9.0.1; the connectivity check pings the peer 10.9.0.2 on it after
// an apply), two NICs facing an 802.3ad LAG on the switch, and an
// inventory file (cliInventory) for the binary.
func cliLab(t *testing.T) (*lab, string) {
	t.Helper()
	l := newLab(t, 1)
	l.addr("host", "h0", "10.9.0.1/24")
	l.addr("switch", "s0", "10.9.0.2/24")
	l.veth("host", "eth-a", "switch", "sw-a")
	l.veth("host", "eth-b", "switch", "sw-b")
	l.switchLAG(netlink.BOND_MODE_802_3AD, "sw-a", "sw-b")
	inv := filepath.Join(t.TempDir(), "inv.yaml")
	l.must("write inventory", os.WriteFile(inv, []byte(cliInventory), 0o600))
	return l, inv
}

// TestRealKernelCLILocal drives the netalign binary on the host it manages
// (access: local): plan shows the cluster network to create, apply creates it
// and passes its connectivity check, validate is clean and the next plan is
// empty; the kernel then has the 802.3ad bond bundled with the switch's bond
// and VLAN 100 on the bond's bridge port.
func TestRealKernelCLILocal(t *testing.T) {
	bin := netalignBin(t)
	l, inv := cliLab(t)

	code, out, _ := l.netalign(bin, "plan", "-i", inv, "--detailed-exitcode")
	if code != 2 {
		t.Fatalf("plan --detailed-exitcode before apply: exit %d, want 2 (changes)", code)
	}
	for _, want := range []string{"+ bond data-bo", "+ bond-slave eth-a", "+ bond-slave eth-b", "+ bridge data-br", "bridge-vlans data-bo"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q", want)
		}
	}
	code, _, log := l.netalign(bin, "apply", "-i", inv, "--yes")
	if code != 0 {
		t.Fatalf("apply --yes: exit %d, want 0", code)
	}
	if !strings.Contains(log, `msg="connectivity check passed" host=host target=10.9.0.2`) {
		t.Errorf("apply did not report a passed connectivity check on 10.9.0.2")
	}
	// The rollback watchdog guarded the apply and is gone with its
	// checkpoint.
	for _, want := range []string{`msg="rollback watchdog armed"`, `msg="rollback watchdog disarmed: the changes stand"`} {
		if !strings.Contains(log, want) {
			t.Errorf("apply log lacks %q", want)
		}
	}
	noWatchdogLeft(t, time.Second)
	if code, _, _ := l.netalign(bin, "validate", "-i", inv); code != 0 {
		t.Errorf("validate after apply: exit %d, want 0 (clean)", code)
	}
	if code, _, _ := l.netalign(bin, "plan", "-i", inv, "--detailed-exitcode"); code != 0 {
		t.Errorf("plan --detailed-exitcode after apply: exit %d, want 0 (no changes)", code)
	}

	// The kernel state the commands produced.
	hs := l.waitLACP(l.host, "data-bo")
	ss := l.waitLACP(l.sw, "po10")
	bond := hs.Link("data-bo")
	if bond == nil || bond.Bond == nil {
		t.Fatalf("data-bo = %+v, want a bond", bond)
	}
	if bond.Bond.Mode != intent.LACP || bond.Bond.LACPRate != "fast" {
		t.Errorf("data-bo mode %s lacp_rate %q, want 802.3ad fast", bond.Bond.Mode, bond.Bond.LACPRate)
	}
	hostMAC, swMAC := bond.MAC, ss.Link("po10").MAC
	hostAgg := hs.Link("eth-a").BondSlave.AggregatorID
	swAgg := ss.Link("sw-a").BondSlave.AggregatorID
	for _, side := range []struct {
		st       *intent.HostState
		ports    []string
		agg      int
		wantPeer string
	}{{hs, []string{"eth-a", "eth-b"}, hostAgg, swMAC}, {ss, []string{"sw-a", "sw-b"}, swAgg, hostMAC}} {
		for _, p := range side.ports {
			bs := side.st.Link(p).BondSlave
			if side.agg == 0 || bs.AggregatorID != side.agg {
				t.Errorf("%s: aggregator %d, want %d shared by both ports", p, bs.AggregatorID, side.agg)
			}
			if bs.PartnerMAC != side.wantPeer {
				t.Errorf("%s: LACP partner %s, want the other side's bond %s", p, bs.PartnerMAC, side.wantPeer)
			}
		}
	}
	if bond.Master != "data-br" || !hs.Link("data-br").VLANFiltering {
		t.Errorf("data-bo master %q, data-br vlan_filtering %v; want a port of VLAN-filtering data-br", bond.Master, hs.Link("data-br").VLANFiltering)
	}
	wantVLANs := []intent.BridgeVLAN{{VID: 1, PVID: true, Untagged: true}, {VID: 100}}
	if diff := cmp.Diff(wantVLANs, bond.BridgeVLANs); diff != "" {
		t.Errorf("data-bo bridge VLANs (-want +got):\n%s", diff)
	}
	if m := hs.Link("h0"); m == nil || m.Master != "" || !m.AdminUp {
		t.Errorf("management link h0 = %+v, want it untouched", m)
	}
	if !l.ping("host", "10.9.0.2", 5*time.Second) {
		t.Errorf("management peer 10.9.0.2 unreachable after apply")
	}
}

// brokenLab is a host whose management address is on eth-a, which the
// cluster network enslaves, so an apply cuts the host off from its
// connectivity target 10.9.0.2. It returns the inventory (the check waits
// checkTimeout) and the host before the apply.
func brokenLab(t *testing.T, checkTimeout string) (*lab, string, *intent.HostState) {
	t.Helper()
	if left := watchdogLeftovers(); len(left) > 0 {
		t.Fatalf("before the test: %s", strings.Join(left, "; "))
	}
	l := newLab(t, 0)
	l.veth("host", "eth-a", "switch", "sw-a")
	l.veth("host", "eth-b", "switch", "sw-b")
	l.addr("host", "eth-a", "10.9.0.1/24")
	l.addr("switch", "sw-a", "10.9.0.2/24")
	if !l.ping("host", "10.9.0.2", 10*time.Second) {
		t.Fatal("management peer 10.9.0.2 unreachable before the apply")
	}
	before, err := l.host.Observe(context.Background())
	l.must("observe", err)
	inv := filepath.Join(t.TempDir(), "inv.yaml")
	text := strings.Replace(cliInventory, "connectivity: {target: 10.9.0.2}", "connectivity: {target: 10.9.0.2, timeout: "+checkTimeout+"}", 1)
	l.must("write inventory", os.WriteFile(inv, []byte(text), 0o600))
	return l, inv, before
}

// TestRealKernelCLILocalRollback: the host's management address is on eth-a,
// which the cluster network enslaves; the connectivity check loses the peer,
// so apply restores the host, reports the device rolled back and exits 1.
func TestRealKernelCLILocalRollback(t *testing.T) {
	bin := netalignBin(t)
	l, inv, before := brokenLab(t, "3s")
	code, out, log := l.netalign(bin, "apply", "-i", inv, "--yes")
	if code != 1 {
		t.Errorf("apply cutting off the management address: exit %d, want 1", code)
	}
	if !strings.Contains(out, "rolled-back") || !strings.Contains(out, "connectivity lost") {
		t.Errorf("apply output does not report the host rolled back for lost connectivity")
	}
	if strings.Contains(log, "connectivity check passed") {
		t.Errorf("apply logged a passed connectivity check although it rolled back")
	}
	if !strings.Contains(log, `msg="host restored to its checkpoint" host=host by=watchdog`) || !strings.Contains(log, "reason=requested") {
		t.Errorf("apply log does not say the rollback watchdog restored the host at netalign's request")
	}
	noWatchdogLeft(t, time.Second)
	after, err := l.host.Observe(context.Background())
	l.must("observe", err)
	for _, n := range []string{"data-bo", "data-br"} {
		if after.Link(n) != nil {
			t.Errorf("%s still exists after the rollback", n)
		}
	}
	for _, n := range []string{"eth-a", "eth-b"} {
		if b, a := before.Link(n), after.Link(n); a == nil || a.Master != "" || a.AdminUp != b.AdminUp || a.MTU != b.MTU {
			t.Errorf("%s after the rollback = %+v, want as before (%+v)", n, a, b)
		}
	}
	if !l.ping("host", "10.9.0.2", 10*time.Second) {
		t.Errorf("management peer 10.9.0.2 unreachable after the rollback")
	}
	if code, _, _ := l.netalign(bin, "plan", "-i", inv, "--detailed-exitcode"); code != 2 {
		t.Errorf("plan --detailed-exitcode after the rollback: exit %d, want 2 (changes still to make)", code)
	}
}
