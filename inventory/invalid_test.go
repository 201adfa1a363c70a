package inventory_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/inventory"
)

// invalidWant lists, for every file under testdata/invalid, the field path
// of every problem Load must report, in the order it reports them.
var invalidWant = map[string][]string{
	"bond-monitoring.yaml": {
		"clusterNetworks[0].bond.arpInterval",
		"clusterNetworks[1].bond.miimon",
		"clusterNetworks[2].bond.arpIpTargets",
		"clusterNetworks[3].bond.arpInterval",
		"clusterNetworks[4].bond.arpInterval",
		"clusterNetworks[5].bond.arpIpTargets[1]",
		"clusterNetworks[5].bond.arpIpTargets[2]",
		"clusterNetworks[5].bond.arpIpTargets[3]",
		"clusterNetworks[5].bond.arpIpTargets[4]",
		"clusterNetworks[5].bond.arpIpTargets[5]",
		"clusterNetworks[6].bond.arpIpTargets",
		"clusterNetworks[7].bond.downDelay",
		"clusterNetworks[7].bond.upDelay",
		"clusterNetworks[8].bond.arpInterval",
	},
	"cabling.yaml": {
		"hosts[0].clusterNetworks[1].nics",
		"hosts[1].clusterNetworks[0].nics",
		"hosts[1].clusterNetworks[0].nics[0].port",
		"hosts[1].clusterNetworks[1].nics[0].port",
		"hosts[1].clusterNetworks[1].nics[1].switch",
		"hosts[1].clusterNetworks[1].nics[2].port",
	},
	"clear-password.yaml": {
		"dhcpServers[0].credentials.password",
		"hosts[0].ssh.credentials.password",
		"switches[0].credentials.password",
	},
	"cluster-networks.yaml": {
		"clusterNetworks[0].mtu",
		"clusterNetworks[0].name",
		"clusterNetworks[1].mtu",
		"clusterNetworks[1].name",
		"clusterNetworks[2].name",
		"clusterNetworks[3].bond.mode",
		"clusterNetworks[4].bond.lacpRate",
		"clusterNetworks[5].bond.lacpRate",
		"clusterNetworks[5].bond.xmitHashPolicy",
		"clusterNetworks[6].bond.downDelay",
		"clusterNetworks[6].bond.miimon",
		"clusterNetworks[6].bond.minLinks",
		"clusterNetworks[6].bond.upDelay",
	},
	"dhcp-servers.yaml": {
		"dhcpServers[0].kind",
		"dhcpServers[1].endpoint",
		"dhcpServers[2].endpoint",
		"dhcpServers[3].endpoint",
		"dhcpServers[4].endpoint",
		"dhcpServers[5].endpoint",
		"dhcpServers[6].kind",
		"dhcpServers[7].credentials.passwordEnv",
		"dhcpServers[7].credentials.passwordFile",
		"dhcpServers[7].credentials.usernameEnv",
		"dhcpServers[8].kind",
	},
	"dhcp.yaml": {
		"networks[0].dhcp.dns[1]",
		"networks[0].dhcp.gateway",
		"networks[0].dhcp.reservations[0].ip",
		"networks[0].dhcp.reservations[1].mac",
		"networks[1].dhcp.ranges[0]",
		"networks[1].dhcp.ranges[1]",
		"networks[1].dhcp.ranges[2]",
		"networks[2].dhcp.gateway",
		"networks[2].dhcp.range",
		"networks[2].dhcp.subnet",
		"networks[3].dhcp.leaseTime",
		"networks[3].dhcp.range",
		"networks[3].dhcp.relay",
		"networks[4].dhcp",
		"networks[5].dhcp.subnet",
	},
	"drivers.yaml": {
		"dhcpServers[1].kind",
		"hosts[0].clusterNetworks[0].nics[0].port",
		"networks[0].name",
		"networks[1].dhcp.interface",
		"networks[2].dhcp.interface",
		"switches[1].platform",
		"switches[2].protocol",
	},
	"duplicates.yaml": {
		"clusterNetworks[2].name",
		"dhcpServers[1].name",
		"hosts[0].clusterNetworks[0].nics[1].name",
		"hosts[0].clusterNetworks[1].nics[0].name",
		"hosts[1].name",
		"networks[1].name",
		"switches[1].name",
	},
	"hosts.yaml": {
		"hosts[0].access",
		"hosts[0].clusterNetworks[0].nics[0].name",
		"hosts[0].clusterNetworks[0].nics[1].mac",
		"hosts[0].clusterNetworks[0].nics[1].name",
		"hosts[0].clusterNetworks[0].nics[2].mac",
		"hosts[0].clusterNetworks[0].nics[2].name",
		"hosts[0].clusterNetworks[0].nics[3].name",
		"hosts[1].address",
		"hosts[1].clusterNetworks[0].nics",
		"hosts[1].ssh",
		"hosts[2].address",
		"hosts[2].clusterNetworks[0].nics[0].lagId",
		"hosts[2].clusterNetworks[0].nics[1].lagId",
		"hosts[2].connectivity.target",
		"hosts[2].connectivity.timeout",
		"hosts[2].ssh.credentials",
		"hosts[2].ssh.port",
		"hosts[2].ssh.user",
		"hosts[3].clusterNetworks[0].nics[1].lagId",
		"hosts[3].clusterNetworks[1].name",
		"hosts[4].clusterNetworks[0].nics[0].lagId",
	},
	"implicit-mgmt.yaml": {
		"clusterNetworks[0].mgmtVlan",
		"networks[1].vlan",
	},
	"injection.yaml": {
		"dhcpServers[0].restartCommand",
		"hosts[0].clusterNetworks[0].nics[0].port",
		"hosts[0].clusterNetworks[0].nics[0].switch",
		"networks[0].dhcp.domain",
		"networks[0].dhcp.interface",
		"networks[0].dhcp.reservations[0].hostname",
		"networks[0].name",
		"networks[1].name",
		"switches[0].mgmtPort",
		"switches[0].name",
		"switches[0].networkInstance",
		"switches[0].protectedPorts[1]",
	},
	"many-errors.yaml": {
		"clusterNetworks[0].bond.lacpRate",
		"clusterNetworks[0].mgmtVlan",
		"clusterNetworks[0].mtu",
		"clusterNetworks[1].name",
		"dhcpServers[0].kind",
		"hosts[0].clusterNetworks[0].nics",
		"hosts[0].clusterNetworks[0].nics[2].port",
		"hosts[1].clusterNetworks[0].nics[0].port",
		"hosts[1].name",
		"networks[0].vlan",
		"networks[1].clusterNetwork",
		"networks[1].dhcp.server",
		"networks[1].dhcp.subnet",
		"networks[1].name",
		"settings.timeout",
		"switches[0].credentials.password",
		"switches[0].mlagPeer",
		"switches[2].unknownKnob",
		"version",
	},
	"references.yaml": {
		"hosts[0].clusterNetworks[0].name",
		"hosts[0].clusterNetworks[1].nics[0].switch",
		"networks[0].clusterNetwork",
		"networks[1].dhcp.server",
		"switches[0].mlagPeer",
		"switches[1].mlagPeer",
		"switches[2].mlagPeer",
		"switches[3].mlagPeer",
		"switches[4].mlagPeer",
	},
	"switches.yaml": {
		"switches[0].platform",
		"switches[0].protocol",
		"switches[1].address",
		"switches[1].protocol",
		"switches[2].address",
		"switches[2].lagIds",
		"switches[3].credentials",
		"switches[3].lagIds",
		"switches[3].port",
		"switches[4].credentials.username",
		"switches[4].lagIds",
		"switches[5].address",
		"switches[5].credentials.enablePasswordEnv",
		"switches[5].credentials.passwordFile",
		"switches[5].credentials.usernameEnv",
		"switches[5].lagIds",
		"switches[6].platform",
		"switches[6].tls",
	},
	"unknown-keys.yaml": {
		"clusterNetworks[0].bond.lacpRatee",
		"descriptions",
		"hosts[0].clusterNetworks[0].nics[0].speed",
		"settings.paralelism",
		"switches[1].credentials",
		"switches[1].lagIDs",
		"switches[1].pasword",
	},
	"version-settings.yaml": {
		"clusterNetworks[0].bond.miimon",
		"clusterNetworks[0].mtu",
		"settings.parallelism",
		"settings.rollbackTimeout",
		"settings.saveConfig",
		"settings.timeout",
		"version",
	},
	"vlans.yaml": {
		"clusterNetworks[0].mgmtVlan",
		"clusterNetworks[1].mgmtVlan",
		"clusterNetworks[2].untaggedVlan",
		"networks[1].vlan",
		"networks[3].vlan",
		"networks[4].vlan",
		"networks[6].vlan",
	},
}

