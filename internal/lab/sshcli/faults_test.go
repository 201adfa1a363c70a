package sshcli

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/netalign/netalign/internal/lab/device"
)

func TestFaultAuthFail(t *testing.T) {
	ts := startTestSwitch(t, "leaf1", device.PlatformEOS, "")
	if _, err := ts.dial(t, ssh.Password("wrong")); err == nil {
		t.Fatal("wrong password accepted")
	}
	c, err := ts.dial(t)
	if err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	c.Close()
	ts.dev.SetFaults(device.Faults{AuthFail: true})
	if _, err := ts.dial(t); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("auth fault: %v", err)
	}
}

func TestPublicKeyAuth(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := ssh.NewSignerFromKey(priv)
	ts := startTestSwitch(t, "leaf1", device.PlatformEOS, "")
	if _, err := ts.dial(t, ssh.PublicKeys(signer)); err == nil {
		t.Fatal("unknown key accepted")
	}
	ts.srv.opts.AuthorizedKeys = []ssh.PublicKey{signer.PublicKey()}
	c, err := ts.dial(t, ssh.PublicKeys(signer))
	if err != nil {
		t.Fatalf("authorized key refused: %v", err)
	}
	c.Close()
}

func TestFaultDropAfter(t *testing.T) {
	ts := startTestSwitch(t, "leaf1", device.PlatformEOS, "")
	ts.dev.SetFaults(device.Faults{DropAfter: 2})
	cli, _ := newRawCLI(t, ts)
	cli.send("show hostname")
	cli.send("show hostname")
	io.WriteString(cli.in, "show hostname\r")
	b, err := io.ReadAll(cli.out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "Hostname:") {
		t.Errorf("third command answered: %q", b)
	}
	if got := ts.dev.Commands(); got != 2 {
		t.Errorf("commands served = %d, want 2", got)
	}
	// A new connection gets its own budget.
	cli2, _ := newRawCLI(t, ts)
	if out := cli2.send("show hostname"); !strings.Contains(out, "Hostname: leaf1") {
		t.Errorf("new connection: %q", out)
	}
}

func TestFaultBlackhole(t *testing.T) {
	ts := startTestSwitch(t, "leaf1", device.PlatformEOS, "")
	ts.dev.SetFaults(device.Faults{Blackhole: true})
	c, err := net.Dial("tcp", net.JoinHostPort(ts.host, strconv.Itoa(ts.port)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A real SSH server sends its version string first; a black hole
	// never does. The deadline bounds the wait, it asserts no speed.
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	n, err := c.Read(make([]byte, 64))
	var ne net.Error
	if n != 0 || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("black hole answered: n=%d err=%v", n, err)
	}
	// Close still returns with the connection held open.
	ts.srv.Close()
}

func TestFaultSlowAcceptAndLatency(t *testing.T) {
	ts := startTestSwitch(t, "leaf2", device.PlatformNXOS, "")
	ts.dev.SetFaults(device.Faults{SlowAccept: 20 * time.Millisecond, Latency: time.Millisecond, Jitter: time.Millisecond, Seed: 3})
	cli, banner := newRawCLI(t, ts)
	if !strings.HasSuffix(banner, "leaf2#") {
		t.Fatalf("banner %q", banner)
	}
	out := cli.send("show hostname")
	if !strings.Contains(out, "\r\nleaf2\r\nleaf2#") {
		t.Errorf("show hostname: %q", out)
	}
	if ts.dev.Commands() != 1 {
		t.Errorf("commands = %d", ts.dev.Commands())
	}
}

func TestNXOSEnableAndErrors(t *testing.T) {
	ts := startTestSwitch(t, "leaf2", device.PlatformNXOS, testEnable)
	cli, banner := newRawCLI(t, ts)
	if !strings.HasSuffix(banner, "leaf2>") {
		t.Fatalf("banner %q", banner)
	}
	if r := cli.send("show running-config"); !strings.Contains(r, "% Invalid input (privileged mode required)") {
		t.Errorf("unprivileged show run: %q", r)
	}
	cli.send("enable")
	if r := cli.send("wrong"); !strings.Contains(r, "% Access denied") || !strings.HasSuffix(r, "leaf2>") {
		t.Errorf("wrong enable: %q", r)
	}
	cli.send("enable")
	if r := cli.send(testEnable); !strings.HasSuffix(r, "leaf2#") {
		t.Fatalf("enable: %q", r)
	}
	cli.send("configure terminal")
	// Caret under the offending token: prompt + offset.
	r := cli.send("vlan 10 bogus")
	want := "vlan 10 bogus\r\n" + strings.Repeat(" ", len("leaf2(config)#")+len("vlan 10 ")) + "^\r\n% Invalid command at '^' marker.\r\nleaf2(config)#"
	if r != want {
		t.Errorf("caret:\n%q\nwant\n%q", r, want)
	}
	if r := cli.send("interface Ethernet1/1-2"); !strings.HasSuffix(r, "leaf2(config-if-range)#") {
		t.Errorf("range prompt %q", r)
	}
	if r := cli.send("vpc 10"); !strings.Contains(r, "% Invalid command at '^' marker.") {
		t.Errorf("vpc without feature: %q", r)
	}
	if r := cli.send("switchport trunk allowed"); !strings.Contains(r, "% Incomplete command at '^' marker.") {
		t.Errorf("incomplete: %q", r)
	}
	if r := cli.send("vlan 30"); !strings.HasSuffix(r, "leaf2(config-vlan)#") {
		t.Errorf("vlan prompt %q", r)
	}
}
