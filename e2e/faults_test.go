package e2e

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/internal/lab/gnmi"
	"github.com/netalign/netalign/inventory"
)

// faultTimeout is settings.timeout in the fault tests: every run must end
// within it plus faultSlack, with the device's cause.
const (
	faultTimeout = 3 * time.Second
	faultSlack   = 2 * time.Second
)

// faultCase is one way a device fails, and what every command must say.
type faultCase struct {
	name   string
	faults map[string]device.Faults
	// edit changes the lab's inventory (addresses, platforms, files).
	edit func(t *testing.T, l *lab.Lab, inv *inventory.Inventory)
	// env replaces the lab's credential variables (nil: the lab's own).
	env    func(l *lab.Lab) []string
	device string
	cause  string
	// says is what the one-line cause must contain.
	says []string
}

// TestDeviceFaults runs plan, validate, apply and observe against a lab
// where one device fails in a given way: every command ends within the
// timeout plus 2 s, exits non-zero, names the device once with its cause
// in one line, and -o json documents carry the cause.
func TestDeviceFaults(t *testing.T) {
	cases := []faultCase{
		{name: "blackhole", faults: map[string]device.Faults{"leaf1": {Blackhole: true}},
			device: "leaf1", cause: "TIMEOUT"},
		{name: "slow-accept", faults: map[string]device.Faults{"leaf2": {SlowAccept: 30 * time.Second}},
			device: "leaf2", cause: "TIMEOUT"},
		{name: "never-speaks", edit: func(t *testing.T, _ *lab.Lab, inv *inventory.Inventory) {
			host, port := silentListener(t)
			sw := switchOf(inv, "leaf1")
			sw.Address, sw.Port = host, port
		}, device: "leaf1", cause: "TIMEOUT"},
		{name: "wrong-password", env: func(*lab.Lab) []string {
			return []string{lab.DefaultUsernameEnv + "=" + lab.DefaultUsername, lab.DefaultPasswordEnv + "=wrong-password"}
		}, device: "leaf1", cause: "AUTH_FAILED", says: []string{lab.DefaultUsername, lab.DefaultPasswordEnv}},
		{name: "unset-variable", env: func(*lab.Lab) []string {
			return []string{lab.DefaultUsernameEnv + "=" + lab.DefaultUsername}
		}, device: "leaf1", cause: "CREDENTIALS_MISSING", says: []string{lab.DefaultPasswordEnv}},
		{name: "wrong-host-key", edit: func(t *testing.T, l *lab.Lab, inv *inventory.Inventory) {
			sw := switchOf(inv, "leaf2")
			sw.KnownHosts = otherKnownHosts(t, sw.Address, sw.Port)
		}, device: "leaf2", cause: "HOST_KEY_MISMATCH", says: []string{"SHA256:"}},
		{name: "unknown-host-key", edit: func(t *testing.T, l *lab.Lab, inv *inventory.Inventory) {
			sw := switchOf(inv, "leaf1")
			empty := filepath.Join(t.TempDir(), "known_hosts")
			if err := os.WriteFile(empty, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			sw.KnownHosts = empty
		}, device: "leaf1", cause: "HOST_KEY_UNKNOWN", says: []string{"SHA256:"}},
		{name: "wrong-platform", edit: func(t *testing.T, _ *lab.Lab, inv *inventory.Inventory) {
			switchOf(inv, "leaf2").Platform = "eos" // leaf2 is an NX-OS switch
		}, device: "leaf2", cause: "PLATFORM_MISMATCH"},
		{name: "bad-ca", edit: func(t *testing.T, _ *lab.Lab, inv *inventory.Inventory) {
			ca, err := gnmi.LoadOrCreateCA(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			switchOf(inv, "oob-sw").TLS = &inventory.TLS{CA: ca.File()}
		}, device: "oob-sw", cause: "TLS_VERIFY_FAILED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{Faults: tc.faults})
			inv := *l.Inventory()
			inv.Switches = append([]inventory.Switch(nil), inv.Switches...)
			inv.Settings.Timeout = faultTimeout
			if tc.edit != nil {
				tc.edit(t, l, &inv)
			}
			file := writeInventory(t, &inv)
			env := []string{lab.DefaultUsernameEnv + "=" + lab.DefaultUsername, lab.DefaultPasswordEnv + "=" + lab.DefaultPassword}
			if tc.env != nil {
				env = tc.env(l)
			}
			for _, args := range [][]string{
				{"plan", "-o", "json"},
				{"validate", "-o", "json"},
				{"apply", "--yes", "-o", "json"},
				{"observe", "-o", filepath.Join(t.TempDir(), "snapshot.json")},
				{"plan"},
				{"apply"}, // no --yes: shows the same plan, then asks
			} {
				start := time.Now()
				r := netalignExactEnv(t, env, append(args, "-i", file, "--log-level", "error")...)
				took := time.Since(start)
				what := strings.Join(args, " ")
				if took > faultTimeout+faultSlack {
					t.Errorf("%s: took %s, want at most the timeout %s + %s", what, took.Round(time.Millisecond), faultTimeout, faultSlack)
				}
				if r.code == 0 {
					t.Errorf("%s: exit 0 with %s failing\n%s", what, tc.device, r)
				}
				checkCauseLine(t, what, r, tc)
				if what == "plan" || what == "apply" {
					// The plan of the others is printed; the failing device
					// is in it as skipped with its cause.
					if !strings.Contains(r.stdout, tc.device+" (") || !strings.Contains(r.stdout, "skipped, not observed") {
						t.Errorf("plan does not show %s as skipped:\n%s", tc.device, r.stdout)
					}
					if !strings.Contains(r.stdout, "switch leaf1") || !strings.Contains(r.stdout, "switch oob-sw") {
						t.Errorf("plan does not show the other devices:\n%s", r.stdout)
					}
				}
				if slices.Contains(args, "json") {
					checkJSONCause(t, what, r, tc)
				}
			}
		})
	}
}

// checkCauseLine: the last stderr line names the device once, with the
// cause, in one line, without raw library chains.
func checkCauseLine(t *testing.T, what string, r result, tc faultCase) {
	t.Helper()
	var line string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.Contains(l, tc.device+": "+tc.cause) {
			line = l
		}
	}
	if line == "" {
		t.Errorf("%s: no line %q in stderr\n%s", what, tc.device+": "+tc.cause, r)
		return
	}
	if n := strings.Count(line, tc.device); n != 1 {
		t.Errorf("%s: the device is named %d times: %q", what, n, line)
	}
	for _, s := range tc.says {
		if !strings.Contains(line, s) {
			t.Errorf("%s: %q does not say %q", what, line, s)
		}
	}
	if strings.Contains(line, lab.DefaultPassword) || strings.Contains(line, "wrong-password") {
		t.Errorf("%s: a password is printed: %q", what, line)
	}
}

