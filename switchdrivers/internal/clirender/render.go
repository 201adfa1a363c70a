package clirender

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers"
)

// EthernetName is the canonical Ethernet port name both platforms accept on
// a CLI line: EthernetN[/N[/N]].
var EthernetName = regexp.MustCompile(`^Ethernet[0-9]{1,3}(/[0-9]{1,3}){0,2}$`)

// Dialect is what one platform spells differently in the lines Render
// writes.
type Dialect struct {
	// LAGName matches the canonical port-channel names the platform
	// accepts (Port-ChannelN, with the platform's range of N).
	LAGName *regexp.Regexp
	// LAGInterface is the name a port-channel's `interface` line uses,
	// from its canonical name; nil writes the canonical name.
	LAGInterface func(canonical string) string
	// MinMTU and MaxMTU bound the `mtu` line.
	MinMTU, MaxMTU int
	// Trunk are the lines that make a port a trunk.
	Trunk []string
	// MinLinks, MLAG and LACPRate are the keywords of the port-channel
	// min-links line, the MLAG (vPC) id line and the member LACP rate
	// line ("<LACPRate> fast|normal").
	MinLinks, MLAG, LACPRate string
	// VLANActive are the lines, in VLAN configuration mode, that make a
	// suspended or shut-down VLAN active.
	VLANActive []string
}

// Render turns changes into configuration lines, in order, one block per
// change. It is pure. Trunk VLAN lists are edited incrementally
// (`switchport trunk allowed vlan add|remove`) unless the change replaces
// the list (fully managed ports).
func (d *Dialect) Render(changes []intent.SwitchChange) ([]string, error) {
	var lines []string
	for i, c := range changes {
		l, err := d.renderOne(c)
		if err != nil {
			return nil, fmt.Errorf("render change %d (%s %s %s): %w", i, c.Action, c.Object, c.Name, err)
		}
		lines = append(lines, l...)
	}
	return lines, nil
}

func (d *Dialect) renderOne(c intent.SwitchChange) ([]string, error) {
	switch c.Object {
	case intent.ObjVLAN:
		return d.renderVLAN(c)
	case intent.ObjLAG:
		return d.renderLAG(c)
	case intent.ObjInterface:
		return d.renderEthernet(c)
	}
	return nil, fmt.Errorf("unknown object kind %q", c.Object)
}

func vlanID(c intent.SwitchChange) (int, error) {
	id, err := strconv.Atoi(c.Name)
	if c.VLAN != nil && c.VLAN.ID != 0 {
		if err == nil && id != c.VLAN.ID {
			return 0, fmt.Errorf("vlan name %q and id %d disagree", c.Name, c.VLAN.ID)
		}
		id, err = c.VLAN.ID, nil
	}
	if err != nil || id < 1 || id > 4094 {
		return 0, fmt.Errorf("vlan id %q is not 1-4094", c.Name)
	}
	return id, nil
}

func (d *Dialect) renderVLAN(c intent.SwitchChange) ([]string, error) {
	id, err := vlanID(c)
	if err != nil {
		return nil, err
	}
	if c.Action == intent.Delete {
		return []string{"no vlan " + strconv.Itoa(id)}, nil
	}
	lines := []string{"vlan " + strconv.Itoa(id)}
	if c.VLAN != nil && c.VLAN.Name != "" {
		if err := switchdrivers.CheckCLIWord(c.VLAN.Name); err != nil {
			return nil, fmt.Errorf("vlan name: %w", err)
		}
		lines = append(lines, "name "+c.VLAN.Name)
	}
	if c.Reactivate {
		if len(d.VLANActive) == 0 {
			return nil, fmt.Errorf("the dialect cannot make a vlan active")
		}
		lines = append(lines, d.VLANActive...)
	}
	return lines, nil
}

// checkName returns the canonical form of raw when it is safe on a CLI line
// and matches re.
func checkName(raw string, re *regexp.Regexp) (string, error) {
	if err := switchdrivers.CheckCLISafe(raw); err != nil {
		return "", fmt.Errorf("interface name: %w", err)
	}
	n := intent.NormalizeInterface(raw)
	if !re.MatchString(n) {
		return "", fmt.Errorf("interface name %q is not %s", raw, re)
	}
	return n, nil
}

