package sshcli

// JSON shapes of EOS `show ... | json`. Field names and nesting are those of
// real EOS output (see testdata/eos, copied from public captures); the lab
// fills the fields that carry meaning and keeps the rest at plausible
// values. Tests decode both the captures and the lab's output into these
// types, and check that every key the lab prints exists at the same place
// in the capture.

// EOSVersion is `show version | json`.
type EOSVersion struct {
	MfgName          string  `json:"mfgName"`
	ModelName        string  `json:"modelName"`
	HardwareRevision string  `json:"hardwareRevision"`
	SerialNumber     string  `json:"serialNumber"`
	SystemMacAddress string  `json:"systemMacAddress"`
	HwMacAddress     string  `json:"hwMacAddress"`
	ConfigMacAddress string  `json:"configMacAddress"`
	Version          string  `json:"version"`
	Architecture     string  `json:"architecture"`
	InternalVersion  string  `json:"internalVersion"`
	InternalBuildID  string  `json:"internalBuildId"`
	ImageFormatVer   string  `json:"imageFormatVersion"`
	KernelVersion    string  `json:"kernelVersion"`
	BootupTimestamp  float64 `json:"bootupTimestamp"`
	Uptime           float64 `json:"uptime"`
	MemTotal         int64   `json:"memTotal"`
	MemFree          int64   `json:"memFree"`
	IsIntlVersion    bool    `json:"isIntlVersion"`
}

// EOSHostname is `show hostname | json`.
type EOSHostname struct {
	Hostname string `json:"hostname"`
	FQDN     string `json:"fqdn"`
}

// EOSVlans is `show vlan | json`.
type EOSVlans struct {
	SourceDetail string             `json:"sourceDetail"`
	VLANs        map[string]EOSVlan `json:"vlans"`
}

// EOSVlan is one VLAN of EOSVlans.
type EOSVlan struct {
	Status     string                      `json:"status"`
	Name       string                      `json:"name"`
	Interfaces map[string]EOSVlanInterface `json:"interfaces"`
	Dynamic    bool                        `json:"dynamic"`
}

// EOSVlanInterface is a port of a VLAN.
type EOSVlanInterface struct {
	PrivatePromoted bool `json:"privatePromoted"`
}

// EOSSwitchports is `show interfaces switchport | json`.
type EOSSwitchports struct {
	Switchports map[string]EOSSwitchport `json:"switchports"`
}

// EOSSwitchport is one interface of EOSSwitchports.
type EOSSwitchport struct {
	Enabled        bool              `json:"enabled"`
	SwitchportInfo EOSSwitchportInfo `json:"switchportInfo"`
}

// EOSSwitchportInfo holds the layer-2 settings. TrunkAllowedVlans is
// "ALL", "NONE" or a list such as "10,100-110".
type EOSSwitchportInfo struct {
	Tpid                   string         `json:"tpid"`
	TpidStatus             bool           `json:"tpidStatus"`
	MacLearning            bool           `json:"macLearning"`
	StaticTrunkGroups      []string       `json:"staticTrunkGroups"`
	DynamicTrunkGroups     []string       `json:"dynamicTrunkGroups"`
	TrunkAllowedVlans      string         `json:"trunkAllowedVlans"`
	AccessVlanID           int            `json:"accessVlanId"`
	AccessVlanName         string         `json:"accessVlanName"`
	Mode                   string         `json:"mode"`
	TrunkingNativeVlanID   int            `json:"trunkingNativeVlanId"`
	TrunkingNativeVlanName string         `json:"trunkingNativeVlanName"`
	DynamicAllowedVlans    map[string]any `json:"dynamicAllowedVlans"`
}

// EOSInterfacesStatus is `show interfaces status | json`.
type EOSInterfacesStatus struct {
	InterfaceStatuses map[string]EOSInterfaceStatus `json:"interfaceStatuses"`
}

