package sshcli

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/lab/device"
)

// nxCLI is a raw CLI on a fresh NX-OS switch (logins land in privileged
// exec mode) and a function that sends a line and returns its output,
// failing the test unless the reply ends with prompt.
func nxCLI(t *testing.T, ts *testSwitch) func(line, prompt string) string {
	cli, banner := newRawCLI(t, ts)
	if !strings.HasSuffix(banner, "leaf2#") {
		t.Fatalf("login prompt %q", banner)
	}
	return func(line, prompt string) string {
		t.Helper()
		reply := cli.send(line)
		if !strings.HasSuffix(reply, prompt) {
			t.Fatalf("%q: reply %q, want it to end with prompt %q", line, reply, prompt)
		}
		return output(reply, line)
	}
}

func TestNXOSSessionStagesUntilCommit(t *testing.T) {
	ts := startTestSwitch(t, "leaf2", device.PlatformNXOS, "")
	send := nxCLI(t, ts)
	before := ts.dev.Running()

	send("configure session s1", "leaf2(config-s)#")
	send("vlan 10", "leaf2(config-s-vlan)#")
	send("name mgmt", "leaf2(config-s-vlan)#")
	send("interface Ethernet1/1-2", "leaf2(config-s-if-range)#")
	send("description h0", "leaf2(config-s-if-range)#")
	send("interface Ethernet1/3", "leaf2(config-s-if)#")
	send("switchport mode trunk", "leaf2(config-s-if)#")
	// A command the device refuses is refused at once, not staged.
	if out := send("interface Ethernet1/9", "leaf2(config-s)#"); !strings.Contains(out, "% Invalid input") {
		t.Errorf("missing port accepted: %q", out)
	}
	// Shows work in session mode and see the running configuration.
	if out := send("show running-config", "leaf2(config-s)#"); strings.Contains(out, "vlan 1,10") {
		t.Errorf("staged VLAN visible in running-config:\n%s", out)
	}
	if after := ts.dev.Running(); !after.Equal(&before) {
		t.Fatal("staged lines changed the running configuration")
	}
	want := "config session name s1\nvlan 10\n  name mgmt\ninterface Ethernet1/1-2\n  description h0\ninterface Ethernet1/3\n  switchport mode trunk\n"
	if out := send("show configuration session s1", "leaf2(config-s)#"); out != want {
		t.Errorf("session contents:\n%s\nwant\n%s", out, want)
	}
	if out := send("verify", "leaf2(config-s)#"); out != "Verification Successful\n" {
		t.Errorf("verify: %q", out)
	}
	if out := send("commit", "leaf2#"); out != "Commit Successful\n" {
		t.Errorf("commit: %q", out)
	}
	run := ts.dev.Running()
	if v := run.VLANs[10]; v == nil || v.Name != "mgmt" {
		t.Errorf("VLAN 10 after commit: %+v", v)
	}
	for _, p := range []string{"Ethernet1/1", "Ethernet1/2"} {
		if d := run.Interfaces[p].Description; d != "h0" {
			t.Errorf("%s description %q", p, d)
		}
	}
	if out := send("show configuration session summary", "leaf2#"); strings.Contains(out, "s1") || !strings.Contains(out, "Number of active configuration sessions = 0") {
		t.Errorf("committed session still listed:\n%s", out)
	}
}

