package e2e

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/inventory"
)

// mlagLab runs the lab for an example inventory with what the lab does not
// simulate left out (Kea servers and the DHCP blocks that name them; hosts
// are not observed), and returns it with helpers that drive the binary:
// validate (findings sorted, as findings returns them), drift and apply.
func mlagLab(t *testing.T, file string) (l *lab.Lab, validate func(step string, want ...string), drift func(sw string, words ...string), apply func(step string)) {
	t.Helper()
	in, err := inventory.Load(filepath.Join("..", "configs", file), intent.InventoryOptions())
	if err != nil {
		t.Fatal(err)
	}
	in.DHCPServers = nil
	for i := range in.Networks {
		in.Networks[i].DHCP = nil
	}
	for i := range in.Hosts {
		in.Hosts[i].Access, in.Hosts[i].SSH = "none", nil
	}
	l = startLabInv(t, in, lab.Options{})
	inv := l.InventoryPath()
	validate = func(step string, want ...string) {
		t.Helper()
		r := netalign(t, nil, "validate", "-i", inv, "-o", "json")
		wantCode := 1
		if len(want) == 0 {
			wantCode = 0
		}
		if r.code != wantCode {
			t.Fatalf("%s: validate exit %d, want %d\n%s", step, r.code, wantCode, r)
		}
		if got := findings(t, r); !slices.Equal(got, want) {
			t.Errorf("%s: findings\n got %q\nwant %q", step, got, want)
		}
	}
	drift = func(sw string, words ...string) {
		t.Helper()
		if r := netalign(t, nil, append([]string{"lab", "drift", "--dir", l.Dir(), sw}, words...)...); r.code != 0 {
			t.Fatalf("drift %s %v: %s", sw, words, r)
		}
	}
	apply = func(step string) {
		t.Helper()
		if r := netalign(t, nil, "apply", "-i", inv, "--yes"); r.code != 0 {
			t.Fatalf("%s: apply: %s", step, r)
		}
	}
	return l, validate, drift, apply
}

// TestMLAGPeering: configs/mlag.yaml's vPC pair (n9k-a, n9k-b; bonds prod-0
// and prod-1 on both) in the lab, converged by apply, then broken and
// repaired as an operator would: the peer link and the keep-alive pulled
// (lab drift), a vPC id changed and a port taken out of its port-channel
// at the switch's CLI over SSH. validate names exactly what broke, on
// which switch, and is clean again once it is repaired.
func TestMLAGPeering(t *testing.T) {
	l, validate, drift, apply := mlagLab(t, "mlag.yaml")
	inv := l.InventoryPath()
	run := func(args ...string) result { return netalign(t, nil, args...) }
	apply("from blank")
	validate("converged")

	// The peer link fails: the secondary (n9k-b) suspends its vPC
	// members (down on NX-OS), both switches report the peering down.
	drift("n9k-a", "mlag-peer-link", "down")
	validate("peer link down",
		"LACP_NOT_BUNDLED n9k-b Ethernet1/1", "LACP_NOT_BUNDLED n9k-b Ethernet1/2",
		"MLAG_PEER_DOWN n9k-a mlag peer n9k-b", "MLAG_PEER_DOWN n9k-b mlag peer n9k-a",
		"PORT_DOWN n9k-b Ethernet1/1", "PORT_DOWN n9k-b Ethernet1/2")
	drift("n9k-b", "mlag-peer-link", "up")
	validate("peer link restored")

	// The keep-alive alone: forwarding goes on, the pair is at risk.
	drift("n9k-b", "mlag-keepalive", "down")
	validate("keep-alive lost", "MLAG_PEER_DOWN n9k-a mlag peer n9k-b", "MLAG_PEER_DOWN n9k-b mlag peer n9k-a")
	r := run("validate", "-i", inv)
	if !strings.Contains(r.stdout, "prod-0 mgmt-bo, prod-1 mgmt-bo") {
		t.Errorf("MLAG_PEER_DOWN does not name the bonds at risk:\n%s", r)
	}
	drift("n9k-b", "mlag-keepalive", "up")
	validate("keep-alive restored")

	// An operator gives prod-0's port-channel another vPC id on n9k-b.
	operatorTypes(t, l, "n9k-b", "configure terminal", "interface port-channel201", "vpc 250", "end")
	validate("vPC ids differ",
		"LACP_NOT_BUNDLED n9k-b Ethernet1/1",
		"LAG_MEMBERS_SPLIT n9k-a prod-0/mgmt", "LAG_MEMBERS_SPLIT n9k-b prod-0/mgmt",
		"PORT_DOWN n9k-b Ethernet1/1")
	r = run("plan", "-i", inv)
	if r.code != 0 || !strings.Contains(r.stdout, "mlag : 250 -> 201") {
		t.Errorf("plan after the vPC id changed must restore it:\n%s", r)
	}
	apply("vPC id restored")
	validate("vPC id restored")

	// An operator takes n9k-b's port facing prod-0 out of its
	// port-channel: the bond is in a LAG on n9k-a only.
	operatorTypes(t, l, "n9k-b", "configure terminal", "interface Ethernet1/1", "no channel-group", "end")
	validate("LAG on one peer only",
		"LAG_MEMBERS_SPLIT n9k-a prod-0/mgmt", "LAG_MEMBERS_SPLIT n9k-b prod-0/mgmt",
		"LAG_MISSING n9k-b Ethernet1/1", "LAG_ORPHAN n9k-b Port-Channel201")
	apply("member rejoined")
	validate("member rejoined")
}

