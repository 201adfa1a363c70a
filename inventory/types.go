package inventory

import "time"

// Inventory is the whole intent an operator writes: the cluster networks of a
// Harvester-style cluster, its VM networks, the hosts and how their NICs are
// cabled, the switches and the DHCP servers.
type Inventory struct {
	// Version is the schema version; only 1 exists.
	Version         int              `mapstructure:"version" json:"version"`
	Settings        Settings         `mapstructure:"settings" json:"settings"`
	ClusterNetworks []ClusterNetwork `mapstructure:"clusterNetworks" json:"clusterNetworks"`
	Networks        []Network        `mapstructure:"networks" json:"networks"`
	Switches        []Switch         `mapstructure:"switches" json:"switches"`
	DHCPServers     []DHCPServer     `mapstructure:"dhcpServers" json:"dhcpServers"`
	Hosts           []Host           `mapstructure:"hosts" json:"hosts"`

	// Source is the file the inventory was loaded from (empty when built in
	// code). It prefixes every validation error.
	Source string `mapstructure:"-" json:"-"`
}

// Settings are the scalar run settings. Each can be overridden from the
// environment as NETALIGN_SETTINGS_<NAME>, for example
// NETALIGN_SETTINGS_PARALLELISM=32.
type Settings struct {
	// Parallelism bounds how many devices are talked to at once (default 16).
	Parallelism int `mapstructure:"parallelism" json:"parallelism"`
	// Timeout is the deadline of one device's observe or apply (default 60s).
	Timeout time.Duration `mapstructure:"timeout" json:"timeout"`
	// RollbackTimeout is how long a host apply waits for its connectivity
	// check before restoring the checkpoint (default 60s).
	RollbackTimeout time.Duration `mapstructure:"rollbackTimeout" json:"rollbackTimeout"`
	// SaveConfig copies running-config to startup-config after a commit
	// (default true).
	SaveConfig bool `mapstructure:"saveConfig" json:"saveConfig"`
}

// ClusterNetwork is a Harvester cluster network: bond <name>-bo under the
// VLAN-filtering bridge <name>-br on every host that has NICs in it.
type ClusterNetwork struct {
	// Name is at most 12 bytes so that "<name>-bo" fits IFNAMSIZ.
	Name string `mapstructure:"name" json:"name"`
	// MTU of the NICs, bond and bridge, 576-9000 (default 1500).
	MTU  int  `mapstructure:"mtu" json:"mtu"`
	Bond Bond `mapstructure:"bond" json:"bond"`
	// UntaggedVLAN is the PVID of the bond port and the switch trunks'
	// native VLAN (default 1).
	UntaggedVLAN int `mapstructure:"untaggedVlan" json:"untaggedVlan"`
	// MgmtVLAN, on mgmt only, is the VLAN of the sub-interface mgmt-br.<vid>
	// that carries the node address (0: the node address is untagged).
	MgmtVLAN int `mapstructure:"mgmtVlan" json:"mgmtVlan,omitempty"`
}

// Bond holds the Linux bonding options of a cluster network.
type Bond struct {
	// Mode is a number (0-6), a kernel name (802.3ad) or an alias (lacp);
	// default active-backup.
	Mode string `mapstructure:"mode" json:"mode"`
	// Miimon is the MII link monitoring interval in ms; 0 turns MII
	// monitoring off, for ARP monitoring. nil (left out): 100, Harvester's
	// default, or 0 when ArpInterval is set (see MIIMonitor).
	Miimon *int `mapstructure:"miimon" json:"miimon,omitempty"`
	// ArpInterval is the ARP link monitoring interval in ms (0: off). ARP
	// monitoring replaces MII monitoring (miimon 0) and needs ArpIPTargets;
	// the kernel has it in balance-rr, active-backup, balance-xor and
	// broadcast only.
	ArpInterval int `mapstructure:"arpInterval" json:"arpInterval,omitempty"`
	// ArpIPTargets are the IPv4 addresses ARP monitoring sends its
	// requests to (at most 16, the kernel's BOND_MAX_ARP_TARGETS).
	ArpIPTargets []string `mapstructure:"arpIpTargets" json:"arpIpTargets,omitempty"`
	// LACPRate is slow or fast (802.3ad only; default slow).
	LACPRate string `mapstructure:"lacpRate" json:"lacpRate,omitempty"`
	// XmitHashPolicy is layer2, layer2+3, layer3+4, encap2+3 or encap3+4.
	XmitHashPolicy string `mapstructure:"xmitHashPolicy" json:"xmitHashPolicy,omitempty"`
	UpDelay        int    `mapstructure:"upDelay" json:"upDelay,omitempty"`
	DownDelay      int    `mapstructure:"downDelay" json:"downDelay,omitempty"`
	MinLinks       int    `mapstructure:"minLinks" json:"minLinks,omitempty"`
}