// TestInvalid loads every file under testdata/invalid and wants exactly the
// problems listed in invalidWant, all in one error.
func TestInvalid(t *testing.T) {
	cleanEnv(t)
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := invalidWant[name]
			if !ok {
				t.Fatalf("no expectations for %s in invalidWant", name)
			}
			inv, err := inventory.Load(f, opts)
			if inv != nil {
				t.Errorf("Load returned an inventory along with the error")
			}
			var ve inventory.ValidationErrors
			if !errors.As(err, &ve) {
				t.Fatalf("Load error = %v, want ValidationErrors", err)
			}
			if diff := cmp.Diff(want, ve.Paths()); diff != "" {
				t.Errorf("paths (-want +got):\n%s\nall errors:\n%v", diff, err)
			}
			for _, e := range ve {
				if e.File != f {
					t.Errorf("%s: File = %q, want %q", e.Path, e.File, f)
				}
				if !strings.HasPrefix(e.Error(), f+":") {
					t.Errorf("error line %q does not start with the file name", e.Error())
				}
			}
			if got, want := strings.Count(err.Error(), "\n"), len(ve)-1; got != want {
				t.Errorf("Error() has %d line breaks, want %d (one line per problem, no raw newlines from values)", got, want)
			}
		})
	}
	for name := range invalidWant {
		if !seen[name] {
			t.Errorf("invalidWant names %s, which is not in testdata/invalid", name)
		}
	}
	if len(files) < 12 {
		t.Errorf("%d invalid inventories, want at least 12", len(files))
	}
}