// A session is a list of commands: commit applies them to the running
// configuration as it is then, keeping what others changed meanwhile, and
// applies all of them or none.
func TestNXOSSessionCommitAllOrNothing(t *testing.T) {
	ts := startTestSwitch(t, "leaf2", device.PlatformNXOS, "")
	send := nxCLI(t, ts)
	send("configure session s2", "leaf2(config-s)#")
	send("vlan 20", "leaf2(config-s-vlan)#")
	send("interface Ethernet1/4", "leaf2(config-s-if)#")
	send("channel-group 30 mode active", "leaf2(config-s-if)#")

	// Someone else adds VLAN 50 and turns LACP off: the staged
	// channel-group can no longer be applied.
	if err := ts.dev.Update(func(c *device.Config) error {
		delete(c.Features, "lacp")
		return c.AddVLAN(50, "")
	}); err != nil {
		t.Fatal(err)
	}
	before := ts.dev.Running()
	if out := send("verify", "leaf2(config-s-if)#"); !strings.HasPrefix(out, "ERROR: Verification failed") || !strings.Contains(out, "channel-group 30 mode active") {
		t.Errorf("verify: %q", out)
	}
	if out := send("commit", "leaf2(config-s-if)#"); !strings.HasPrefix(out, "ERROR: Commit failed") {
		t.Errorf("commit: %q", out)
	}
	if after := ts.dev.Running(); !after.Equal(&before) {
		t.Fatal("a failed commit changed the running configuration")
	}
	// The injected commit fault refuses a commit that would apply.
	if err := ts.dev.Update(func(c *device.Config) error { c.Features["lacp"] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	before = ts.dev.Running()
	ts.dev.SetFaults(device.Faults{RejectCommit: true})
	if out := send("commit", "leaf2(config-s-if)#"); !strings.HasPrefix(out, "ERROR: Commit failed") {
		t.Errorf("commit with the fault: %q", out)
	}
	if after := ts.dev.Running(); !after.Equal(&before) {
		t.Fatal("a rejected commit changed the running configuration")
	}
	ts.dev.SetFaults(device.Faults{})
	send("commit", "leaf2#")
	run := ts.dev.Running()
	if run.VLANs[20] == nil || run.VLANs[50] == nil || run.Interfaces["Ethernet1/4"].ChannelGroup != 30 {
		t.Errorf("after commit: VLANs %v, Ethernet1/4 %+v", run.VLANIDs(), run.Interfaces["Ethernet1/4"])
	}

	// abort discards.
	before = ts.dev.Running()
	send("configure session s3", "leaf2(config-s)#")
	send("vlan 60", "leaf2(config-s-vlan)#")
	send("abort", "leaf2#")
	if after := ts.dev.Running(); !after.Equal(&before) {
		t.Error("an aborted session changed the running configuration")
	}
	if out := send("show configuration session summary", "leaf2#"); strings.Contains(out, "s3") {
		t.Errorf("aborted session listed:\n%s", out)
	}
	// Outside a session the session commands are unknown.
	send("configure terminal", "leaf2(config)#")
	if out := send("commit", "leaf2(config)#"); !strings.Contains(out, "% Invalid command at '^' marker.") {
		t.Errorf("commit outside a session: %q", out)
	}
}

// A connection lost in the middle of staging leaves the session pending
// and nothing of it live, until it is removed.
func TestNXOSSessionOutlivesConnection(t *testing.T) {
	ts := startTestSwitch(t, "leaf2", device.PlatformNXOS, "")
	before := ts.dev.Running()
	cli, _ := newRawCLI(t, ts)
	ts.dev.SetFaults(device.Faults{DropAfter: 3})
	if _, err := io.WriteString(cli.in, "configure session s4\rvlan 40\rname vm\rinterface Ethernet1/1\rdescription h0\r"); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(cli.out); err != nil {
		t.Fatal(err)
	}
	ts.dev.SetFaults(device.Faults{})
	if after := ts.dev.Running(); !after.Equal(&before) {
		t.Fatal("a session that was never committed changed the running configuration")
	}
	send := nxCLI(t, ts)
	out := send("show configuration session summary", "leaf2#")
	if !strings.Contains(out, "\ns4 ") || !strings.Contains(out, "Number of active configuration sessions = 1") {
		t.Errorf("summary:\n%s", out)
	}
	if out := send("show configuration session s4", "leaf2#"); out != "config session name s4\nvlan 40\n  name vm\n" {
		t.Errorf("session contents: %q", out)
	}
	send("no configure session s4", "leaf2#")
	if out := send("no configure session s4", "leaf2#"); !strings.HasPrefix(out, "ERROR: Session s4 does not exist") {
		t.Errorf("removing a removed session: %q", out)
	}
}

func TestNXOSSessionLimit(t *testing.T) {
	ts := startTestSwitch(t, "leaf2", device.PlatformNXOS, "")
	send := nxCLI(t, ts)
	for i := range maxNXSessions {
		send(fmt.Sprintf("configure session s%d", i), "leaf2(config-s)#")
		send("end", "leaf2#")
	}
	if out := send("configure session one-more", "leaf2#"); !strings.HasPrefix(out, "ERROR: Maximum number of configuration sessions (32)") {
		t.Errorf("33rd session: %q", out)
	}
	// Entering a pending session is not creating one.
	send("configure session s7", "leaf2(config-s)#")
	send("end", "leaf2#")
	send("no configure session s0", "leaf2#")
	send("configure session one-more", "leaf2(config-s)#")
}

// A release without Session Manager does not know the commands.
func TestNXOSWithoutSessions(t *testing.T) {
	ts := startTestSwitchWith(t, "leaf2", device.PlatformNXOS, "", func(o *Options) { o.NoConfigSessions = true })
	send := nxCLI(t, ts)
	caret := func(off int) string {
		return strings.Repeat(" ", len("leaf2#")+off) + "^\n% Invalid command at '^' marker.\n"
	}
	for line, off := range map[string]int{
		"configure session s1":               len("configure "),
		"show configuration session summary": len("show configuration "),
		"no configure session s1":            len("no configure "),
	} {
		if out := send(line, "leaf2#"); out != caret(off) {
			t.Errorf("%q: %q, want %q", line, out, caret(off))
		}
	}
	send("checkpoint cp1", "leaf2#")
	out := send("show checkpoint summary", "leaf2#")
	if !strings.Contains(out, "1) cp1:\nCreated by admin\nCreated at ") || !strings.Contains(out, "\nDescription: None\n") {
		t.Errorf("checkpoint summary:\n%s", out)
	}
}
