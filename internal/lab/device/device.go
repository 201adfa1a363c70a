package device

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netalign/netalign/internal/intent"
)

// Errors callers branch on.
var (
	// ErrNoInterface: the interface does not exist on the device.
	ErrNoInterface = errors.New("no such interface")
	// ErrInvalid: a value is out of range or not allowed.
	ErrInvalid = errors.New("invalid value")
	// ErrModeMismatch: a port-channel would mix static and LACP members.
	ErrModeMismatch = errors.New("channel mode mismatch")
	// ErrCommitRejected: the RejectCommit fault refused a commit.
	ErrCommitRejected = errors.New("commit rejected")
)

// Platforms the lab simulates.
const (
	PlatformEOS        = "eos"
	PlatformNXOS       = "nxos"
	PlatformOpenConfig = "openconfig"
)

// HostNIC is what is cabled to a switch port: one NIC of a host and the bond
// it is enslaved to.
type HostNIC struct {
	Host string
	NIC  string
	// MAC of the NIC; when empty a stable locally administered address is
	// derived from host and NIC name.
	MAC string
	// BondMode of the host bond the NIC belongs to (that of its cluster
	// network).
	BondMode intent.BondMode
	// LACPRate of the host bond: slow or fast (802.3ad only).
	LACPRate       string
	ClusterNetwork string
	// LLDPPortIDIfname mimics `configure lldp portidsubtype ifname` in
	// lldpd: the port id is the NIC name instead of lldpd's default, the
	// MAC address (the NIC name is always sent as port description).
	LLDPPortIDIfname bool
}

// BondKey identifies the host bond a NIC belongs to ("host/clusterNetwork").
func (h *HostNIC) BondKey() string { return h.Host + "/" + h.ClusterNetwork }

// PortSpec is a physical port of a simulated switch.
type PortSpec struct {
	// Name is the canonical port name (Ethernet1); other spellings are
	// normalised by New.
	Name string
	// Speed as shown by `show interfaces status` (default "10G").
	Speed string
	// Peer is the host NIC cabled to the port, nil when nothing is.
	Peer *HostNIC
}

// Faults are the failures a simulated device injects. Zero means healthy.
// Everything random is drawn from a generator seeded with Seed, so a run is
// reproducible.
type Faults struct {
	// Latency is added before every reply (CLI command or RPC).
	Latency time.Duration
	// Jitter adds up to this much more, drawn from the seeded generator.
	Jitter time.Duration
	Seed   uint64
	// DropAfter closes a connection after it has served this many
	// commands (0: never).
	DropAfter int
	// RejectCommit makes every commit (EOS session commit, NX-OS
	// configure/rollback, gNMI Set) fail with the device's error.
	RejectCommit bool
	// AuthFail rejects every login.
	AuthFail bool
	// Blackhole accepts TCP connections and never answers.
	Blackhole bool
	// SlowAccept delays the start of every connection's handshake.
	SlowAccept time.Duration
	// ShiftedVLANIDs makes an NX-OS switch answer `show vlan brief | json`
	// as some releases do: vlanshowbr-vlanid shifted left 24 bits
	// (16777216 for VLAN 1), the real id only in vlanshowbr-vlanid-utf.
	ShiftedVLANIDs bool
}

// Device is one simulated switch. All methods are safe for concurrent use.
type Device struct {
	name     string
	platform string
	ports    []PortSpec
	peers    map[string]*HostNIC
	fabric   *Fabric

	commands atomic.Int64

	mu      sync.Mutex
	running *Config
	startup *Config
	faults  Faults
	rng     *rand.Rand
	links   mlagLinks
}

