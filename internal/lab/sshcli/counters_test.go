package sshcli

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/netalign/netalign/internal/lab/device"
)

// TestRoundTrips: a block of lines written at once is one round trip (the
// latency is paid per round trip); lines sent one by one are one round trip
// each. The device still counts every line as a command.
func TestRoundTrips(t *testing.T) {
	ts := startTestSwitch(t, "leaf1", device.PlatformEOS, "")
	cli, _ := newRawCLI(t, ts)
	if got := ts.srv.Logins(); got != 1 {
		t.Errorf("logins = %d, want 1", got)
	}
	cli.send("show hostname")
	cli.send("show version")
	if rt, cmds := ts.srv.RoundTrips(), ts.dev.Commands(); rt != 2 || cmds != 2 {
		t.Fatalf("one by one: round trips %d, commands %d; want 2, 2", rt, cmds)
	}
	ts.dev.SetFaults(device.Faults{Latency: 5 * time.Millisecond})
	block := []string{"configure terminal", "vlan 10", "name ten", "vlan 20", "end"}
	if _, err := io.WriteString(cli.in, strings.Join(block, "\r")+"\r"); err != nil {
		t.Fatal(err)
	}
	// Read the five prompts of the block.
	var got strings.Builder
	buf := make([]byte, 32<<10)
	for strings.Count(got.String(), "leaf1") < len(block) {
		n, err := cli.out.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			t.Fatalf("read: %v after %q", err, got.String())
		}
	}
	if rt, cmds := ts.srv.RoundTrips(), ts.dev.Commands(); rt != 3 || cmds != int64(2+len(block)) {
		t.Errorf("block: round trips %d, commands %d; want 3, %d", rt, cmds, 2+len(block))
	}
	if v := ts.dev.Running().VLANs[20]; v == nil {
		t.Error("block not applied: no vlan 20")
	}
}