// checkJSONCause: the JSON document is complete and carries the cause.
func checkJSONCause(t *testing.T, what string, r result, tc faultCase) {
	t.Helper()
	var doc struct {
		Netalign, Time, Inventory string
		Unreachable               []struct{ Device, Cause, Message string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Errorf("%s: stdout is not one JSON document: %v\n%s", what, err, r)
		return
	}
	if doc.Netalign == "" || doc.Time == "" || doc.Inventory == "" {
		t.Errorf("%s: document lacks netalign/time/inventory: %+v", what, doc)
	}
	for _, u := range doc.Unreachable {
		if u.Device == tc.device {
			if u.Cause != tc.cause {
				t.Errorf("%s: %s cause %q, want %q (%s)", what, u.Device, u.Cause, tc.cause, u.Message)
			}
			return
		}
	}
	t.Errorf("%s: %s is not among the unreachable devices: %+v", what, tc.device, doc.Unreachable)
}

func switchOf(inv *inventory.Inventory, name string) *inventory.Switch {
	for i := range inv.Switches {
		if inv.Switches[i].Name == name {
			return &inv.Switches[i]
		}
	}
	panic("no switch " + name)
}

// writeInventory writes inv as a YAML file in a test directory.
func writeInventory(t *testing.T, inv *inventory.Inventory) string {
	t.Helper()
	y, err := lab.MarshalInventoryYAML(inv)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "inventory.yaml")
	if err := os.WriteFile(file, y, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// silentListener accepts TCP connections and never sends a byte.
func silentListener(t *testing.T) (string, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	a := ln.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

// otherKnownHosts writes a known_hosts file holding another key for
// host:port.
func otherKnownHosts(t *testing.T, host string, port int) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "known_hosts")
	line := fmt.Sprintf("[%s]:%d %s", host, port, ssh.MarshalAuthorizedKey(signer.PublicKey()))
	if err := os.WriteFile(file, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// netalignExactEnv runs the binary with the test's environment minus the
// lab's credential variables, plus env.
func netalignExactEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NETALIGN_") {
			base = append(base, kv)
		}
	}
	return runBinary(t, append(base, env...), args...)
}
