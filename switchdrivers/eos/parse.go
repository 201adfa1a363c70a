package eos

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers/internal/ifstate"
	"github.com/netalign/netalign/switchdrivers/internal/norm"
)

// The observe commands, in the order Observe sends them. Each is parsed by
// the Parse function of the same name.
const (
	CmdShowVLAN          = "show vlan | json"
	CmdShowInterfaces    = "show interfaces | json"
	CmdShowSwitchport    = "show interfaces switchport | json"
	CmdShowLACPNeighbor  = "show lacp neighbor | json"
	CmdShowMLAGInterface = "show mlag interfaces | json"
	CmdShowLLDPDetail    = "show lldp neighbors detail | json"
	CmdShowRunningConfig = "show running-config"
)

// VLANs is `show vlan | json`.
type VLANs struct {
	VLANs map[string]struct {
		Name       string                     `json:"name"`
		Status     string                     `json:"status"`
		Interfaces map[string]json.RawMessage `json:"interfaces"`
	} `json:"vlans"`
}

// ParseVLANs decodes `show vlan | json`.
func ParseVLANs(b []byte) (*VLANs, error) { return norm.DecodeJSON[VLANs](b, CmdShowVLAN) }

// Interfaces is `show interfaces | json`.
type Interfaces struct {
	Interfaces map[string]struct {
		Name                string                     `json:"name"`
		Description         string                     `json:"description"`
		InterfaceStatus     string                     `json:"interfaceStatus"`
		LineProtocolStatus  string                     `json:"lineProtocolStatus"`
		MTU                 int                        `json:"mtu"`
		Hardware            string                     `json:"hardware"`
		ForwardingModel     string                     `json:"forwardingModel"`
		InterfaceMembership string                     `json:"interfaceMembership"`
		MemberInterfaces    map[string]json.RawMessage `json:"memberInterfaces"`
	} `json:"interfaces"`
}

// ParseInterfaces decodes `show interfaces | json`.
func ParseInterfaces(b []byte) (*Interfaces, error) {
	return norm.DecodeJSON[Interfaces](b, CmdShowInterfaces)
}

// Switchports is `show interfaces switchport | json`.
type Switchports struct {
	Switchports map[string]struct {
		Enabled        bool `json:"enabled"`
		SwitchportInfo struct {
			Mode                 string `json:"mode"`
			AccessVLANID         int    `json:"accessVlanId"`
			TrunkingNativeVLANID int    `json:"trunkingNativeVlanId"`
			TrunkAllowedVLANs    string `json:"trunkAllowedVlans"`
		} `json:"switchportInfo"`
	} `json:"switchports"`
}

// ParseSwitchports decodes `show interfaces switchport | json`.
func ParseSwitchports(b []byte) (*Switchports, error) {
	return norm.DecodeJSON[Switchports](b, CmdShowSwitchport)
}

// LACPPortState is the LACP port state bits as EOS names them.
type LACPPortState struct {
	Activity        bool `json:"activity"`
	Timeout         bool `json:"timeout"`
	Aggregation     bool `json:"aggregation"`
	Synchronization bool `json:"synchronization"`
	Collecting      bool `json:"collecting"`
	Distributing    bool `json:"distributing"`
	Defaulted       bool `json:"defaulted"`
	Expired         bool `json:"expired"`
}

// LACPNeighbors is `show lacp neighbor | json`.
type LACPNeighbors struct {
	PortChannels map[string]struct {
		Interfaces map[string]struct {
			ActorPortStatus  string         `json:"actorPortStatus"`
			PartnerSystemID  string         `json:"partnerSystemId"`
			PartnerPortState *LACPPortState `json:"partnerPortState"`
		} `json:"interfaces"`
	} `json:"portChannels"`
}

// ParseLACPNeighbors decodes `show lacp neighbor | json`.
func ParseLACPNeighbors(b []byte) (*LACPNeighbors, error) {
	return norm.DecodeJSON[LACPNeighbors](b, CmdShowLACPNeighbor)
}

// MLAGInterfaces is `show mlag interfaces | json`; keys are MLAG ids.
type MLAGInterfaces struct {
	Interfaces map[string]struct {
		LocalInterface string `json:"localInterface"`
		PeerInterface  string `json:"peerInterface"`
		Status         string `json:"status"`
	} `json:"interfaces"`
}

// ParseMLAGInterfaces decodes `show mlag interfaces | json`.
func ParseMLAGInterfaces(b []byte) (*MLAGInterfaces, error) {
	return norm.DecodeJSON[MLAGInterfaces](b, CmdShowMLAGInterface)
}

