package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/internal/lab/gnmi"
	"github.com/netalign/netalign/inventory"
)

// testInventory is the design document's example, reduced to EOS and
// NX-OS switches.
func testInventory() *inventory.Inventory {
	creds := inventory.Credentials{UsernameEnv: "SW_USER", PasswordEnv: "SW_PASS"}
	return &inventory.Inventory{
		Version:  1,
		Settings: inventory.Settings{Parallelism: 16, Timeout: time.Minute, RollbackTimeout: time.Minute, SaveConfig: true},
		ClusterNetworks: []inventory.ClusterNetwork{
			{Name: "mgmt", MTU: 9000, UntaggedVLAN: 1, MgmtVLAN: 10, Bond: inventory.Bond{Mode: "802.3ad", Miimon: new(100), LACPRate: "fast"}},
			{Name: "oob", MTU: 1500, UntaggedVLAN: 1, Bond: inventory.Bond{Mode: "active-backup", Miimon: new(100)}},
		},
		Networks: []inventory.Network{{Name: "vlan100", ClusterNetwork: "mgmt", VLAN: 100}},
		Switches: []inventory.Switch{
			{Name: "leaf1", Platform: "eos", Protocol: "ssh", Address: "192.0.2.11", Credentials: creds, MLAGPeer: "leaf2", LAGIDs: "10-99"},
			{Name: "leaf2", Platform: "eos", Protocol: "ssh", Address: "192.0.2.12", Credentials: creds, MLAGPeer: "leaf1", LAGIDs: "10-99"},
			{Name: "oob-sw", Platform: "nxos", Protocol: "ssh", Address: "192.0.2.20", Credentials: creds},
		},
		Hosts: []inventory.Host{{
			Name: "harvester-0", Address: "192.0.2.101", Access: "ssh",
			ClusterNetworks: []inventory.HostClusterNetwork{
				{Name: "mgmt", NICs: []inventory.NIC{{Name: "eno1", Switch: "leaf1", Port: "Ethernet1"}, {Name: "eno2", Switch: "leaf2", Port: "Ethernet1"}}},
				{Name: "oob", NICs: []inventory.NIC{{Name: "eno3", Switch: "oob-sw", Port: "Ethernet1/5"}, {Name: "eno4", Switch: "oob-sw", Port: "Ethernet1/6"}}},
			},
		}},
	}
}