// EOSInterfaceStatus is one row. LinkStatus is connected, notconnect or
// disabled.
type EOSInterfaceStatus struct {
	VlanInformation      EOSVlanInformation `json:"vlanInformation"`
	Bandwidth            int64              `json:"bandwidth"`
	InterfaceType        string             `json:"interfaceType"`
	Description          string             `json:"description"`
	AutoNegotiateActive  bool               `json:"autoNegotiateActive"`
	Duplex               string             `json:"duplex"`
	AutoNegotigateActive bool               `json:"autoNegotigateActive"` // sic, EOS prints both spellings
	LinkStatus           string             `json:"linkStatus"`
	LineProtocolStatus   string             `json:"lineProtocolStatus"`
}

// EOSVlanInformation is the VLAN column of interfaces status.
type EOSVlanInformation struct {
	InterfaceMode            string `json:"interfaceMode"`
	VlanID                   int    `json:"vlanId,omitempty"`
	InterfaceForwardingModel string `json:"interfaceForwardingModel"`
}

// EOSInterfaces is `show interfaces | json`.
type EOSInterfaces struct {
	Interfaces map[string]EOSInterface `json:"interfaces"`
}

// EOSInterface is one interface of EOSInterfaces (counters left out).
type EOSInterface struct {
	Name                      string                   `json:"name"`
	InterfaceStatus           string                   `json:"interfaceStatus"`
	LineProtocolStatus        string                   `json:"lineProtocolStatus"`
	Hardware                  string                   `json:"hardware"`
	MTU                       int                      `json:"mtu"`
	Bandwidth                 int64                    `json:"bandwidth"`
	Duplex                    string                   `json:"duplex,omitempty"`
	ForwardingModel           string                   `json:"forwardingModel"`
	Description               string                   `json:"description"`
	PhysicalAddress           string                   `json:"physicalAddress"`
	BurnedInAddress           string                   `json:"burnedInAddress,omitempty"`
	InterfaceMembership       string                   `json:"interfaceMembership,omitempty"`
	MemberInterfaces          map[string]EOSMemberIntf `json:"memberInterfaces,omitempty"`
	FallbackEnabled           *bool                    `json:"fallbackEnabled,omitempty"`
	FallbackEnabledType       string                   `json:"fallbackEnabledType,omitempty"`
	InterfaceAddress          []any                    `json:"interfaceAddress"`
	LastStatusChangeTimestamp float64                  `json:"lastStatusChangeTimestamp"`
}

// EOSMemberIntf is a port-channel member in EOSInterface.
type EOSMemberIntf struct {
	Duplex    string `json:"duplex"`
	Bandwidth int64  `json:"bandwidth"`
}

// EOSLacpNeighbors is `show lacp neighbor | json`.
type EOSLacpNeighbors struct {
	PortChannels map[string]EOSLacpPortChannel `json:"portChannels"`
	OrphanPorts  map[string]any                `json:"orphanPorts"`
}

// EOSLacpPortChannel lists a port-channel's members.
type EOSLacpPortChannel struct {
	Interfaces map[string]EOSLacpNeighbor `json:"interfaces"`
}

// EOSLacpNeighbor is the partner seen on one member. ActorPortStatus is
// bundled, noAgg (no LACP partner) or inactive.
type EOSLacpNeighbor struct {
	PartnerPortPriority int              `json:"partnerPortPriority"`
	PartnerPortState    EOSLacpPortState `json:"partnerPortState"`
	PartnerSystemID     string           `json:"partnerSystemId"`
	PartnerOperKey      string           `json:"partnerOperKey"`
	ActorPortStatus     string           `json:"actorPortStatus"`
	PartnerPortID       int              `json:"partnerPortId"`
}

// EOSLacpPortState are the LACP state bits.
type EOSLacpPortState struct {
	Collecting      bool `json:"collecting"`
	Distributing    bool `json:"distributing"`
	Synchronization bool `json:"synchronization"`
	Defaulted       bool `json:"defaulted"`
	Timeout         bool `json:"timeout"`
	Activity        bool `json:"activity"`
	Expired         bool `json:"expired"`
	Aggregation     bool `json:"aggregation"`
}

// EOSLldpNeighbors is `show lldp neighbors | json`.
type EOSLldpNeighbors struct {
	TablesLastChangeTime float64           `json:"tablesLastChangeTime"`
	TablesAgeOuts        int               `json:"tablesAgeOuts"`
	TablesInserts        int               `json:"tablesInserts"`
	TablesDeletes        int               `json:"tablesDeletes"`
	TablesDrops          int               `json:"tablesDrops"`
	LldpNeighbors        []EOSLldpNeighbor `json:"lldpNeighbors"`
}

