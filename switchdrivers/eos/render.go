package eos

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers"
)

// ethernetName and lagName are the only interface names the renderer puts on
// a CLI line (after normalisation): EthernetN[/N[/N]] and Port-ChannelN.
var (
	ethernetName = regexp.MustCompile(`^Ethernet[0-9]{1,3}(/[0-9]{1,3}){0,2}$`)
	lagName      = regexp.MustCompile(`^Port-Channel[0-9]{1,6}$`)
)

// Render turns typed changes into EOS configuration lines, in order, one
// block per change. It is pure. Trunk VLAN lists are edited incrementally
// (`switchport trunk allowed vlan add|remove`) unless the change replaces
// the list (fully managed ports). Every name and description that reaches a
// line is checked first, so inventory text can never inject a command.
func Render(changes []intent.SwitchChange) ([]string, error) {
	var lines []string
	for i, c := range changes {
		l, err := renderOne(c)
		if err != nil {
			return nil, fmt.Errorf("render change %d (%s %s %s): %w", i, c.Action, c.Object, c.Name, err)
		}
		lines = append(lines, l...)
	}
	return lines, nil
}

func renderOne(c intent.SwitchChange) ([]string, error) {
	switch c.Object {
	case intent.ObjVLAN:
		return renderVLAN(c)
	case intent.ObjLAG:
		return renderLAG(c)
	case intent.ObjInterface:
		return renderEthernet(c)
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

func renderVLAN(c intent.SwitchChange) ([]string, error) {
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
	return lines, nil
}

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

func renderLAG(c intent.SwitchChange) ([]string, error) {
	n, err := checkName(c.Name, lagName)
	if err != nil {
		return nil, err
	}
	if c.Action == intent.Delete {
		return []string{"no interface " + n}, nil
	}
	lines := []string{"interface " + n}
	body, err := portBody(c)
	if err != nil {
		return nil, err
	}
	lines = append(lines, body...)
	if c.MinLinks > 0 {
		lines = append(lines, "port-channel min-links "+strconv.Itoa(c.MinLinks))
	}
	if c.MLAGID > 0 {
		lines = append(lines, "mlag "+strconv.Itoa(c.MLAGID))
	}
	return lines, nil
}

func renderEthernet(c intent.SwitchChange) ([]string, error) {
	n, err := checkName(c.Name, ethernetName)
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
	body, err := portBody(c)
	if err != nil {
		return nil, err
	}
	lines = append(lines, body...)
	if c.Join {
		if c.ChannelGroup < 1 {
			return nil, fmt.Errorf("join without a channel group")
		}
		mode := c.ChannelMode
		switch mode {
		case intent.ChannelOn, intent.ChannelActive, intent.ChannelPassive:
		case "":
			return nil, fmt.Errorf("join without a channel mode")
		default:
			return nil, fmt.Errorf("channel mode %q: want on, active or passive", mode)
		}
		lines = append(lines, fmt.Sprintf("channel-group %d mode %s", c.ChannelGroup, mode))
	}
	switch c.LACPRate {
	case "":
	case "fast":
		lines = append(lines, "lacp timer fast")
	case "slow", "normal":
		lines = append(lines, "lacp timer normal")
	default:
		return nil, fmt.Errorf("lacp rate %q: want fast or slow", c.LACPRate)
	}
	return lines, nil
}

// portBody is the layer-2 and description part shared by ports and LAGs.
func portBody(c intent.SwitchChange) ([]string, error) {
	var lines []string
	if c.Description != "" {
		if err := switchdrivers.CheckCLISafe(c.Description); err != nil {
			return nil, fmt.Errorf("description: %w", err)
		}
		lines = append(lines, "description "+c.Description)
	}
	if c.MTU != 0 {
		if c.MTU < 68 || c.MTU > 9214 {
			return nil, fmt.Errorf("mtu %d is outside 68-9214", c.MTU)
		}
		lines = append(lines, "mtu "+strconv.Itoa(c.MTU))
	}
	if c.SetTrunk {
		lines = append(lines, "switchport mode trunk")
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
		lines = append(lines, "switchport trunk allowed vlan "+c.Allowed.String())
		return lines, nil
	}
	if len(c.AddVLANs) > 0 {
		lines = append(lines, "switchport trunk allowed vlan add "+c.AddVLANs.String())
	}
	if len(c.RemoveVLANs) > 0 {
		lines = append(lines, "switchport trunk allowed vlan remove "+c.RemoveVLANs.String())
	}
	return lines, nil
}
