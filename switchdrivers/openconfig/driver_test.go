package openconfig

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/netalign/netalign/internal/access/accesstest"
	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	labgnmi "github.com/netalign/netalign/internal/lab/gnmi"
	"github.com/netalign/netalign/internal/lab/sshcli"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/labtest"
)

const (
	labUser = "netalign"
	labPass = "lab-gnmi-pass"
)

type labSwitch struct {
	dev     *device.Device
	gnmi    *labgnmi.Server
	cfg     switchdrivers.Config
	sshAddr string
	sshKey  ssh.PublicKey
}

// startLab runs one simulated switch with the gNMI frontend and, for the EOS
// platform, the SSH frontend on the same device model: Ethernet1-2 face
// host h0's 802.3ad bond (lacp_rate fast), Ethernet3 host h1's
// active-backup bond, Ethernet4 nothing.
func startLab(t *testing.T, platform string, opts labgnmi.Options) *labSwitch {
	t.Helper()
	dir := t.TempDir()
	lacp := func(nic string) *device.HostNIC {
		return &device.HostNIC{Host: "h0", NIC: nic, BondMode: intent.LACP, LACPRate: "fast", ClusterNetwork: "mgmt"}
	}
	dev := device.New("oc1", platform, []device.PortSpec{
		{Name: "Ethernet1", Peer: lacp("eno1")},
		{Name: "Ethernet2", Peer: lacp("eno2")},
		{Name: "Ethernet3", Peer: &device.HostNIC{Host: "h1", NIC: "eno3", BondMode: intent.ActiveBackup, ClusterNetwork: "oob"}},
		{Name: "Ethernet4"},
	})
	opts.Dir, opts.Username, opts.Password = dir, labUser, labPass
	srv, err := labgnmi.New(dev, opts)
	if err != nil {
		t.Fatal(err)
	}
	host, port := labtest.Listen(t, srv)
	ls := &labSwitch{dev: dev, gnmi: srv, cfg: switchdrivers.Config{
		Name: "oc1", Platform: Platform, Protocol: Protocol, Host: host, Port: port,
		Username: labUser, Password: secret.New(labPass), CredentialSource: "password from $OC_LAB_PASS (passwordEnv)",
		CAFile: srv.CAFile(), Timeout: 20 * time.Second,
	}}
	if platform == device.PlatformEOS {
		key, err := sshcli.LoadOrCreateHostKey(filepath.Join(dir, "host.key"))
		if err != nil {
			t.Fatal(err)
		}
		ss, err := sshcli.New(dev, sshcli.Options{Username: labUser, Password: labPass, HostKey: key})
		if err != nil {
			t.Fatal(err)
		}
		sa, err := ss.Listen("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ss.Close() })
		ls.sshAddr, ls.sshKey = sa.String(), key.PublicKey()
	}
	return ls
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func openDriver(t *testing.T, ls *labSwitch, log *slog.Logger) *Driver {
	t.Helper()
	d, err := Open(testCtx(t), ls.cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// lacpLAGChanges puts Ethernet1-2 in LACP Port-Channel10 (active, fast),
// a trunk with native VLAN 1 allowing 10 and 100, MTU 9000.
func lacpLAGChanges() []intent.SwitchChange {
	return []intent.SwitchChange{
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "10", VLAN: &intent.VLAN{ID: 10, Name: "mgmt"}},
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100, Name: "vlan100"}},
		{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel10", LAGType: intent.LAGLACP, MinLinks: 1,
			SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(10, 100), MTU: 9000},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Et1", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Et2", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
	}
}

// sshShow runs one show command over the lab's SSH frontend.
func sshShow(t *testing.T, ls *labSwitch, cmd string) []byte {
	t.Helper()
	c, err := ssh.Dial("tcp", ls.sshAddr, &ssh.ClientConfig{
		User: labUser, Auth: []ssh.AuthMethod{ssh.Password(labPass)},
		HostKeyCallback: ssh.FixedHostKey(ls.sshKey), Timeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := s.Output(cmd)
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return out
}

// TestApplyLACPLAGObserveAndShow sets a LACP LAG with two members and trunk
// VLANs in one SetRequest through the driver, reads it back with Observe,
// and sees it in the EOS dialect's `show port-channel summary | json` over
// SSH: one device model behind both frontends.
func TestApplyLACPLAGObserveAndShow(t *testing.T) {
	ls := startLab(t, device.PlatformEOS, labgnmi.Options{})
	d := openDriver(t, ls, nil)
	ctx := testCtx(t)

	res, err := d.Apply(ctx, lacpLAGChanges())
	if err != nil {
		t.Fatal(err)
	}
	if res.Commands != 2 || len(res.Lines) != 8 {
		t.Errorf("apply: %d round trips, %d operations; want 2 (get + set) and 8:\n%s", res.Commands, len(res.Lines), strings.Join(res.Lines, "\n"))
	}

	got, err := d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	po := got.Interface("Port-Channel10")
	wantPo := intent.Interface{
		Name: "Port-Channel10", Kind: intent.KindLAG, AdminUp: true, OperUp: true, MTU: 9000,
		Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.NewVLANSet(10, 100),
		LAGType: intent.LAGLACP, Members: []string{"Ethernet1", "Ethernet2"}, MinLinks: 1,
	}
	if po == nil {
		t.Fatal("observe: no Port-Channel10")
	}
	if d := cmp.Diff(wantPo, *po); d != "" {
		t.Errorf("Port-Channel10 (-want +got):\n%s", d)
	}
	for _, m := range []string{"Ethernet1", "Ethernet2"} {
		want := intent.Interface{
			Name: m, Kind: intent.KindEthernet, AdminUp: true, OperUp: true, MTU: 9000,
			Mode: intent.ModeAccess, AccessVLAN: 1,
			ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast", MemberState: intent.MemberBundled,
		}
		if d := cmp.Diff(want, *got.Interface(m)); d != "" {
			t.Errorf("%s (-want +got):\n%s", m, d)
		}
	}
	if d := cmp.Diff([]intent.VLAN{{ID: 1, Name: "default"}, {ID: 10, Name: "mgmt"}, {ID: 100, Name: "vlan100"}}, got.VLANs); d != "" {
		t.Errorf("vlans (-want +got):\n%s", d)
	}
	// The driver's view over gNMI equals the model's own vendor-neutral view.
	model := ls.dev.State()
	model.Name, model.Platform, model.Hostname = got.Name, got.Platform, got.Hostname
	// The MLAG peering has no OpenConfig model the driver reads; the
	// EOS CLI serves it.
	model.MLAG = nil
	if d := cmp.Diff(model, *got); d != "" {
		t.Errorf("observe over gNMI differs from the model (-model +observed):\n%s", d)
	}

	var pcs sshcli.EOSPortChannels
	if err := json.Unmarshal(sshShow(t, ls, "show port-channel summary | json"), &pcs); err != nil {
		t.Fatal(err)
	}
	pc, ok := pcs.PortChannels["Port-Channel10"]
	if !ok {
		t.Fatalf("show port-channel summary: no Port-Channel10 in %+v", pcs)
	}
	if len(pc.ActivePorts) != 2 || pc.ActivePorts["Ethernet1"].Protocol != "lacp" || pc.ActivePorts["Ethernet2"].LacpMode != "active" {
		t.Errorf("Port-Channel10 active ports over SSH: %+v", pc.ActivePorts)
	}

	// Converged: applying the same changes again changes nothing, and an
	// empty change list sends nothing.
	before := ls.dev.Running()
	if _, err := d.Apply(ctx, lacpLAGChanges()); err != nil {
		t.Fatal(err)
	}
	after := ls.dev.Running()
	if !before.Equal(&after) {
		t.Error("re-applying the same changes changed the device")
	}
	res, err = d.Apply(ctx, nil)
	if err != nil || res.Commands != 0 {
		t.Errorf("empty apply: %d round trips, %v", res.Commands, err)
	}
}

// TestApplyIncrementalAndTypeChange edits a trunk incrementally and turns
// the LACP LAG into a static one, members out and back in, in one request.
func TestApplyIncrementalAndTypeChange(t *testing.T) {
	ls := startLab(t, device.PlatformOpenConfig, labgnmi.Options{NetworkInstance: "main"})
	ls.cfg.NetworkInstance = "main"
	d := openDriver(t, ls, nil)
	ctx := testCtx(t)
	if _, err := d.Apply(ctx, lacpLAGChanges()); err != nil {
		t.Fatal(err)
	}
	// Someone else allowed VLAN 300 on the LAG: incremental edits keep it.
	if err := ls.dev.Update(func(c *device.Config) error {
		po := c.Interfaces["Port-Channel10"]
		po.Allowed = po.Allowed.Union(intent.NewVLANSet(300))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(ctx, []intent.SwitchChange{
		{Action: intent.Create, Object: intent.ObjVLAN, Name: "200", VLAN: &intent.VLAN{ID: 200}},
		{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel10", AddVLANs: intent.NewVLANSet(200), RemoveVLANs: intent.NewVLANSet(10)},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Leave: true, Disruptive: true},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet2", Leave: true, Disruptive: true},
		{Action: intent.Update, Object: intent.ObjLAG, Name: "Port-Channel10", LAGType: intent.LAGStatic, Disruptive: true},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelOn},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet2", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelOn},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	po := got.Interface("Port-Channel10")
	if po.LAGType != intent.LAGStatic || !po.Allowed.Equal(intent.NewVLANSet(100, 200, 300)) {
		t.Errorf("Port-Channel10: type %s allowed %s; want static, 100,200,300", po.LAGType, po.Allowed)
	}
	if e1 := got.Interface("Ethernet1"); e1.ChannelMode != intent.ChannelOn || e1.MemberState != intent.MemberBundled {
		t.Errorf("Ethernet1: mode %s state %s", e1.ChannelMode, e1.MemberState)
	}
	if !got.HasVLAN(200) {
		t.Errorf("vlan 200 missing in network instance main: %v", got.VLANs)
	}
}

// TestApplyAtomic: one operation the target refuses fails the whole
// transaction; the device is left exactly as it was and the error says so.
func TestApplyAtomic(t *testing.T) {
	ls := startLab(t, device.PlatformOpenConfig, labgnmi.Options{})
	d := openDriver(t, ls, nil)
	before := ls.dev.Running()
	changes := append(lacpLAGChanges(), intent.SwitchChange{Action: intent.Delete, Object: intent.ObjVLAN, Name: "1"})
	_, err := d.Apply(testCtx(t), changes)
	var rb *switchdrivers.RollbackError
	if !errors.As(err, &rb) || !rb.RolledBack {
		t.Fatalf("want a RollbackError with RolledBack, got %v", err)
	}
	var ce *switchdrivers.CommandError
	if !errors.As(err, &ce) || !strings.Contains(ce.Output, "vlan[vlan-id=1]") || !strings.HasPrefix(ce.Output, "InvalidArgument") {
		t.Errorf("command error should name the refused path: %v", err)
	}
	after := ls.dev.Running()
	if !before.Equal(&after) {
		t.Error("a refused transaction changed the device")
	}

	ls.dev.SetFaults(device.Faults{RejectCommit: true})
	_, err = d.Apply(testCtx(t), lacpLAGChanges())
	if !errors.As(err, &rb) || !rb.RolledBack || !strings.Contains(err.Error(), "commit rejected") {
		t.Fatalf("rejected commit: want a rolled back RollbackError, got %v", err)
	}
	after = ls.dev.Running()
	if !before.Equal(&after) {
		t.Error("a rejected commit changed the device")
	}
}

func TestApplyRefusesMLAG(t *testing.T) {
	ls := startLab(t, device.PlatformOpenConfig, labgnmi.Options{})
	d := openDriver(t, ls, nil)
	n := ls.dev.Commands()
	changes := lacpLAGChanges()
	changes[2].MLAGID = 10
	_, err := d.Apply(testCtx(t), changes)
	if !errors.Is(err, ErrUnsupported) || strings.Contains(err.Error(), "oc1") {
		t.Fatalf("want ErrUnsupported without the device name (the engine adds it), got %v", err)
	}
	if got := ls.dev.Commands() - n; got != 1 {
		t.Errorf("%d RPCs; want only the Get before translation", got)
	}
}

func TestOpenRefusals(t *testing.T) {
	t.Run("wrong password", func(t *testing.T) {
		ls := startLab(t, device.PlatformOpenConfig, labgnmi.Options{})
		ls.cfg.Password = secret.New("wrong-secret")
		_, err := Open(testCtx(t), ls.cfg, nil)
		if cause.Of(err) != cause.AuthFailed || status.Code(err) != codes.Unauthenticated {
			t.Fatalf("want AUTH_FAILED (Unauthenticated), got %s: %v", cause.Of(err), err)
		}
		if msg := err.Error(); !strings.Contains(msg, `user "`+labUser+`"`) || !strings.Contains(msg, "$OC_LAB_PASS") || strings.Contains(msg, "wrong-secret") {
			t.Errorf("message should name the user and the secret's source, never the secret: %q", msg)
		}
	})
	t.Run("wrong CA", func(t *testing.T) {
		ls := startLab(t, device.PlatformOpenConfig, labgnmi.Options{})
		other, err := labgnmi.LoadOrCreateCA(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		ls.cfg.CAFile = other.File()
		_, err = Open(testCtx(t), ls.cfg, nil)
		if cause.Of(err) != cause.TLSVerifyFailed {
			t.Fatalf("want TLS_VERIFY_FAILED, got %s: %v", cause.Of(err), err)
		}
		if msg := err.Error(); !strings.Contains(msg, other.File()) || !strings.Contains(msg, "server name "+ls.cfg.Host) || strings.Contains(msg, "\n") {
			t.Errorf("message should name the CA file and the server name on one line: %q", msg)
		}
	})
	t.Run("server name not in the certificate", func(t *testing.T) {
		ls := startLab(t, device.PlatformOpenConfig, labgnmi.Options{})
		ls.cfg.ServerName = "leaf9.example"
		_, err := Open(testCtx(t), ls.cfg, nil)
		if cause.Of(err) != cause.TLSVerifyFailed || !strings.Contains(err.Error(), "server name leaf9.example") {
			t.Fatalf("want TLS_VERIFY_FAILED naming leaf9.example, got %s: %v", cause.Of(err), err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().(*net.TCPAddr)
		l.Close()
		_, err = Open(testCtx(t), switchdrivers.Config{Name: "oc1", Host: "127.0.0.1", Port: addr.Port, Timeout: 5 * time.Second}, nil)
		if cause.Of(err) != cause.Unreachable {
			t.Fatalf("want UNREACHABLE, got %s: %v", cause.Of(err), err)
		}
	})
	t.Run("target that never speaks", func(t *testing.T) {
		ctx := testCtx(t)
		_, err := Open(ctx, switchdrivers.Config{Name: "oc1", Host: "127.0.0.1", Port: silentPort(t), Timeout: 300 * time.Millisecond}, nil)
		if cause.Of(err) != cause.Timeout {
			t.Fatalf("want TIMEOUT, got %s: %v", cause.Of(err), err)
		}
		if ctx.Err() != nil {
			t.Fatal("Open returned only when the test's own deadline passed")
		}
		if !strings.Contains(err.Error(), "TLS handshake") {
			t.Errorf("message should say the handshake did not complete: %q", err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(testCtx(t))
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := Open(ctx, switchdrivers.Config{Name: "oc1", Host: "127.0.0.1", Port: silentPort(t), Timeout: 20 * time.Second}, nil)
		if c := cause.Of(err); c != cause.Interrupted {
			t.Fatalf("want INTERRUPTED, got %s: %v", c, err)
		}
	})
	t.Run("insecure skips verification and warns", func(t *testing.T) {
		ls := startLab(t, device.PlatformOpenConfig, labgnmi.Options{})
		ls.cfg.CAFile, ls.cfg.Insecure = "", true
		var buf bytes.Buffer
		// The engine tags the logger it hands a driver with the device.
		d := openDriver(t, ls, slog.New(slog.NewTextHandler(&buf, nil)).With("device", "oc1"))
		if _, err := d.Observe(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "level=WARN") || strings.Count(buf.String(), "device=oc1") != 1 {
			t.Errorf("no per-device warning logged: %q", buf.String())
		}
		if strings.Contains(buf.String(), labPass) {
			t.Error("the password reached the log")
		}
	})
	t.Run("missing model", func(t *testing.T) {
		ls := startLab(t, device.PlatformOpenConfig, labgnmi.Options{HideModels: []string{"openconfig-if-aggregate"}})
		_, err := Open(testCtx(t), ls.cfg, nil)
		if !errors.Is(err, ErrMissingModel) || cause.Of(err) != cause.PlatformMismatch || !strings.Contains(err.Error(), "openconfig-if-aggregate") {
			t.Fatalf("want PLATFORM_MISMATCH (ErrMissingModel) naming openconfig-if-aggregate, got %s: %v", cause.Of(err), err)
		}
	})
	t.Run("no lldp model", func(t *testing.T) {
		ls := startLab(t, device.PlatformOpenConfig, labgnmi.Options{HideModels: []string{"openconfig-lldp"}})
		d := openDriver(t, ls, nil)
		st, err := d.Observe(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(st.LLDP) != 0 || len(st.Interfaces) != 4 {
			t.Errorf("without openconfig-lldp: %d neighbours, %d interfaces", len(st.LLDP), len(st.Interfaces))
		}
	})
}

// silentPort is the port of a listener that accepts TCP connections and
// never speaks (it never completes a TLS handshake).
func silentPort(t *testing.T) int {
	_, port, err := net.SplitHostPort(accesstest.SilentListener(t))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(port)
	return n
}

func TestRegister(t *testing.T) {
	r := switchdrivers.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"openconfig/gnmi"}, r.Platforms()); d != "" {
		t.Errorf("platforms (-want +got):\n%s", d)
	}
	ls := startLab(t, device.PlatformOpenConfig, labgnmi.Options{})
	drv, err := r.Open(testCtx(t), ls.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := drv.Observe(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "oc1" || st.Platform != Platform || len(st.LLDP) != 3 {
		t.Errorf("observe through the registry: %+v", st)
	}
	drv.Close()
}
