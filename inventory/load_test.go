package inventory_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/inventory"
)

// wantFull is testdata/valid/full.* after defaults.
func wantFull() *inventory.Inventory {
	return &inventory.Inventory{
		Version:  1,
		Settings: inventory.Settings{Parallelism: 4, Timeout: 90 * time.Second, RollbackTimeout: 60 * time.Second, SaveConfig: false},
		ClusterNetworks: []inventory.ClusterNetwork{
			{Name: "mgmt", MTU: 9000, UntaggedVLAN: 1, MgmtVLAN: 10,
				Bond: inventory.Bond{Mode: "4", Miimon: new(100), LACPRate: "fast", XmitHashPolicy: "layer3+4", MinLinks: 1}},
			{Name: "oob", MTU: 1500, UntaggedVLAN: 20, Bond: inventory.Bond{Mode: "active-backup", Miimon: new(100)}},
		},
		Networks: []inventory.Network{
			{Name: "vlan100", ClusterNetwork: "mgmt", VLAN: 100, DHCP: &inventory.DHCPBlock{
				Server: "kea1", Subnet: "172.16.100.0/24", Range: "172.16.100.50-172.16.100.200",
				Gateway: "172.16.100.1", DNS: []string{"172.16.0.53", "172.16.0.54"}, Domain: "lab.example.net",
				LeaseTime: 90 * time.Minute, Relay: "172.16.100.1",
				Reservations: []inventory.Reservation{{MAC: "52:54:00:aa:bb:01", IP: "172.16.100.10", Hostname: "vm-1"}},
			}},
			{Name: "oob-native", ClusterNetwork: "oob"},
		},
		Switches: []inventory.Switch{
			{Name: "leaf1", Platform: "eos", Protocol: "ssh", Address: "192.0.2.11",
				Credentials: inventory.Credentials{UsernameEnv: "SW_USER", PasswordEnv: "SW_PASS"},
				KnownHosts:  "/etc/netalign/known_hosts", LAGIDs: "10-99", MLAGPeer: "leaf2",
				ProtectedPorts: []string{"Ethernet48"}, NetworkInstance: "default", VLANPolicy: "add"},
			{Name: "leaf2", Platform: "eos", Protocol: "ssh", Address: "192.0.2.12:22",
				Credentials: inventory.Credentials{Username: "admin", PasswordFile: "/etc/netalign/leaf2.pass"},
				LAGIDs:      "1-999", MLAGPeer: "leaf1", NetworkInstance: "default", VLANPolicy: "add"},
			{Name: "oc1", Platform: "openconfig", Protocol: "gnmi", Address: "192.0.2.20:6030",
				Credentials: inventory.Credentials{UsernameEnv: "GNMI_USER", PasswordEnv: "GNMI_PASS"},
				TLS:         &inventory.TLS{CA: "/etc/netalign/ca.pem", ServerName: "oc1.example.net"},
				LAGIDs:      "1-999", NetworkInstance: "default", VLANPolicy: "add"},
		},
		DHCPServers: []inventory.DHCPServer{
			{Name: "kea1", Kind: "kea", Endpoint: "https://192.0.2.53:8000",
				Credentials: inventory.Credentials{UsernameEnv: "KEA_USER", PasswordEnv: "KEA_PASS"}},
		},
		Hosts: []inventory.Host{
			{Name: "node-0", Address: "192.0.2.101", Access: "ssh",
				SSH:          &inventory.SSHAccess{User: "rancher", Port: 2222, Credentials: inventory.Credentials{SSHAgent: true}},
				Connectivity: &inventory.Connectivity{Target: "192.0.2.1", Timeout: 30 * time.Second},
				ClusterNetworks: []inventory.HostClusterNetwork{
					{Name: "mgmt", NICs: []inventory.NIC{
						{Name: "eno1", MAC: "52:54:00:00:00:01", Switch: "leaf1", Port: "Et1", LAGID: 11},
						{Name: "eno2", MAC: "52:54:00:00:00:02", Switch: "leaf2", Port: "Ethernet1", LAGID: 11},
					}},
					{Name: "oob", NICs: []inventory.NIC{{Name: "eno3", Switch: "oc1", Port: "Ethernet5"}}},
				}},
		},
	}
}

// TestLoadFormats loads the same inventory written in YAML, JSON and TOML.
func TestLoadFormats(t *testing.T) {
	cleanEnv(t)
	for _, f := range []string{"full.yaml", "full.json", "full.toml"} {
		t.Run(f, func(t *testing.T) {
			path := filepath.Join("testdata", "valid", f)
			got, err := inventory.Load(path, opts)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got.Source != path {
				t.Errorf("Source = %q, want %q", got.Source, path)
			}
			if diff := cmp.Diff(wantFull(), got, cmpopts.IgnoreFields(inventory.Inventory{}, "Source")); diff != "" {
				t.Errorf("Load(%s) mismatch (-want +got):\n%s", f, diff)
			}
		})
	}
}

