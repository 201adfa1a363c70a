package validate

import (
	"fmt"
	"strings"

	"github.com/netalign/netalign/internal/cause"
)

// Code is a stable, documented finding code (docs/validate.md).
type Code string

// Finding codes. They never change meaning; new ones are only added.
const (
	LAGModeMismatch      Code = "LAG_MODE_MISMATCH"
	LAGMissing           Code = "LAG_MISSING"
	LAGUnexpected        Code = "LAG_UNEXPECTED"
	LAGMembersSplit      Code = "LAG_MEMBERS_SPLIT"
	LACPNotBundled       Code = "LACP_NOT_BUNDLED"
	LACPPartnerMismatch  Code = "LACP_PARTNER_MISMATCH"
	LAGOrphan            Code = "LAG_ORPHAN"
	MLAGPeerDown         Code = "MLAG_PEER_DOWN"
	MLAGPeerMismatch     Code = "MLAG_PEER_MISMATCH"
	VLANNotAllowed       Code = "VLAN_NOT_ALLOWED"
	VLANExtra            Code = "VLAN_EXTRA"
	VLANNotDefined       Code = "VLAN_NOT_DEFINED"
	VLANInactive         Code = "VLAN_INACTIVE"
	NativeVLANMismatch   Code = "NATIVE_VLAN_MISMATCH"
	PortNotTrunk         Code = "PORT_NOT_TRUNK"
	PortMissing          Code = "PORT_MISSING"
	MTUMismatch          Code = "MTU_MISMATCH"
	PortDown             Code = "PORT_DOWN"
	CablingMismatch      Code = "CABLING_MISMATCH"
	HostBondMissing      Code = "HOST_BOND_MISSING"
	HostBondModeMismatch Code = "HOST_BOND_MODE_MISMATCH"
	HostBondOptions      Code = "HOST_BOND_OPTIONS_MISMATCH"
	HostVLANMissing      Code = "HOST_VLAN_MISSING"
	HostVLANExtra        Code = "HOST_VLAN_EXTRA"
	HostNICMissing       Code = "HOST_NIC_MISSING"
	HostBridgeMismatch   Code = "HOST_BRIDGE_MISMATCH"
	HostMTUMismatch      Code = "HOST_MTU_MISMATCH"
	DHCPPoolMissing      Code = "DHCP_POOL_MISSING"
	DHCPPoolMismatch     Code = "DHCP_POOL_MISMATCH"
	DHCPNoOffer          Code = "DHCP_NO_OFFER"
	DHCPWrongSubnet      Code = "DHCP_WRONG_SUBNET"
	// ObservePartial is one record of a switch's output the driver did not
	// understand and left out of the observation.
	ObservePartial Code = Code(cause.ObservePartial)
	// DeviceUnreachable is no longer reported: since report version 2 a
	// device that could not be handled has its cause as the code
	// (UNREACHABLE, TIMEOUT, AUTH_FAILED...). Kept so the code is never
	// reused with another meaning.
	DeviceUnreachable Code = "DEVICE_UNREACHABLE"
)

// CauseCode is the finding code of a device that could not be handled for
// cause c: the cause itself.
func CauseCode(c cause.Code) Code { return Code(c) }

// Severity ranks findings. Errors and warnings make validate exit 1;
// info never does.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// CodeInfo documents a code.
type CodeInfo struct {
	Code     Code
	Severity Severity
	// Layer is the kind of device the code is about: "switch", "host",
	// "dhcp", a comma-separated list of them, or "any".
	Layer   string
	Meaning string
	// Action says what to do about it; empty where the meaning says it.
	Action string
}

