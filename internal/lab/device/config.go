package device

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/intent"
)

// allVLANs is the default allowed list of a trunk (1-4094). It is shared by
// every interface that has not narrowed its list and must never be modified
// in place (see Interface.Allowed).
var allVLANs = intent.VLANRange(1, 4094)

// AllVLANs returns the shared, read-only set 1-4094.
func AllVLANs() intent.VLANSet { return allVLANs }

// Config is the running configuration of a simulated switch.
type Config struct {
	Hostname string
	// VLANs by id. VLAN 1 always exists.
	VLANs map[int]*VLAN
	// Interfaces by canonical name (Ethernet1, Port-Channel10). Physical
	// ports always exist; port-channels are created and removed.
	Interfaces map[string]*Interface
	// MLAG is true when the switch is configured as an MLAG (EOS) or vPC
	// (NX-OS) peer.
	MLAG bool
	// Features are the NX-OS features enabled with `feature NAME` (lacp,
	// vpc). EOS has none.
	Features map[string]bool
}

// VLAN is a VLAN definition. A VLAN is active unless suspended (`state
// suspend`, both platforms) or shut down (`shutdown` in VLAN configuration
// mode, NX-OS only; shown as act/lshut).
type VLAN struct {
	ID        int
	Name      string
	Suspended bool
	Shutdown  bool
}

// Intent is the VLAN as a driver reports it.
func (v *VLAN) Intent() intent.VLAN {
	return intent.VLAN{ID: v.ID, Name: v.Name, Suspended: v.Suspended, Shutdown: v.Shutdown}
}

// DefaultVLANName is the name a switch gives a VLAN created without one:
// VLAN0100 on both EOS and NX-OS, "default" for VLAN 1.
func DefaultVLANName(id int) string {
	if id == 1 {
		return "default"
	}
	return fmt.Sprintf("VLAN%04d", id)
}

// Interface is the configuration of a physical port or a port-channel.
type Interface struct {
	// Name is canonical: Ethernet1, Port-Channel10.
	Name        string
	Description string
	Shutdown    bool
	// MTU is the configured MTU; 0 means the platform default.
	MTU int
	// Routed is true after `no switchport`.
	Routed bool
	// Mode is access (the default) or trunk.
	Mode       intent.SwitchportMode
	AccessVLAN int
	NativeVLAN int
	// Allowed is the trunk's allowed VLAN list (default 1-4094). Sets may be
	// shared between clones and interfaces: replace the slice, never modify
	// its elements.
	Allowed intent.VLANSet
	// ChannelGroup is the port-channel id a physical port belongs to (0:
	// none) and ChannelMode how it joins (on, active, passive).
	ChannelGroup int
	ChannelMode  intent.ChannelMode
	// LACPRate is "fast" or "normal" (the default), per member port.
	LACPRate string
	// MinLinks is port-channel min-links (EOS) / lacp min-links (NX-OS).
	MinLinks int
	// MLAGID is the MLAG (EOS) or vPC (NX-OS) id of a port-channel.
	MLAGID int
}

// IsLAG reports whether the interface is a port-channel.
func (i *Interface) IsLAG() bool { return strings.HasPrefix(i.Name, "Port-Channel") }

// LAGID returns the port-channel number, or 0 for a physical port.
func (i *Interface) LAGID() int { return intent.LAGID(i.Name) }

// NewInterface returns an interface with the factory defaults of a switch
// port: switchport access VLAN 1, trunk native VLAN 1, all VLANs allowed.
func NewInterface(name string) *Interface {
	return &Interface{
		Name:       intent.NormalizeInterface(name),
		Mode:       intent.ModeAccess,
		AccessVLAN: 1,
		NativeVLAN: 1,
		Allowed:    allVLANs,
	}
}

// Reset restores the factory defaults, keeping the name (EOS `default
// interface X`, or removing an interface block on a physical port).
func (i *Interface) Reset() { *i = *NewInterface(i.Name) }

