package switchdrivers

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/inventory"
)

func TestConfigFor(t *testing.T) {
	t.Setenv("HOME", "/home/op")
	t.Setenv("NA_TEST_USER", "admin")
	t.Setenv("NA_TEST_PASS", "s3cret")
	t.Setenv("NA_TEST_ENABLE", "en4ble")
	passFile := filepath.Join(t.TempDir(), "gnmi.pass")
	if err := os.WriteFile(passFile, []byte("filepass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	settings := inventory.Settings{Timeout: 30 * time.Second, SaveConfig: true, RollbackTimeout: 45 * time.Second}
	tests := []struct {
		name string
		sw   inventory.Switch
		want Config
	}{
		{
			name: "eos defaults",
			sw: inventory.Switch{Name: "leaf1", Platform: "eos", Address: "192.0.2.11",
				Credentials: inventory.Credentials{UsernameEnv: "NA_TEST_USER", PasswordEnv: "NA_TEST_PASS", EnablePasswordEnv: "NA_TEST_ENABLE"}},
			want: Config{Name: "leaf1", Platform: "eos", Protocol: "ssh", Host: "192.0.2.11", Port: 22,
				Username: "admin", Password: secret.New("s3cret"), EnablePassword: secret.New("en4ble"),
				KnownHosts: "/home/op/.ssh/known_hosts", NetworkInstance: "default", Timeout: 30 * time.Second, Save: true, ConfirmTimeout: 45 * time.Second,
				CredentialSource: "password from $NA_TEST_PASS (passwordEnv)"},
		},
		{
			name: "address port and explicit known hosts",
			sw: inventory.Switch{Name: "leaf2", Platform: "nxos", Protocol: "ssh", Address: "127.0.0.1:2022",
				KnownHosts: "~/lab/known_hosts", Credentials: inventory.Credentials{Username: "netalign", SSHKeyFile: "~/.ssh/id_ed25519"}},
			want: Config{Name: "leaf2", Platform: "nxos", Protocol: "ssh", Host: "127.0.0.1", Port: 2022,
				Username: "netalign", KeyFile: "/home/op/.ssh/id_ed25519", CredentialSource: "key ~/.ssh/id_ed25519 (sshKeyFile)",
				KnownHosts: "/home/op/lab/known_hosts", NetworkInstance: "default", Timeout: 30 * time.Second, Save: true, ConfirmTimeout: 45 * time.Second},
		},
		{
			name: "openconfig gnmi default port and tls",
			sw: inventory.Switch{Name: "oob-sw", Platform: "openconfig", Address: "192.0.2.20",
				TLS:         &inventory.TLS{CA: "./ca.pem", ServerName: "oob-sw"},
				Credentials: inventory.Credentials{UsernameEnv: "NA_TEST_USER", PasswordFile: passFile}},
			want: Config{Name: "oob-sw", Platform: "openconfig", Protocol: "gnmi", Host: "192.0.2.20", Port: 6030,
				Username: "admin", Password: secret.New("filepass"), CAFile: "./ca.pem", ServerName: "oob-sw",
				CredentialSource: "password from " + passFile + " (passwordFile)",
				NetworkInstance:  "default", Timeout: 30 * time.Second, Save: true, ConfirmTimeout: 45 * time.Second},
		},
		{
			name: "ipv6 in brackets with port, agent, insecure",
			sw: inventory.Switch{Name: "v6", Platform: "eos", Address: "[2001:db8::1]:830", Insecure: true,
				Credentials: inventory.Credentials{Username: "u", SSHAgent: true}},
			want: Config{Name: "v6", Platform: "eos", Protocol: "ssh", Host: "2001:db8::1", Port: 830,
				Username: "u", Agent: true, Insecure: true, CredentialSource: "ssh-agent keys (sshAgent)",
				KnownHosts: "/home/op/.ssh/known_hosts", NetworkInstance: "default", Timeout: 30 * time.Second, Save: true, ConfirmTimeout: 45 * time.Second},
		},
		{
			name: "bare ipv6 and port field",
			sw:   inventory.Switch{Name: "v6b", Platform: "eos", Address: "2001:db8::2", Port: 2222, Credentials: inventory.Credentials{Username: "u"}},
			want: Config{Name: "v6b", Platform: "eos", Protocol: "ssh", Host: "2001:db8::2", Port: 2222, Username: "u", CredentialSource: "no secret configured",
				KnownHosts: "/home/op/.ssh/known_hosts", NetworkInstance: "default", Timeout: 30 * time.Second, Save: true, ConfirmTimeout: 45 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ConfigFor(tt.sw, settings)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b secret.Secret) bool { return a.Reveal() == b.Reveal() }), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ConfigFor (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigForErrors(t *testing.T) {
	tests := []struct {
		name    string
		sw      inventory.Switch
		wantSub string
	}{
		{"missing env", inventory.Switch{Name: "s", Platform: "eos", Address: "h", Credentials: inventory.Credentials{PasswordEnv: "NA_TEST_SURELY_UNSET"}}, "NA_TEST_SURELY_UNSET"},
		{"clear password", inventory.Switch{Name: "s", Platform: "eos", Address: "h", Credentials: inventory.Credentials{Password: "x"}}, "clear-text"},
		{"bad protocol", inventory.Switch{Name: "s", Platform: "eos", Protocol: "telnet", Address: "h"}, "telnet"},
		{"empty address", inventory.Switch{Name: "s", Platform: "eos"}, "empty"},
		{"bad port", inventory.Switch{Name: "s", Platform: "eos", Address: "h:99999"}, "port"},
		{"port conflict", inventory.Switch{Name: "s", Platform: "eos", Address: "h:22", Port: 2022}, "port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ConfigFor(tt.sw, inventory.Settings{})
			// The caller names the switch, once.
			if err == nil || !strings.Contains(err.Error(), tt.wantSub) || strings.Contains(err.Error(), "switch s") {
				t.Fatalf("ConfigFor = %v, want an error naming %q and not the switch", err, tt.wantSub)
			}
			if tt.name == "missing env" && cause.Of(err) != cause.CredentialsMissing {
				t.Errorf("cause = %s, want %s", cause.Of(err), cause.CredentialsMissing)
			}
		})
	}
}

func TestConfigForNeverLeaksSecrets(t *testing.T) {
	t.Setenv("NA_TEST_PASS", "hunter2")
	cfg, err := ConfigFor(inventory.Switch{Name: "s", Platform: "eos", Address: "h", Credentials: inventory.Credentials{Username: "u", PasswordEnv: "NA_TEST_PASS"}}, inventory.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg)} {
		if strings.Contains(s, "hunter2") {
			t.Fatalf("config printed its password: %s", s)
		}
	}
	if cfg.Timeout != DefaultTimeout {
		t.Errorf("Timeout = %v, want default %v", cfg.Timeout, DefaultTimeout)
	}
}

func TestSaveError(t *testing.T) {
	cause := &CommandError{Device: "leaf1", Command: "copy running-config startup-config", Output: "% Error copying"}
	var err error = &SaveError{Device: "leaf1", Err: cause}
	var ce *CommandError
	if !errors.As(err, &ce) || ce != cause {
		t.Fatal("SaveError does not unwrap to its cause")
	}
	var re *RollbackError
	if errors.As(err, &re) {
		t.Fatal("a SaveError passed for a RollbackError")
	}
	if got, want := err.Error(), `applied, but saving to startup-config failed: command "copy running-config startup-config": % Error copying`; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

// The device is in the errors' fields, for callers, and never in their
// messages: the engine names it once.
func TestErrorsDoNotNameDevice(t *testing.T) {
	ce := &CommandError{Device: "leaf1", Command: "vlan 10", Output: "% Invalid input"}
	for _, tt := range []struct {
		err  error
		want string
	}{
		{ce, `command "vlan 10": % Invalid input`},
		{&RollbackError{Device: "leaf1", Err: ce, RolledBack: true}, `command "vlan 10": % Invalid input (rolled back)`},
		{&RollbackError{Device: "leaf1", Err: ce, RollbackErr: errors.New("connection lost")}, `command "vlan 10": % Invalid input (rollback failed: connection lost)`},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("message %q, want %q", got, tt.want)
		}
	}
}
