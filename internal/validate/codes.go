package validate

// Code is a stable, documented finding code (docs/validate.md).
type Code string

// Finding codes. They never change meaning; new ones are only added.
const (
	LAGModeMismatch      Code = "LAG_MODE_MISMATCH"
	LAGMissing           Code = "LAG_MISSING"
	LAGUnexpected        Code = "LAG_UNEXPECTED"
	LAGMembersSplit      Code = "LAG_MEMBERS_SPLIT"
	LACPNotBundled       Code = "LACP_NOT_BUNDLED"
	VLANNotAllowed       Code = "VLAN_NOT_ALLOWED"
	VLANNotDefined       Code = "VLAN_NOT_DEFINED"
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
	HostNICMissing       Code = "HOST_NIC_MISSING"
	HostBridgeMismatch   Code = "HOST_BRIDGE_MISMATCH"
	HostMTUMismatch      Code = "HOST_MTU_MISMATCH"
	DHCPPoolMissing      Code = "DHCP_POOL_MISSING"
	DHCPPoolMismatch     Code = "DHCP_POOL_MISMATCH"
	DHCPNoOffer          Code = "DHCP_NO_OFFER"
	DHCPWrongSubnet      Code = "DHCP_WRONG_SUBNET"
	DeviceUnreachable    Code = "DEVICE_UNREACHABLE"
)

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
	Layer    string
	Meaning  string
}

// Codes is the documented list of codes (docs/validate.md is generated from
// the same text by `netalign validate --list-codes`).
func Codes() []CodeInfo {
	return []CodeInfo{
		{LAGModeMismatch, SeverityError, "switch", "the LAG facing a bond has the wrong type (static vs LACP) for the bond mode"},
		{LAGMissing, SeverityError, "switch", "the bond mode needs a LAG but the switch ports are not in one"},
		{LAGUnexpected, SeverityError, "switch", "the bond mode needs plain trunks but the switch ports are in a LAG"},
		{LAGMembersSplit, SeverityError, "switch", "the ports facing one bond are spread over several LAGs"},
		{LACPNotBundled, SeverityError, "switch", "an LACP member is not bundled (individual, suspended or down)"},
		{VLANNotAllowed, SeverityError, "switch", "a VLAN of the cluster network is not allowed on the trunk"},
		{VLANNotDefined, SeverityError, "switch", "a VLAN of the cluster network is not defined on the switch"},
		{NativeVLANMismatch, SeverityError, "switch", "the trunk's native VLAN is not the cluster network's untagged VLAN"},
		{PortNotTrunk, SeverityError, "switch", "a host-facing port or LAG is not a trunk"},
		{PortMissing, SeverityError, "switch", "the inventory cables a NIC to a port the switch does not have"},
		{MTUMismatch, SeverityError, "switch", "the switch MTU is smaller than the host MTU"},
		{PortDown, SeverityWarning, "switch", "a host-facing port is administratively or operationally down"},
		{CablingMismatch, SeverityError, "switch", "LLDP on the port shows another host or NIC than the inventory"},
		{HostBondMissing, SeverityError, "host", "the bond <cn>-bo does not exist"},
		{HostBondModeMismatch, SeverityError, "host", "the bond mode differs from the inventory"},
		{HostBondOptions, SeverityWarning, "host", "a bond option (miimon, lacp rate, hash policy...) differs"},
		{HostVLANMissing, SeverityError, "host", "a VM network VLAN is missing on the bond's bridge port"},
		{HostNICMissing, SeverityError, "host", "an inventory NIC is missing or not enslaved to its bond"},
		{HostBridgeMismatch, SeverityError, "host", "the bridge is missing, not VLAN-filtering, or the bond is not its port"},
		{HostMTUMismatch, SeverityError, "host", "the host MTU differs from the cluster network MTU"},
		{DHCPPoolMissing, SeverityError, "dhcp", "a VLAN with a DHCP block has no pool on its server"},
		{DHCPPoolMismatch, SeverityError, "dhcp", "the pool differs (range, gateway, DNS...) or a live offer carries other options"},
		{DHCPNoOffer, SeverityError, "dhcp", "the live probe got no OFFER on the VLAN"},
		{DHCPWrongSubnet, SeverityError, "dhcp", "the live probe got an address outside the VLAN's subnet"},
		{DeviceUnreachable, SeverityError, "any", "the device could not be observed"},
	}
}
