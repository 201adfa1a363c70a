package sshcli

import (
	"fmt"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

// JSON shapes of NX-OS `show ... | json` (TABLE_x/ROW_x, every value a
// string). Version, vlan brief, interface and port-channel summary follow
// the captures in testdata/nxos; the others follow NX-OS's documented
// models (no capture available).

// NXVersion is `show version | json`.
type NXVersion struct {
	HeaderStr     string `json:"header_str"`
	BiosVerStr    string `json:"bios_ver_str,omitempty"`
	LoaderVerStr  string `json:"loader_ver_str"`
	KickstartVer  string `json:"kickstart_ver_str"`
	SysVerStr     string `json:"sys_ver_str"`
	ChassisID     string `json:"chassis_id"`
	ModuleID      string `json:"module_id"`
	CPUName       string `json:"cpu_name"`
	Memory        int64  `json:"memory"`
	MemType       string `json:"mem_type"`
	ProcBoardID   string `json:"proc_board_id"`
	HostName      string `json:"host_name"`
	BootflashSize int64  `json:"bootflash_size"`
	KernUptmDays  int    `json:"kern_uptm_days"`
	KernUptmHrs   int    `json:"kern_uptm_hrs"`
	KernUptmMins  int    `json:"kern_uptm_mins"`
	KernUptmSecs  int    `json:"kern_uptm_secs"`
	Manufacturer  string `json:"manufacturer"`
}

// NXVlanBrief is `show vlan brief | json`.
type NXVlanBrief struct {
	Table struct {
		Rows []NXVlanRow `json:"ROW_vlanbriefxbrief"`
	} `json:"TABLE_vlanbriefxbrief"`
}

// NXVlanRow is one VLAN; Ports is a comma-separated interface list.
type NXVlanRow struct {
	ID        string `json:"vlanshowbr-vlanid"`
	IDUTF     string `json:"vlanshowbr-vlanid-utf"`
	Name      string `json:"vlanshowbr-vlanname"`
	State     string `json:"vlanshowbr-vlanstate"`
	ShutState string `json:"vlanshowbr-shutstate"`
	Ports     string `json:"vlanshowplist-ifidx,omitempty"`
}

// NXInterfaces is `show interface | json`.
type NXInterfaces struct {
	Table struct {
		Rows []NXInterface `json:"ROW_interface"`
	} `json:"TABLE_interface"`
}

// NXInterface is one interface (counters left out).
type NXInterface struct {
	Interface    string `json:"interface"`
	State        string `json:"state"`
	StateRsnDesc string `json:"state_rsn_desc,omitempty"`
	AdminState   string `json:"admin_state"`
	ShareState   string `json:"share_state,omitempty"`
	EthHwDesc    string `json:"eth_hw_desc"`
	EthHwAddr    string `json:"eth_hw_addr"`
	EthBiaAddr   string `json:"eth_bia_addr"`
	Desc         string `json:"desc,omitempty"`
	EthMTU       string `json:"eth_mtu"`
	EthBW        string `json:"eth_bw"`
	EthDuplex    string `json:"eth_duplex"`
	EthSpeed     string `json:"eth_speed"`
	EthMode      string `json:"eth_mode,omitempty"`
	EthBundle    string `json:"eth_bundle,omitempty"`
	EthMembers   string `json:"eth_members,omitempty"`
}

// NXPortChannelSummary is `show port-channel summary | json`.
type NXPortChannelSummary struct {
	Table struct {
		Rows []NXPortChannel `json:"ROW_channel"`
	} `json:"TABLE_channel"`
}

// NXPortChannel is one port-channel. Status: U up, D down; Prtcl: LACP or
// NONE (static).
type NXPortChannel struct {
	Group       string     `json:"group"`
	PortChannel string     `json:"port-channel"`
	Layer       string     `json:"layer"`
	Status      string     `json:"status"`
	Type        string     `json:"type"`
	Prtcl       string     `json:"prtcl"`
	Members     *NXMembers `json:"TABLE_member,omitempty"`
}

// NXMembers lists members; PortStatus: P bundled, s suspended, I
// individual, D down.
type NXMembers struct {
	Rows []NXMember `json:"ROW_member"`
}

// NXMember is one member.
type NXMember struct {
	Port       string `json:"port"`
	PortStatus string `json:"port-status"`
}

// NXSwitchports is `show interface switchport | json`.
type NXSwitchports struct {
	Table struct {
		Rows []NXSwitchport `json:"ROW_interface"`
	} `json:"TABLE_interface"`
}

// NXSwitchport is one interface's layer-2 settings.
type NXSwitchport struct {
	Interface      string `json:"interface"`
	Switchport     string `json:"switchport"`
	OperMode       string `json:"oper_mode"`
	AccessVLAN     string `json:"access_vlan"`
	AccessVLANName string `json:"access_vlan_name"`
	NativeVLAN     string `json:"native_vlan"`
	NativeVLANName string `json:"native_vlan_name"`
	TrunkVLANs     string `json:"trunk_vlans"`
}

// NXLldpNeighborsDetail is `show lldp neighbors detail | json`.
type NXLldpNeighborsDetail struct {
	Table struct {
		Rows []NXLldpNeighbor `json:"ROW_nbor_detail"`
	} `json:"TABLE_nbor_detail"`
}

// NXLldpNeighbor is one neighbour.
type NXLldpNeighbor struct {
	ChassisID string `json:"chassis_id"`
	PortID    string `json:"port_id"`
	LPortID   string `json:"l_port_id"`
	PortDesc  string `json:"port_desc"`
	SysName   string `json:"sys_name"`
	SysDesc   string `json:"sys_desc"`
	TTL       int    `json:"ttl"`
}

func nxShort(n string) string {
	if strings.HasPrefix(n, "Ethernet") {
		return "Eth" + n[len("Ethernet"):]
	}
	if strings.HasPrefix(n, "Port-Channel") {
		return "Po" + n[len("Port-Channel"):]
	}
	return n
}

func nxShowVersion(sh *shell, _ []string) (string, error) {
	v := NXVersion{
		HeaderStr:    "Cisco Nexus Operating System (NX-OS) Software\nTAC support: http://www.cisco.com/tac\nCopyright (c) 2002-2022, Cisco Systems, Inc. All rights reserved.\n",
		LoaderVerStr: "N/A", KickstartVer: "9.3(8)", SysVerStr: "9.3(8)", ChassisID: "Nexus9000 C9300v Chassis",
		ModuleID: "Nexus 9000v 64 port Ethernet Module", CPUName: "Intel(R) Xeon(R) CPU", Memory: 16409064, MemType: "kB",
		ProcBoardID: strings.ToUpper(strings.ReplaceAll(device.DeriveMAC(sh.dev.Name(), "system"), ":", ""))[:11],
		HostName:    sh.hostname(), BootflashSize: 4287040, KernUptmHrs: 1, Manufacturer: "Cisco Systems, Inc.",
	}
	if sh.format.json {
		return sh.renderJSON(v)
	}
	return fmt.Sprintf("%s\nSoftware\n  NXOS: version %s\n\nHardware\n  cisco %s (\"%s\")\n  %s with %d %s of memory.\n  Processor Board ID %s\n\n  Device name: %s\n  bootflash:    %d kB\n\nKernel uptime is 0 day(s), 1 hour(s), 0 minute(s), 0 second(s)\n",
		v.HeaderStr, v.SysVerStr, v.ChassisID, v.ModuleID, v.CPUName, v.Memory, v.MemType, v.ProcBoardID, v.HostName, v.BootflashSize), nil
}

func nxShowHostname(sh *shell, _ []string) (string, error) {
	if sh.format.json {
		return sh.renderJSON(map[string]string{"hostname": sh.hostname()})
	}
	return sh.hostname(), nil
}

func nxShowVlanBrief(sh *shell, _ []string) (string, error) {
	c := sh.running()
	members := vlanMembers(c)
	var out NXVlanBrief
	var b strings.Builder
	b.WriteString("\nVLAN Name                             Status    Ports\n---- -------------------------------- --------- -------------------------------\n")
	for _, id := range c.VLANIDs() {
		var ports, short []string
		for _, m := range members[id] {
			ports = append(ports, nxName(m))
			short = append(short, nxShort(m))
		}
		name := c.VLANs[id].Name
		state, shut := "active", "noshutdown"
		if c.VLANs[id].Suspended {
			state = "suspend"
		}
		if c.VLANs[id].Shutdown {
			shut = "shutdown"
		}
		row := NXVlanRow{ID: fmt.Sprint(id), IDUTF: fmt.Sprint(id), Name: name, State: state, ShutState: shut, Ports: strings.Join(ports, ",")}
		if sh.dev.Faults().ShiftedVLANIDs {
			row.ID = fmt.Sprint(id << 24)
		}
		out.Table.Rows = append(out.Table.Rows, row)
		fmt.Fprintf(&b, "%-4d %-32s %-9s %s\n", id, name, vlanStatus(c.VLANs[id]), strings.Join(short, ", "))
	}
	return sh.reply(out, b.String())
}

func nxState(in *device.Interface, o *device.Oper) (state, reason string) {
	switch {
	case in.Shutdown:
		return "down", "Administratively down"
	case o.MemberState == intent.MemberSuspended && o.Reason == device.ReasonNoPDUs:
		return "down", "suspended(no LACP PDUs)"
	case o.MemberState == intent.MemberSuspended:
		return "down", "suspended(not bundled)"
	case o.OperUp:
		return "up", ""
	case in.IsLAG():
		return "down", "No operational members"
	}
	return "down", "Link not connected"
}

func nxShowInterface(sh *shell, a []string) (string, error) {
	snap := sh.snapshot()
	c := snap.Config
	names := c.InterfaceNames()
	if len(a) > 0 {
		sel, err := parseIfRange(a[0])
		if err != nil {
			return "", cliError(nxInvalidMarker(sh, len("show interface ")))
		}
		names = sel
	}
	var out NXInterfaces
	var b strings.Builder
	for _, name := range names {
		in, o := c.Interfaces[name], snap.Oper[name]
		if in == nil {
			return "", cliError("ERROR: Invalid interface")
		}
		state, reason := nxState(in, o)
		mac := dotMAC(portMAC(sh.dev.Name(), name))
		bw := speedBits(speedOf(snap, name)) / 1000
		r := NXInterface{Interface: nxName(name), State: state, StateRsnDesc: reason, AdminState: map[bool]string{true: "down", false: "up"}[in.Shutdown],
			EthHwAddr: mac, EthBiaAddr: mac, Desc: in.Description, EthMTU: fmt.Sprint(o.MTU), EthDuplex: "full", EthSpeed: "10 Gb/s",
			EthMode: string(in.Mode)}
		if in.Routed {
			r.EthMode = "routed"
		}
		if in.IsLAG() {
			r.EthHwDesc = "Port-Channel"
			r.EthBW = fmt.Sprint(int64(o.Bundled) * bw)
			var ms []string
			for _, m := range o.Members {
				ms = append(ms, nxName(m))
			}
			r.EthMembers = strings.Join(ms, ", ")
		} else {
			r.EthHwDesc, r.ShareState = "100/1000/10000 Ethernet", "Dedicated"
			r.EthBW = fmt.Sprint(bw)
			if in.ChannelGroup > 0 {
				r.EthBundle = fmt.Sprint(in.ChannelGroup)
			}
		}
		out.Table.Rows = append(out.Table.Rows, r)
		fmt.Fprintf(&b, "%s is %s", r.Interface, state)
		if reason != "" {
			fmt.Fprintf(&b, " (%s)", reason)
		}
		fmt.Fprintf(&b, "\nadmin state is %s, Dedicated Interface\n", r.AdminState)
		if r.EthBundle != "" {
			fmt.Fprintf(&b, "  Belongs to Po%s\n", r.EthBundle)
		}
		fmt.Fprintf(&b, "  Hardware: %s, address: %s (bia %s)\n", r.EthHwDesc, mac, mac)
		if in.Description != "" {
			fmt.Fprintf(&b, "  Description: %s\n", in.Description)
		}
		fmt.Fprintf(&b, "  MTU %d bytes, BW %s Kbit, DLY 10 usec\n", o.MTU, r.EthBW)
		if in.IsLAG() && r.EthMembers != "" {
			fmt.Fprintf(&b, "  Members in this channel: %s\n", r.EthMembers)
		}
		b.WriteString("\n")
	}
	return sh.reply(out, b.String())
}

func nxShowSwitchport(sh *shell, _ []string) (string, error) {
	c := sh.running()
	var out NXSwitchports
	var b strings.Builder
	for _, name := range c.InterfaceNames() {
		in := c.Interfaces[name]
		if in.Routed {
			continue
		}
		r := NXSwitchport{Interface: nxName(name), Switchport: "Enabled", OperMode: string(in.Mode),
			AccessVLAN: fmt.Sprint(in.AccessVLAN), AccessVLANName: nxVlanName(c, in.AccessVLAN),
			NativeVLAN: fmt.Sprint(in.NativeVLAN), NativeVLANName: nxVlanName(c, in.NativeVLAN), TrunkVLANs: in.Allowed.String()}
		out.Table.Rows = append(out.Table.Rows, r)
		fmt.Fprintf(&b, "Name: %s\n  Switchport: Enabled\n  Switchport Monitor: Not enabled\n  Operational Mode: %s\n", r.Interface, r.OperMode)
		fmt.Fprintf(&b, "  Access Mode VLAN: %s (%s)\n  Trunking Native Mode VLAN: %s (%s)\n  Trunking VLANs Allowed: %s\n", r.AccessVLAN, r.AccessVLANName, r.NativeVLAN, r.NativeVLANName, r.TrunkVLANs)
	}
	return sh.reply(out, b.String())
}

func nxVlanName(c *device.Config, id int) string {
	if v, ok := c.VLANs[id]; ok {
		return v.Name
	}
	return "Vlan not created"
}

func nxShowInterfaceStatus(sh *shell, _ []string) (string, error) {
	if sh.format.json {
		return "", sh.noJSON()
	}
	snap := sh.snapshot()
	c := snap.Config
	var b strings.Builder
	b.WriteString("\n--------------------------------------------------------------------------------\nPort          Name               Status    Vlan      Duplex  Speed   Type\n--------------------------------------------------------------------------------\n")
	for _, name := range c.InterfaceNames() {
		in, o := c.Interfaces[name], snap.Oper[name]
		status := "connected"
		switch {
		case in.Shutdown:
			status = "disabled"
		case o.MemberState == intent.MemberSuspended:
			status = "suspnd"
		case !o.OperUp:
			status = "notconnec"
		}
		vlan := "trunk"
		switch {
		case in.Routed:
			vlan = "routed"
		case in.Mode == intent.ModeAccess:
			vlan = fmt.Sprint(in.AccessVLAN)
		}
		fmt.Fprintf(&b, "%-13s %-18s %-9s %-9s %-7s %-7s %s\n", nxShort(name), trunc(in.Description, 18), status, vlan, "full", "10G", "10Gbase-SR")
	}
	return b.String(), nil
}

func nxMemberFlag(o *device.Oper) string {
	switch o.MemberState {
	case intent.MemberBundled:
		return "P"
	case intent.MemberSuspended:
		return "s"
	case intent.MemberIndividual:
		return "I"
	}
	return "D"
}

func nxShowPortChannelSummary(sh *shell, _ []string) (string, error) {
	snap := sh.snapshot()
	c := snap.Config
	var out NXPortChannelSummary
	var b strings.Builder
	b.WriteString(`Flags:  D - Down         P - Up in port-channel (members)
        I - Individual   H - Hot-standby (LACP only)
        s - Suspended    r - Module-removed
        b - BFD Session Wait
        S - Switched     R - Routed
        U - Up (port-channel)
        p - Up in delay-lacp mode (member)
        M - Not in use. Min-links not met
--------------------------------------------------------------------------------
Group Port-       Type     Protocol  Member Ports
      Channel
--------------------------------------------------------------------------------
`)
	for _, name := range c.InterfaceNames() {
		in, o := c.Interfaces[name], snap.Oper[name]
		if !in.IsLAG() {
			continue
		}
		r := NXPortChannel{Group: fmt.Sprint(in.LAGID()), PortChannel: nxName(name), Layer: "S", Status: "U", Type: "Eth", Prtcl: "NONE"}
		if in.Routed {
			r.Layer = "R"
		}
		if !o.LinkUp {
			r.Status = "D"
			if len(o.Members) > 0 && o.Bundled > 0 {
				r.Status = "M"
			}
		}
		if o.LAGType == intent.LAGLACP {
			r.Prtcl = "LACP"
		}
		var cells []string
		if len(o.Members) > 0 {
			r.Members = &NXMembers{}
			for _, m := range o.Members {
				f := nxMemberFlag(snap.Oper[m])
				r.Members.Rows = append(r.Members.Rows, NXMember{Port: m, PortStatus: f})
				cells = append(cells, nxShort(m)+"("+f+")")
			}
		}
		out.Table.Rows = append(out.Table.Rows, r)
		fmt.Fprintf(&b, "%-5s %-11s %-8s %-9s %s\n", r.Group, "Po"+r.Group+"("+r.Layer+r.Status+")", r.Type, r.Prtcl, strings.Join(cells, " "))
	}
	return sh.reply(out, b.String())
}

func nxShowLacpNeighbor(sh *shell, _ []string) (string, error) {
	if sh.format.json {
		return "", sh.noJSON()
	}
	snap := sh.snapshot()
	c := snap.Config
	var b strings.Builder
	b.WriteString("Flags:  S - Device is sending Slow LACPDUs F - Device is sending Fast LACPDUs\n        A - Device is in Active mode       P - Device is in Passive mode\n")
	for _, name := range c.InterfaceNames() {
		in, o := c.Interfaces[name], snap.Oper[name]
		if !in.IsLAG() || o.LAGType != intent.LAGLACP {
			continue
		}
		fmt.Fprintf(&b, "%s neighbors\n", nxName(name))
		for _, m := range o.Members {
			n, ok := lacpPartner(snap, m)
			if !ok {
				continue
			}
			flags := "SA"
			if n.PartnerPortState.Timeout {
				flags = "FA"
			}
			state := 0
			for i, bit := range []bool{n.PartnerPortState.Activity, n.PartnerPortState.Timeout, n.PartnerPortState.Aggregation, n.PartnerPortState.Synchronization,
				n.PartnerPortState.Collecting, n.PartnerPortState.Distributing, n.PartnerPortState.Defaulted, n.PartnerPortState.Expired} {
				if bit {
					state |= 1 << i
				}
			}
			sys := strings.Replace(n.PartnerSystemID, "ffff,", "65535,", 1)
			fmt.Fprintf(&b, "Partner's information\n            Partner                Partner                     Partner\nPort        System ID              Port Number     Age         Flags\n")
			fmt.Fprintf(&b, "%-11s %-22s 0x%-13x %-11d %s\n\n", nxShort(m), sys, n.PartnerPortID, 1140, flags)
			fmt.Fprintf(&b, "            LACP Partner           Partner                     Partner\n            Port Priority          Oper Key                    Port State\n")
			fmt.Fprintf(&b, "            %-22d %-27s 0x%x\n\n", n.PartnerPortPriority, strings.Replace(n.PartnerOperKey, "0x000", "0x", 1), state)
		}
	}
	return b.String(), nil
}

func nxShowLldpNeighborsDetail(sh *shell, _ []string) (string, error) {
	st := sh.dev.State()
	var out NXLldpNeighborsDetail
	var b strings.Builder
	b.WriteString("Capability codes:\n  (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device\n  (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other\nDevice ID            Local Intf      Hold-time  Capability  Port ID  \n\n")
	for _, n := range st.LLDP {
		portID := n.PortID
		if strings.Count(portID, ":") == 5 {
			portID = dotMAC(portID)
		}
		r := NXLldpNeighbor{ChassisID: dotMAC(n.ChassisID), PortID: portID, LPortID: nxShort(n.LocalPort), PortDesc: n.PortDescr, SysName: n.SystemName,
			SysDesc: "Debian GNU/Linux 12 (bookworm) Linux 6.1.0-18-amd64 x86_64", TTL: 120}
		out.Table.Rows = append(out.Table.Rows, r)
		fmt.Fprintf(&b, "Chassis id: %s\nPort id: %s\nLocal Port id: %s\nPort Description: %s\nSystem Name: %s\nSystem Description: %s\nTime remaining: 93 seconds\nSystem Capabilities: S\nEnabled Capabilities: S\nManagement Address: not advertised\nVlan ID: not advertised\n\n",
			r.ChassisID, r.PortID, r.LPortID, r.PortDesc, r.SysName, r.SysDesc)
	}
	fmt.Fprintf(&b, "Total entries displayed: %d\n", len(st.LLDP))
	return sh.reply(out, b.String())
}

func nxosShowCommands() []*cmd {
	return []*cmd{
		{pattern: "show version", modes: mAnyExec, run: nxShowVersion},
		{pattern: "show hostname", modes: mAnyExec, run: nxShowHostname},
		{pattern: "show vlan brief", modes: mAnyExec, run: nxShowVlanBrief},
		{pattern: "show vlan", modes: mAnyExec, run: nxShowVlanBrief},
		{pattern: "show interface switchport", modes: mAnyExec, run: nxShowSwitchport},
		{pattern: "show interface status", modes: mAnyExec, run: nxShowInterfaceStatus},
		{pattern: "show interface", modes: mAnyExec, run: nxShowInterface},
		{pattern: "show interface <text>", modes: mAnyExec, run: nxShowInterface},
		{pattern: "show port-channel summary", modes: mAnyExec, run: nxShowPortChannelSummary},
		{pattern: "show lacp neighbor", modes: mAnyExec, run: nxShowLacpNeighbor},
		{pattern: "show lldp neighbors detail", modes: mAnyExec, run: nxShowLldpNeighborsDetail},
		{pattern: "show running-config", modes: mPriv, run: showRunning},
		{pattern: "show running-config interface <text>", modes: mPriv, run: showRunning},
		{pattern: "show startup-config", modes: mPriv, run: showStartup},
	}
}