// EOSLldpNeighbor is one row of EOSLldpNeighbors.
type EOSLldpNeighbor struct {
	TTL            int    `json:"ttl"`
	NeighborDevice string `json:"neighborDevice"`
	NeighborPort   string `json:"neighborPort"`
	Port           string `json:"port"`
}

// EOSLldpNeighborsDetail is `show lldp neighbors detail | json`.
type EOSLldpNeighborsDetail struct {
	LldpNeighbors map[string]EOSLldpPort `json:"lldpNeighbors"`
}

// EOSLldpPort is the neighbours of one local port.
type EOSLldpPort struct {
	LldpNeighborInfo []EOSLldpNeighborInfo `json:"lldpNeighborInfo"`
}

// EOSLldpNeighborInfo is one neighbour in detail.
type EOSLldpNeighborInfo struct {
	SystemCapabilities    map[string]bool     `json:"systemCapabilities"`
	LastChangeTime        float64             `json:"lastChangeTime"`
	NeighborInterfaceInfo EOSLldpNeighborIntf `json:"neighborInterfaceInfo"`
	NeighborDiscoveryTime float64             `json:"neighborDiscoveryTime"`
	LastContactTime       float64             `json:"lastContactTime"`
	ChassisID             string              `json:"chassisId"`
	ChassisIDType         string              `json:"chassisIdType"`
	SystemName            string              `json:"systemName"`
	SystemDescription     string              `json:"systemDescription"`
	TTL                   int                 `json:"ttl"`
	ManagementAddresses   []any               `json:"managementAddresses"`
}

// EOSLldpNeighborIntf is the neighbour's port. InterfaceIDType is
// macAddress (lldpd's default) or interfaceName.
type EOSLldpNeighborIntf struct {
	InterfaceIDType            string `json:"interfaceIdType"`
	InterfaceID                string `json:"interfaceId"`
	InterfaceDescription       string `json:"interfaceDescription"`
	LinkAggregationStatus      string `json:"linkAggregationStatus"`
	LinkAggregationInterfaceID int    `json:"linkAggregationInterfaceId"`
	MaxFrameSize               int    `json:"maxFrameSize"`
	OperMauType                string `json:"operMauType"`
}

// EOSPortChannels is `show port-channel [dense|summary] | json` (no capture
// in testdata: shape from EOS documentation of the command's model).
type EOSPortChannels struct {
	PortChannels map[string]EOSPortChannel `json:"portChannels"`
}

// EOSPortChannel lists active and inactive members.
type EOSPortChannel struct {
	ActivePorts   map[string]EOSPortChannelMember   `json:"activePorts"`
	InactivePorts map[string]EOSPortChannelInactive `json:"inactivePorts"`
	InactiveLag   bool                              `json:"inactiveLag"`
	MinLinks      int                               `json:"minLinks"`
	RecircFeature []any                             `json:"recircFeature"`
}

// EOSPortChannelMember is an active member; Protocol is lacp or static,
// LacpMode active, passive or on.
type EOSPortChannelMember struct {
	Protocol string `json:"protocol"`
	LacpMode string `json:"lacpMode"`
	Weight   int    `json:"weight"`
}

// EOSPortChannelInactive is a member that is not bundled and why.
type EOSPortChannelInactive struct {
	ReasonUnconfigured string `json:"reasonUnconfigured"`
}

// EOSMlagInterfaces is `show mlag interfaces | json`, keyed by MLAG id.
// Status is active-full (both sides up), active-partial (one side up) or
// inactive.
type EOSMlagInterfaces struct {
	Interfaces map[string]EOSMlagInterface `json:"interfaces"`
}

// EOSMlagInterface is one MLAG.
type EOSMlagInterface struct {
	LocalInterface            string `json:"localInterface"`
	PeerInterface             string `json:"peerInterface"`
	PeerInterfaceStatus       string `json:"peerInterfaceStatus"`
	LocalInterfaceStatus      string `json:"localInterfaceStatus"`
	Status                    string `json:"status"`
	LocalInterfaceDescription string `json:"localInterfaceDescription"`
}
