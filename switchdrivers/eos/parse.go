package eos

import (
	"encoding/json"
	"fmt"
	"maps"
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

// VLANs is `show vlan | json` (also `show vlan brief | json`, which has
// the same shape).
type VLANs struct {
	VLANs norm.Map[struct {
		norm.Undecoded
		Name string `json:"name"`
		// Status is active, suspended, act/lshut or sus/lshut.
		Status     string                     `json:"status"`
		Interfaces map[string]json.RawMessage `json:"interfaces"`
	}] `json:"vlans"`
}

// ParseVLANs decodes `show vlan | json`.
func ParseVLANs(b []byte) (*VLANs, error) { return norm.DecodeJSON[VLANs](b, CmdShowVLAN) }

// Interfaces is `show interfaces | json`.
type Interfaces struct {
	Interfaces norm.Map[struct {
		norm.Undecoded
		Name                string                     `json:"name"`
		Description         string                     `json:"description"`
		InterfaceStatus     string                     `json:"interfaceStatus"`
		LineProtocolStatus  string                     `json:"lineProtocolStatus"`
		MTU                 int                        `json:"mtu"`
		Hardware            string                     `json:"hardware"`
		ForwardingModel     string                     `json:"forwardingModel"`
		InterfaceMembership string                     `json:"interfaceMembership"`
		MemberInterfaces    map[string]json.RawMessage `json:"memberInterfaces"`
	}] `json:"interfaces"`
}

// ParseInterfaces decodes `show interfaces | json`.
func ParseInterfaces(b []byte) (*Interfaces, error) {
	return norm.DecodeJSON[Interfaces](b, CmdShowInterfaces)
}

// Switchports is `show interfaces switchport | json`.
type Switchports struct {
	Switchports norm.Map[struct {
		norm.Undecoded
		Enabled        bool `json:"enabled"`
		SwitchportInfo struct {
			Mode                 string `json:"mode"`
			AccessVLANID         int    `json:"accessVlanId"`
			TrunkingNativeVLANID int    `json:"trunkingNativeVlanId"`
			TrunkAllowedVLANs    string `json:"trunkAllowedVlans"`
		} `json:"switchportInfo"`
	}] `json:"switchports"`
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
	PortChannels norm.Map[struct {
		norm.Undecoded
		Interfaces norm.Map[struct {
			norm.Undecoded
			ActorPortStatus  string         `json:"actorPortStatus"`
			PartnerSystemID  string         `json:"partnerSystemId"`
			PartnerPortState *LACPPortState `json:"partnerPortState"`
		}] `json:"interfaces"`
	}] `json:"portChannels"`
}

// ParseLACPNeighbors decodes `show lacp neighbor | json`.
func ParseLACPNeighbors(b []byte) (*LACPNeighbors, error) {
	return norm.DecodeJSON[LACPNeighbors](b, CmdShowLACPNeighbor)
}

// MLAGInterfaces is `show mlag interfaces | json`; keys are MLAG ids.
type MLAGInterfaces struct {
	Interfaces norm.Map[struct {
		norm.Undecoded
		LocalInterface string `json:"localInterface"`
		PeerInterface  string `json:"peerInterface"`
		Status         string `json:"status"`
	}] `json:"interfaces"`
}

// ParseMLAGInterfaces decodes `show mlag interfaces | json`.
func ParseMLAGInterfaces(b []byte) (*MLAGInterfaces, error) {
	return norm.DecodeJSON[MLAGInterfaces](b, CmdShowMLAGInterface)
}

// LLDPNeighborsDetail is `show lldp neighbors detail | json`.
type LLDPNeighborsDetail struct {
	LLDPNeighbors norm.Map[struct {
		norm.Undecoded
		LLDPNeighborInfo []struct {
			SystemName            string `json:"systemName"`
			ChassisID             string `json:"chassisId"`
			NeighborInterfaceInfo struct {
				InterfaceID          string `json:"interfaceId"`
				InterfaceIDType      string `json:"interfaceIdType"`
				InterfaceDescription string `json:"interfaceDescription"`
			} `json:"neighborInterfaceInfo"`
		} `json:"lldpNeighborInfo"`
	}] `json:"lldpNeighbors"`
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
// Interface names are canonical. A block with a line that cannot be read
// is left out and returned among the skipped records.
func ParseRunningInterfaces(text string) (map[string]*InterfaceConfig, []intent.Unparsed) {
	return norm.Collect(func(s *norm.Skips) map[string]*InterfaceConfig { return parseRunningInterfaces(text, s) })
}

func parseRunningInterfaces(text string, skips *norm.Skips) map[string]*InterfaceConfig {
	return ifstate.ReadConfigs(CmdShowRunningConfig, text, skips, func(c *InterfaceConfig, f []string) error {
		var err error
		switch {
		case len(f) == 4 && f[0] == "channel-group" && f[2] == "mode":
			c.ChannelMode = intent.ChannelMode(f[3])
			if c.ChannelMode.LAGType() == intent.LAGNone {
				return fmt.Errorf("channel-group mode %q", f[3])
			}
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

// vlanStates maps EOS's VLAN status words to (suspended, shutdown).
// act/lshut and sus/lshut are the words of a VLAN shut down locally (EOS
// prints them as Cisco does; it has no `shutdown` in VLAN mode to set it).
var vlanStates = map[string][2]bool{
	"active":    {false, false},
	"suspended": {true, false},
	"act/lshut": {false, true},
	"sus/lshut": {true, true},
}

// BuildState turns the outputs of the observe commands into the
// vendor-neutral state of switch name. It keeps Ethernet ports and
// Port-Channels (not management, SVIs or loopbacks), with canonical names,
// sorted.
//
// An output that is not JSON at all fails the observation; a record in it
// that cannot be understood (a VLAN id outside 1-4094, an unknown VLAN
// status, an allowed list that is not a VLAN list, a value of the wrong
// type, a running-config line that cannot be read) is left out, entirely,
// and listed in the state's Partial.
func BuildState(name string, o Outputs) (*intent.SwitchState, error) {
	st := &intent.SwitchState{Name: name, Platform: "eos", VLANs: []intent.VLAN{}, Interfaces: []intent.Interface{}}
	var skips norm.Skips
	if o.VLAN != nil {
		v, err := ParseVLANs(o.VLAN)
		if err != nil {
			return nil, err
		}
		seen := map[int]bool{}
		for _, id := range slices.Sorted(maps.Keys(v.VLANs)) {
			vl := v.VLANs[id]
			n, err := strconv.Atoi(id)
			switch {
			case err != nil:
				skips.Record(CmdShowVLAN, fmt.Sprintf("key %q", id), "not a vlan id")
				continue
			case n < 1 || n > 4094:
				skips.VLAN(CmdShowVLAN, id, "vlan id outside 1-4094")
				continue
			case vl.Err != nil:
				skips.VLAN(CmdShowVLAN, id, "%v", vl.Err)
				continue
			case seen[n]:
				skips.VLAN(CmdShowVLAN, id, "listed twice")
				continue
			}
			seen[n] = true
			state, ok := vlanStates[vl.Status]
			if !ok {
				skips.VLAN(CmdShowVLAN, id, "status %q not understood", vl.Status)
				continue
			}
			st.VLANs = append(st.VLANs, intent.VLAN{ID: n, Name: vl.Name, Suspended: state[0], Shutdown: state[1]})
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
			if !ifstate.Managed(key) {
				continue
			}
			if x.Err != nil {
				skips.Interface(CmdShowInterfaces, key, "%v", x.Err)
				continue
			}
			i := get(key)
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
			if !ifstate.Managed(key) {
				continue
			}
			if x.Err != nil {
				skips.Interface(CmdShowSwitchport, key, "%v", x.Err)
				continue
			}
			si := x.SwitchportInfo
			switch si.Mode {
			case "trunk":
				allowed, err := intent.ParseVLANSet(si.TrunkAllowedVLANs)
				if err != nil {
					skips.Interface(CmdShowSwitchport, key, "trunk allowed vlans: %v", err)
					continue
				}
				i := get(key)
				i.Mode = intent.ModeTrunk
				i.NativeVLAN = si.TrunkingNativeVLANID
				i.Allowed = allowed
			case "access":
				i := get(key)
				i.Mode = intent.ModeAccess
				i.AccessVLAN = si.AccessVLANID
			default:
				get(key)
			}
		}
	}

	if o.RunningInterfaces != "" {
		st.Hostname = ifstate.RunningHostname(o.RunningInterfaces)
		ifs.ApplyConfig(parseRunningInterfaces(o.RunningInterfaces, &skips))
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
			if pc.Err != nil {
				skips.Interface(CmdShowLACPNeighbor, po, "%v", pc.Err)
				continue
			}
			for m, x := range pc.Interfaces {
				if x.Err != nil {
					skips.Interface(CmdShowLACPNeighbor, m, "%v", x.Err)
					continue
				}
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
			switch {
			case x.Err != nil:
				skips.Record(CmdShowMLAGInterface, "mlag "+id, "%v", x.Err)
			case err != nil:
				skips.Interface(CmdShowMLAGInterface, x.LocalInterface, "mlag id %q is not a number", id)
			default:
				if i := get(x.LocalInterface); i != nil {
					i.MLAGID = n
				}
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
			if x.Err != nil {
				skips.Interface(CmdShowLLDPDetail, port, "%v", x.Err)
				continue
			}
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
	st.Partial = skips.List()
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
