package sshcli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/scrapli/scrapligo/driver/network"
	"github.com/scrapli/scrapligo/driver/options"
	"github.com/scrapli/scrapligo/platform"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

// openScrapli opens a scrapligo network driver against ts the way the
// switch drivers do: StandardTransport, known_hosts verification on.
func openScrapli(t *testing.T, ts *testSwitch, platformName string) *network.Driver {
	t.Helper()
	p, err := platform.NewPlatform(platformName, ts.host,
		options.WithAuthUsername(testUser),
		options.WithAuthPassword(testPass),
		options.WithAuthSecondary(testEnable),
		options.WithPort(ts.port),
		options.WithTransportType("standard"),
		options.WithSSHKnownHostsFile(ts.knownHosts),
		options.WithTimeoutOps(10*time.Second),
	)
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.GetNetworkDriver()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Open(); err != nil {
		t.Fatalf("open %s: %v", platformName, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// send runs one command at the current privilege level (no privilege
// change), failing the test on transport errors; device errors are in
// resp.Failed.
func send(t *testing.T, d *network.Driver, cmd string) (string, error) {
	t.Helper()
	r, err := d.Driver.SendCommand(cmd)
	if err != nil {
		t.Fatalf("%q: %v", cmd, err)
	}
	return r.Result, r.Failed
}

func mustSend(t *testing.T, d *network.Driver, cmd string) string {
	t.Helper()
	out, failed := send(t, d, cmd)
	if failed != nil {
		t.Fatalf("%q failed: %v\n%s", cmd, failed, out)
	}
	return out
}

func TestScrapligoEOS(t *testing.T) {
	ts := startTestSwitch(t, "leaf1", device.PlatformEOS, testEnable)
	d := openScrapli(t, ts, "arista_eos")

	prompt, err := d.GetPrompt()
	if err != nil || prompt != "leaf1#" {
		t.Fatalf("prompt after open = %q, %v; want leaf1# (escalated)", prompt, err)
	}

	// Configuration mode, applied immediately.
	mr, err := d.SendConfigs([]string{
		"vlan 100", "name vm-100", "vlan 200",
		"interface Ethernet1", "description h0 eno1", "switchport mode trunk",
		"switchport trunk allowed vlan 100,200", "channel-group 10 mode active", "lacp timer fast",
		"interface Ethernet2", "switchport mode trunk", "switchport trunk allowed vlan 100,200", "channel-group 10 mode active",
		"interface Port-Channel10", "switchport mode trunk", "switchport trunk allowed vlan 100,200", "port-channel min-links 1", "mlag 10",
	})
	if err != nil {
		t.Fatal(err)
	}
	if mr.Failed != nil {
		for _, r := range mr.Responses {
			t.Logf("%s -> %s", r.Input, r.Result)
		}
		t.Fatalf("config failed: %v", mr.Failed)
	}
	st := ts.dev.State()
	po := st.Interface("Port-Channel10")
	if po == nil || po.LAGType != intent.LAGLACP || !po.OperUp || po.MLAGID != 10 {
		t.Fatalf("Po10 after config: %+v", po)
	}
	if got := st.Interface("Ethernet1").MemberState; got != intent.MemberBundled {
		t.Errorf("Ethernet1 member state %s", got)
	}

	// Every show command, text and JSON.
	for _, c := range []string{
		"show version", "show hostname", "show vlan", "show interfaces switchport", "show interfaces status",
		"show interfaces", "show interfaces Ethernet1", "show port-channel", "show port-channel summary", "show lacp neighbor",
		"show lacp interface", "show lldp neighbors", "show lldp neighbors detail", "show configuration sessions",
	} {
		text := mustSend(t, d, c)
		if strings.TrimSpace(text) == "" {
			t.Errorf("%q: empty output", c)
		}
		js := mustSend(t, d, c+" | json")
		var v map[string]any
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			t.Errorf("%q | json: %v\n%s", c, err, js)
		}
	}
	run := mustSend(t, d, "show running-config")
	for _, want := range []string{"hostname leaf1", "vlan 100\n   name vm-100", "interface Port-Channel10\n   switchport trunk allowed vlan 100,200\n   switchport mode trunk\n   port-channel min-links 1\n   mlag 10",
		"interface Ethernet1\n   description h0 eno1\n   switchport trunk allowed vlan 100,200\n   switchport mode trunk\n   channel-group 10 mode active\n   lacp timer fast"} {
		if !strings.Contains(run, want) {
			t.Errorf("running-config lacks %q:\n%s", want, run)
		}
	}
	if strings.Index(run, "interface Port-Channel10") > strings.Index(run, "interface Ethernet1") {
		t.Error("Port-Channel block after Ethernet blocks")
	}
	if out := mustSend(t, d, "show running-config interfaces Ethernet2"); !strings.HasPrefix(out, "interface Ethernet2\n") || strings.Contains(out, "Ethernet1") {
		t.Errorf("show running-config interfaces Ethernet2:\n%s", out)
	}
	sec := mustSend(t, d, "show running-config | section ^vlan|^interface")
	if !strings.HasPrefix(sec, "vlan 100\n") || strings.Contains(sec, "hostname") {
		t.Errorf("section output:\n%s", sec)
	}

	// A configuration session that is committed.
	mustSend(t, d, "configure session netalign_1")
	if p, _ := d.GetPrompt(); p != "leaf1(config-s-netali)#" {
		t.Errorf("session prompt %q", p)
	}
	mustSend(t, d, "vlan 300")
	if p, _ := d.GetPrompt(); p != "leaf1(config-s-netali-vlan-300)#" {
		t.Errorf("session vlan prompt %q", p)
	}
	mustSend(t, d, "interface Et1")
	if p, _ := d.GetPrompt(); p != "leaf1(config-s-netali-if-Et1)#" {
		t.Errorf("session interface prompt %q", p)
	}
	mustSend(t, d, "switchport trunk allowed vlan add 300")
	if ts.dev.Running().VLANs[300] != nil {
		t.Fatal("session change visible before commit")
	}
	diff := mustSend(t, d, "show session-config diffs")
	for _, want := range []string{"--- system:/running-config", "+++ session:/netalign_1-session-config", "@@ ", "+vlan 300", "-   switchport trunk allowed vlan 100,200", "+   switchport trunk allowed vlan 100,200,300"} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}
	mustSend(t, d, "commit")
	if p, _ := d.GetPrompt(); p != "leaf1#" {
		t.Errorf("prompt after commit %q", p)
	}
	if got := ts.dev.Running().Interfaces["Ethernet1"].Allowed.String(); got != "100,200,300" {
		t.Errorf("allowed after commit = %s", got)
	}

	// A session that is aborted leaves the device as it was.
	before := ts.dev.Running()
	mustSend(t, d, "configure session netalign_2")
	mustSend(t, d, "no vlan 200")
	mustSend(t, d, "interface Ethernet2")
	mustSend(t, d, "no channel-group")
	mustSend(t, d, "abort")
	after := ts.dev.Running()
	if !before.Equal(&after) {
		t.Error("aborted session changed the running config")
	}

	// Errors are reported as the device words them, with err == nil.
	for cmd, want := range map[string]string{
		"show bogus":                     "% Invalid input (at token 1: 'bogus')",
		"configure session":              "",
		"show running-config interfaces": "% Incomplete command",
	} {
		if want == "" {
			continue
		}
		out, failed := send(t, d, cmd)
		if failed == nil || !strings.Contains(out, want) {
			t.Errorf("%q: failed=%v out=%q, want %q", cmd, failed, out, want)
		}
	}

	// EOS words a missing interface in a show without any of the strings
	// scrapligo's arista_eos platform treats as failures: drivers must
	// check the text themselves.
	if out, _ := send(t, d, "show interfaces Ethernet99"); !strings.Contains(out, "% Interface does not exist") {
		t.Errorf("show interfaces Ethernet99: %q", out)
	}
	if out, failed := send(t, d, "configure"); failed != nil {
		t.Fatal(out)
	}
	if out, failed := send(t, d, "interface Ethernet99"); failed == nil || !strings.Contains(out, "% Invalid input (at token 1: 'Ethernet99')") {
		t.Errorf("interface Ethernet99: failed=%v out=%q", failed, out)
	}
	mustSend(t, d, "end")

	// A rejected commit: the real-looking error, nothing applied.
	ts.dev.SetFaults(device.Faults{RejectCommit: true})
	mustSend(t, d, "configure session netalign_3")
	mustSend(t, d, "vlan 999")
	out, failed := send(t, d, "commit")
	if failed == nil || !strings.Contains(out, "% Cannot commit") {
		t.Errorf("rejected commit: failed=%v out=%q", failed, out)
	}
	mustSend(t, d, "abort")
	if ts.dev.Running().VLANs[999] != nil {
		t.Error("rejected commit applied")
	}
	ts.dev.SetFaults(device.Faults{})

	// Saving.
	mustSend(t, d, "copy running-config startup-config")
	if st := ts.dev.Startup(); st.VLANs[300] == nil {
		t.Error("startup-config not saved")
	}
}

func TestScrapligoNXOS(t *testing.T) {
	ts := startTestSwitch(t, "leaf2", device.PlatformNXOS, testEnable)
	d := openScrapli(t, ts, "cisco_nxos")
	if p, err := d.GetPrompt(); err != nil || p != "leaf2#" {
		t.Fatalf("prompt %q, %v", p, err)
	}
	before := ts.dev.Running()
	mustSend(t, d, "checkpoint before_netalign")
	mr, err := d.SendConfigs([]string{
		"feature vpc", "vlan 100", "name vm-100",
		"interface Ethernet1/1-2", "switchport mode trunk", "switchport trunk allowed vlan 100",
		"channel-group 20 mode active", "lacp rate fast",
		"interface port-channel20", "switchport mode trunk", "switchport trunk allowed vlan 100", "lacp min-links 1", "vpc 20",
		"interface Ethernet1/3", "switchport mode trunk", "mtu 9216",
	})
	if err != nil {
		t.Fatal(err)
	}
	if mr.Failed != nil {
		for _, r := range mr.Responses {
			t.Logf("%s -> %s", r.Input, r.Result)
		}
		t.Fatalf("config failed: %v", mr.Failed)
	}
	st := ts.dev.State()
	if po := st.Interface("Port-Channel20"); po == nil || po.LAGType != intent.LAGLACP || !po.OperUp || po.MLAGID != 20 {
		t.Fatalf("po20: %+v", po)
	}
	for _, c := range []string{"show version", "show hostname", "show vlan brief", "show interface", "show interface switchport",
		"show port-channel summary", "show lldp neighbors detail"} {
		mustSend(t, d, c)
		js := mustSend(t, d, c+" | json")
		var v map[string]any
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			t.Errorf("%q | json: %v\n%s", c, err, js)
		}
	}
	for _, c := range []string{"show interface status", "show lacp neighbor", "show running-config", "show running-config interface Ethernet1/1", "show checkpoint summary"} {
		mustSend(t, d, c)
	}
	run := mustSend(t, d, "show running-config")
	for _, want := range []string{"feature lacp", "feature vpc", "interface port-channel20\n  switchport mode trunk\n  switchport trunk allowed vlan 100\n  lacp min-links 1\n  vpc 20",
		"interface Ethernet1/1\n  switchport mode trunk\n  switchport trunk allowed vlan 100\n  lacp rate fast\n  channel-group 20 mode active\n  no shutdown"} {
		if !strings.Contains(run, want) {
			t.Errorf("running-config lacks %q:\n%s", want, run)
		}
	}
	// NX-OS error wording.
	out, failed := send(t, d, "show bogus")
	if failed == nil || !strings.Contains(out, "% Invalid command at '^' marker.") {
		t.Errorf("show bogus: %v %q", failed, out)
	}
	// Rollback restores exactly.
	mustSend(t, d, "rollback running-config checkpoint before_netalign")
	if got := ts.dev.Running(); !got.Equal(&before) {
		t.Error("rollback did not restore the checkpoint")
	}
}

func TestLoginPrivileged(t *testing.T) {
	// Without an enable secret logins land in privileged mode.
	ts := startTestSwitch(t, "leaf1", device.PlatformEOS, "")
	d := openScrapli(t, ts, "arista_eos")
	if p, _ := d.GetPrompt(); p != "leaf1#" {
		t.Errorf("prompt %q", p)
	}
}
