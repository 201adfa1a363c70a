package sshcli

import (
	"fmt"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

// The MLAG (EOS `show mlag [detail]`) and vPC (NX-OS `show vpc`) peering,
// from the device model's MLAGStatus. Keys and values follow the captures
// in switchdrivers/eos/testdata (show_mlag*, nrfu and suzieq) and
// switchdrivers/nxos/testdata (show_vpc*, suzieq), whose tests compare this
// output with them, and the vendors' documentation: Arista's ANTA
// (VerifyMlagStatus: active/connected/up/up when healthy, peerLinkStatus
// down otherwise), the ntc-templates `show mlag` sample of an inactive pair
// (Inactive, Connecting, Lowerlayerdown), Cisco's NX-API reference for
// `show vpc` (peer-ok, peer-alive, consistent/SUCCESS) and a published
// NX-API reply with the peer link down (peer-link-down,
// SYSERR_MCECM_PEER_UNRCH, peer-link-port-state 0). A lost keep-alive is
// peer-not-alive: no capture or document shows that JSON value; the driver
// reads anything but peer-alive as lost.

// mlagShowCommands are the MLAG/vPC show commands of a dialect.
func mlagShowCommands(eos bool) []*cmd {
	if eos {
		return []*cmd{
			{pattern: "show mlag", modes: mAnyExec, run: eosShowMlag(false)},
			{pattern: "show mlag detail", modes: mAnyExec, run: eosShowMlag(true)},
		}
	}
	return []*cmd{{pattern: "show vpc", modes: mAnyExec, run: nxShowVPC}}
}

// EOSMlag is `show mlag [detail] | json`.
type EOSMlag struct {
	LocalInterface            string         `json:"localInterface"`
	SystemID                  string         `json:"systemId,omitempty"`
	DomainID                  string         `json:"domainId,omitempty"`
	PeerLink                  string         `json:"peerLink"`
	DualPrimaryDetectionState string         `json:"dualPrimaryDetectionState"`
	PeerAddress               string         `json:"peerAddress,omitempty"`
	PeerLinkStatus            string         `json:"peerLinkStatus,omitempty"`
	LocalIntfStatus           string         `json:"localIntfStatus,omitempty"`
	ConfigSanity              string         `json:"configSanity,omitempty"`
	PortsErrdisabled          bool           `json:"portsErrdisabled"`
	Detail                    *EOSMlagDetail `json:"detail,omitempty"`
	State                     string         `json:"state"`
	ReloadDelay               int            `json:"reloadDelay"`
	ReloadDelayNonMlag        int            `json:"reloadDelayNonMlag"`
	NegStatus                 string         `json:"negStatus,omitempty"`
	MlagPorts                 EOSMlagPorts   `json:"mlagPorts"`
}

// EOSMlagDetail is the detail block of `show mlag detail | json`.
type EOSMlagDetail struct {
	MlagState           string `json:"mlagState"`
	PeerMlagState       string `json:"peerMlagState"`
	UDPHeartbeatAlive   bool   `json:"udpHeartbeatAlive"`
	HeartbeatInterval   int    `json:"heartbeatInterval"`
	HeartbeatTimeout    int    `json:"heartbeatTimeout"`
	PrimaryPriority     int    `json:"primaryPriority"`
	PeerPrimaryPriority int    `json:"peerPrimaryPriority"`
	PeerMacAddress      string `json:"peerMacAddress"`
	Enabled             bool   `json:"enabled"`
	Failover            bool   `json:"failover"`
	MlagHwReady         bool   `json:"mlagHwReady"`
}

// EOSMlagPorts counts the MLAG port-channels by state.
type EOSMlagPorts struct {
	Disabled      int `json:"Disabled"`
	ActivePartial int `json:"Active-partial"`
	Inactive      int `json:"Inactive"`
	Configured    int `json:"Configured"`
	ActiveFull    int `json:"Active-full"`
}

const noMAC = "00:00:00:00:00:00"

func eosShowMlag(detail bool) func(sh *shell, _ []string) (string, error) {
	return func(sh *shell, _ []string) (string, error) {
		snap := sh.snapshot()
		s := snap.MLAG
		out := EOSMlag{State: "disabled", DualPrimaryDetectionState: "disabled", ReloadDelay: 300, ReloadDelayNonMlag: 300}
		d := &EOSMlagDetail{MlagState: "disabled", PeerMlagState: "unknown", HeartbeatInterval: 4000, PrimaryPriority: 32767, PeerMacAddress: noMAC, MlagHwReady: true}
		if s.Configured {
			active := s.Active(device.PlatformEOS)
			out.LocalInterface, out.PeerLink, out.DomainID = "Vlan4094", "Port-Channel1000", device.MLAGDomain(device.PlatformEOS)
			out.PeerAddress, out.LocalIntfStatus = "169.254.0.2", "up"
			if s.Peer != "" && s.Peer < snap.Name {
				out.PeerAddress = "169.254.0.1"
			}
			out.State, out.NegStatus, out.SystemID = "inactive", "connecting", noMAC
			out.PeerLinkStatus = "lowerLayerDown"
			if s.PeerLinkUp {
				out.PeerLinkStatus = "up"
			}
			d.MlagState, d.Enabled, d.HeartbeatTimeout = "inactive", true, 30000
			if active {
				out.State, out.NegStatus, out.ConfigSanity = "active", "connected", "consistent"
				if len(s.Mismatched) > 0 {
					out.ConfigSanity = "inconsistent"
				}
				pair := []string{snap.Name, s.Peer}
				if !s.Primary {
					pair[0], pair[1] = pair[1], pair[0]
				}
				out.SystemID = device.DeriveMAC(strings.Join(pair, "+"), "mlag")
				d.MlagState, d.PeerMlagState = "secondary", "primary"
				if s.Primary {
					d.MlagState, d.PeerMlagState = "primary", "secondary"
				}
				d.UDPHeartbeatAlive, d.PeerPrimaryPriority, d.PeerMacAddress = true, 32767, device.DeriveMAC(s.Peer, "")
			}
			out.MlagPorts = eosMlagPorts(sh, snap, active)
		}
		if detail {
			out.Detail = d
		}
		var b strings.Builder
		line := func(k, v string) { fmt.Fprintf(&b, "%-20s:%20s\n", k, v) }
		b.WriteString("MLAG Configuration:\n")
		line("domain-id", out.DomainID)
		line("local-interface", out.LocalInterface)
		line("peer-address", out.PeerAddress)
		line("peer-link", out.PeerLink)
		b.WriteString("\nMLAG Status:\n")
		line("state", capitalize(out.State))
		line("negotiation status", capitalize(out.NegStatus))
		line("peer-link status", capitalize(out.PeerLinkStatus))
		line("local-int status", capitalize(out.LocalIntfStatus))
		line("system-id", out.SystemID)
		b.WriteString("\nMLAG Ports:\n")
		p := out.MlagPorts
		for _, c := range []struct {
			k string
			n int
		}{{"Disabled", p.Disabled}, {"Configured", p.Configured}, {"Inactive", p.Inactive}, {"Active-partial", p.ActivePartial}, {"Active-full", p.ActiveFull}} {
			line(c.k, fmt.Sprint(c.n))
		}
		if detail {
			b.WriteString("\nMLAG Detailed Status:\n")
			line("State", d.MlagState)
			line("Peer State", d.PeerMlagState)
			line("Heartbeat alive", fmt.Sprint(d.UDPHeartbeatAlive))
		}
		return sh.reply(out, b.String())
	}
}

// eosMlagPorts counts the port-channels with an MLAG id: active-full when
// the peering is active and both peers' port-channels are up,
// active-partial when one of them is, inactive otherwise.
func eosMlagPorts(sh *shell, snap *device.Snapshot, active bool) EOSMlagPorts {
	var peer *device.Snapshot
	if p := sh.dev.MLAGPeer(); active && p != nil {
		peer = p.Snapshot()
	}
	var out EOSMlagPorts
	for _, name := range snap.Config.InterfaceNames() {
		in := snap.Config.Interfaces[name]
		if !in.IsLAG() || in.MLAGID == 0 {
			continue
		}
		up := 0
		if snap.Oper[name].LinkUp {
			up++
		}
		if peer != nil {
			for pn, pin := range peer.Config.Interfaces {
				if pin.IsLAG() && pin.MLAGID == in.MLAGID && peer.Oper[pn].LinkUp {
					up++
				}
			}
		}
		switch up {
		case 2:
			out.ActiveFull++
		case 1:
			out.ActivePartial++
		default:
			out.Inactive++
		}
	}
	return out
}

// capitalize is how EOS's text output prints a JSON value: Lowerlayerdown
// for lowerLayerDown.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}

// NXVpc is `show vpc | json`: every value a string, one row of a table an
// object and several a list, the two "vpc-end" keys of the reply merged
// into a list (NX-API's `| json`; `| json native` keeps numbers and lists
// and repeats the key).
type NXVpc struct {
	DomainID                 string          `json:"vpc-domain-id"`
	PeerStatus               string          `json:"vpc-peer-status"`
	PeerStatusReason         string          `json:"vpc-peer-status-reason"`
	KeepaliveStatus          string          `json:"vpc-peer-keepalive-status"`
	PeerConsistency          string          `json:"vpc-peer-consistency"`
	PerVlanConsistency       string          `json:"vpc-per-vlan-peer-consistency"`
	PeerConsistencyStatus    string          `json:"vpc-peer-consistency-status"`
	Type2Consistency         string          `json:"vpc-type-2-consistency"`
	Type2ConsistencyStatus   string          `json:"vpc-type-2-consistency-status"`
	Role                     string          `json:"vpc-role"`
	NumOfVPCs                string          `json:"num-of-vpcs"`
	PeerGateway              string          `json:"peer-gateway"`
	DualActiveExcludedVlans  string          `json:"dual-active-excluded-vlans"`
	GracefulConsistencyCheck string          `json:"vpc-graceful-consistency-check-status"`
	AutoRecovery             string          `json:"vpc-auto-recovery-status"`
	DelayRestore             string          `json:"vpc-delay-restore-status"`
	DelayRestoreSVI          string          `json:"vpc-delay-restore-svi-status"`
	OperationalL3Peer        string          `json:"operational-l3-peer"`
	VirtualPeerlink          string          `json:"virtual-peerlink"`
	PeerLinkHdr              string          `json:"vpc-peer-link-hdr,omitempty"`
	PeerLinks                *NXVpcPeerLinks `json:"TABLE_peerlink,omitempty"`
	End                      any             `json:"vpc-end,omitempty"`
	VPCHdr                   string          `json:"vpc-hdr,omitempty"`
	NotES                    string          `json:"vpc-not-es,omitempty"`
	VPCs                     *NXVpcTable     `json:"TABLE_vpc,omitempty"`
}

// NXVpcPeerLinks is the peer-link table (one row).
type NXVpcPeerLinks struct {
	Row NXVpcPeerLink `json:"ROW_peerlink"`
}

// NXVpcPeerLink is the peer link; PortState is 1 when it is up.
type NXVpcPeerLink struct {
	ID        string `json:"peer-link-id"`
	IfIndex   string `json:"peerlink-ifindex"`
	PortState string `json:"peer-link-port-state"`
	UpVlans   string `json:"peer-up-vlan-bitset"`
}

// NXVpcTable is the vPC table: Rows is one NXVpcRow or a list of them.
type NXVpcTable struct {
	Rows any `json:"ROW_vpc"`
}

// NXVpcRow is one vPC; PortState is 1 when its port-channel is up.
type NXVpcRow struct {
	ID                string `json:"vpc-id"`
	IfIndex           string `json:"vpc-ifindex"`
	PortState         string `json:"vpc-port-state"`
	PhyPortIfRemoved  string `json:"phy-port-if-removed"`
	ThruPeerlink      string `json:"vpc-thru-peerlink"`
	Consistency       string `json:"vpc-consistency"`
	ConsistencyStatus string `json:"vpc-consistency-status"`
	UpVlans           string `json:"up-vlan-bitset"`
	ESAttr            string `json:"es-attr"`
}

// nxPeerLink is the lab's vPC peer link.
const nxPeerLink = "Po1000"

func nxShowVPC(sh *shell, _ []string) (string, error) {
	snap := sh.snapshot()
	c, s := snap.Config, snap.MLAG
	if !c.Features["vpc"] {
		return "", cliError(nxInvalidMarker(sh, len("show ")))
	}
	out := NXVpc{
		DomainID: "not_configured", PeerStatus: "peer-link-not-configured", PeerStatusReason: "SYSERR_MCECM_PEER_LINK_NOT_CONFIGURED",
		KeepaliveStatus: "disabled", PeerConsistency: "inconsistent", PerVlanConsistency: "inconsistent",
		PeerConsistencyStatus: "vPC peer-link does not exist", Type2Consistency: "inconsistent",
		Type2ConsistencyStatus: "vPC peer-link does not exist", Role: "none-established", NumOfVPCs: "0",
		PeerGateway: "0", DualActiveExcludedVlans: "-", GracefulConsistencyCheck: "disabled", AutoRecovery: "Disabled",
		DelayRestore: "Timer is off.(timeout = 30s)", DelayRestoreSVI: "Timer is off.(timeout = 10s)",
		OperationalL3Peer: "Disabled", VirtualPeerlink: "Disabled",
	}
	var rows []NXVpcRow
	var ends []string
	if s.Configured {
		out.DomainID = device.MLAGDomain(device.PlatformNXOS)
		out.PeerStatus, out.PeerStatusReason = "peer-link-down", "SYSERR_MCECM_PEER_UNRCH"
		if s.Active(device.PlatformNXOS) {
			out.PeerStatus, out.PeerStatusReason = "peer-ok", "SUCCESS"
		}
		out.KeepaliveStatus = "peer-not-alive"
		if s.KeepaliveUp {
			out.KeepaliveStatus = "peer-alive"
		}
		out.PeerConsistency, out.PerVlanConsistency, out.Type2Consistency = "consistent", "consistent", "consistent"
		out.PeerConsistencyStatus, out.Type2ConsistencyStatus = "SUCCESS", "SUCCESS"
		out.GracefulConsistencyCheck = "enabled"
		if s.PeerConfigured {
			out.Role = "secondary"
			if snap.Name < s.Peer {
				out.Role = "primary"
			}
		}
		if s.Peer != "" {
			pl := NXVpcPeerLink{ID: "1", IfIndex: nxPeerLink, PortState: "0", UpVlans: "-"}
			if s.PeerLinkUp {
				pl.PortState, pl.UpVlans = "1", vlanBitset(c.VLANIDs(), device.AllVLANs())
			}
			out.PeerLinkHdr, out.PeerLinks = "Start of VPC peer-link table", &NXVpcPeerLinks{Row: pl}
			ends = append(ends, "End of table")
		}
		for _, name := range c.InterfaceNames() {
			in := c.Interfaces[name]
			if !in.IsLAG() || in.MLAGID == 0 {
				continue
			}
			r := NXVpcRow{ID: fmt.Sprint(in.MLAGID), IfIndex: nxShort(name), PortState: "0", PhyPortIfRemoved: "disabled", ThruPeerlink: "0",
				Consistency: "consistent", ConsistencyStatus: "SUCCESS", UpVlans: "-", ESAttr: "DF: Invalid"}
			if snap.Oper[name].LinkUp {
				r.PortState, r.UpVlans = "1", vlanBitset(c.VLANIDs(), in.Allowed)
			}
			rows = append(rows, r)
		}
		out.NumOfVPCs = fmt.Sprint(len(rows))
		if len(rows) > 0 {
			out.VPCHdr, out.NotES = "Start of vPC table", "vPC complex"
			out.VPCs = &NXVpcTable{Rows: rows}
			if len(rows) == 1 {
				out.VPCs.Rows = rows[0]
			}
			ends = append(ends, "End of table")
		}
	}
	switch len(ends) {
	case 1:
		out.End = ends[0]
	case 2:
		out.End = ends
	}
	return sh.reply(out, nxVPCText(out, rows))
}

// vlanBitset prints the defined VLANs in allowed as NX-OS lists active
// VLANs ("1,500-501"), "-" when there are none.
func vlanBitset(defined []int, allowed intent.VLANSet) string {
	var ids []int
	for _, id := range defined {
		if allowed.Contains(id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return "-"
	}
	return intent.NewVLANSet(ids...).String()
}

// nxVPCText is `show vpc` as NX-OS prints it.
func nxVPCText(v NXVpc, rows []NXVpcRow) string {
	words := map[string]string{
		"peer-ok": "peer adjacency formed ok", "peer-link-down": "peer link is down", "peer-link-not-configured": "peer link not configured",
		"peer-alive": "peer is alive", "peer-not-alive": "peer is not reachable through peer-keepalive", "disabled": "Disabled",
		"consistent": "success", "inconsistent": "failed", "not_configured": "Not configured", "none-established": "none established",
	}
	say := func(s string) string {
		if w, ok := words[s]; ok {
			return w
		}
		return s
	}
	var b strings.Builder
	line := func(k, v string) { fmt.Fprintf(&b, "%-34s: %s\n", k, v) }
	b.WriteString("Legend:\n                (*) - local vPC is down, forwarding via vPC peer-link\n\n")
	line("vPC domain id", say(v.DomainID))
	line("Peer status", say(v.PeerStatus))
	line("vPC keep-alive status", say(v.KeepaliveStatus))
	line("Configuration consistency status", say(v.PeerConsistency))
	line("Per-vlan consistency status", say(v.PerVlanConsistency))
	line("Type-2 consistency status", say(v.Type2Consistency))
	line("vPC role", say(v.Role))
	line("Number of vPCs configured", v.NumOfVPCs)
	line("Peer Gateway", "Disabled")
	line("Dual-active excluded VLANs", v.DualActiveExcludedVlans)
	line("Graceful Consistency Check", capitalize(v.GracefulConsistencyCheck))
	line("Auto-recovery status", v.AutoRecovery)
	line("Delay-restore status", v.DelayRestore)
	line("Delay-restore SVI status", v.DelayRestoreSVI)
	line("Operational Layer3 Peer-router", v.OperationalL3Peer)
	up := func(state string) string {
		if state == "1" {
			return "up"
		}
		return "down"
	}
	if pl := v.PeerLinks; pl != nil {
		b.WriteString("\nvPC Peer-link status\n---------------------------------------------------------------------\n")
		b.WriteString("id    Port   Status Active vlans\n--    ----   ------ -------------------------------------------------\n")
		fmt.Fprintf(&b, "%-5s %-6s %-6s %s\n", pl.Row.ID, pl.Row.IfIndex, up(pl.Row.PortState), pl.Row.UpVlans)
	}
	if len(rows) > 0 {
		b.WriteString("\nvPC status\n----------------------------------------------------------------------------\n")
		b.WriteString("Id    Port          Status Consistency Reason                Active vlans\n")
		b.WriteString("--    ------------  ------ ----------- ------                ---------------\n")
		for _, r := range rows {
			fmt.Fprintf(&b, "%-5s %-13s %-6s %-11s %-21s %s\n", r.ID, r.IfIndex, up(r.PortState), say(r.Consistency), strings.ToLower(r.ConsistencyStatus), r.UpVlans)
		}
	}
	return b.String()
}
