package sshcli

import (
	"fmt"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

// Fixed identity of the simulated switches, so outputs are reproducible.
const (
	eosVersion   = "4.30.0F"
	eosModel     = "vEOS-lab"
	bootupTime   = 1700000000.0
	lldpSeenTime = 1700000060.0
	// eosUptime is the uptime `show version` reports, in seconds: EOS
	// reports some times relative to it (commitBy of a session waiting
	// for its commit timer).
	eosUptime = 3600.0
)

func eosAllowed(s intent.VLANSet) string {
	switch {
	case len(s) == 4094:
		return "ALL"
	case len(s) == 0:
		return "NONE"
	}
	return s.String()
}

// --- EOS show commands ------------------------------------------------------

func eosShowVersion(sh *shell, _ []string) (string, error) {
	sysMAC := device.DeriveMAC(sh.dev.Name(), "system")
	v := EOSVersion{
		MfgName: "Arista", ModelName: eosModel, SerialNumber: strings.ToUpper(strings.ReplaceAll(sysMAC, ":", "")),
		SystemMacAddress: sysMAC, HwMacAddress: "00:00:00:00:00:00", ConfigMacAddress: "00:00:00:00:00:00",
		Version: eosVersion + "-31408673.4300F", Architecture: "x86_64", InternalVersion: eosVersion + "-31408673.4300F",
		InternalBuildID: "a35f0dc7-2d65-4f2a-a010-279cf445fd8c", ImageFormatVer: "1.0", KernelVersion: "5.15.0-56-generic",
		BootupTimestamp: bootupTime, Uptime: eosUptime, MemTotal: 2014256, MemFree: 1082840,
	}
	if sh.format.json {
		return sh.renderJSON(v)
	}
	return fmt.Sprintf(`Arista %s
Hardware version:
Serial number: %s
Hardware MAC address: %s
System MAC address: %s

Software image version: %s
Architecture: %s
Internal build version: %s
Internal build ID: %s
Image format version: %s

Uptime: 1 hour and 0 minutes
Total memory: %d kB
Free memory: %d kB
`, v.ModelName, v.SerialNumber, dotMAC(v.HwMacAddress), dotMAC(v.SystemMacAddress), v.Version, v.Architecture,
		v.InternalVersion, v.InternalBuildID, v.ImageFormatVer, v.MemTotal, v.MemFree), nil
}

func eosShowHostname(sh *shell, _ []string) (string, error) {
	h := sh.hostname()
	if sh.format.json {
		return sh.renderJSON(EOSHostname{Hostname: h, FQDN: h})
	}
	return fmt.Sprintf("Hostname: %s\nFQDN:     %s\n", h, h), nil
}

func eosShowVlan(sh *shell, _ []string) (string, error) {
	c := sh.running()
	members := vlanMembers(c)
	if sh.format.json {
		out := EOSVlans{VLANs: map[string]EOSVlan{}}
		for _, id := range c.VLANIDs() {
			v := EOSVlan{Status: vlanStatus(c.VLANs[id]), Name: c.VLANs[id].Name, Interfaces: map[string]EOSVlanInterface{}}
			for _, m := range members[id] {
				v.Interfaces[m] = EOSVlanInterface{}
			}
			out.VLANs[fmt.Sprint(id)] = v
		}
		return sh.renderJSON(out)
	}
	var b strings.Builder
	b.WriteString("VLAN  Name                             Status    Ports\n")
	b.WriteString("----- -------------------------------- --------- -------------------------------\n")
	for _, id := range c.VLANIDs() {
		var short []string
		for _, m := range members[id] {
			short = append(short, intent.ShortInterface(m))
		}
		fmt.Fprintf(&b, "%-5d %-32s %-9s %s\n", id, c.VLANs[id].Name, vlanStatus(c.VLANs[id]), strings.Join(short, ", "))
	}
	return b.String(), nil
}

func vlanName(c *device.Config, id int) string {
	if v, ok := c.VLANs[id]; ok {
		return v.Name
	}
	return "inactive"
}

func eosShowSwitchport(sh *shell, _ []string) (string, error) {
	c := sh.running()
	out := EOSSwitchports{Switchports: map[string]EOSSwitchport{}}
	var b strings.Builder
	for _, name := range c.InterfaceNames() {
		in := c.Interfaces[name]
		if in.Routed {
			continue
		}
		mode := string(in.Mode)
		info := EOSSwitchportInfo{
			Tpid: "0x8100", TpidStatus: true, MacLearning: true, StaticTrunkGroups: []string{}, DynamicTrunkGroups: []string{},
			TrunkAllowedVlans: eosAllowed(in.Allowed), AccessVlanID: in.AccessVLAN, AccessVlanName: vlanName(c, in.AccessVLAN),
			Mode: mode, TrunkingNativeVlanID: in.NativeVLAN, TrunkingNativeVlanName: vlanName(c, in.NativeVLAN),
			DynamicAllowedVlans: map[string]any{},
		}
		out.Switchports[name] = EOSSwitchport{Enabled: true, SwitchportInfo: info}
		opMode := "static access"
		if in.Mode == intent.ModeTrunk {
			opMode = "trunk"
		}
		fmt.Fprintf(&b, "Name: %s\nSwitchport: Enabled\nAdministrative Mode: %s\nOperational Mode: %s\n", intent.ShortInterface(name), opMode, opMode)
		fmt.Fprintf(&b, "MAC Address Learning: enabled\nDot1q ethertype/TPID: 0x8100 (active)\nDot1q Vlan Tag Required (Administrative/Operational): No/No\n")
		fmt.Fprintf(&b, "Access Mode VLAN: %d (%s)\nTrunking Native Mode VLAN: %d (%s)\n", in.AccessVLAN, vlanName(c, in.AccessVLAN), in.NativeVLAN, vlanName(c, in.NativeVLAN))
		fmt.Fprintf(&b, "Administrative Native VLAN tagging: disabled\nTrunking VLANs Enabled: %s\nStatic Trunk Groups:\nDynamic Trunk Groups:\nSource interface filtering: enabled\n\n", eosAllowed(in.Allowed))
	}
	return sh.reply(out, b.String())
}

func eosLinkStatus(in *device.Interface, o *device.Oper) (string, string) {
	switch {
	case in.Shutdown:
		return "disabled", "down"
	case o.LinkUp:
		return "connected", "up"
	case in.IsLAG():
		return "notconnect", "lowerLayerDown"
	}
	return "notconnect", "down"
}

func eosShowInterfacesStatus(sh *shell, _ []string) (string, error) {
	snap := sh.snapshot()
	c := snap.Config
	out := EOSInterfacesStatus{InterfaceStatuses: map[string]EOSInterfaceStatus{}}
	var b strings.Builder
	b.WriteString("Port       Name        Status       Vlan     Duplex Speed  Type            Flags Encapsulation\n")
	for _, name := range c.InterfaceNames() {
		in, o := c.Interfaces[name], snap.Oper[name]
		link, proto := eosLinkStatus(in, o)
		vi := EOSVlanInformation{InterfaceMode: "bridged", InterfaceForwardingModel: "bridged"}
		vlanCol := ""
		switch {
		case in.Routed:
			vi = EOSVlanInformation{InterfaceMode: "routed", InterfaceForwardingModel: "routed"}
			vlanCol = "routed"
		case !in.IsLAG() && in.ChannelGroup > 0:
			vi = EOSVlanInformation{InterfaceMode: "dataLink", InterfaceForwardingModel: "dataLink"}
			vlanCol = "in " + intent.ShortInterface(intent.LAGName(in.ChannelGroup))
		case in.Mode == intent.ModeTrunk:
			vi = EOSVlanInformation{InterfaceMode: "trunk", InterfaceForwardingModel: "bridged"}
			vlanCol = "trunk"
		default:
			vi.VlanID = in.AccessVLAN
			vlanCol = fmt.Sprint(in.AccessVLAN)
		}
		st := EOSInterfaceStatus{VlanInformation: vi, Description: in.Description, Duplex: "duplexFull", LinkStatus: link, LineProtocolStatus: proto}
		speed := speedOf(snap, name)
		typ := speed + "BASE-SR"
		if in.IsLAG() {
			typ = "N/A"
			st.Bandwidth = int64(o.Bundled) * 10_000_000_000
		} else {
			st.Bandwidth = speedBits(speed)
		}
		st.InterfaceType = typ
		out.InterfaceStatuses[name] = st
		fmt.Fprintf(&b, "%-10s %-11s %-12s %-8s %-6s %-6s %-15s\n", intent.ShortInterface(name), trunc(in.Description, 11), link, vlanCol, "full", strings.ToLower(speed), typ)
	}
	return sh.reply(out, b.String())
}

func eosShowInterfaces(sh *shell, a []string) (string, error) {
	snap := sh.snapshot()
	c := snap.Config
	names := c.InterfaceNames()
	if len(a) > 0 {
		sel, err := parseIfRange(a[0])
		if err != nil {
			return "", invalidAt(2, a[0])
		}
		for _, n := range sel {
			if _, ok := c.Interfaces[n]; !ok {
				return "", cliError("% Interface does not exist")
			}
		}
		names = sel
	}
	out := EOSInterfaces{Interfaces: map[string]EOSInterface{}}
	var b strings.Builder
	for _, name := range names {
		in, o := c.Interfaces[name], snap.Oper[name]
		link, proto := eosLinkStatus(in, o)
		e := EOSInterface{
			Name: name, InterfaceStatus: link, LineProtocolStatus: proto, MTU: o.MTU, Description: in.Description,
			PhysicalAddress: portMAC(sh.dev.Name(), name), InterfaceAddress: []any{}, LastStatusChangeTimestamp: bootupTime,
			ForwardingModel: "bridged",
		}
		if in.Routed {
			e.ForwardingModel = "routed"
		}
		if in.IsLAG() {
			e.Hardware = "portChannel"
			e.MemberInterfaces = map[string]EOSMemberIntf{}
			for _, m := range o.Members {
				if snap.Oper[m].MemberState == intent.MemberBundled {
					e.MemberInterfaces[m] = EOSMemberIntf{Duplex: "duplexFull", Bandwidth: speedBits(speedOf(snap, m))}
					e.Bandwidth += speedBits(speedOf(snap, m))
				}
			}
			f := false
			e.FallbackEnabled, e.FallbackEnabledType = &f, "fallbackNone"
		} else {
			e.Hardware, e.Duplex = "ethernet", "duplexFull"
			e.Bandwidth = speedBits(speedOf(snap, name))
			e.BurnedInAddress = e.PhysicalAddress
			if in.ChannelGroup > 0 {
				e.ForwardingModel = "dataLink"
				e.InterfaceMembership = "Member of " + intent.LAGName(in.ChannelGroup)
			}
		}
		out.Interfaces[name] = e
		status := "up"
		if link != "connected" {
			status = "down"
		}
		if in.Shutdown {
			status = "administratively down"
		}
		fmt.Fprintf(&b, "%s is %s, line protocol is %s (%s)\n", name, status, strings.ToLower(proto), link)
		fmt.Fprintf(&b, "  Hardware is %s, address is %s (bia %s)\n", map[bool]string{true: "Port-Channel", false: "Ethernet"}[in.IsLAG()], dotMAC(e.PhysicalAddress), dotMAC(e.PhysicalAddress))
		if in.Description != "" {
			fmt.Fprintf(&b, "  Description: %s\n", in.Description)
		}
		if e.InterfaceMembership != "" {
			fmt.Fprintf(&b, "  %s\n", e.InterfaceMembership)
		}
		fmt.Fprintf(&b, "  Ethernet MTU %d bytes , BW %d kbit\n", o.MTU, e.Bandwidth/1000)
		if in.IsLAG() {
			var act []string
			for m := range e.MemberInterfaces {
				act = append(act, m)
			}
			device.SortInterfaces(act)
			fmt.Fprintf(&b, "  Active members in this channel: %d\n", len(act))
			for _, m := range act {
				fmt.Fprintf(&b, "  ... %s , Full-duplex, %s\n", m, speedOf(snap, m))
			}
		}
	}
	return sh.reply(out, b.String())
}

// eosReason is how EOS explains an inactive port-channel member.
func eosReason(o *device.Oper) string {
	switch o.Reason {
	case device.ReasonNoPDUs:
		return "waiting for LACP response"
	case device.ReasonNotConnected:
		return "link down"
	}
	return "not compatible with aggregate"
}

func eosShowPortChannel(sh *shell, _ []string) (string, error) {
	snap := sh.snapshot()
	c := snap.Config
	out := EOSPortChannels{PortChannels: map[string]EOSPortChannel{}}
	var b strings.Builder
	b.WriteString(`Flags
------------------------ ---------------------------- -------------------------
  a - LACP Active          p - LACP Passive           * - static fallback
  F - Fallback enabled     f - Fallback configured    ^ - individual fallback
  U - In Use               D - Down
  + - In-Sync              - - Out-of-Sync            i - incompatible with agg
  P - bundled in Po        s - suspended              G - Aggregable
  I - Individual           S - ShortTimeout           w - wait for agg
  E - Inactive. The number of configured port channels exceeds the config limit
  M - Exceeds maximum weight

`)
	var rows []string
	inUse := 0
	for _, name := range c.InterfaceNames() {
		in, o := c.Interfaces[name], snap.Oper[name]
		if !in.IsLAG() {
			continue
		}
		pc := EOSPortChannel{ActivePorts: map[string]EOSPortChannelMember{}, InactivePorts: map[string]EOSPortChannelInactive{},
			InactiveLag: !o.LinkUp, MinLinks: in.MinLinks, RecircFeature: []any{}}
		flag := "U"
		if !o.LinkUp {
			flag = "D"
		} else {
			inUse++
		}
		proto := "Static"
		if o.LAGType == intent.LAGLACP {
			proto = "LACP(a)"
		}
		var ports []string
		for _, m := range o.Members {
			mi, mo := c.Interfaces[m], snap.Oper[m]
			if mi.ChannelMode == intent.ChannelPassive && proto != "Static" {
				proto = "LACP(p)"
			}
			p := "static"
			if mi.ChannelMode != intent.ChannelOn {
				p = "lacp"
			}
			mflag := "P"
			if mo.MemberState == intent.MemberBundled {
				pc.ActivePorts[m] = EOSPortChannelMember{Protocol: p, LacpMode: string(mi.ChannelMode), Weight: 1}
				if p == "lacp" {
					mflag = "PG+"
				}
			} else {
				pc.InactivePorts[m] = EOSPortChannelInactive{ReasonUnconfigured: eosReason(mo)}
				mflag = "D"
				if mo.MemberState == intent.MemberSuspended {
					mflag = "G-"
				}
			}
			ports = append(ports, intent.ShortInterface(m)+"("+mflag+")")
		}
		out.PortChannels[name] = pc
		rows = append(rows, fmt.Sprintf("   %-18s %-15s %s", intent.ShortInterface(name)+"("+flag+")", proto, strings.Join(ports, " ")))
	}
	if sh.format.json {
		return sh.renderJSON(out)
	}
	fmt.Fprintf(&b, "Number of channels in use: %d\nNumber of aggregators: %d\n\n", inUse, len(rows))
	b.WriteString("   Port-Channel       Protocol    Ports\n")
	b.WriteString("------------------ -------------- ----------------------------\n")
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	return b.String(), nil
}

func eosShowLacpNeighbor(sh *shell, _ []string) (string, error) {
	snap := sh.snapshot()
	c := snap.Config
	out := EOSLacpNeighbors{PortChannels: map[string]EOSLacpPortChannel{}, OrphanPorts: map[string]any{}}
	var b strings.Builder
	b.WriteString("State: A = Active, P = Passive; S=ShortTimeout, L=LongTimeout;\n       G = Aggregable, I = Individual; s+=InSync, s-=OutOfSync;\n       C = Collecting, X = state machine expired,\n       D = Distributing, d = default neighbor state\n")
	b.WriteString("                 |                        Partner                           \n")
	b.WriteString(" Port     Status  | Sys-id                    Port#   State     OperKey  PortPri\n")
	b.WriteString("------ ---------- + ------------------------- ------- --------- -------- -------\n")
	for _, name := range c.InterfaceNames() {
		in, o := c.Interfaces[name], snap.Oper[name]
		if !in.IsLAG() || o.LAGType != intent.LAGLACP {
			continue
		}
		pc := EOSLacpPortChannel{Interfaces: map[string]EOSLacpNeighbor{}}
		fmt.Fprintf(&b, "Port Channel %s:\n", name)
		for _, m := range o.Members {
			n, ok := lacpPartner(snap, m)
			if !ok {
				continue
			}
			pc.Interfaces[m] = n
			fmt.Fprintf(&b, " %-6s %-10s | %-25s %7d %-9s %8s %7d\n", intent.ShortInterface(m), n.ActorPortStatus, n.PartnerSystemID, n.PartnerPortID, lacpStateLetters(n.PartnerPortState), n.PartnerOperKey, n.PartnerPortPriority)
		}
		out.PortChannels[name] = pc
	}
	return sh.reply(out, b.String())
}

func lacpStateLetters(s EOSLacpPortState) string {
	var b strings.Builder
	if s.Activity {
		b.WriteString("A")
	} else {
		b.WriteString("P")
	}
	if s.Timeout {
		b.WriteString("S")
	} else {
		b.WriteString("L")
	}
	if s.Aggregation {
		b.WriteString("G")
	} else {
		b.WriteString("I")
	}
	if s.Synchronization {
		b.WriteString("s+")
	} else {
		b.WriteString("s-")
	}
	if s.Collecting {
		b.WriteString("C")
	}
	if s.Distributing {
		b.WriteString("D")
	}
	if s.Defaulted {
		b.WriteString("d")
	}
	return b.String()
}

// eosShowLacpInterface is `show lacp interface`: the actor side per member.
func eosShowLacpInterface(sh *shell, _ []string) (string, error) {
	snap := sh.snapshot()
	c := snap.Config
	type actor struct {
		ActorPortStatus   string           `json:"actorPortStatus"`
		ActorPortState    EOSLacpPortState `json:"actorPortState"`
		ActorPortID       int              `json:"actorPortId"`
		ActorOperKey      string           `json:"actorOperKey"`
		ActorPortPriority int              `json:"actorPortPriority"`
		ActorSystemID     string           `json:"actorSystemId"`
	}
	type pcT struct {
		Interfaces map[string]actor `json:"interfaces"`
	}
	out := struct {
		PortChannels map[string]pcT `json:"portChannels"`
		OrphanPorts  map[string]any `json:"orphanPorts"`
	}{PortChannels: map[string]pcT{}, OrphanPorts: map[string]any{}}
	var b strings.Builder
	sysID := "8000," + strings.ReplaceAll(device.DeriveMAC(sh.dev.Name(), "system"), ":", "-")
	for _, name := range c.InterfaceNames() {
		in, o := c.Interfaces[name], snap.Oper[name]
		if !in.IsLAG() || o.LAGType != intent.LAGLACP {
			continue
		}
		pc := pcT{Interfaces: map[string]actor{}}
		fmt.Fprintf(&b, "Port Channel %s:\n", name)
		for i, m := range o.Members {
			mi, mo := c.Interfaces[m], snap.Oper[m]
			st := EOSLacpPortState{Activity: mi.ChannelMode == intent.ChannelActive, Timeout: mi.LACPRate == "fast", Aggregation: true}
			status := "noAgg"
			if mo.MemberState == intent.MemberBundled {
				st.Synchronization, st.Collecting, st.Distributing = true, true, true
				status = "bundled"
			} else if mo.MemberState == intent.MemberSuspended && mo.Reason != device.ReasonNoPDUs {
				status = "inactive"
			}
			pc.Interfaces[m] = actor{ActorPortStatus: status, ActorPortState: st, ActorPortID: i + 1,
				ActorOperKey: fmt.Sprintf("0x%04x", in.LAGID()), ActorPortPriority: 32768, ActorSystemID: sysID}
			fmt.Fprintf(&b, " %-6s %-10s | %-25s %7d %-9s %8s %7d\n", intent.ShortInterface(m), status, sysID, i+1, lacpStateLetters(st), fmt.Sprintf("0x%04x", in.LAGID()), 32768)
		}
		out.PortChannels[name] = pc
	}
	return sh.reply(out, b.String())
}

func eosShowLldpNeighbors(sh *shell, _ []string) (string, error) {
	st := sh.dev.State()
	out := EOSLldpNeighbors{TablesLastChangeTime: lldpSeenTime, TablesInserts: len(st.LLDP), LldpNeighbors: []EOSLldpNeighbor{}}
	var b strings.Builder
	fmt.Fprintf(&b, "Last table change time   : 1:00:00 ago\nNumber of table inserts  : %d\nNumber of table deletes  : 0\nNumber of table drops    : 0\nNumber of table age-outs : 0\n\n", len(st.LLDP))
	b.WriteString("Port          Neighbor Device ID       Neighbor Port ID    TTL\n")
	b.WriteString("------------- ------------------------ ------------------- ---\n")
	for _, n := range st.LLDP {
		out.LldpNeighbors = append(out.LldpNeighbors, EOSLldpNeighbor{TTL: 120, NeighborDevice: n.SystemName, NeighborPort: eosPortID(n), Port: n.LocalPort})
		fmt.Fprintf(&b, "%-13s %-24s %-19s %d\n", intent.ShortInterface(n.LocalPort), n.SystemName, eosPortID(n), 120)
	}
	return sh.reply(out, b.String())
}

// eosPortID prints a MAC port id in EOS's dotted form.
func eosPortID(n intent.LLDPNeighbor) string {
	if strings.Count(n.PortID, ":") == 5 {
		return dotMAC(n.PortID)
	}
	return n.PortID
}

func eosShowLldpNeighborsDetail(sh *shell, _ []string) (string, error) {
	st := sh.dev.State()
	out := EOSLldpNeighborsDetail{LldpNeighbors: map[string]EOSLldpPort{}}
	var b strings.Builder
	cabled := map[string]intent.LLDPNeighbor{}
	for _, n := range st.LLDP {
		cabled[n.LocalPort] = n
	}
	snap := sh.snapshot()
	for _, p := range snap.Ports {
		n, ok := cabled[p.Name]
		if !ok {
			out.LldpNeighbors[p.Name] = EOSLldpPort{LldpNeighborInfo: []EOSLldpNeighborInfo{}}
			fmt.Fprintf(&b, "Interface %s detected 0 LLDP neighbors:\n\n", p.Name)
			continue
		}
		idType := "macAddress"
		if strings.Count(n.PortID, ":") != 5 {
			idType = "interfaceName"
		}
		info := EOSLldpNeighborInfo{
			SystemCapabilities: map[string]bool{"bridge": false, "router": false, "wlanAccessPoint": false},
			LastChangeTime:     lldpSeenTime, NeighborDiscoveryTime: lldpSeenTime, LastContactTime: lldpSeenTime + 3540,
			NeighborInterfaceInfo: EOSLldpNeighborIntf{InterfaceIDType: idType, InterfaceID: eosPortID(n), InterfaceDescription: n.PortDescr,
				LinkAggregationStatus: "capableAndDisabled", OperMauType: "10GBASE-X"},
			ChassisID: dotMAC(n.ChassisID), ChassisIDType: "macAddress", SystemName: n.SystemName,
			SystemDescription: "Debian GNU/Linux 12 (bookworm) Linux 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 x86_64",
			TTL:               120, ManagementAddresses: []any{},
		}
		if p.Peer != nil && p.Peer.BondMode.LAG() != intent.LAGNone {
			// lldpd reports the bond membership of an enslaved NIC.
			info.NeighborInterfaceInfo.LinkAggregationStatus = "capableAndEnabled"
		}
		out.LldpNeighbors[p.Name] = EOSLldpPort{LldpNeighborInfo: []EOSLldpNeighborInfo{info}}
		fmt.Fprintf(&b, "Interface %s detected 1 LLDP neighbors:\n\n", p.Name)
		fmt.Fprintf(&b, "  Neighbor %s/%s, age 3540 seconds\n", info.ChassisID, info.NeighborInterfaceInfo.InterfaceID)
		fmt.Fprintf(&b, "  Discovered 1:00:00 ago; Last changed 1:00:00 ago\n")
		fmt.Fprintf(&b, "  - Chassis ID type: MAC address (4)\n    Chassis ID     : %s\n", info.ChassisID)
		if idType == "macAddress" {
			fmt.Fprintf(&b, "  - Port ID type: MAC address (3)\n    Port ID        : %s\n", info.NeighborInterfaceInfo.InterfaceID)
		} else {
			fmt.Fprintf(&b, "  - Port ID type: Interface name (5)\n    Port ID        : \"%s\"\n", info.NeighborInterfaceInfo.InterfaceID)
		}
		fmt.Fprintf(&b, "  - Time To Live: 120 seconds\n  - Port Description: \"%s\"\n  - System Name: \"%s\"\n  - System Description: \"%s\"\n\n", n.PortDescr, n.SystemName, info.SystemDescription)
	}
	return sh.reply(out, b.String())
}

func showRunning(sh *shell, a []string) (string, error) {
	if sh.format.json {
		return "", sh.noJSON()
	}
	filter := ""
	if len(a) > 0 {
		names, err := parseIfRange(a[0])
		if err != nil {
			return "", invalidAt(3, a[0])
		}
		filter = strings.Join(names, ",")
	}
	return renderRunning(sh.dev.Platform(), sh.running(), filter), nil
}

func showStartup(sh *shell, _ []string) (string, error) {
	if sh.format.json {
		return "", sh.noJSON()
	}
	c := sh.dev.Startup()
	return renderRunning(sh.dev.Platform(), &c, ""), nil
}

// showCommands are the show commands of a dialect. Order matters: a
// specific pattern must come before a generic one it overlaps.
func showCommands(eos bool) []*cmd {
	if eos {
		return []*cmd{
			{pattern: "show version", modes: mAnyExec, run: eosShowVersion},
			{pattern: "show hostname", modes: mAnyExec, run: eosShowHostname},
			{pattern: "show vlan", modes: mAnyExec, run: eosShowVlan},
			{pattern: "show vlan brief", modes: mAnyExec, run: eosShowVlan},
			{pattern: "show interfaces switchport", modes: mAnyExec, run: eosShowSwitchport},
			{pattern: "show interfaces status", modes: mAnyExec, run: eosShowInterfacesStatus},
			{pattern: "show interfaces", modes: mAnyExec, run: eosShowInterfaces},
			{pattern: "show interfaces <text>", modes: mAnyExec, run: eosShowInterfaces},
			{pattern: "show port-channel", modes: mAnyExec, run: eosShowPortChannel},
			{pattern: "show port-channel summary", modes: mAnyExec, run: eosShowPortChannel},
			{pattern: "show port-channel dense", modes: mAnyExec, run: eosShowPortChannel},
			{pattern: "show lacp neighbor", modes: mAnyExec, run: eosShowLacpNeighbor},
			{pattern: "show lacp interface", modes: mAnyExec, run: eosShowLacpInterface},
			{pattern: "show lldp neighbors", modes: mAnyExec, run: eosShowLldpNeighbors},
			{pattern: "show lldp neighbors detail", modes: mAnyExec, run: eosShowLldpNeighborsDetail},
			{pattern: "show mlag interfaces", modes: mAnyExec, run: eosShowMlagInterfaces},
			{pattern: "show running-config", modes: mPriv, run: showRunning},
			{pattern: "show running-config interfaces <text>", modes: mPriv, run: showRunning},
			{pattern: "show startup-config", modes: mPriv, run: showStartup},
			{pattern: "show configuration sessions", modes: mPriv, run: cmdShowSessions},
			{pattern: "show configuration sessions detail", modes: mPriv, run: cmdShowSessions},
			{pattern: "show session-config diffs", modes: mConf | mSub, run: cmdSessionDiffs},
			{pattern: "show session-config", modes: mConf | mSub, run: cmdShowSessionConfig},
		}
	}
	return nxosShowCommands()
}

// eosShowMlagInterfaces lists the port-channels with an MLAG id and the
// state of the peer's port-channel with the same id.
func eosShowMlagInterfaces(sh *shell, _ []string) (string, error) {
	snap := sh.snapshot()
	c := snap.Config
	var peer *device.Snapshot
	if p := sh.dev.MLAGPeer(); p != nil && c.MLAG {
		peer = p.Snapshot()
		if !peer.Config.MLAG {
			peer = nil
		}
	}
	out := EOSMlagInterfaces{Interfaces: map[string]EOSMlagInterface{}}
	var b strings.Builder
	b.WriteString("                                                                 local/remote\n")
	b.WriteString("   mlag       desc             state       local       remote          status\n")
	b.WriteString("---------- ---------------- ----------------- ----------- ------------ ------------\n")
	status := func(up bool) string {
		if up {
			return "up"
		}
		return "down"
	}
	for _, name := range c.InterfaceNames() {
		in := c.Interfaces[name]
		if !in.IsLAG() || in.MLAGID == 0 {
			continue
		}
		m := EOSMlagInterface{LocalInterface: name, LocalInterfaceStatus: status(snap.Oper[name].LinkUp), PeerInterfaceStatus: "down",
			LocalInterfaceDescription: in.Description}
		peerUp := false
		if peer != nil {
			for _, pn := range peer.Config.InterfaceNames() {
				if pin := peer.Config.Interfaces[pn]; pin.IsLAG() && pin.MLAGID == in.MLAGID {
					m.PeerInterface = pn
					peerUp = peer.Oper[pn].LinkUp
					m.PeerInterfaceStatus = status(peerUp)
				}
			}
		}
		localUp := snap.Oper[name].LinkUp
		switch {
		case localUp && peerUp:
			m.Status = "active-full"
		case localUp || peerUp:
			m.Status = "active-partial"
		default:
			m.Status = "inactive"
		}
		out.Interfaces[fmt.Sprint(in.MLAGID)] = m
		fmt.Fprintf(&b, "%10d %-16s %-17s %-11s %-12s %s\n", in.MLAGID, trunc(in.Description, 16), m.Status, name, m.PeerInterface, m.LocalInterfaceStatus+"/"+m.PeerInterfaceStatus)
	}
	return sh.reply(out, b.String())
}