// TestLoadDefaults checks every default on a minimal inventory, including
// the built-in mgmt cluster network that hosts refer to without listing it.
func TestLoadDefaults(t *testing.T) {
	cleanEnv(t)
	const doc = `
version: 1
switches:
  - {name: oc, platform: openconfig, address: 192.0.2.20, credentials: {usernameEnv: U, passwordEnv: P}}
  - {name: sw, platform: eos, address: 192.0.2.21, credentials: {usernameEnv: U, passwordEnv: P}}
hosts:
  - name: h0
    clusterNetworks:
      - name: mgmt
        nics: [{name: eno1, switch: sw, port: Ethernet1}]
  - name: h1
    address: 192.0.2.101
    access: ssh
    ssh: {user: rancher, credentials: {sshAgent: true}}
    connectivity: {target: 192.0.2.1}
`
	got, err := inventory.LoadBytes(context.Background(), "mem.yaml", []byte(doc), "yaml", opts)
	if err != nil {
		t.Fatalf("LoadBytes: %v", err)
	}
	wantSettings := inventory.Settings{Parallelism: 16, Timeout: 60 * time.Second, RollbackTimeout: 60 * time.Second, SaveConfig: true}
	if diff := cmp.Diff(wantSettings, got.Settings); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	wantCN := []inventory.ClusterNetwork{{Name: "mgmt", MTU: 1500, UntaggedVLAN: 1, Bond: inventory.Bond{Mode: "active-backup", Miimon: new(100)}}}
	if diff := cmp.Diff(wantCN, got.ClusterNetworks); diff != "" {
		t.Errorf("cluster networks (-want +got):\n%s", diff)
	}
	type sw struct{ Protocol, LAGIDs, NetworkInstance string }
	var gotSW []sw
	for _, s := range got.Switches {
		gotSW = append(gotSW, sw{s.Protocol, s.LAGIDs, s.NetworkInstance})
	}
	wantSW := []sw{{"gnmi", "1-999", "default"}, {"ssh", "1-999", "default"}}
	if diff := cmp.Diff(wantSW, gotSW); diff != "" {
		t.Errorf("switch defaults (-want +got):\n%s", diff)
	}
	h1 := got.Host("h1")
	if h1 == nil || h1.SSH.Port != 22 || h1.Connectivity.Timeout != 60*time.Second {
		t.Errorf("host h1 = %+v, want ssh port 22 and connectivity timeout 60s", h1)
	}
	if got.ClusterNetwork("mgmt") == nil || got.Switch("sw") == nil || got.Host("h0") == nil || got.Switch("nope") != nil {
		t.Errorf("lookups by name do not find the entries")
	}
}