// New returns a device with the factory configuration: VLAN 1, every port a
// default switchport. Port names are normalised (Et1 → Ethernet1).
func New(name, platform string, ports []PortSpec) *Device {
	d := &Device{
		name:     name,
		platform: platform,
		ports:    make([]PortSpec, len(ports)),
		peers:    make(map[string]*HostNIC, len(ports)),
		rng:      rand.New(rand.NewPCG(0, 0)),
	}
	names := make([]string, len(ports))
	for i, p := range ports {
		p.Name = intent.NormalizeInterface(p.Name)
		if p.Speed == "" {
			p.Speed = "10G"
		}
		if p.Peer != nil {
			peer := *p.Peer
			if peer.MAC == "" {
				peer.MAC = DeriveMAC(peer.Host, peer.NIC)
			}
			p.Peer = &peer
			d.peers[p.Name] = p.Peer
		}
		d.ports[i] = p
		names[i] = p.Name
	}
	d.running = NewConfig(name, names)
	d.startup = d.running.Clone()
	return d
}

// Name returns the switch name.
func (d *Device) Name() string { return d.name }

// Platform returns eos, nxos or openconfig.
func (d *Device) Platform() string { return d.platform }

// Ports returns the physical ports and what is cabled to them. The slice
// and the HostNIC values must not be modified.
func (d *Device) Ports() []PortSpec { return d.ports }

// Peer returns the host NIC cabled to a port, or nil.
func (d *Device) Peer(port string) *HostNIC { return d.peers[intent.NormalizeInterface(port)] }

// Running returns a copy of the running configuration.
func (d *Device) Running() Config {
	d.mu.Lock()
	defer d.mu.Unlock()
	return *d.running.Clone()
}

// Startup returns a copy of the startup configuration.
func (d *Device) Startup() Config {
	d.mu.Lock()
	defer d.mu.Unlock()
	return *d.startup.Clone()
}

// Save copies running-config to startup-config.
func (d *Device) Save() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.startup = d.running.Clone()
}

// Update changes the running configuration atomically: fn works on a clone,
// which replaces the running configuration only when fn returns nil. No
// other change can interleave. This is how CLI commands, configuration
// session commits and gNMI Sets change the device. fn runs with the
// device locked: it must not call methods of the device.
func (d *Device) Update(fn func(c *Config) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.running.Clone()
	if err := fn(c); err != nil {
		return err
	}
	d.running = c
	return nil
}

// Commit is Update for transactions (configuration session commit, NX-OS
// rollback, gNMI Set): it honours the RejectCommit fault before calling fn.
func (d *Device) Commit(fn func(c *Config) error) error {
	d.mu.Lock()
	reject := d.faults.RejectCommit
	d.mu.Unlock()
	if reject {
		return fmt.Errorf("%s: %w", d.name, ErrCommitRejected)
	}
	return d.Update(fn)
}

// Replace swaps in a whole configuration (NX-OS rollback to a checkpoint).
func (d *Device) Replace(c *Config) error {
	return d.Commit(func(cur *Config) error {
		*cur = *c.Clone()
		return nil
	})
}

// Faults returns the fault settings.
func (d *Device) Faults() Faults {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.faults
}

// SetFaults replaces the fault settings and reseeds the generator.
func (d *Device) SetFaults(f Faults) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.faults = f
	d.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
}

// Delay returns how long the next reply waits: Latency plus a jitter drawn
// from the seeded generator.
func (d *Device) Delay() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	delay := d.faults.Latency
	if d.faults.Jitter > 0 {
		delay += time.Duration(d.rng.Int64N(int64(d.faults.Jitter) + 1))
	}
	return delay
}

// CountCommand records one command (or RPC) served.
func (d *Device) CountCommand() { d.commands.Add(1) }

// Commands returns how many commands the device has served.
func (d *Device) Commands() int64 { return d.commands.Load() }

// DeriveMAC returns a stable, locally administered unicast MAC address for a
// host NIC that has no MAC in the inventory.
func DeriveMAC(host, nic string) string {
	// FNV-1a, 32 bits, over "host/nic".
	h := uint32(2166136261)
	for _, b := range []byte(host + "/" + nic) {
		h ^= uint32(b)
		h *= 16777619
	}
	return fmt.Sprintf("02:00:%02x:%02x:%02x:%02x", byte(h>>24), byte(h>>16), byte(h>>8), byte(h))
}

// Hostname returns the configured hostname (the name in the CLI prompt).
func (d *Device) Hostname() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.running.Hostname
}