func (d *Dialect) renderLAG(c intent.SwitchChange) ([]string, error) {
	n, err := checkName(c.Name, d.LAGName)
	if err != nil {
		return nil, err
	}
	if d.LAGInterface != nil {
		n = d.LAGInterface(n)
	}
	if c.Action == intent.Delete {
		return []string{"no interface " + n}, nil
	}
	body, err := d.portBody(c)
	if err != nil {
		return nil, err
	}
	lines := append([]string{"interface " + n}, body...)
	if c.MinLinks > 0 {
		lines = append(lines, d.MinLinks+" "+strconv.Itoa(c.MinLinks))
	}
	if c.MLAGID > 0 {
		lines = append(lines, d.MLAG+" "+strconv.Itoa(c.MLAGID))
	}
	return lines, nil
}

func (d *Dialect) renderEthernet(c intent.SwitchChange) ([]string, error) {
	n, err := checkName(c.Name, EthernetName)
	if err != nil {
		return nil, err
	}
	if c.Action == intent.Delete {
		return nil, fmt.Errorf("a physical port cannot be deleted; leave its LAG or change its settings instead")
	}
	if c.Join && c.Leave {
		return nil, fmt.Errorf("join and leave in one change")
	}
	lines := []string{"interface " + n}
	if c.Leave {
		lines = append(lines, "no channel-group")
	}
	body, err := d.portBody(c)
	if err != nil {
		return nil, err
	}
	lines = append(lines, body...)
	if c.Join {
		if c.ChannelGroup < 1 {
			return nil, fmt.Errorf("join without a channel group")
		}
		switch c.ChannelMode {
		case intent.ChannelOn, intent.ChannelActive, intent.ChannelPassive:
			// The explicit mode, also for on: NX-OS reads a bare
			// `channel-group N` as mode on, EOS requires the mode.
			lines = append(lines, fmt.Sprintf("channel-group %d mode %s", c.ChannelGroup, c.ChannelMode))
		case "":
			return nil, fmt.Errorf("join without a channel mode")
		default:
			return nil, fmt.Errorf("channel mode %q: want on, active or passive", c.ChannelMode)
		}
	}
	switch c.LACPRate {
	case "":
	case "fast":
		lines = append(lines, d.LACPRate+" fast")
	case "slow", "normal":
		lines = append(lines, d.LACPRate+" normal")
	default:
		return nil, fmt.Errorf("lacp rate %q: want fast or slow", c.LACPRate)
	}
	return lines, nil
}

// portBody is the layer-2 and description part shared by ports and LAGs.
func (d *Dialect) portBody(c intent.SwitchChange) ([]string, error) {
	var lines []string
	if c.Description != "" {
		if err := switchdrivers.CheckCLISafe(c.Description); err != nil {
			return nil, fmt.Errorf("description: %w", err)
		}
		lines = append(lines, "description "+c.Description)
	}
	if c.MTU != 0 {
		if c.MTU < d.MinMTU || c.MTU > d.MaxMTU {
			return nil, fmt.Errorf("mtu %d is outside %d-%d", c.MTU, d.MinMTU, d.MaxMTU)
		}
		lines = append(lines, "mtu "+strconv.Itoa(c.MTU))
	}
	if c.SetTrunk {
		lines = append(lines, d.Trunk...)
	}
	if c.NativeVLAN != 0 {
		if c.NativeVLAN < 1 || c.NativeVLAN > 4094 {
			return nil, fmt.Errorf("native vlan %d is not 1-4094", c.NativeVLAN)
		}
		lines = append(lines, "switchport trunk native vlan "+strconv.Itoa(c.NativeVLAN))
	}
	for _, set := range []intent.VLANSet{c.Allowed, c.AddVLANs, c.RemoveVLANs} {
		if len(set) > 0 && (set[0] < 1 || set[len(set)-1] > 4094) {
			return nil, fmt.Errorf("vlan list %s is outside 1-4094", set)
		}
	}
	if c.ReplaceVLANs {
		return append(lines, "switchport trunk allowed vlan "+c.Allowed.String()), nil
	}
	if len(c.AddVLANs) > 0 {
		lines = append(lines, "switchport trunk allowed vlan add "+c.AddVLANs.String())
	}
	if len(c.RemoveVLANs) > 0 {
		lines = append(lines, "switchport trunk allowed vlan remove "+c.RemoveVLANs.String())
	}
	return lines, nil
}
