package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInventoryCheckDrivers: inventory check refuses a platform this build
// has no driver for and lists the supported ones.
func TestInventoryCheckDrivers(t *testing.T) {
	code, _, errOut := netalign(t, "inventory", "check", "-i", "testdata/junos.yaml")
	want := `testdata/junos.yaml: switches[0].platform: no driver for platform "junos"; supported: eos, nxos, openconfig (value "junos")`
	if code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, want 1 and %q in:\n%s", code, want, errOut)
	}
}

// TestInventoryCheckResolve: --resolve reports unset variables and missing
// files by field, never the secrets; without it they are not looked at.
func TestInventoryCheckResolve(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "inv.yaml")
	os.WriteFile(inv, []byte(`version: 1
switches:
  - name: leaf1
    platform: eos
    address: 192.0.2.11
    credentials: {usernameEnv: NETALIGN_RESOLVE_USER, passwordFile: `+filepath.Join(dir, "missing.pass")+`}
    knownHosts: `+filepath.Join(dir, "known_hosts")+`
`), 0o600)
	os.WriteFile(filepath.Join(dir, "known_hosts"), nil, 0o600)
	t.Setenv("NETALIGN_RESOLVE_USER", "")
	if code, out, errOut := netalign(t, "inventory", "check", "-i", inv); code != 0 {
		t.Fatalf("without --resolve: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut := netalign(t, "inventory", "check", "--resolve", "-i", inv)
	for _, want := range []string{
		inv + `: switches[0].credentials.passwordFile: file does not exist`,
		inv + `: switches[0].credentials.usernameEnv: environment variable NETALIGN_RESOLVE_USER is empty`,
		inv + `: switches[0].knownHosts: has no host key for 192.0.2.11`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code != 1 || !strings.Contains(errOut, "3 problem(s)") {
		t.Errorf("exit %d, want 1 with 3 problems:\n%s", code, errOut)
	}
}
