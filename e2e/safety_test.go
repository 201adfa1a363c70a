package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/internal/lab/device"
)

// TestInterruptLeavesNoSwitchHalfConfigured sends SIGINT while apply is
// pushing a slow fleet: devices in flight finish (or roll back), no new
// transaction starts, and every switch is either fully applied or untouched.
func TestInterruptLeavesNoSwitchHalfConfigured(t *testing.T) {
	const n = 24
	inv := lab.FleetInventory(n, 8)
	faults := map[string]device.Faults{}
	for _, sw := range inv.Switches {
		faults[sw.Name] = device.Faults{Latency: 40 * time.Millisecond}
	}
	l := startLabInv(t, inv, lab.Options{Ports: 8, Faults: faults})
	blank := map[string]device.Config{}
	for _, sw := range inv.Switches {
		blank[sw.Name] = l.Device(sw.Name).Running()
	}

	cmd := exec.Command(binary, "apply", "-i", l.InventoryPath(), "--yes", "-o", "json", "--parallelism", "4", "--log-format", "json")
	var out bytes.Buffer
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt as soon as the first switch reports applied.
	sc := bufio.NewScanner(stderr)
	var logs strings.Builder
	for sc.Scan() {
		logs.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), `"msg":"apply switches and DHCP done"`) {
			cmd.Process.Signal(syscall.SIGINT)
			break
		}
	}
	go io.Copy(&logs, stderr)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("interrupted apply: %v, want exit 1\n%s", err, logs.String())
	}
	var rep applyOutput
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	counts := map[string]int{}
	var switches []string
	for _, r := range rep.Results {
		if r.Kind == "switch" {
			counts[r.Status]++
			switches = append(switches, r.Device)
		}
	}
	if counts["applied"] == 0 || counts["not-reached"] == 0 || counts["applied"]+counts["not-reached"] != n {
		t.Errorf("statuses %v: want some applied, the rest not-reached", counts)
	}
	// No switch is half-configured: each is blank or fully converged.
	for _, r := range rep.Results {
		if r.Kind != "switch" {
			continue
		}
		dev := l.Device(r.Device)
		now := dev.Running()
		b := blank[r.Device]
		untouched := now.Equal(&b)
		switch r.Status {
		case "not-reached":
			if !untouched {
				t.Errorf("%s: not reached but changed", r.Device)
			}
		case "applied":
			st := dev.State()
			po := st.Interface("Port-Channel1")
			if po == nil || !po.Allowed.Contains(100) {
				t.Errorf("%s: reported applied but Port-Channel1 is %+v", r.Device, po)
			}
		}
	}
}

// TestSecretsNeverPrinted runs every command with a canary password and
// debug logging, and with a wrong one: the canary appears nowhere.
func TestSecretsNeverPrinted(t *testing.T) {
	const canary = "canary-Zq9-s3cr3t-7731"
	l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{Password: canary})
	inv := l.InventoryPath()
	env := []string{"NETALIGN_LAB_PASS=" + canary}
	var all strings.Builder
	for _, args := range [][]string{
		{"plan", "-i", inv, "-o", "json"},
		{"plan", "-i", inv},
		{"apply", "-i", inv, "--yes", "-o", "json"},
		{"validate", "-i", inv, "-o", "json"},
		{"validate", "-i", inv, "-o", "junit"},
		{"observe", "-i", inv},
		{"inventory", "check", "-i", inv},
	} {
		for _, format := range []string{"text", "json"} {
			r := netalign(t, env, append(args, "--log-level", "debug", "--log-format", format)...)
			all.WriteString(r.stdout + r.stderr)
		}
	}
	// A wrong password: the error path must not print either secret.
	r := netalign(t, []string{"NETALIGN_LAB_PASS=wrong-" + canary}, "validate", "-i", inv, "--log-level", "debug")
	if r.code == 0 {
		t.Errorf("validate with a wrong password succeeded")
	}
	all.WriteString(r.stdout + r.stderr)
	if strings.Contains(all.String(), canary) {
		i := strings.Index(all.String(), canary)
		t.Fatalf("the secret was printed: ...%s...", all.String()[max(0, i-200):i+len(canary)])
	}
	if all.Len() < 1000 {
		t.Fatalf("suspiciously little output (%d bytes)", all.Len())
	}
}

// TestInjectionRejectedBeforeContact: inventory text that would inject a CLI
// command is refused before any device is contacted.
func TestInjectionRejectedBeforeContact(t *testing.T) {
	l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{})
	good, err := os.ReadFile(l.InventoryPath())
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][2]string{
		"newline in a VLAN name": {"name: vlan100", "name: \"vlan100\\nreload now\""},
		"command in a port":      {"port: Ethernet1\n", "port: \"Ethernet1; reload\"\n"},
		"carriage return":        {"name: vlan200", "name: \"vlan200\\rconfigure terminal\""},
		"subshell in a switch":   {"name: leaf1", "name: \"leaf1$(reboot)\""},
	}
	before := map[string]int64{}
	for _, s := range l.Switches() {
		before[s.Name] = l.Device(s.Name).Commands()
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			bad := strings.Replace(string(good), c[0], c[1], 1)
			if bad == string(good) {
				t.Fatalf("pattern %q not in the lab inventory", c[0])
			}
			path := filepath.Join(t.TempDir(), "bad.yaml")
			os.WriteFile(path, []byte(bad), 0o644)
			for _, cmd := range []string{"plan", "apply", "validate"} {
				args := []string{cmd, "-i", path}
				if cmd == "apply" {
					args = append(args, "--yes")
				}
				r := netalign(t, nil, args...)
				if r.code == 0 || !strings.Contains(r.stderr, path) {
					t.Errorf("%s: %s", cmd, r)
				}
			}
		})
	}
	for _, s := range l.Switches() {
		if got := l.Device(s.Name).Commands(); got != before[s.Name] {
			t.Errorf("%s served %d commands: a device was contacted", s.Name, got-before[s.Name])
		}
	}
}