// NewConfig returns the factory configuration: hostname, VLAN 1 and one
// default interface per port.
func NewConfig(hostname string, ports []string) *Config {
	c := &Config{
		Hostname:   hostname,
		VLANs:      map[int]*VLAN{1: {ID: 1, Name: DefaultVLANName(1)}},
		Interfaces: make(map[string]*Interface, len(ports)),
		Features:   map[string]bool{},
	}
	for _, p := range ports {
		in := NewInterface(p)
		c.Interfaces[in.Name] = in
	}
	return c
}

// Clone returns a deep copy (VLAN sets are shared; they are immutable).
func (c *Config) Clone() *Config {
	out := &Config{
		Hostname:   c.Hostname,
		VLANs:      make(map[int]*VLAN, len(c.VLANs)),
		Interfaces: make(map[string]*Interface, len(c.Interfaces)),
		MLAG:       c.MLAG,
		Features:   maps.Clone(c.Features),
	}
	if out.Features == nil {
		out.Features = map[string]bool{}
	}
	for k, v := range c.VLANs {
		vv := *v
		out.VLANs[k] = &vv
	}
	for k, v := range c.Interfaces {
		vv := *v
		out.Interfaces[k] = &vv
	}
	return out
}

// Equal reports whether two configurations are identical.
func (c *Config) Equal(o *Config) bool {
	if c.Hostname != o.Hostname || c.MLAG != o.MLAG || !maps.Equal(c.Features, o.Features) ||
		len(c.VLANs) != len(o.VLANs) || len(c.Interfaces) != len(o.Interfaces) {
		return false
	}
	for k, v := range c.VLANs {
		w, ok := o.VLANs[k]
		if !ok || *v != *w {
			return false
		}
	}
	for k, v := range c.Interfaces {
		w, ok := o.Interfaces[k]
		if !ok || !interfaceEqual(v, w) {
			return false
		}
	}
	return true
}

func interfaceEqual(a, b *Interface) bool {
	return a.Name == b.Name && a.Description == b.Description && a.Shutdown == b.Shutdown &&
		a.MTU == b.MTU && a.Routed == b.Routed && a.Mode == b.Mode &&
		a.AccessVLAN == b.AccessVLAN && a.NativeVLAN == b.NativeVLAN &&
		a.Allowed.Equal(b.Allowed) && a.ChannelGroup == b.ChannelGroup &&
		a.ChannelMode == b.ChannelMode && a.LACPRate == b.LACPRate &&
		a.MinLinks == b.MinLinks && a.MLAGID == b.MLAGID
}

// VLANIDs returns the defined VLAN ids in ascending order.
func (c *Config) VLANIDs() []int {
	ids := slices.Collect(maps.Keys(c.VLANs))
	slices.Sort(ids)
	return ids
}

// InterfaceNames returns the interface names in the order switches list
// them: port-channels first (as EOS prints its running-config), then
// physical ports, each in natural order (Ethernet2 before Ethernet10).
func (c *Config) InterfaceNames() []string {
	names := slices.Collect(maps.Keys(c.Interfaces))
	SortInterfaces(names)
	return names
}

// SortInterfaces sorts names the way switches print them: Port-Channels
// first, then everything else, with numbers compared numerically.
func SortInterfaces(names []string) {
	slices.SortFunc(names, CompareInterfaces)
}

// CompareInterfaces orders interface names: port-channels first, then by
// prefix, then numerically component by component (Ethernet1/2 < Ethernet1/10).
func CompareInterfaces(a, b string) int {
	pa, pb := strings.HasPrefix(a, "Port-Channel"), strings.HasPrefix(b, "Port-Channel")
	if pa != pb {
		if pa {
			return -1
		}
		return 1
	}
	sa, na := splitName(a)
	sb, nb := splitName(b)
	if c := strings.Compare(sa, sb); c != 0 {
		return c
	}
	return slices.Compare(na, nb)
}

// splitName splits Ethernet1/2 into "Ethernet" and [1 2].
func splitName(s string) (string, []int) {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 {
		return s, nil
	}
	var nums []int
	for _, part := range strings.FieldsFunc(s[i:], func(r rune) bool { return r == '/' || r == '.' }) {
		n, err := strconv.Atoi(part)
		if err != nil {
			return s, nil
		}
		nums = append(nums, n)
	}
	return s[:i], nums
}