// Codes is the documented list of codes (docs/validate.md is generated from
// the same text by `netalign validate --list-codes`).
func Codes() []CodeInfo {
	return []CodeInfo{
		{LAGModeMismatch, SeverityError, "switch", "the LAG facing a bond has the wrong type (static vs LACP) for the bond mode", "`netalign apply` re-creates the LAG with the mode the bond needs (members leave and rejoin it)"},
		{LAGMissing, SeverityError, "switch", "the bond mode needs a LAG but the switch ports are not in one", "`netalign apply` creates the LAG"},
		{LAGUnexpected, SeverityError, "switch", "the bond mode needs plain trunks but the switch ports are in a LAG", "`netalign apply` takes the ports out of the LAG, or change the bond mode in the inventory"},
		{LAGMembersSplit, SeverityError, "switch", "the ports facing one bond are spread over several LAGs; on MLAG/vPC peers (mlagPeer), also when they are in LAGs with different MLAG/vPC ids (or no id) on the two peers, or in a LAG on one peer only (reported on both peers, naming both)", "`netalign apply` moves the ports into one LAG, with the same MLAG/vPC id on both peers; check the cabling if LLDP disagrees"},
		{LACPNotBundled, SeverityError, "switch, host", "an LACP member is not bundled: a switch port that is individual, suspended or down, or a NIC of an 802.3ad bond that is outside the bond's active aggregator (\"Aggregator ID: N/A\" or another id), hears no partner (00:00:00:00:00:00) or is not in sync with it",
			"switch port: check that the host's bond runs 802.3ad on these NICs and the cabling matches the inventory; host NIC: the switch port it is cabled to must be in the LACP LAG facing the bond (`netalign apply` makes it one; a static LAG or a plain port never answers LACP)"},
		{LACPPartnerMismatch, SeverityError, "host", "the NICs of one 802.3ad bond hear different LACP partner systems, so the bond bundles only those facing one of them",
			"cable the bond's NICs to one switch or to an MLAG pair; on an MLAG pair both peers present one system MAC, so check the peer link and that the port-channel facing the bond is an MLAG on both peers"},
		{LAGOrphan, SeverityWarning, "switch", "a LAG netalign created has no member left (an interrupted run, or a bond that moved)", "`netalign apply` removes it"},
		{MLAGPeerDown, SeverityError, "switch", "the MLAG (EOS) / vPC (NX-OS) peering with the inventory's mlagPeer is not established, its peer link is down or its keep-alive is lost: every bond facing both switches is at risk (the message lists them)",
			"check the peer link and keep-alive cabling and `show mlag` / `show vpc` on both peers; netalign never changes the peering"},
		{MLAGPeerMismatch, SeverityError, "switch", "MLAG/vPC peers disagree: the LAGs of one bond carry different VLANs or MTU on the two peers although each carries what the bond needs (differences from the inventory are VLAN_NOT_ALLOWED, NATIVE_VLAN_MISMATCH, MTU_MISMATCH), or the switch reports its configuration inconsistent with its peer (EOS config-sanity, NX-OS consistency)",
			"make both halves equal: align the extra VLANs or the MTU by hand (netalign adds what is missing, removes extra VLANs only from the switch's fullyManagedPorts, or every host-facing trunk with `vlanPolicy: exact`); for what the switch reports, `show mlag config-sanity` / `show vpc consistency-parameters`"},
		{VLANNotAllowed, SeverityError, "switch", "a VLAN of the cluster network is not allowed on the trunk", "`netalign apply` adds the VLAN to the trunk"},
		{VLANExtra, SeverityWarning, "switch", "a host-facing trunk allows VLANs its cluster network does not need (the message names the extra ranges and the host NIC or bond it serves); an error with `--strict-isolation`", "set `vlanPolicy: exact` on the switch and `netalign apply` removes them, or remove them by hand"},
		{VLANNotDefined, SeverityError, "switch", "a VLAN of the cluster network is not defined on the switch", "`netalign apply` creates the VLAN"},
		{VLANInactive, SeverityError, "switch", "a VLAN of the cluster network is defined but suspended or shut down, so the trunks carry nothing on it (the message names the host bonds that need it)", "`netalign apply` makes the VLAN active (`state active`, and `no shutdown` on NX-OS)"},
		{NativeVLANMismatch, SeverityError, "switch", "the trunk's native VLAN is not the cluster network's untagged VLAN", "`netalign apply` sets the native VLAN"},
		{PortNotTrunk, SeverityError, "switch", "a host-facing port or LAG is not a trunk", "`netalign apply` makes the port a trunk"},
		{ObservePartial, SeverityWarning, "switch", "a record of the switch's output was not understood and left out of the observation (the message gives the command, the record and why); findings about it may be missing", "`netalign apply` leaves the switch alone when the record is about an object the plan needs (a VLAN, port or LAG of the inventory, or an unknown one); report the output if the device is not unusual"},
		{PortMissing, SeverityError, "switch", "the inventory cables a NIC to a port the switch does not have", "correct the port name in the inventory (or the switch it names)"},
		{MTUMismatch, SeverityError, "switch", "the switch MTU is smaller than the host MTU", "`netalign apply` raises the port MTU"},
		{PortDown, SeverityWarning, "switch", "a host-facing port is administratively or operationally down", "check the cable, the host NIC and `shutdown` on the port"},
		{CablingMismatch, SeverityError, "switch", "LLDP on the port shows another host or NIC than the inventory", "fix the cable or the inventory: the port is cabled to what LLDP shows"},
		{HostBondMissing, SeverityError, "host", "the bond <cn>-bo does not exist", "`netalign apply` creates the bond (access: local), or create it in Harvester"},
		{HostBondModeMismatch, SeverityError, "host", "the bond mode differs from the inventory", "change the bond mode on the host (Harvester's cluster network config) or the inventory"},
		{HostBondOptions, SeverityWarning, "host", "a bond option (miimon, lacp rate, hash policy...) differs", "align the bond options on the host with the inventory"},
		{HostVLANMissing, SeverityError, "host", "a VM network VLAN is missing on the bond's bridge port", "`netalign apply` adds the VLAN to the bridge port, or check the VM network in Harvester"},
		{HostVLANExtra, SeverityWarning, "host", "the bond's bridge port carries VLANs no network of its cluster network assigns; an error with `--strict-isolation`", "`netalign apply` removes them from the bridge port"},
		{HostNICMissing, SeverityError, "host", "an inventory NIC is missing or not enslaved to its bond", "check the NIC name in the inventory and that the NIC is enslaved to the bond"},
		{HostBridgeMismatch, SeverityError, "host", "the bridge is missing, not VLAN-filtering, or the bond is not its port", "`netalign apply` repairs the bridge, or check the cluster network in Harvester"},
		{HostMTUMismatch, SeverityError, "host", "the host MTU differs from the cluster network MTU", "align the MTU of the cluster network on the host with the inventory"},
		{DHCPPoolMissing, SeverityError, "dhcp", "a VLAN with a DHCP block has no pool on its server", "`netalign apply` adds the pool"},
		{DHCPPoolMismatch, SeverityError, "dhcp", "the pool differs (range, gateway, DNS...) or a live offer carries other options", "`netalign apply` corrects the pool"},
		{DHCPNoOffer, SeverityError, "dhcp", "the live probe got no OFFER on the VLAN", "check the server is running, the relay on the VLAN's gateway, and that the pool has free addresses"},
		{DHCPWrongSubnet, SeverityError, "dhcp", "the live probe got an address outside the VLAN's subnet", "another DHCP server answers on the VLAN, or the relay selects the wrong subnet: find and stop it"},
	}
}