// MIIMonitor is the MII monitoring interval the bond gets: Miimon when the
// inventory sets it, else 0 with ARP monitoring (ArpInterval > 0) and
// DefaultMiimon without.
func (b Bond) MIIMonitor() int {
	switch {
	case b.Miimon != nil:
		return *b.Miimon
	case b.ArpInterval > 0:
		return 0
	}
	return DefaultMiimon
}

// Network is a VM network (a Harvester NetworkAttachmentDefinition): a VLAN
// on a cluster network.
type Network struct {
	Name           string `mapstructure:"name" json:"name"`
	ClusterNetwork string `mapstructure:"clusterNetwork" json:"clusterNetwork"`
	// VLAN is 1-4094; 0 means the cluster network's untagged VLAN.
	VLAN int        `mapstructure:"vlan" json:"vlan,omitempty"`
	DHCP *DHCPBlock `mapstructure:"dhcp" json:"dhcp,omitempty"`
}

// DHCPBlock is the DHCP pool of a VM network.
type DHCPBlock struct {
	// Server names an entry of dhcpServers.
	Server string `mapstructure:"server" json:"server"`
	// Subnet in CIDR form, e.g. 172.16.100.0/24.
	Subnet string `mapstructure:"subnet" json:"subnet"`
	// Range is "first-last"; Ranges allows several.
	Range     string        `mapstructure:"range" json:"range,omitempty"`
	Ranges    []string      `mapstructure:"ranges" json:"ranges,omitempty"`
	Gateway   string        `mapstructure:"gateway" json:"gateway,omitempty"`
	DNS       []string      `mapstructure:"dns" json:"dns,omitempty"`
	Domain    string        `mapstructure:"domain" json:"domain,omitempty"`
	LeaseTime time.Duration `mapstructure:"leaseTime" json:"leaseTime,omitempty"`
	// Interface is the server interface on the VLAN (e.g. eth1.100).
	Interface string `mapstructure:"interface" json:"interface,omitempty"`
	// Relay is the relay agent (giaddr) address through which the server is
	// reached.
	Relay        string        `mapstructure:"relay" json:"relay,omitempty"`
	Reservations []Reservation `mapstructure:"reservations" json:"reservations,omitempty"`
}

// Reservation pins an address to a MAC address.
type Reservation struct {
	MAC      string `mapstructure:"mac" json:"mac"`
	IP       string `mapstructure:"ip" json:"ip"`
	Hostname string `mapstructure:"hostname" json:"hostname,omitempty"`
}

// Host is a cluster node.
type Host struct {
	Name    string `mapstructure:"name" json:"name"`
	Address string `mapstructure:"address" json:"address,omitempty"`
	// Access says how netalign reaches the host: "local" (netlink on this
	// machine), "ssh" (read-only observation over SSH) or "none"
	// (default: ssh when address and ssh are set, none otherwise).
	Access       string        `mapstructure:"access" json:"access,omitempty"`
	SSH          *SSHAccess    `mapstructure:"ssh" json:"ssh,omitempty"`
	Connectivity *Connectivity `mapstructure:"connectivity" json:"connectivity,omitempty"`
	// ClusterNetworks lists the host's NICs per cluster network.
	ClusterNetworks []HostClusterNetwork `mapstructure:"clusterNetworks" json:"clusterNetworks"`
}

// SSHAccess is how a host is reached over SSH.
type SSHAccess struct {
	User        string      `mapstructure:"user" json:"user,omitempty"`
	Port        int         `mapstructure:"port" json:"port,omitempty"`
	Credentials Credentials `mapstructure:"credentials" json:"credentials"`
	KnownHosts  string      `mapstructure:"knownHosts" json:"knownHosts,omitempty"`
}

// Connectivity is the check a host apply runs after changing links; when it
// fails within the timeout the host is restored to its checkpoint.
type Connectivity struct {
	// Target is an address to ping; empty means the default gateway.
	Target  string        `mapstructure:"target" json:"target,omitempty"`
	Timeout time.Duration `mapstructure:"timeout" json:"timeout,omitempty"`
}

// HostClusterNetwork is one host's membership of a cluster network.
type HostClusterNetwork struct {
	Name string `mapstructure:"name" json:"name"`
	NICs []NIC  `mapstructure:"nics" json:"nics"`
}

// NIC is a host NIC and the switch port it is cabled to.
type NIC struct {
	Name   string `mapstructure:"name" json:"name"`
	MAC    string `mapstructure:"mac" json:"mac,omitempty"`
	Switch string `mapstructure:"switch" json:"switch,omitempty"`
	Port   string `mapstructure:"port" json:"port,omitempty"`
	// LAGID pins the switch LAG id (port-channel number) of this NIC's bond on
	// this switch; 0 lets netalign choose.
	LAGID int `mapstructure:"lagId" json:"lagId,omitempty"`
}