// settle waits for goroutines of closed connections to end and returns
// the count.
func settle(limit int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 200 && n > limit; i++ {
		time.Sleep(10 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

func TestStartClose(t *testing.T) {
	before := runtime.NumGoroutine()
	dir := t.TempDir()
	l, err := Start(context.Background(), testInventory(), Options{Dir: dir, Control: true})
	if err != nil {
		t.Fatal(err)
	}
	infos := l.Switches()
	if len(infos) != 3 {
		t.Fatalf("switches = %d", len(infos))
	}
	for _, s := range infos {
		if s.Host != "127.0.0.1" || s.Port == 0 || s.Protocol != "ssh" {
			t.Errorf("switch %+v", s)
		}
	}

	// The cabling reached the device models.
	if p := l.Device("leaf1").Peer("Et1"); p == nil || p.Host != "harvester-0" || p.NIC != "eno1" || p.BondMode != intent.LACP {
		t.Errorf("leaf1 Et1 peer %+v", p)
	}
	if p := l.Device("oob-sw").Peer("Ethernet1/6"); p == nil || p.BondMode != intent.ActiveBackup {
		t.Errorf("oob-sw Ethernet1/6 peer %+v", p)
	}

	// The generated inventory loads and points at the lab.
	t.Setenv("NETALIGN_LAB_USER", DefaultUsername)
	t.Setenv("NETALIGN_LAB_PASS", DefaultPassword)
	inv, err := inventory.Load(l.InventoryPath(), intent.InventoryOptions())
	if err != nil {
		t.Fatalf("generated inventory does not load: %v", err)
	}
	for _, sw := range inv.Switches {
		info := infos[0]
		for _, i := range infos {
			if i.Name == sw.Name {
				info = i
			}
		}
		if sw.Address != "127.0.0.1" || sw.Port != info.Port || sw.KnownHosts != filepath.Join(dir, KnownHostsFile) ||
			sw.Credentials.PasswordEnv != DefaultPasswordEnv {
			t.Errorf("inventory switch %+v", sw)
		}
	}
	env, err := os.ReadFile(filepath.Join(dir, EnvFile))
	if err != nil || !strings.Contains(string(env), "export NETALIGN_LAB_PASS='netalign-lab'") {
		t.Errorf("lab.env: %q %v", env, err)
	}

	// ssh answers with the expected prompt, host key verified.
	for _, s := range infos {
		want := s.Name + "#"
		if got := firstPrompt(t, dir, s); got != want {
			t.Errorf("%s prompt %q, want %q", s.Name, got, want)
		}
	}

	// The MLAG pair of the inventory is one LACP partner for harvester-0's
	// bond only with matching MLAG ids.
	for _, name := range []string{"leaf1", "leaf2"} {
		if err := l.Device(name).Update(func(c *device.Config) error {
			if err := c.SetChannelGroup("Ethernet1", 10, intent.ChannelActive); err != nil {
				return err
			}
			c.Interfaces["Port-Channel10"].MLAGID = 10
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"leaf1", "leaf2"} {
		if st := l.Device(name).State(); st.Interface("Ethernet1").MemberState != intent.MemberBundled {
			t.Errorf("%s Ethernet1 %s with MLAG", name, st.Interface("Ethernet1").MemberState)
		}
	}
	if err := l.Device("leaf2").Update(func(c *device.Config) error { c.Interfaces["Port-Channel10"].MLAGID = 0; return nil }); err != nil {
		t.Fatal(err)
	}
	if st := l.Device("leaf2").State(); st.Interface("Ethernet1").MemberState != intent.MemberSuspended {
		t.Errorf("leaf2 Ethernet1 %s without MLAG id", st.Interface("Ethernet1").MemberState)
	}

	// Drift through the control socket shows in the model.
	ctx := context.Background()
	if err := l.Device("leaf1").Update(func(c *device.Config) error {
		c.Interfaces["Ethernet1"].Allowed = intent.NewVLANSet(1, 10, 100)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := Drift(ctx, dir, "leaf1", []string{"remove-allowed-vlan", "Ethernet1", "100"}); err != nil {
		t.Fatal(err)
	}
	if got := l.Device("leaf1").Running().Interfaces["Ethernet1"].Allowed.String(); got != "1,10" {
		t.Errorf("allowed after drift %s", got)
	}
	if err := Drift(ctx, dir, "nope", []string{"lag-static", "10"}); err == nil {
		t.Error("drift on unknown switch accepted")
	}
	if got, err := Running(ctx, dir); err != nil || len(got) != 3 {
		t.Errorf("running: %v %v", got, err)
	}
	if err := Down(ctx, dir); err != nil {
		t.Fatal(err)
	}
	<-l.Done()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := Down(ctx, dir); !errors.Is(err, ErrNoLab) {
		t.Errorf("down after close: %v", err)
	}
	for _, s := range infos {
		if c, err := net.Dial("tcp", s.Addr); err == nil {
			c.Close()
			t.Errorf("%s still listening", s.Name)
		}
	}
	if n := settle(before); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines: %d before, %d after Close\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}

	// Host keys persist across runs.
	key1, _ := os.ReadFile(filepath.Join(dir, HostKeysDir, "leaf1.key"))
	l2, err := Start(ctx, testInventory(), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	key2, _ := os.ReadFile(filepath.Join(dir, HostKeysDir, "leaf1.key"))
	if string(key1) != string(key2) || len(key1) == 0 {
		t.Error("host key changed between runs")
	}
}

// firstPrompt logs in with the lab credentials, verifying the host key
// against the lab's known_hosts, and returns the first prompt.
func firstPrompt(t *testing.T, dir string, s SwitchInfo) string {
	t.Helper()
	cb, err := knownhosts.New(filepath.Join(dir, KnownHostsFile))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ssh.Dial("tcp", s.Addr, &ssh.ClientConfig{User: DefaultUsername, Auth: []ssh.AuthMethod{ssh.Password(DefaultPassword)}, HostKeyCallback: cb})
	if err != nil {
		t.Fatalf("%s: %v", s.Name, err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.RequestPty("xterm", 24, 80, ssh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	out, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 1024)
	for !strings.HasSuffix(string(got), "#") {
		n, err := out.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func TestStartRefusesUnknownPlatforms(t *testing.T) {
	before := runtime.NumGoroutine()
	inv := testInventory()
	inv.Switches = append(inv.Switches, inventory.Switch{Name: "oc1", Platform: "openconfig", Protocol: "gnmi", Address: "192.0.2.30"})
	_, err := Start(context.Background(), inv, Options{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "gNMI frontend") {
		t.Fatalf("err = %v", err)
	}
	// The switches started before the failure are stopped.
	if n := settle(before); n > before {
		t.Errorf("goroutines leaked: %d > %d", n, before)
	}

	// With a gNMI hook the OpenConfig switch gets the hook's address.
	stopped := false
	l, err := Start(context.Background(), inv, Options{Dir: t.TempDir(), GNMI: func(ctx context.Context, d *device.Device) (string, func(), error) {
		if d.Platform() != device.PlatformOpenConfig {
			return "", nil, fmt.Errorf("platform %s", d.Platform())
		}
		return "127.0.0.1:57400", func() { stopped = true }, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	info := l.Switches()[3]
	if info.Protocol != "gnmi" || info.Port != 57400 {
		t.Errorf("oc1 %+v", info)
	}
	l.Close()
	if !stopped {
		t.Error("gNMI stop not called")
	}

	inv.Switches[3].Platform = "junos"
	if _, err := Start(context.Background(), inv, Options{Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "not simulated") {
		t.Errorf("junos: %v", err)
	}
}

func TestParseFault(t *testing.T) {
	name, f, err := ParseFault("leaf1:latency=50ms,jitter=5ms,seed=7,drop-after=5,reject-commit,auth-fail,blackhole,slow-accept=2s")
	if err != nil {
		t.Fatal(err)
	}
	want := device.Faults{Latency: 50 * time.Millisecond, Jitter: 5 * time.Millisecond, Seed: 7, DropAfter: 5, RejectCommit: true, AuthFail: true, Blackhole: true, SlowAccept: 2 * time.Second}
	if name != "leaf1" || f != want {
		t.Errorf("got %s %+v", name, f)
	}
	for _, bad := range []string{"latency=5ms", "leaf1:latency=fast", "leaf1:bogus", "leaf1:drop-after=-1"} {
		if _, _, err := ParseFault(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestFleet(t *testing.T) {
	l, err := StartFleet(context.Background(), 5, 8, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if n := len(l.Switches()); n != 5 {
		t.Fatalf("%d switches", n)
	}
	st := l.Device("sw0003").State()
	if len(st.Interfaces) != 8 || len(st.LLDP) != 8 {
		t.Errorf("sw0003: %d interfaces, %d neighbours", len(st.Interfaces), len(st.LLDP))
	}
	if _, err := strconv.Atoi(strings.TrimPrefix(l.Switches()[0].Addr[strings.LastIndex(l.Switches()[0].Addr, ":"):], ":")); err != nil {
		t.Error(err)
	}
}

// BenchmarkLabMemory reports the heap held per simulated switch for a
// fleet of 1,000 EOS switches with 48 ports each, listening and idle.
func BenchmarkLabMemory(b *testing.B) {
	const n, ports = 1000, 48
	for b.Loop() {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		l, err := StartFleet(context.Background(), n, ports, Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/n, "heap-bytes/switch")
		b.ReportMetric(float64(runtime.NumGoroutine())/n, "goroutines/switch")
		l.Close()
	}
}

// TestStartWithGNMI wires the gNMI frontend the way `netalign lab up` does:
// the CA lives in the lab directory and the generated inventory points the
// OpenConfig switch at it.
func TestStartWithGNMI(t *testing.T) {
	dir := t.TempDir()
	ca, err := gnmi.LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	inv := testInventory()
	inv.Switches = append(inv.Switches, inventory.Switch{Name: "oc1", Platform: "openconfig", Protocol: "gnmi", Address: "192.0.2.30:6030"})
	l, err := Start(context.Background(), inv, Options{Dir: dir,
		GNMI:    gnmi.Hook(gnmi.Options{Username: DefaultUsername, Password: DefaultPassword, CA: ca}),
		GNMITLS: &inventory.TLS{CA: ca.File()}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	oc := l.Inventory().Switch("oc1")
	if oc == nil || oc.Protocol != "gnmi" || oc.TLS == nil || oc.TLS.CA != ca.File() || oc.Port == 0 || oc.KnownHosts != "" {
		t.Fatalf("oc1 in the lab inventory: %+v", oc)
	}
	if c, err := net.Dial("tcp", net.JoinHostPort(oc.Address, strconv.Itoa(oc.Port))); err != nil {
		t.Errorf("gNMI endpoint: %v", err)
	} else {
		c.Close()
	}
}
