package sshcli

import (
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/netalign/netalign/internal/lab/device"
)

// ansiblePrompt is network_cli's terminal_stdout_re for arista.eos
// ({,3} written as {0,3} for Go's regexp).
var ansiblePrompt = regexp.MustCompile(`[\r\n]?[\w+\-\.:\/\[\]]+(?:\([^\)]+\)){0,3}(?:>|#) ?$`)

// ansiblePassword is the enable password prompt network_cli answers.
var ansiblePassword = regexp.MustCompile(`[\r\n]?[Pp]assword: $`)

// rawCLI drives a shell the way paramiko does under network_cli: a command
// and CR in one write, then reads until the prompt.
type rawCLI struct {
	t     *testing.T
	in    io.Writer
	out   io.Reader
	reads int
}

func newRawCLI(t *testing.T, ts *testSwitch) (*rawCLI, string) {
	t.Helper()
	c, err := ts.dial(t)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("vt100", 24, 80, ssh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, _ := sess.StdinPipe()
	out, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	r := &rawCLI{t: t, in: in, out: out}
	return r, r.readPrompt()
}

func (r *rawCLI) readPrompt() string {
	r.t.Helper()
	var got []byte
	buf := make([]byte, 32<<10)
	r.reads = 0
	for {
		n, err := r.out.Read(buf)
		got = append(got, buf[:n]...)
		r.reads++
		if ansiblePrompt.Match(got) || ansiblePassword.Match(got) {
			return string(got)
		}
		if err != nil {
			r.t.Fatalf("read: %v after %q", err, got)
		}
	}
}

// send writes cmd+CR and returns everything up to and including the
// prompt.
func (r *rawCLI) send(cmd string) string {
	r.t.Helper()
	if _, err := io.WriteString(r.in, cmd+"\r"); err != nil {
		r.t.Fatal(err)
	}
	return r.readPrompt()
}

// output strips the echoed command and the trailing prompt.
func output(reply, cmd string) string {
	reply = strings.TrimPrefix(reply, cmd)
	reply = strings.TrimPrefix(reply, "\r\n")
	if i := strings.LastIndex(reply, "\r\n"); i >= 0 {
		reply = reply[:i+2]
	} else {
		reply = ""
	}
	return strings.ReplaceAll(reply, "\r\n", "\n")
}

func TestAnsibleNetworkCLISequence(t *testing.T) {
	ts := startTestSwitch(t, "leaf1", device.PlatformEOS, testEnable)
	cli, banner := newRawCLI(t, ts)
	if !strings.HasSuffix(banner, "leaf1>") {
		t.Fatalf("login prompt %q", banner)
	}
	bad := []string{"not found", "invalid input", "% Error", "/bin/sh"}
	ok := func(cmd string) string {
		t.Helper()
		reply := cli.send(cmd)
		if cli.reads != 1 {
			t.Errorf("%q: reply came in %d reads, want one write", cmd, cli.reads)
		}
		if !strings.HasPrefix(reply, cmd+"\r\n") {
			t.Errorf("%q: no echo: %q", cmd, reply)
		}
		out := output(reply, cmd)
		for _, b := range bad {
			if strings.Contains(strings.ToLower(out), strings.ToLower(b)) {
				t.Errorf("%q: successful output contains %q:\n%s", cmd, b, out)
			}
		}
		return out
	}
	// Bootstrap as network_cli does it.
	ok("terminal length 0")
	ok("terminal width 512")
	if reply := cli.send("enable"); !ansiblePassword.MatchString(reply) {
		t.Fatalf("enable: %q", reply)
	}
	if reply := cli.send(testEnable); !strings.HasSuffix(reply, "leaf1#") || strings.Contains(reply, testEnable) {
		t.Fatalf("enable password: %q", reply)
	}
	var ver map[string]any
	if err := json.Unmarshal([]byte(ok("show version | json")), &ver); err != nil || ver["version"] == nil || ver["modelName"] == nil {
		t.Errorf("show version | json: %v %v", ver, err)
	}
	var hn map[string]any
	if err := json.Unmarshal([]byte(ok("show hostname | json")), &hn); err != nil || hn["hostname"] != "leaf1" {
		t.Errorf("show hostname | json: %v %v", hn, err)
	}
	ok("bash timeout 5 cat /mnt/flash/boot-config")
	ok("show configuration sessions")

	// An LF after the CR is ignored: one reply, one prompt.
	if _, err := io.WriteString(cli.in, "show hostname\r\n"); err != nil {
		t.Fatal(err)
	}
	if reply := cli.readPrompt(); strings.Count(reply, "leaf1#") != 1 {
		t.Errorf("CR LF gave %q", reply)
	}

	// eos_config with parents: vlan 200.
	ok("show running-config")
	sess := "ansible_123456789012"
	ok("configure session " + sess)
	for cmd, prompt := range map[string]string{"vlan 200": "leaf1(config-s-ansibl-vlan-200)#"} {
		if reply := cli.send(cmd); !strings.HasSuffix(reply, prompt) {
			t.Errorf("%q: prompt %q", cmd, reply)
		}
	}
	ok("name web")
	diff := ok("show session-config diffs")
	if !strings.Contains(diff, "--- system:/running-config\n+++ session:/"+sess+"-session-config\n@@") || !strings.Contains(diff, "+vlan 200\n+   name web\n") {
		t.Errorf("diff:\n%s", diff)
	}
	ok("commit")
	if ts.dev.Running().VLANs[200] == nil {
		t.Fatal("vlan 200 not committed")
	}

	// Check mode: end, the same session again, abort.
	sess2 := "ansible_999999999999"
	ok("configure session " + sess2)
	if reply := cli.send("interface Et3"); !strings.HasSuffix(reply, "leaf1(config-s-ansibl-if-Et3)#") {
		t.Errorf("interface prompt %q", reply)
	}
	ok("switchport mode trunk")
	ok("end")
	ok("configure session " + sess2)
	if d := ok("show session-config diffs"); !strings.Contains(d, "+   switchport mode trunk") {
		t.Errorf("resumed session lost its change:\n%s", d)
	}
	ok("abort")
	if ts.dev.Running().Interfaces["Ethernet3"].Mode == "trunk" {
		t.Error("aborted change applied")
	}

	// A rejected line: the error network_cli recognises.
	ok("configure session " + sess2)
	ok("interface Ethernet3")
	reply := cli.send("switchport bogus")
	if !strings.Contains(reply, "% Invalid input (at token 1: 'bogus')") {
		t.Errorf("bad line: %q", reply)
	}
	ok("end")
	ok("configure session " + sess2)
	ok("abort")

	// save_when: modified.
	ok("show startup-config")
	if out := ok("copy running-config startup-config"); !strings.Contains(out, "Copy completed successfully.") {
		t.Errorf("copy: %q", out)
	}

	// Resource modules read sections; Port-Channel blocks come first.
	ok("configure")
	ok("interface Ethernet1")
	ok("channel-group 10 mode active")
	ok("end")
	sec := ok("show running-config | section ^interface")
	if !strings.HasPrefix(sec, "interface Port-Channel10\n") || !strings.Contains(sec, "interface Ethernet1\n   channel-group 10 mode active\n") {
		t.Errorf("section ^interface:\n%s", sec)
	}
	if vl := ok("show running-config | section ^vlan"); vl != "vlan 200\n   name web\n" {
		t.Errorf("section ^vlan: %q", vl)
	}
	// exit at the privileged prompt ends the session.
	io.WriteString(cli.in, "exit\r")
	if b, err := io.ReadAll(cli.out); err != nil || string(b) != "exit\r\n" {
		t.Errorf("exit: %q %v", b, err)
	}
}