// Interface returns the named interface (any spelling) or an error naming it.
func (c *Config) Interface(name string) (*Interface, error) {
	n := intent.NormalizeInterface(name)
	in, ok := c.Interfaces[n]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoInterface, n)
	}
	return in, nil
}

// AddVLAN defines a VLAN (idempotent; a name replaces the old one).
func (c *Config) AddVLAN(id int, name string) error {
	if id < 1 || id > 4094 {
		return fmt.Errorf("%w: vlan %d outside 1-4094", ErrInvalid, id)
	}
	v, ok := c.VLANs[id]
	if !ok {
		v = &VLAN{ID: id, Name: DefaultVLANName(id)}
		c.VLANs[id] = v
	}
	if name != "" {
		v.Name = name
	}
	return nil
}

// RemoveVLAN deletes a VLAN definition. VLAN 1 cannot be removed; trunks
// keep the id in their allowed lists as real switches do.
func (c *Config) RemoveVLAN(id int) error {
	if id == 1 {
		return fmt.Errorf("%w: the default VLAN cannot be removed", ErrInvalid)
	}
	delete(c.VLANs, id)
	return nil
}

// EnsurePortChannel returns port-channel id, creating it with defaults.
func (c *Config) EnsurePortChannel(id int) (*Interface, error) {
	if id < 1 || id > 4096 {
		return nil, fmt.Errorf("%w: port-channel %d outside 1-4096", ErrInvalid, id)
	}
	name := intent.LAGName(id)
	if in, ok := c.Interfaces[name]; ok {
		return in, nil
	}
	in := NewInterface(name)
	c.Interfaces[name] = in
	return in, nil
}

// RemovePortChannel deletes port-channel id and, as EOS and NX-OS do,
// removes the channel-group configuration of its members.
func (c *Config) RemovePortChannel(id int) error {
	name := intent.LAGName(id)
	if _, ok := c.Interfaces[name]; !ok {
		return fmt.Errorf("%w: %s", ErrNoInterface, name)
	}
	delete(c.Interfaces, name)
	for _, in := range c.Interfaces {
		if in.ChannelGroup == id {
			in.ChannelGroup, in.ChannelMode = 0, ""
		}
	}
	return nil
}

// Members returns the names of the physical ports in port-channel id,
// in natural order.
func (c *Config) Members(id int) []string {
	var out []string
	for name, in := range c.Interfaces {
		if !in.IsLAG() && in.ChannelGroup == id {
			out = append(out, name)
		}
	}
	SortInterfaces(out)
	return out
}

// SetChannelGroup puts a physical port into port-channel id in mode (on,
// active or passive), creating the port-channel when needed. A port-channel
// cannot mix static and LACP members, as on a real switch.
func (c *Config) SetChannelGroup(port string, id int, mode intent.ChannelMode) error {
	in, err := c.Interface(port)
	if err != nil {
		return err
	}
	if in.IsLAG() {
		return fmt.Errorf("%w: %s is a port-channel", ErrInvalid, in.Name)
	}
	if mode.LAGType() == intent.LAGNone {
		return fmt.Errorf("%w: channel mode %q (want on, active or passive)", ErrInvalid, mode)
	}
	for _, m := range c.Members(id) {
		if m == in.Name {
			continue
		}
		if other := c.Interfaces[m].ChannelMode; other.LAGType() != mode.LAGType() {
			return fmt.Errorf("%w: %s mode %s conflicts with %s mode %s in %s",
				ErrModeMismatch, in.Name, mode, m, other, intent.LAGName(id))
		}
	}
	if _, err := c.EnsurePortChannel(id); err != nil {
		return err
	}
	in.ChannelGroup, in.ChannelMode = id, mode
	return nil
}

// ClearChannelGroup removes a port from its port-channel (`no channel-group`).
func (c *Config) ClearChannelGroup(port string) error {
	in, err := c.Interface(port)
	if err != nil {
		return err
	}
	in.ChannelGroup, in.ChannelMode = 0, ""
	return nil
}