// LLDPNeighborsDetail is `show lldp neighbors detail | json`.
type LLDPNeighborsDetail struct {
	LLDPNeighbors map[string]struct {
		LLDPNeighborInfo []struct {
			SystemName            string `json:"systemName"`
			ChassisID             string `json:"chassisId"`
			NeighborInterfaceInfo struct {
				InterfaceID          string `json:"interfaceId"`
				InterfaceIDType      string `json:"interfaceIdType"`
				InterfaceDescription string `json:"interfaceDescription"`
			} `json:"neighborInterfaceInfo"`
		} `json:"lldpNeighborInfo"`
	} `json:"lldpNeighbors"`
}

// ParseLLDPNeighborsDetail decodes `show lldp neighbors detail | json`.
func ParseLLDPNeighborsDetail(b []byte) (*LLDPNeighborsDetail, error) {
	return norm.DecodeJSON[LLDPNeighborsDetail](b, CmdShowLLDPDetail)
}

// InterfaceConfig is the LAG-related configuration of one interface, read
// from the running configuration because no EOS show command reports the
// configured channel-group mode, LACP timer or min-links of a member that is
// not bundled.
type InterfaceConfig = ifstate.Config

// ParseRunningInterfaces reads `show running-config` (or its interfaces part
// only): the interface blocks and, in each, the lines
// `channel-group N mode on|active|passive`, `lacp timer fast` (`lacp rate
// fast` on older releases), `port-channel min-links N` and `mlag N`.
// Interface names are canonical.
func ParseRunningInterfaces(text string) (map[string]*InterfaceConfig, error) {
	return ifstate.ReadConfigs(CmdShowRunningConfig, text, func(c *InterfaceConfig, f []string) error {
		var err error
		switch {
		case len(f) == 4 && f[0] == "channel-group" && f[2] == "mode":
			c.ChannelMode = intent.ChannelMode(f[3])
			c.ChannelGroup, err = ifstate.Number(f[1], "channel-group")
		case len(f) == 3 && f[0] == "lacp" && (f[1] == "timer" || f[1] == "rate"):
			c.LACPFast = f[2] == "fast"
		case len(f) == 3 && f[0] == "port-channel" && f[1] == "min-links":
			c.MinLinks, err = ifstate.Number(f[2], "min-links")
		case len(f) == 2 && f[0] == "mlag":
			c.MLAG, err = ifstate.Number(f[1], "mlag id")
		}
		return err
	})
}

// Outputs are the raw outputs of the observe commands. Any may be nil when
// the command is unavailable; the state then lacks what it would have told.
type Outputs struct {
	VLAN, Interfaces, Switchport, LACPNeighbor, MLAGInterfaces, LLDPDetail []byte
	RunningInterfaces                                                      string
}