// TestEnvOverrides: NETALIGN_SETTINGS_* replace the file's settings, and
// nothing else is taken from the environment.
func TestEnvOverrides(t *testing.T) {
	cleanEnv(t)
	t.Setenv("NETALIGN_SETTINGS_PARALLELISM", "32")
	t.Setenv("NETALIGN_SETTINGS_TIMEOUT", "2m")
	t.Setenv("NETALIGN_SETTINGS_ROLLBACKTIMEOUT", "45s")
	t.Setenv("NETALIGN_SETTINGS_SAVECONFIG", "true")
	t.Setenv("NETALIGN_VERSION", "7")
	t.Setenv("NETALIGN_SWITCHES", "bogus")
	got, err := inventory.Load(filepath.Join("testdata", "valid", "full.yaml"), opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := inventory.Settings{Parallelism: 32, Timeout: 2 * time.Minute, RollbackTimeout: 45 * time.Second, SaveConfig: true}
	if diff := cmp.Diff(want, got.Settings); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	if got.Version != 1 || len(got.Switches) != 3 {
		t.Errorf("version %d, %d switches: the environment changed more than settings", got.Version, len(got.Switches))
	}
}

// TestEnvOverrideInvalid: a bad value from the environment is reported at
// the setting's path and names the variable.
func TestEnvOverrideInvalid(t *testing.T) {
	cleanEnv(t)
	t.Setenv("NETALIGN_SETTINGS_PARALLELISM", "lots")
	t.Setenv("NETALIGN_SETTINGS_TIMEOUT", "-5s")
	_, err := inventory.Load(filepath.Join("testdata", "valid", "full.yaml"), opts)
	var ve inventory.ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("Load error = %v, want ValidationErrors", err)
	}
	want := []string{
		`testdata/valid/full.yaml: settings.parallelism: want a number (from NETALIGN_SETTINGS_PARALLELISM) (value "lots")`,
		`testdata/valid/full.yaml: settings.timeout: must be positive (value "-5s")`,
	}
	if diff := cmp.Diff(want, strings.Split(ve.Error(), "\n")); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestLoadBytesFormats covers strictness and type errors in JSON and TOML,
// where viper has lower-cased the keys.
func TestLoadBytesFormats(t *testing.T) {
	cleanEnv(t)
	tests := []struct {
		name, format, doc string
		want              []string
	}{
		{
			name: "json unknown key keeps its spelling", format: "json",
			doc:  `{"version": 1, "clusterNetworks": [{"name": "mgmt", "bond": {"mode": "lacp", "lacpRateX": "fast"}}]}`,
			want: []string{`x.json:1: clusterNetworks[0].bond.lacpRateX: unknown field; did you mean "lacpRate"?`},
		},
		{
			name: "unknown key under a pointer field", format: "json",
			doc: `{"version": 1, "dhcpServers": [{"name": "k", "kind": "kea", "endpoint": "http://192.0.2.1:8000"}],
			       "networks": [{"name": "n", "clusterNetwork": "mgmt", "vlan": 5,
			                     "dhcp": {"server": "k", "subnet": "10.0.0.0/24", "range": "10.0.0.5-10.0.0.9", "Pool": "x"}}]}`,
			want: []string{`x.json:3: networks[0].dhcp.Pool: unknown field`},
		},
		{
			name: "toml type error", format: "toml",
			doc:  "version = 1\n[[clusterNetworks]]\nname = \"mgmt\"\nmtu = \"big\"\n",
			want: []string{`x.toml: clusterNetworks[0].mtu: want a number (value "big")`},
		},
		{
			name: "bare number duration", format: "yaml",
			doc:  "version: 1\nsettings: {timeout: 60}\n",
			want: []string{`x.yaml: settings.timeout: a duration needs a unit: write for example "60s"`},
		},
		{
			name: "mapping where a list belongs", format: "yaml",
			doc:  "version: 1\nswitches: {name: leaf1}\n",
			want: []string{`x.yaml: switches: want a list`},
		},
		{
			name: "list where a mapping belongs", format: "yaml",
			doc:  "version: 1\nclusterNetworks: [{name: mgmt, bond: [{mode: lacp}, {miimon: 50}]}]\n",
			want: []string{`x.yaml: clusterNetworks[0].bond: want a mapping of fields`},
		},
		{
			name: "unknown keys without a value", format: "yaml",
			doc: "version: 1\nDescriptions:\nsettings:\n  bogus:\n  timeout:\nhosts:\n  - name: h\n    extra:\n",
			want: []string{
				`x.yaml:2: Descriptions: unknown field`,
				`x.yaml:8: hosts[0].extra: unknown field`,
				`x.yaml:4: settings.bogus: unknown field`,
			},
		},
		{
			name: "unknown top-level key", format: "yml",
			doc:  "version: 1\nSwitchez: []\n",
			want: []string{`x.yml:2: Switchez: unknown field; did you mean "switches"?`},
		},
		{
			name: "a key given twice", format: "yaml",
			doc:  "version: 1\nsettings:\n  timeout: 10s\n  timeout: 20s\n",
			want: []string{`x.yaml:4: settings.timeout: given twice (first at line 3)`},
		},
		{
			name: "a key given twice in json", format: "json",
			doc:  "{\"version\": 1,\n \"version\": 1}",
			want: []string{`x.json:2: version: given twice (first at line 1)`},
		},
		{
			name: "keys that are not plain text are quoted", format: "json",
			doc:  "{\"version\": 1, \"a\\nb\\u202e\": 1}",
			want: []string{`x.json:1: "a\nb\u202e": unknown field`},
		},
		{
			name: "toml keys are matched exactly, with their line", format: "toml",
			doc: "version = 1\n[settings]\nParallelism = 3\n[[clusterNetworks]]\nname = \"mgmt\"\nbond.lacpRat = \"fast\"\n",
			want: []string{
				`x.toml:6: clusterNetworks[0].bond.lacpRat: unknown field; did you mean "lacpRate"?`,
				`x.toml:3: settings.Parallelism: unknown field; did you mean "parallelism"?`,
			},
		},
		{
			name: "yaml anchors, aliases and merge keys", format: "yaml",
			doc: `version: 1
switches:
  - {name: a, platform: eos, address: 192.0.2.1, credentials: &creds {usernameEnv: U, passwordEnv: P}}
  - {name: b, platform: eos, address: 192.0.2.2, credentials: *creds}
  - <<: {platform: eos, credentials: *creds, speed: 10}
    name: c
    address: 192.0.2.3
    Address: 192.0.2.3
`,
			want: []string{
				`x.yaml:8: switches[2].Address: unknown field; did you mean "address"?`,
				`x.yaml:5: switches[2].speed: unknown field`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inventory.LoadBytes(context.Background(), "x."+tt.format, []byte(tt.doc), tt.format, opts)
			if err == nil {
				t.Fatal("LoadBytes succeeded, want errors")
			}
			if diff := cmp.Diff(tt.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadUnreadable: syntax errors and unsupported formats are plain
// errors naming the file.
func TestLoadUnreadable(t *testing.T) {
	if _, err := inventory.LoadBytes(context.Background(), "bad.yaml", []byte("version: [1\n"), "yaml", opts); err == nil || !strings.HasPrefix(err.Error(), "inventory bad.yaml: parse yaml:") {
		t.Errorf("syntax error = %v", err)
	}
	if _, err := inventory.Load("inventory.ini", opts); err == nil || !strings.Contains(err.Error(), "unsupported file extension") {
		t.Errorf("ini = %v", err)
	}
	if _, err := inventory.Load(filepath.Join("testdata", "missing.yaml"), opts); err == nil {
		t.Error("missing file loaded")
	}
}
