package inventory_test

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/inventory"
)

// TestCheckReferences: every missing variable, unreadable file and
// known_hosts file without the device's key is reported with its field and
// the name, never the secret.
func TestCheckReferences(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	kh := write("known_hosts", strings.Join([]string{
		"# a comment",
		knownhosts.Line([]string{"192.0.2.11"}, key),
		knownhosts.Line([]string{knownhosts.HashHostname(knownhosts.Normalize("192.0.2.12:2222"))}, key),
		knownhosts.Line([]string{"[192.0.2.101]:2200"}, key),
		"@cert-authority *.example.net " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))),
	}, "\n")+"\n")
	bad := write("bad_known_hosts", "192.0.2.11 ssh-ed25519 not-base64!\n")
	ca := write("ca.pem", "pem")
	t.Setenv("REF_USER", "ops")
	t.Setenv("REF_EMPTY", "")
	t.Setenv("REF_PASS", "s3cret-value")
	os.Unsetenv("REF_UNSET")

	cred := inventory.Credentials{UsernameEnv: "REF_USER", PasswordEnv: "REF_PASS"}
	inv := &inventory.Inventory{
		Version: 1, Source: "refs.yaml",
		Switches: []inventory.Switch{
			{Name: "leaf1", Platform: "eos", Address: "192.0.2.11", Credentials: cred, KnownHosts: kh},
			{Name: "leaf2", Platform: "eos", Address: "192.0.2.12:2222", Credentials: cred, KnownHosts: kh},
			{Name: "leaf3", Platform: "eos", Address: "192.0.2.13", KnownHosts: kh,
				Credentials: inventory.Credentials{UsernameEnv: "REF_UNSET", PasswordEnv: "REF_EMPTY", EnablePasswordEnv: "REF_PASS"}},
			{Name: "leaf4", Platform: "eos", Address: "leaf4.example.net", Credentials: cred, KnownHosts: bad},
			{Name: "leaf5", Platform: "eos", Address: "192.0.2.15", Credentials: cred, KnownHosts: kh, Insecure: true},
			{Name: "oc1", Platform: "openconfig", Protocol: "gnmi", Address: "192.0.2.20:6030", KnownHosts: filepath.Join(dir, "unused"),
				Credentials: inventory.Credentials{UsernameEnv: "REF_USER", PasswordFile: filepath.Join(dir, "missing.pass")},
				TLS:         &inventory.TLS{CA: ca, Cert: filepath.Join(dir, "missing.pem"), Key: dir}},
		},
		DHCPServers: []inventory.DHCPServer{{Name: "kea1", Kind: "kea", Credentials: inventory.Credentials{PasswordEnv: "REF_UNSET"}}},
		Hosts: []inventory.Host{
			{Name: "h0", Address: "192.0.2.101", SSH: &inventory.SSHAccess{User: "u", Port: 2200, KnownHosts: kh, Credentials: inventory.Credentials{SSHKeyFile: dir}}},
			{Name: "h1", Address: "192.0.2.102", SSH: &inventory.SSHAccess{User: "u", Port: 22, KnownHosts: kh, Credentials: inventory.Credentials{SSHAgent: true}}},
		},
	}
	inv.ApplyDefaults()
	err = inventory.CheckReferences(inv)
	var ve inventory.ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("CheckReferences = %v, want ValidationErrors", err)
	}
	want := []string{
		`refs.yaml: dhcpServers[0].credentials.passwordEnv: environment variable REF_UNSET is not set (value "REF_UNSET")`,
		`refs.yaml: hosts[0].ssh.credentials.sshKeyFile: file is not readable: not a regular file (value "` + dir + `")`,
		`refs.yaml: hosts[1].ssh.knownHosts: has no host key for 192.0.2.102: add it with ssh-keyscan after checking its fingerprint (value "` + kh + `")`,
		`refs.yaml: switches[2].credentials.passwordEnv: environment variable REF_EMPTY is empty (value "REF_EMPTY")`,
		`refs.yaml: switches[2].credentials.usernameEnv: environment variable REF_UNSET is not set (value "REF_UNSET")`,
		`refs.yaml: switches[2].knownHosts: has no host key for 192.0.2.13: add it with ssh-keyscan after checking its fingerprint (value "` + kh + `")`,
		`refs.yaml: switches[3].knownHosts: cannot be read as a known_hosts file: ` + bad + `: no valid entries, line 1: illegal base64 data at input byte 3 (value "` + bad + `")`,
		`refs.yaml: switches[5].credentials.passwordFile: file does not exist (value "` + filepath.Join(dir, "missing.pass") + `")`,
		`refs.yaml: switches[5].tls.cert: file does not exist (value "` + filepath.Join(dir, "missing.pem") + `")`,
		`refs.yaml: switches[5].tls.key: file is not readable: not a regular file (value "` + dir + `")`,
	}
	if diff := cmp.Diff(want, strings.Split(err.Error(), "\n")); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if strings.Contains(err.Error(), "s3cret-value") || strings.Contains(err.Error(), "ops") {
		t.Errorf("a variable's value reached the problems:\n%v", err)
	}

	// What is there passes: plain, hashed and [host]:port entries.
	inv.Switches, inv.DHCPServers, inv.Hosts = inv.Switches[:2], nil, inv.Hosts[:1]
	inv.Hosts[0].SSH.Credentials = inventory.Credentials{SSHAgent: true}
	if err := inventory.CheckReferences(inv); err != nil {
		t.Errorf("complete references: %v", err)
	}
}
