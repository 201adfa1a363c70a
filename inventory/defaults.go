package inventory

import "time"

// Defaults filled in when a field is left out.
const (
	DefaultParallelism     = 16
	DefaultTimeout         = 60 * time.Second
	DefaultRollbackTimeout = 60 * time.Second
	DefaultSaveConfig      = true
	DefaultMTU             = 1500
	DefaultUntaggedVLAN    = 1
	DefaultMiimon          = 100
	DefaultBondMode        = "active-backup"
	DefaultNetworkInstance = "default"
	DefaultSSHPort         = 22

	// MgmtClusterNetwork is Harvester's built-in cluster network; it exists
	// even when the inventory does not list it.
	MgmtClusterNetwork = "mgmt"

	// Platform and protocol names used by defaults and rules.
	PlatformOpenConfig = "openconfig"
	ProtocolSSH        = "ssh"
	ProtocolGNMI       = "gnmi"

	// VLANPolicyAdd edits a host-facing trunk's allowed list by adding what
	// is missing and leaves extra VLANs alone (the default); VLANPolicyExact
	// also removes the VLANs the port's cluster network does not need.
	VLANPolicyAdd   = "add"
	VLANPolicyExact = "exact"
	// DefaultVLANPolicy is the vlanPolicy of a switch that sets none.
	DefaultVLANPolicy = VLANPolicyAdd
)

// ApplyDefaults fills every field left at its zero value with its default,
// and adds the built-in cluster network mgmt when a host or network refers
// to it without the inventory listing it (it is appended, so the indices of
// listed entries do not move). Load calls it; code that builds an Inventory
// by hand may call it too. Settings.SaveConfig cannot be told apart from an
// explicit false here, so only Load defaults it (to true).
func (inv *Inventory) ApplyDefaults() {
	s := &inv.Settings
	if s.Parallelism == 0 {
		s.Parallelism = DefaultParallelism
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	if s.RollbackTimeout == 0 {
		s.RollbackTimeout = DefaultRollbackTimeout
	}

	if inv.ClusterNetwork(MgmtClusterNetwork) == nil && inv.refersToMgmt() {
		inv.ClusterNetworks = append(inv.ClusterNetworks, ClusterNetwork{Name: MgmtClusterNetwork})
	}
	for i := range inv.ClusterNetworks {
		cn := &inv.ClusterNetworks[i]
		if cn.MTU == 0 {
			cn.MTU = DefaultMTU
		}
		if cn.UntaggedVLAN == 0 {
			cn.UntaggedVLAN = DefaultUntaggedVLAN
		}
		if cn.Bond.Miimon == nil {
			cn.Bond.Miimon = new(cn.Bond.MIIMonitor())
		}
		if cn.Bond.Mode == "" {
			cn.Bond.Mode = DefaultBondMode
		}
	}
	for i := range inv.Hosts {
		h := &inv.Hosts[i]
		if h.SSH != nil && h.SSH.Port == 0 {
			h.SSH.Port = DefaultSSHPort
		}
		if h.Connectivity != nil && h.Connectivity.Timeout == 0 {
			h.Connectivity.Timeout = s.RollbackTimeout
		}
	}
	for i := range inv.Switches {
		sw := &inv.Switches[i]
		if sw.Protocol == "" {
			sw.Protocol = ProtocolSSH
			if sw.Platform == PlatformOpenConfig {
				sw.Protocol = ProtocolGNMI
			}
		}
		if sw.LAGIDs == "" {
			sw.LAGIDs = DefaultLAGIDs
		}
		if sw.NetworkInstance == "" {
			sw.NetworkInstance = DefaultNetworkInstance
		}
		if sw.VLANPolicy == "" {
			sw.VLANPolicy = DefaultVLANPolicy
		}
	}
}

func (inv *Inventory) refersToMgmt() bool {
	for _, n := range inv.Networks {
		if n.ClusterNetwork == MgmtClusterNetwork {
			return true
		}
	}
	for _, h := range inv.Hosts {
		for _, hcn := range h.ClusterNetworks {
			if hcn.Name == MgmtClusterNetwork {
				return true
			}
		}
	}
	return false
}

// ClusterNetwork returns the cluster network called name, or nil.
func (inv *Inventory) ClusterNetwork(name string) *ClusterNetwork {
	for i := range inv.ClusterNetworks {
		if inv.ClusterNetworks[i].Name == name {
			return &inv.ClusterNetworks[i]
		}
	}
	return nil
}

// Network returns the VM network called name, or nil.
func (inv *Inventory) Network(name string) *Network {
	for i := range inv.Networks {
		if inv.Networks[i].Name == name {
			return &inv.Networks[i]
		}
	}
	return nil
}

// Switch returns the switch called name, or nil.
func (inv *Inventory) Switch(name string) *Switch {
	for i := range inv.Switches {
		if inv.Switches[i].Name == name {
			return &inv.Switches[i]
		}
	}
	return nil
}

// DHCPServer returns the DHCP server called name, or nil.
func (inv *Inventory) DHCPServer(name string) *DHCPServer {
	for i := range inv.DHCPServers {
		if inv.DHCPServers[i].Name == name {
			return &inv.DHCPServers[i]
		}
	}
	return nil
}

// Host returns the host called name, or nil.
func (inv *Inventory) Host(name string) *Host {
	for i := range inv.Hosts {
		if inv.Hosts[i].Name == name {
			return &inv.Hosts[i]
		}
	}
	return nil
}
