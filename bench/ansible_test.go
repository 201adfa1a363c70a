package bench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netalign/netalign/internal/intent"
)

// needAnsible skips the test when ansible-playbook is absent: the Ansible
// tests are the only ones that need it, and the benchmark target installs
// it (Debian package ansible, with python3-paramiko for network_cli).
func needAnsible(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs ansible-playbook against the lab (tens of seconds): not in -short runs")
	}
	p, err := AnsiblePath()
	if err != nil {
		t.Skipf("skipping: %v; `make bench-peer` installs it", err)
	}
	return p
}

// buildNetalign builds the binary under test into a temporary directory.
func buildNetalign(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "netalign")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/netalign").CombinedOutput()
	if err != nil {
		t.Fatalf("build netalign: %v\n%s", err, out)
	}
	return bin
}

// TestAnsibleAndNetalignSameFinalState runs the generated playbook
// (eos_vlans, eos_config, eos_l2_interfaces, eos_lag_interfaces, state
// merged) against one simulated EOS switch and netalign against an
// identical one: the playbook must change the switch, be idempotent on its
// second run, and leave exactly the running configuration netalign leaves.
func TestAnsibleAndNetalignSameFinalState(t *testing.T) {
	ap := needAnsible(t)
	if err := Subreaper(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	res, err := Peer(ctx, PeerConfig{Netalign: buildNetalign(t), AnsiblePlaybook: ap, N: 1, Parallelism: 4,
		Dir: t.TempDir(), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Identical {
		t.Fatalf("final running configurations differ (-netalign +ansible):\n%s", strings.Join(res.Diffs, "\n"))
	}
	if s := res.Step(ToolAnsible, PeerBlank); s == nil || s.Changed != 1 {
		t.Errorf("first playbook run: %+v, want the switch changed", s)
	}
	if s := res.Step(ToolAnsible, PeerAgain); s == nil || s.Changed != 0 || s.Lab.Commands == 0 {
		t.Errorf("second playbook run: %+v, want no change after reading the switch", s)
	}
}

// TestAnsibleEOSConfigParents runs eos_config with parents (a VLAN name)
// against a simulated EOS switch, as in the arista.eos documentation: the
// switch changes, the second run reports no change, and check mode leaves
// the switch alone.
func TestAnsibleEOSConfigParents(t *testing.T) {
	ap := needAnsible(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	l, err := StartLab(ctx, PeerInventory(1), filepath.Join(dir, "lab"), PeerPorts, 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sw := PeerSwitchName(0)
	ep := Endpoints(l)[sw]
	hosts := fmt.Sprintf(`all:
  vars:
    ansible_connection: ansible.netcommon.network_cli
    ansible_network_os: arista.eos.eos
    ansible_user: "{{ lookup('env', 'NETALIGN_LAB_USER') }}"
    ansible_password: "{{ lookup('env', 'NETALIGN_LAB_PASS') }}"
    ansible_python_interpreter: /usr/bin/python3
  hosts:
    %s: {ansible_host: %s, ansible_port: %d}
`, sw, ep.Host, ep.Port)
	play := `- hosts: all
  gather_facts: false
  tasks:
    - arista.eos.eos_config:
        parents: vlan 200
        lines: [name web-tier]
    - arista.eos.eos_config:
        parents: interface Ethernet40
        lines: [description spare uplink]
`
	for name, text := range map[string]string{HostsFile: hosts, PlaybookFile: play} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(extra ...string) int {
		t.Helper()
		r, err := Exec(ctx, AnsibleEnv(dir), dir, ap, append([]string{"-i", HostsFile, PlaybookFile}, extra...)...)
		if err != nil {
			t.Fatal(err)
		}
		if r.Exit != 0 {
			t.Fatalf("ansible-playbook %v: exit %d\n%s\n%s", extra, r.Exit, r.Stdout, r.Stderr)
		}
		changed, err := recap(r.Stdout, 1)
		if err != nil {
			t.Fatalf("%v\n%s", err, r.Stdout)
		}
		return changed
	}
	dev := l.Device(sw)
	before := dev.Running()
	if run("--check") != 1 {
		t.Error("check mode: no change reported")
	}
	if now := dev.Running(); !now.Equal(&before) {
		t.Error("check mode changed the switch")
	}
	if run() != 1 {
		t.Error("first run: no change reported")
	}
	cfg := dev.Running()
	if v := cfg.VLANs[200]; v == nil || v.Name != "web-tier" {
		t.Errorf("vlan 200 = %+v, want name web-tier", v)
	}
	if in := cfg.Interfaces[intent.NormalizeInterface("Et40")]; in == nil || in.Description != "spare uplink" {
		t.Errorf("Ethernet40 = %+v, want the description", in)
	}
	if run() != 0 {
		t.Error("second run changed the switch: eos_config is not idempotent against the lab")
	}
}
