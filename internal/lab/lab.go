package lab

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/internal/lab/sshcli"
	"github.com/netalign/netalign/inventory"
)

// Default credential environment variables written into the lab inventory.
const (
	DefaultUsernameEnv = "NETALIGN_LAB_USER"
	DefaultPasswordEnv = "NETALIGN_LAB_PASS"
	DefaultUsername    = "admin"
	DefaultPassword    = "netalign-lab"
	// DefaultPorts is how many front-panel ports a simulated switch has
	// besides the ones the inventory cables.
	DefaultPorts = 32
)

// File names inside the lab directory.
const (
	InventoryFile  = "inventory.yaml"
	KnownHostsFile = "known_hosts"
	EnvFile        = "lab.env"
	HostKeysDir    = "hostkeys"
	SocketFile     = "lab.sock"
)

// GNMIFunc starts the gNMI frontend of an OpenConfig device and returns its
// address and a function that stops it.
type GNMIFunc func(ctx context.Context, dev *device.Device) (addr string, stop func(), err error)

// Options configure a lab.
type Options struct {
	// Dir holds host keys (kept across runs), the generated inventory,
	// known_hosts, lab.env and the control socket. Required.
	Dir string
	// ListenHost is the address the simulated switches listen on
	// (default 127.0.0.1); ports are ephemeral.
	ListenHost string
	// Username, Password and EnableSecret are what the simulated switches
	// accept. Empty Username/Password are read from the environment
	// variables UsernameEnv/PasswordEnv, then default to admin /
	// netalign-lab. An empty EnableSecret lands logins in privileged mode.
	Username, Password, EnableSecret string
	// UsernameEnv and PasswordEnv are the variable names the generated
	// inventory refers to (defaults NETALIGN_LAB_USER, NETALIGN_LAB_PASS).
	UsernameEnv, PasswordEnv string
	// EnablePasswordEnv, when set with EnableSecret, is written into the
	// inventory as the enable secret's variable.
	EnablePasswordEnv string
	// Ports is the number of front-panel ports per switch (default 32).
	Ports int
	// Faults per switch name.
	Faults map[string]device.Faults
	// GNMI starts OpenConfig switches; without it an inventory with an
	// openconfig switch is refused.
	GNMI GNMIFunc
	// GNMITLS is written into the generated inventory for OpenConfig
	// switches (the CA the gNMI frontend's certificate chains to).
	GNMITLS *inventory.TLS
	// Control serves the control socket (drift, down) in Dir.
	Control bool
	// DHCP runs a built-in DHCP server for every DHCP entry of kind
	// embedded, with its pools file and leases in Dir.
	DHCP   bool
	Logger *slog.Logger
}

// SwitchInfo describes one running simulated switch.
type SwitchInfo struct {
	Name     string
	Platform string
	Protocol string
	// Addr is host:port of the SSH or gNMI endpoint.
	Addr string
	Host string
	Port int
	// Ports is the number of physical ports, Cabled how many face a host.
	Ports  int
	Cabled int
}

// Lab is a running set of simulated switches.
type Lab struct {
	dir      string
	inv      *inventory.Inventory
	switches []*simSwitch
	byName   map[string]*simSwitch
	log      *slog.Logger

	dhcp     []*labDHCP
	dhcpMu   sync.Mutex // StopDHCP, StartDHCP and Close
	ctl      net.Listener
	ctlWG    sync.WaitGroup
	done     chan struct{}
	doneOnce sync.Once
	closeMu  sync.Mutex
	closed   bool
}

type simSwitch struct {
	info SwitchInfo
	dev  *device.Device
	ssh  *sshcli.Server
	pub  ssh.PublicKey
	stop func()
}