// TestLabUpAnswersAndStopsOnSIGINT runs `netalign lab up` as a user would:
// ssh gets the switch's prompt, SIGINT stops it cleanly and frees its ports.
func TestLabUpAnswersAndStopsOnSIGINT(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(binary, "lab", "up", "-i", filepath.Join("..", "configs", "harvester-seed.yaml"), "--dir", dir)
	cmd.Env = append(os.Environ(), "NETALIGN_LAB_USER=admin", "NETALIGN_LAB_PASS=lab-pass")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sock := filepath.Join(dir, lab.SocketFile)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lab did not come up:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	infos, err := lab.Running(context.Background(), dir)
	if err != nil || len(infos) != 2 {
		t.Fatalf("running: %v %+v", err, infos)
	}
	var addr string
	for _, s := range infos {
		if s.Name == "leaf1" {
			addr = s.Addr
		}
	}
	hk, err := knownhosts.New(filepath.Join(dir, lab.KnownHostsFile))
	if err != nil {
		t.Fatal(err)
	}
	client, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password("lab-pass")}, HostKeyCallback: hk, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("ssh with known_hosts verification: %v", err)
	}
	sess, _ := client.NewSession()
	sess.RequestPty("xterm", 24, 200, ssh.TerminalModes{})
	stdout, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 256)
	var got string
	for !strings.Contains(got, "leaf1") {
		k, err := stdout.Read(buf)
		if err != nil {
			t.Fatalf("read prompt: %v (got %q)", err, got)
		}
		got += string(buf[:k])
	}
	if !strings.HasSuffix(strings.TrimSpace(got), "leaf1#") && !strings.HasSuffix(strings.TrimSpace(got), "leaf1>") {
		t.Errorf("prompt %q, want leaf1# or leaf1>", got)
	}
	client.Close()

	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("lab up after SIGINT: %v\n%s", err, out.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("lab up did not stop on SIGINT\n%s", out.String())
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still listening after SIGINT", addr)
	}
	if _, err := os.Stat(sock); err == nil {
		t.Errorf("control socket left behind")
	}
}

// TestInterruptSaysWhatItWaits: SIGINT in the middle of a slow apply says
// at once how many transactions it waits for and for how long at most; a
// second SIGINT exits at once, naming the devices that may be left
// mid-transaction.
func TestInterruptSaysWhatItWaits(t *testing.T) {
	faults := map[string]device.Faults{}
	for _, n := range []string{"leaf1", "leaf2", "oob-sw"} {
		faults[n] = device.Faults{Latency: 1500 * time.Millisecond}
	}
	l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{Faults: faults})
	cmd := exec.Command(binary, "apply", "-i", l.InventoryPath(), "--yes", "--log-format", "json", "--timeout", "60s")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitLine := func(what string, within time.Duration, match func(string) bool) (string, time.Duration) {
		t.Helper()
		start := time.Now()
		deadline := time.After(within)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("stderr ended before %s", what)
				}
				if match(l) {
					return l, time.Since(start)
				}
			case <-deadline:
				t.Fatalf("no %s within %s", what, within)
			}
		}
	}
	waitLine("apply phase", time.Minute, func(l string) bool { return strings.Contains(l, `"msg":"apply switches and DHCP"`) })
	// The transactions are in flight now: each line takes 1.5 s.
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	line, took := waitLine("interrupt notice", 10*time.Second, func(l string) bool { return strings.Contains(l, "interrupted (SIGINT)") })
	t.Logf("notice after %s: %s", took.Round(time.Millisecond), line)
	if took > time.Second {
		t.Errorf("the interrupt notice came after %s, want within 1s", took)
	}
	if !strings.Contains(line, "waiting for") || !strings.Contains(line, "transaction(s) in flight") || !strings.Contains(line, "at most") {
		t.Errorf("the notice does not say what it waits for: %q", line)
	}
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var rest []string
	for l := range lines {
		rest = append(rest, l)
	}
	select {
	case err := <-exited:
		took := time.Since(start)
		t.Logf("exit after the second signal: %s (%v)", took.Round(time.Millisecond), err)
		if took > time.Second {
			t.Errorf("exit %s after the second SIGINT, want within 1s", took)
		}
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
			t.Errorf("exit %v, want 130", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit 10s after the second SIGINT")
	}
	all := strings.Join(rest, "\n")
	if !strings.Contains(all, "abandoned (SIGINT)") || !strings.Contains(all, "leaf1") {
		t.Errorf("the abandon line does not name the devices in flight:\n%s", all)
	}
}