// operatorTypes logs in to switch sw of the lab over SSH, as an operator
// would, types lines at its CLI and logs out.
func operatorTypes(t *testing.T, l *lab.Lab, sw string, lines ...string) {
	t.Helper()
	var addr string
	for _, s := range l.Switches() {
		if s.Name == sw {
			addr = s.Addr
		}
	}
	hk, err := knownhosts.New(filepath.Join(l.Dir(), lab.KnownHostsFile))
	if err != nil {
		t.Fatal(err)
	}
	client, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{User: lab.DefaultUsername, Auth: []ssh.AuthMethod{ssh.Password(lab.DefaultPassword)},
		HostKeyCallback: hk, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	// With a pty the device's whole output comes on stdout, copied by
	// one goroutine of the SSH session; out is read only after it ended.
	var out bytes.Buffer
	sess.Stdout = &out
	sess.Stdin = strings.NewReader(strings.Join(append(lines, "exit"), "\n") + "\n")
	if err := sess.RequestPty("xterm", 24, 200, ssh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		client.Close()
		<-done
		t.Fatalf("%s: the session did not end:\n%s", sw, out.String())
	}
	if s := out.String(); strings.Contains(s, "% ") || strings.Contains(s, "ERROR") {
		t.Fatalf("%s refused a line:\n%s", sw, s)
	}
}

// TestMLAGPeeringEOS: configs/harvester-seed.yaml's EOS MLAG pair (leaf1,
// leaf2). An operator allows one more VLAN on one half of an MLAG at the
// CLI: the halves differ and EOS's config-sanity says so on both peers;
// then the peer link is pulled: the peering goes inactive and each switch
// speaks LACP as itself, so harvester-0's bond bundles with one only.
func TestMLAGPeeringEOS(t *testing.T) {
	l, validate, drift, apply := mlagLab(t, "harvester-seed.yaml")
	apply("from blank")
	validate("converged")

	operatorTypes(t, l, "leaf2", "configure", "interface Port-Channel10", "switchport trunk allowed vlan add 999", "end")
	validate("extra VLAN on one half",
		"MLAG_PEER_MISMATCH leaf1 harvester-0/mgmt", "MLAG_PEER_MISMATCH leaf1 mlag peer leaf2",
		"MLAG_PEER_MISMATCH leaf2 harvester-0/mgmt", "MLAG_PEER_MISMATCH leaf2 mlag peer leaf1",
		"VLAN_EXTRA leaf2 Port-Channel10")
	// With vlanPolicy add (the default) netalign never removes a VLAN from
	// a trunk it does not fully manage: the operator does.
	operatorTypes(t, l, "leaf2", "configure", "interface Port-Channel10", "switchport trunk allowed vlan remove 999", "end")
	validate("halves equal again")

	// EOS keeps a member that is not bundled up (no PORT_DOWN, unlike
	// NX-OS); leaf1 sorts first and keeps the bonds.
	drift("leaf1", "mlag-peer-link", "down")
	validate("peer link down",
		"LACP_NOT_BUNDLED leaf2 Ethernet1", "LACP_NOT_BUNDLED leaf2 Ethernet2", "LACP_NOT_BUNDLED leaf2 Ethernet3",
		"MLAG_PEER_DOWN leaf1 mlag peer leaf2", "MLAG_PEER_DOWN leaf2 mlag peer leaf1")
	drift("leaf1", "mlag-peer-link", "up")
	validate("peer link restored")
}