// Start starts one simulated switch per inventory switch on ListenHost
// ephemeral ports, wires every port to the host NIC the inventory cables
// to it (with that host's bond mode), and writes into opts.Dir an
// inventory pointing at the simulated switches, their known_hosts and
// lab.env (the credentials as shell exports). On error nothing is left
// running.
func Start(ctx context.Context, inv *inventory.Inventory, opts Options) (_ *Lab, err error) {
	if opts.Dir == "" {
		return nil, errors.New("lab: no directory")
	}
	opts = withDefaults(opts)
	if err := os.MkdirAll(filepath.Join(opts.Dir, HostKeysDir), 0o700); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	l := &Lab{dir: opts.Dir, byName: map[string]*simSwitch{}, log: opts.Logger, done: make(chan struct{})}
	defer func() {
		if err != nil {
			l.Close()
		}
	}()
	cabling, err := Cabling(inv)
	if err != nil {
		return nil, err
	}
	// All device models first, linked in one fabric, then the frontends.
	fabric := device.NewFabric()
	devs := make([]*device.Device, len(inv.Switches))
	for i, sw := range inv.Switches {
		devs[i], err = newDevice(sw, cabling[sw.Name], opts)
		if err != nil {
			return nil, err
		}
		fabric.Add(devs[i])
	}
	for i, sw := range inv.Switches {
		for j, peer := range inv.Switches {
			if sw.MLAGPeer != "" && sw.MLAGPeer == peer.Name && peer.MLAGPeer == sw.Name && i < j {
				fabric.PairMLAG(devs[i], devs[j])
			}
		}
	}
	for i, sw := range inv.Switches {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("lab: %w", err)
		}
		s, err := l.startSwitch(ctx, sw, devs[i], len(cabling[sw.Name]), opts)
		if err != nil {
			return nil, err
		}
		l.switches = append(l.switches, s)
		l.byName[sw.Name] = s
	}
	if opts.DHCP {
		if err := l.startDHCP(ctx, inv, opts.ListenHost); err != nil {
			return nil, err
		}
	}
	if err := l.writeFiles(inv, opts); err != nil {
		return nil, err
	}
	if opts.Control {
		if err := l.serveControl(); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func withDefaults(o Options) Options {
	if o.ListenHost == "" {
		o.ListenHost = "127.0.0.1"
	}
	if o.UsernameEnv == "" {
		o.UsernameEnv = DefaultUsernameEnv
	}
	if o.PasswordEnv == "" {
		o.PasswordEnv = DefaultPasswordEnv
	}
	if o.Username == "" {
		o.Username = os.Getenv(o.UsernameEnv)
	}
	if o.Username == "" {
		o.Username = DefaultUsername
	}
	if o.Password == "" {
		o.Password = os.Getenv(o.PasswordEnv)
	}
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	if o.Ports <= 0 {
		o.Ports = DefaultPorts
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Cabling returns, per switch name, the host NIC cabled to each port (by
// canonical port name), with the bond mode of the NIC's cluster network.
func Cabling(inv *inventory.Inventory) (map[string]map[string]*device.HostNIC, error) {
	out := map[string]map[string]*device.HostNIC{}
	cns := map[string]inventory.ClusterNetwork{}
	for _, cn := range inv.ClusterNetworks {
		cns[cn.Name] = cn
	}
	for _, h := range inv.Hosts {
		for _, hc := range h.ClusterNetworks {
			cn := cns[hc.Name]
			mode, err := intent.ParseBondMode(cn.Bond.Mode)
			if err != nil {
				return nil, fmt.Errorf("lab: host %s cluster network %s: %w", h.Name, hc.Name, err)
			}
			for _, n := range hc.NICs {
				if n.Switch == "" || n.Port == "" {
					continue
				}
				if out[n.Switch] == nil {
					out[n.Switch] = map[string]*device.HostNIC{}
				}
				port := intent.NormalizeInterface(n.Port)
				if prev, ok := out[n.Switch][port]; ok {
					return nil, fmt.Errorf("lab: switch %s port %s cabled twice (%s %s and %s %s)", n.Switch, port, prev.Host, prev.NIC, h.Name, n.Name)
				}
				out[n.Switch][port] = &device.HostNIC{Host: h.Name, NIC: n.Name, MAC: n.MAC, BondMode: mode,
					LACPRate: cn.Bond.LACPRate, ClusterNetwork: hc.Name}
			}
		}
	}
	return out, nil
}

var nxosPortRE = regexp.MustCompile(`^Ethernet\d+/\d+$`)

// portSpecs builds a switch's ports: n front-panel ports in the
// platform's naming (Ethernet1.. on EOS, Ethernet1/1.. on NX-OS and
// OpenConfig targets use EOS-style names) plus every cabled or named port
// outside that range.
func portSpecs(platform string, n int, cabled map[string]*device.HostNIC, extra ...string) []device.PortSpec {
	var specs []device.PortSpec
	seen := map[string]bool{}
	add := func(name string) {
		name = intent.NormalizeInterface(name)
		if name == "" || seen[name] || intent.LAGID(name) > 0 {
			return
		}
		seen[name] = true
		specs = append(specs, device.PortSpec{Name: name, Speed: "10G", Peer: cabled[name]})
	}
	nx := platform == device.PlatformNXOS
	for p := range cabled {
		if nxosPortRE.MatchString(p) {
			nx = true
		}
	}
	for i := 1; i <= n; i++ {
		if nx {
			add("Ethernet1/" + strconv.Itoa(i))
		} else {
			add("Ethernet" + strconv.Itoa(i))
		}
	}
	var rest []string
	for p := range cabled {
		rest = append(rest, p)
	}
	rest = append(rest, extra...)
	device.SortInterfaces(rest)
	for _, p := range rest {
		add(p)
	}
	return specs
}

// newDevice builds the model of one switch in the factory configuration of
// a switch already in service: MLAG/vPC domain configured when the
// inventory pairs it, LACP enabled on NX-OS.
func newDevice(sw inventory.Switch, cabled map[string]*device.HostNIC, opts Options) (*device.Device, error) {
	platform := strings.ToLower(sw.Platform)
	var extra []string
	if sw.MgmtPort != "" {
		extra = append(extra, sw.MgmtPort)
	}
	specs := portSpecs(platform, opts.Ports, cabled, extra...)
	dev := device.New(sw.Name, platform, specs)
	if f, ok := opts.Faults[sw.Name]; ok {
		dev.SetFaults(f)
	}
	if err := dev.Update(func(c *device.Config) error {
		c.MLAG = sw.MLAGPeer != ""
		if platform == device.PlatformNXOS {
			c.Features["lacp"] = true
			if c.MLAG {
				c.Features["vpc"] = true
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	dev.Save()
	return dev, nil
}

func (l *Lab) startSwitch(ctx context.Context, sw inventory.Switch, dev *device.Device, cabled int, opts Options) (*simSwitch, error) {
	platform := dev.Platform()
	s := &simSwitch{dev: dev, info: SwitchInfo{Name: sw.Name, Platform: platform, Ports: len(dev.Ports()), Cabled: cabled}}
	switch platform {
	case device.PlatformEOS, device.PlatformNXOS:
		key, err := sshcli.LoadOrCreateHostKey(filepath.Join(opts.Dir, HostKeysDir, safeName(sw.Name)+".key"))
		if err != nil {
			return nil, fmt.Errorf("lab: switch %s: %w", sw.Name, err)
		}
		srv, err := sshcli.New(dev, sshcli.Options{Username: opts.Username, Password: opts.Password,
			EnableSecret: opts.EnableSecret, HostKey: key, Logger: opts.Logger})
		if err != nil {
			return nil, fmt.Errorf("lab: %w", err)
		}
		addr, err := srv.Listen(net.JoinHostPort(opts.ListenHost, "0"))
		if err != nil {
			return nil, fmt.Errorf("lab: %w", err)
		}
		s.ssh, s.pub, s.stop = srv, key.PublicKey(), func() { srv.Close() }
		s.info.Protocol, s.info.Addr = "ssh", addr.String()
	case device.PlatformOpenConfig:
		if opts.GNMI == nil {
			return nil, fmt.Errorf("lab: switch %s: platform openconfig needs the gNMI frontend, which this lab was started without", sw.Name)
		}
		addr, stop, err := opts.GNMI(ctx, dev)
		if err != nil {
			return nil, fmt.Errorf("lab: switch %s: gnmi: %w", sw.Name, err)
		}
		s.stop = stop
		s.info.Protocol, s.info.Addr = "gnmi", addr
	default:
		return nil, fmt.Errorf("lab: switch %s: platform %q is not simulated (eos, nxos, openconfig are)", sw.Name, sw.Platform)
	}
	host, ps, err := net.SplitHostPort(s.info.Addr)
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("lab: switch %s: address %q: %w", sw.Name, s.info.Addr, err)
	}
	s.info.Host = host
	s.info.Port, _ = strconv.Atoi(ps)
	return s, nil
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, s)
}

// Dir returns the lab directory.
func (l *Lab) Dir() string { return l.dir }

// InventoryPath is the generated inventory (Dir/inventory.yaml).
func (l *Lab) InventoryPath() string { return filepath.Join(l.dir, InventoryFile) }

// Inventory returns the generated inventory (addresses of the simulated
// switches).
func (l *Lab) Inventory() *inventory.Inventory { return l.inv }

// Switches describes the running switches, in inventory order.
func (l *Lab) Switches() []SwitchInfo {
	out := make([]SwitchInfo, len(l.switches))
	for i, s := range l.switches {
		out[i] = s.info
	}
	return out
}

// Device returns the model of the named switch, or nil. Tests and the demo
// use it to inspect state or inject drift and faults.
func (l *Lab) Device(name string) *device.Device {
	if s, ok := l.byName[name]; ok {
		return s.dev
	}
	return nil
}

// Drift applies a drift (see device.DriftUsage) to the named switch.
func (l *Lab) Drift(name string, spec []string) error {
	d := l.Device(name)
	if d == nil {
		return fmt.Errorf("lab: no switch %q", name)
	}
	return d.Drift(spec)
}

// Done is closed when a `down` request arrives on the control socket.
func (l *Lab) Done() <-chan struct{} { return l.done }

// Close stops every switch and the control socket and waits for their
// goroutines. Files in Dir stay (host keys are reused by the next run).
func (l *Lab) Close() error {
	l.closeMu.Lock()
	if l.closed {
		l.closeMu.Unlock()
		return nil
	}
	l.closed = true
	l.closeMu.Unlock()
	if l.ctl != nil {
		l.ctl.Close()
		l.ctlWG.Wait()
		os.Remove(filepath.Join(l.dir, SocketFile))
	}
	var wg sync.WaitGroup
	for _, s := range l.switches {
		if s.stop == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.stop()
		}()
	}
	wg.Wait()
	l.stopDHCP()
	l.doneOnce.Do(func() { close(l.done) })
	return nil
}

// knownHostsLines renders known_hosts for the SSH switches.
func (l *Lab) knownHostsLines() string {
	var b strings.Builder
	for _, s := range l.switches {
		if s.pub != nil {
			b.WriteString(knownhosts.Line([]string{knownhosts.Normalize(s.info.Addr)}, s.pub) + "\n")
		}
	}
	return b.String()
}

// Leftovers lists what transactions left on the named switch: its
// configuration sessions (pending, or waiting for a commit timer) and
// checkpoints, as "session NAME (state)" and "checkpoint NAME", sorted.
// A gNMI switch keeps none.
func (l *Lab) Leftovers(name string) []string {
	s, ok := l.byName[name]
	if !ok || s.ssh == nil {
		return nil
	}
	var out []string
	for n, state := range s.ssh.ConfigSessions() {
		out = append(out, "session "+n+" ("+state+")")
	}
	for _, n := range s.ssh.Checkpoints() {
		out = append(out, "checkpoint "+n)
	}
	sort.Strings(out)
	return out
}