// Switch is a top-of-rack switch.
type Switch struct {
	Name string `mapstructure:"name" json:"name"`
	// Platform names the switch OS; inventory check accepts the platforms
	// the build has a driver for (Options.Switches).
	Platform string `mapstructure:"platform" json:"platform"`
	// Protocol is ssh or gnmi (default ssh, gnmi for openconfig).
	Protocol string `mapstructure:"protocol" json:"protocol"`
	// Address is host or host:port.
	Address     string      `mapstructure:"address" json:"address"`
	Port        int         `mapstructure:"port" json:"port,omitempty"`
	Credentials Credentials `mapstructure:"credentials" json:"credentials"`
	// KnownHosts is the SSH known_hosts file used to verify the switch.
	KnownHosts string `mapstructure:"knownHosts" json:"knownHosts,omitempty"`
	TLS        *TLS   `mapstructure:"tls" json:"tls,omitempty"`
	// Insecure skips SSH host key or TLS verification (logged loudly).
	Insecure bool `mapstructure:"insecure" json:"insecure,omitempty"`
	// LAGIDs is the range of port-channel numbers netalign may allocate,
	// e.g. "10-99" (default 1-999).
	LAGIDs string `mapstructure:"lagIds" json:"lagIds,omitempty"`
	// MLAGPeer names the other switch of an MLAG/vPC pair.
	MLAGPeer string `mapstructure:"mlagPeer" json:"mlagPeer,omitempty"`
	// ProtectedPorts are never changed by netalign.
	ProtectedPorts []string `mapstructure:"protectedPorts" json:"protectedPorts,omitempty"`
	// FullyManagedPorts get their allowed VLAN list replaced (VLANs netalign
	// does not manage are removed); other ports are edited incrementally.
	FullyManagedPorts []string `mapstructure:"fullyManagedPorts" json:"fullyManagedPorts,omitempty"`
	// VLANPolicy says how host-facing trunks' allowed lists are edited:
	// "add" (the default) adds the VLANs that are missing and leaves extra
	// ones; "exact" also removes the VLANs the port's cluster network does
	// not need. Protected ports and the management port are never edited.
	VLANPolicy string `mapstructure:"vlanPolicy" json:"vlanPolicy,omitempty"`
	// MgmtPort is the port carrying netalign's own session; it is never
	// changed unless the operator overrides it.
	MgmtPort string `mapstructure:"mgmtPort" json:"mgmtPort,omitempty"`
	// NetworkInstance is the OpenConfig network instance (default "default").
	NetworkInstance string `mapstructure:"networkInstance" json:"networkInstance,omitempty"`
}

// TLS configures gNMI or HTTPS transport security.
type TLS struct {
	CA         string `mapstructure:"ca" json:"ca,omitempty"`
	Cert       string `mapstructure:"cert" json:"cert,omitempty"`
	Key        string `mapstructure:"key" json:"key,omitempty"`
	ServerName string `mapstructure:"serverName" json:"serverName,omitempty"`
}

// Credentials are references to secrets, never the secrets themselves.
type Credentials struct {
	Username     string `mapstructure:"username" json:"username,omitempty"`
	UsernameEnv  string `mapstructure:"usernameEnv" json:"usernameEnv,omitempty"`
	PasswordEnv  string `mapstructure:"passwordEnv" json:"passwordEnv,omitempty"`
	PasswordFile string `mapstructure:"passwordFile" json:"passwordFile,omitempty"`
	// EnablePasswordEnv names the variable with the privileged-mode secret.
	EnablePasswordEnv string `mapstructure:"enablePasswordEnv" json:"enablePasswordEnv,omitempty"`
	SSHKeyFile        string `mapstructure:"sshKeyFile" json:"sshKeyFile,omitempty"`
	SSHAgent          bool   `mapstructure:"sshAgent" json:"sshAgent,omitempty"`
	// Password exists only so that a clear-text password is rejected with a
	// precise message instead of "unknown key".
	Password string `mapstructure:"password" json:"-"`
}

// DHCPServer is a DHCP server that serves VM networks.
type DHCPServer struct {
	Name string `mapstructure:"name" json:"name"`
	// Kind is kea, dnsmasq or embedded; inventory check accepts the kinds
	// the build has a driver for (Options.DHCP).
	Kind string `mapstructure:"kind" json:"kind"`
	// Endpoint: the Kea Control Agent URL; for dnsmasq "local" or
	// ssh://user@host[:port]; for embedded the listen address.
	Endpoint    string      `mapstructure:"endpoint" json:"endpoint,omitempty"`
	Credentials Credentials `mapstructure:"credentials" json:"credentials"`
	TLS         *TLS        `mapstructure:"tls" json:"tls,omitempty"`
	// ConfigPath is where Kea writes its configuration (config-write), or the
	// file netalign owns in dnsmasq's conf-dir.
	ConfigPath string `mapstructure:"configPath" json:"configPath,omitempty"`
	// RestartCommand restarts dnsmasq after its file changed.
	RestartCommand string `mapstructure:"restartCommand" json:"restartCommand,omitempty"`
	// LeaseFile is the embedded server's lease database.
	LeaseFile string `mapstructure:"leaseFile" json:"leaseFile,omitempty"`
	// Insecure lets Kea credentials travel over plain http:// to another machine (logged loudly).
	Insecure bool `mapstructure:"insecure" json:"insecure,omitempty"`
}