// BuildState turns the outputs of the observe commands into the
// vendor-neutral state of switch name. It keeps Ethernet ports and
// Port-Channels (not management, SVIs or loopbacks), with canonical names,
// sorted.
func BuildState(name string, o Outputs) (*intent.SwitchState, error) {
	st := &intent.SwitchState{Name: name, Platform: "eos", VLANs: []intent.VLAN{}, Interfaces: []intent.Interface{}}
	if o.VLAN != nil {
		v, err := ParseVLANs(o.VLAN)
		if err != nil {
			return nil, err
		}
		for id, vl := range v.VLANs {
			n, err := strconv.Atoi(id)
			if err != nil || n < 1 || n > 4094 {
				return nil, fmt.Errorf("parse %q: vlan id %q", CmdShowVLAN, id)
			}
			st.VLANs = append(st.VLANs, intent.VLAN{ID: n, Name: vl.Name})
		}
		slices.SortFunc(st.VLANs, func(a, b intent.VLAN) int { return a.ID - b.ID })
	}

	ifs := ifstate.Set{}
	get := ifs.Get

	if o.Interfaces != nil {
		v, err := ParseInterfaces(o.Interfaces)
		if err != nil {
			return nil, err
		}
		for key, x := range v.Interfaces {
			i := get(key)
			if i == nil {
				continue
			}
			i.Description = x.Description
			i.MTU = x.MTU
			i.AdminUp = x.InterfaceStatus != "disabled"
			i.OperUp = x.LineProtocolStatus == "up"
			if po, ok := strings.CutPrefix(x.InterfaceMembership, "Member of "); ok {
				i.ChannelGroup = intent.LAGID(po)
			}
			if i.Kind == intent.KindLAG {
				for m := range x.MemberInterfaces {
					// MLAG: the peer's members appear as PeerEthernetN.
					if strings.HasPrefix(m, "Peer") {
						continue
					}
					i.Members = append(i.Members, intent.NormalizeInterface(m))
				}
			}
			if x.ForwardingModel == "routed" {
				i.Mode = intent.ModeRouted
			}
		}
	}

	if o.Switchport != nil {
		v, err := ParseSwitchports(o.Switchport)
		if err != nil {
			return nil, err
		}
		for key, x := range v.Switchports {
			i := get(key)
			if i == nil {
				continue
			}
			si := x.SwitchportInfo
			switch si.Mode {
			case "trunk":
				i.Mode = intent.ModeTrunk
				i.NativeVLAN = si.TrunkingNativeVLANID
				allowed, err := intent.ParseVLANSet(si.TrunkAllowedVLANs)
				if err != nil {
					return nil, fmt.Errorf("parse %q: %s: %w", CmdShowSwitchport, key, err)
				}
				i.Allowed = allowed
			case "access":
				i.Mode = intent.ModeAccess
				i.AccessVLAN = si.AccessVLANID
			}
		}
	}

	if o.RunningInterfaces != "" {
		st.Hostname = ifstate.RunningHostname(o.RunningInterfaces)
		cfg, err := ParseRunningInterfaces(o.RunningInterfaces)
		if err != nil {
			return nil, err
		}
		ifs.ApplyConfig(cfg)
	}

	// Configured membership is authoritative for the LAG's member list:
	// `show interfaces` lists only the members currently in the bundle.
	ifs.LinkMembers()

	lacpStatus := map[string]string{}
	if o.LACPNeighbor != nil {
		v, err := ParseLACPNeighbors(o.LACPNeighbor)
		if err != nil {
			return nil, err
		}
		for po, pc := range v.PortChannels {
			for m, x := range pc.Interfaces {
				n := intent.NormalizeInterface(m)
				lacpStatus[n] = x.ActorPortStatus
				i := get(n)
				if i == nil {
					continue
				}
				if i.ChannelGroup == 0 {
					i.ChannelGroup = intent.LAGID(po)
				}
				if i.ChannelMode == "" {
					// Listed by LACP but absent from the running-config
					// we read: it runs LACP; EOS defaults to active
					// when the mode cannot be told.
					i.ChannelMode = intent.ChannelActive
				}
			}
		}
	}
	for _, i := range ifs {
		if i.Kind != intent.KindEthernet || i.ChannelGroup == 0 {
			continue
		}
		i.MemberState = memberState(i, lacpStatus)
	}

	if o.MLAGInterfaces != nil {
		v, err := ParseMLAGInterfaces(o.MLAGInterfaces)
		if err != nil {
			return nil, err
		}
		for id, x := range v.Interfaces {
			n, err := strconv.Atoi(id)
			if err != nil {
				return nil, fmt.Errorf("parse %q: mlag id %q", CmdShowMLAGInterface, id)
			}
			if i := get(x.LocalInterface); i != nil {
				i.MLAGID = n
			}
		}
	}

	ifs.SortMembers()
	for _, i := range ifs {
		if i.Kind == intent.KindLAG {
			i.LAGType = lagTypeOf(i, ifs)
		}
	}

	if o.LLDPDetail != nil {
		v, err := ParseLLDPNeighborsDetail(o.LLDPDetail)
		if err != nil {
			return nil, err
		}
		for port, x := range v.LLDPNeighbors {
			for _, n := range x.LLDPNeighborInfo {
				st.LLDP = append(st.LLDP, intent.LLDPNeighbor{
					LocalPort:  intent.NormalizeInterface(port),
					SystemName: n.SystemName,
					PortID:     norm.MAC(strings.Trim(n.NeighborInterfaceInfo.InterfaceID, `"`)),
					ChassisID:  norm.MAC(n.ChassisID),
					PortDescr:  n.NeighborInterfaceInfo.InterfaceDescription,
				})
			}
		}
		slices.SortFunc(st.LLDP, func(a, b intent.LLDPNeighbor) int {
			if c := norm.CompareInterfaces(a.LocalPort, b.LocalPort); c != 0 {
				return c
			}
			return strings.Compare(a.SystemName+a.PortID, b.SystemName+b.PortID)
		})
	}

	st.Interfaces = ifs.Sorted()
	return st, nil
}

// memberState is the live state of a LAG member: LACP members take EOS's
// actor port status, static members are bundled when their link is up.
func memberState(i *intent.Interface, lacp map[string]string) intent.MemberState {
	if !i.OperUp {
		return intent.MemberDown
	}
	if i.ChannelMode.LAGType() != intent.LAGLACP {
		return intent.MemberBundled
	}
	switch s := lacp[i.Name]; s {
	case "bundled":
		return intent.MemberBundled
	case "":
		return intent.MemberUnknown
	case "individual":
		return intent.MemberIndividual
	default:
		// noAgg, mismatch, standby, negotiation...: not forwarding in the
		// aggregate.
		return intent.MemberSuspended
	}
}

// lagTypeOf is the type the members' channel modes make; a LAG without
// members has no type.
func lagTypeOf(lag *intent.Interface, ifs ifstate.Set) intent.LAGType {
	var t intent.LAGType
	for _, m := range lag.Members {
		mi, ok := ifs[m]
		if !ok || mi.ChannelMode == "" {
			continue
		}
		mt := mi.ChannelMode.LAGType()
		if t == "" || t == intent.LAGStatic {
			// A mix reports LACP: any LACP member makes the LAG negotiate.
			t = mt
		}
	}
	return t
}
