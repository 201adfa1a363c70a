package sshcli

import (
	"fmt"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

// renderRunning prints a configuration as the platform's `show
// running-config` does: only non-default lines; EOS with 3-space
// indentation and "!" separators, NX-OS with 2 spaces and blank lines;
// port-channels before Ethernet ports on both. filter, when set, is a
// comma-separated list of interfaces (`show running-config interfaces X`).
func renderRunning(platform string, c *device.Config, filter string) string {
	if platform == device.PlatformNXOS {
		return renderNXOS(c, filter)
	}
	return renderEOS(c, filter)
}

func renderEOS(c *device.Config, filter string) string {
	var b strings.Builder
	if filter == "" {
		b.WriteString("! Command: show running-config\n! device: " + c.Hostname + " (" + eosModel + ", EOS-" + eosVersion + ")\n!\n")
		b.WriteString("! boot system flash:/" + eosModel + ".swi\n!\n")
		b.WriteString("no aaa root\n!\n")
		b.WriteString("transceiver qsfp default-mode 4x10G\n!\n")
		b.WriteString("service routing protocols model multi-agent\n!\n")
		b.WriteString("hostname " + c.Hostname + "\n!\n")
		b.WriteString("spanning-tree mode mstp\n!\n")
		for _, id := range c.VLANIDs() {
			if id == 1 {
				continue
			}
			v := c.VLANs[id]
			b.WriteString(fmt.Sprintf("vlan %d\n", id))
			if v.Name != device.DefaultVLANName(id) {
				b.WriteString("   name " + v.Name + "\n")
			}
			if v.Suspended {
				b.WriteString("   state suspend\n")
			}
			b.WriteString("!\n")
		}
	}
	for _, name := range selectIfs(c, filter) {
		in := c.Interfaces[name]
		b.WriteString("interface " + name + "\n")
		for _, l := range eosIfLines(in) {
			b.WriteString("   " + l + "\n")
		}
		b.WriteString("!\n")
	}
	if filter == "" {
		if c.MLAG {
			b.WriteString("mlag configuration\n   domain-id " + device.MLAGDomain(device.PlatformEOS) + "\n!\n")
		}
		b.WriteString("no ip routing\n!\nend\n")
	}
	return b.String()
}

func selectIfs(c *device.Config, filter string) []string {
	if filter == "" {
		return c.InterfaceNames()
	}
	var out []string
	for _, n := range strings.Split(filter, ",") {
		if _, ok := c.Interfaces[n]; ok {
			out = append(out, n)
		}
	}
	device.SortInterfaces(out)
	return out
}

// eosIfLines are the non-default lines of an interface, in EOS's order.
func eosIfLines(in *device.Interface) []string {
	var l []string
	if in.Description != "" {
		l = append(l, "description "+in.Description)
	}
	if in.Shutdown {
		l = append(l, "shutdown")
	}
	if in.MTU != 0 {
		l = append(l, fmt.Sprintf("mtu %d", in.MTU))
	}
	if !in.Routed {
		if in.AccessVLAN != 1 {
			l = append(l, fmt.Sprintf("switchport access vlan %d", in.AccessVLAN))
		}
		if in.NativeVLAN != 1 {
			l = append(l, fmt.Sprintf("switchport trunk native vlan %d", in.NativeVLAN))
		}
		if len(in.Allowed) != 4094 {
			l = append(l, "switchport trunk allowed vlan "+in.Allowed.String())
		}
		if in.Mode == intent.ModeTrunk {
			l = append(l, "switchport mode trunk")
		}
	} else {
		l = append(l, "no switchport")
	}
	if in.ChannelGroup > 0 {
		l = append(l, fmt.Sprintf("channel-group %d mode %s", in.ChannelGroup, in.ChannelMode))
	}
	if in.LACPRate == "fast" {
		l = append(l, "lacp timer fast")
	}
	if in.MinLinks > 0 {
		l = append(l, fmt.Sprintf("port-channel min-links %d", in.MinLinks))
	}
	if in.MLAGID > 0 {
		l = append(l, fmt.Sprintf("mlag %d", in.MLAGID))
	}
	return l
}

// nxName is the NX-OS spelling of a canonical name (port-channel10).
func nxName(n string) string {
	if strings.HasPrefix(n, "Port-Channel") {
		return "port-channel" + n[len("Port-Channel"):]
	}
	return n
}

func renderNXOS(c *device.Config, filter string) string {
	var b strings.Builder
	if filter == "" {
		b.WriteString("\n!Command: show running-config\n!Running configuration last done at: Tue Nov 14 22:13:20 2023\n!Time: Tue Nov 14 23:13:20 2023\n\n")
		b.WriteString("version 9.3(8) Bios:version  \nhostname " + c.Hostname + "\n")
		for _, f := range []string{"interface-vlan", "lacp", "dhcp", "vpc", "lldp"} {
			if c.Features[f] {
				b.WriteString("feature " + f + "\n")
			}
		}
		b.WriteString("\n")
		ids := c.VLANIDs()
		b.WriteString("vlan " + intent.NewVLANSet(ids...).String() + "\n")
		for _, id := range ids {
			v := c.VLANs[id]
			named := id != 1 && v.Name != device.DefaultVLANName(id)
			if !named && !v.Suspended && !v.Shutdown {
				continue
			}
			fmt.Fprintf(&b, "vlan %d\n", id)
			if named {
				fmt.Fprintf(&b, "  name %s\n", v.Name)
			}
			if v.Suspended {
				b.WriteString("  state suspend\n")
			}
			if v.Shutdown {
				b.WriteString("  shutdown\n")
			}
		}
		b.WriteString("\n")
		if c.MLAG {
			b.WriteString("vpc domain " + device.MLAGDomain(device.PlatformNXOS) + "\n  peer-switch\n\n")
		}
	} else {
		b.WriteString("\n!Command: show running-config interface\n!Time: Tue Nov 14 23:13:20 2023\n\nversion 9.3(8) Bios:version\n\n")
	}
	for _, name := range selectIfs(c, filter) {
		in := c.Interfaces[name]
		b.WriteString("interface " + nxName(name) + "\n")
		for _, l := range nxIfLines(in) {
			b.WriteString("  " + l + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// nxIfLines are the non-default lines of an NX-OS interface.
func nxIfLines(in *device.Interface) []string {
	var l []string
	if in.Description != "" {
		l = append(l, "description "+in.Description)
	}
	if in.Routed {
		l = append(l, "no switchport")
	} else {
		if in.Mode == intent.ModeTrunk {
			l = append(l, "switchport mode trunk")
		}
		if in.AccessVLAN != 1 {
			l = append(l, fmt.Sprintf("switchport access vlan %d", in.AccessVLAN))
		}
		if in.NativeVLAN != 1 {
			l = append(l, fmt.Sprintf("switchport trunk native vlan %d", in.NativeVLAN))
		}
		if len(in.Allowed) != 4094 {
			l = append(l, "switchport trunk allowed vlan "+in.Allowed.String())
		}
	}
	if in.MTU != 0 {
		l = append(l, fmt.Sprintf("mtu %d", in.MTU))
	}
	if in.MinLinks > 0 {
		l = append(l, fmt.Sprintf("lacp min-links %d", in.MinLinks))
	}
	if in.MLAGID > 0 {
		l = append(l, fmt.Sprintf("vpc %d", in.MLAGID))
	}
	if in.LACPRate == "fast" {
		l = append(l, "lacp rate fast")
	}
	if in.ChannelGroup > 0 {
		l = append(l, fmt.Sprintf("channel-group %d mode %s", in.ChannelGroup, in.ChannelMode))
	}
	if !in.Shutdown && !in.IsLAG() {
		l = append(l, "no shutdown")
	} else if in.Shutdown {
		l = append(l, "shutdown")
	}
	return l
}