// CauseCodes documents the failure causes: a device that could not be
// observed or changed is reported with one of them instead of findings.
func CauseCodes() []CodeInfo {
	return []CodeInfo{
		{CauseCode(cause.Unreachable), SeverityError, "any", "the connection was refused, there is no route, or the name does not resolve",
			"check the address and port in the inventory and that the management interface is up and reachable from here"},
		{CauseCode(cause.Timeout), SeverityError, "any", "the device accepted no connection, sent no banner or did not answer within settings.timeout",
			"check that the device answers on that port (a firewall silently dropping, a hung management plane); raise settings.timeout or --timeout for slow links"},
		{CauseCode(cause.AuthFailed), SeverityError, "any", "the device refused the credentials (the message names the user and where the secret came from)",
			"check the user and the variable or file the inventory names"},
		{CauseCode(cause.HostKeyUnknown), SeverityError, "any", "the known_hosts file has no entry for the device (the message gives the offered key's fingerprint)",
			"verify the fingerprint on the device's console, then add its key to the known_hosts file (ssh-keyscan)"},
		{CauseCode(cause.HostKeyMismatch), SeverityError, "any", "the device's SSH host key differs from the one in known_hosts",
			"find out why the key changed (replaced device, or someone in the path); only then replace the entry the message names"},
		{CauseCode(cause.TLSVerifyFailed), SeverityError, "any", "the device's TLS certificate did not verify against the CA and server name of the inventory",
			"check tls.ca and tls.serverName against the certificate the device presents"},
		{CauseCode(cause.CredentialsMissing), SeverityError, "any", "an environment variable or file the credentials name is unset or unreadable",
			"set the variable or create the file the message names; `netalign inventory check --resolve` checks them all without contacting devices"},
		{CauseCode(cause.PlatformMismatch), SeverityError, "any", "the device answered, but not as the platform the inventory names",
			"correct the platform (or address) of the device in the inventory"},
		{CauseCode(cause.ProtocolError), SeverityError, "any", "the device answered something netalign could not use, or dropped the session",
			"run again with --log-level debug and look at the device's logs; report it if the device's output is unusual"},
		{CauseCode(cause.NoDriver), SeverityError, "any", "netalign has no driver for the device's platform or kind",
			"use one of the platforms `netalign inventory check` lists"},
		{CauseCode(cause.Insecure), SeverityError, "any", "netalign refused to send credentials over a clear-text connection",
			"use https:// (or the device's TLS port), or set insecure: true on the device if the network path is trusted"},
		{CauseCode(cause.ConcurrentChange), SeverityError, "any", "the device's configuration changed between observation and commit; netalign abandoned its transaction",
			"find who else changes the device, then run again"},
		{CauseCode(cause.Interrupted), SeverityError, "any", "the run was interrupted before the device was handled",
			"run again"},
	}
}

// InLayer reports whether the code is checked on devices of layer
// ("switch", "host", "dhcp"): Layer lists one or more layers, or "any".
func (c CodeInfo) InLayer(layer string) bool {
	if c.Layer == "any" {
		return true
	}
	for _, l := range strings.Split(c.Layer, ",") {
		if strings.TrimSpace(l) == layer {
			return true
		}
	}
	return false
}

// AllCodes is every documented code: the findings, then the causes.
func AllCodes() []CodeInfo { return append(Codes(), CauseCodes()...) }

// CodesMarkdown is the table of docs/validate.md: every code with its
// severity, layer, meaning and what to do (a test keeps the page equal to
// it).
func CodesMarkdown(codes []CodeInfo) string {
	var b strings.Builder
	b.WriteString("| code | severity | layer | meaning | what to do |\n|---|---|---|---|---|\n")
	for _, c := range codes {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", c.Code, c.Severity, c.Layer, mdCell(c.Meaning), mdCell(c.Action))
	}
	return b.String()
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