// TestInvalidMessages pins the messages operators rely on.
func TestInvalidMessages(t *testing.T) {
	cleanEnv(t)
	tests := []struct {
		file string
		want []string // whole lines that must appear
		deny []string // text that must not appear anywhere
	}{
		{
			file: "unknown-keys.yaml",
			want: []string{
				"testdata/invalid/unknown-keys.yaml:20: switches[1].pasword: unknown field",
				`testdata/invalid/unknown-keys.yaml:19: switches[1].lagIDs: unknown field; did you mean "lagIds"?`,
				`testdata/invalid/unknown-keys.yaml:6: settings.paralelism: unknown field; did you mean "parallelism"?`,
			},
			deny: []string{"hunter2"},
		},
		{
			file: "clear-password.yaml",
			want: []string{"testdata/invalid/clear-password.yaml: switches[0].credentials.password: clear-text passwords are not allowed in the inventory; put the secret in an environment variable named by passwordEnv, or in a file named by passwordFile"},
			deny: []string{"S3cret!"},
		},
		{
			file: "injection.yaml",
			want: []string{
				`testdata/invalid/injection.yaml: networks[0].name: contains a newline: text that reaches a device CLI or a configuration file must be one plain line (value "a\nshow run")`,
				`testdata/invalid/injection.yaml: hosts[0].clusterNetworks[0].nics[0].port: contains ";", which could inject a command: text that reaches a device CLI or a configuration file must be one plain line (value "Ethernet1;reload")`,
			},
			deny: []string{"a\nshow run", "\r", "\a"},
		},
		{
			file: "cluster-networks.yaml",
			want: []string{`testdata/invalid/cluster-networks.yaml: clusterNetworks[3].bond.mode: unknown bond mode "bogus"; valid: 0|balance-rr|round-robin|rr, 1|active-backup|failover|ab, 2|balance-xor|xor, 3|broadcast, 4|802.3ad|lacp|8023ad|802.3ad-lacp, 5|balance-tlb|tlb, 6|balance-alb|alb (value "bogus")`},
		},
		{
			file: "cabling.yaml",
			want: []string{`testdata/invalid/cabling.yaml: hosts[1].clusterNetworks[0].nics[0].port: switch a1 port Ethernet1 is already cabled to NIC eno1 of host h0 (hosts[0].clusterNetworks[0].nics[0]) (value "Et1")`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := inventory.Load(filepath.Join("testdata", "invalid", tt.file), opts)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			lines := strings.Split(err.Error(), "\n")
			for _, w := range tt.want {
				found := false
				for _, l := range lines {
					found = found || l == w
				}
				if !found {
					t.Errorf("missing line\n%s\nin\n%s", w, err)
				}
			}
			for _, d := range tt.deny {
				if strings.Contains(err.Error(), d) {
					t.Errorf("errors contain %q:\n%s", d, err)
				}
			}
		})
	}
}

// TestValidateWithoutBondModeParser: without the parser, bond modes are
// reported as unchecked instead of silently accepted.
func TestValidateWithoutBondModeParser(t *testing.T) {
	cleanEnv(t)
	_, err := inventory.Load(filepath.Join("testdata", "valid", "full.yaml"), inventory.Options{})
	var ve inventory.ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("Load error = %v, want ValidationErrors", err)
	}
	want := []string{"clusterNetworks[0].bond.mode", "clusterNetworks[1].bond.mode"}
	if diff := cmp.Diff(want, ve.Paths()); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}

// TestBondSpreadWithoutLAGTable: without BondModeNeedsLAG every bond is
// held to one switch or one MLAG pair, active-backup included.
func TestBondSpreadWithoutLAGTable(t *testing.T) {
	cleanEnv(t)
	o := opts
	o.BondModeNeedsLAG = nil
	_, err := inventory.Load(filepath.Join("testdata", "invalid", "cabling.yaml"), o)
	var ve inventory.ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("Load error = %v, want ValidationErrors", err)
	}
	want := append([]string{"hosts[0].clusterNetworks[1].nics", "hosts[0].clusterNetworks[2].nics"}, invalidWant["cabling.yaml"][1:]...)
	if diff := cmp.Diff(want, ve.Paths()); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}
