package nxos

import (
	"bufio"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers/internal/ifstate"
	"github.com/netalign/netalign/switchdrivers/internal/norm"
)

// The observe commands, in the order Observe sends them.
const (
	CmdShowVLANBrief     = "show vlan brief | json"
	CmdShowInterface     = "show interface | json"
	CmdShowPortChannel   = "show port-channel summary | json"
	CmdShowSwitchport    = "show interface switchport"
	CmdShowLLDPDetail    = "show lldp neighbors detail"
	CmdShowRunningConfig = "show running-config"
)

// VLANBrief is `show vlan brief | json`.
type VLANBrief struct {
	Table struct {
		Row Rows[struct {
			ID    Text `json:"vlanshowbr-vlanid"`
			Name  Text `json:"vlanshowbr-vlanname"`
			State Text `json:"vlanshowbr-vlanstate"`
			Ports Text `json:"vlanshowplist-ifidx"`
		}] `json:"ROW_vlanbriefxbrief"`
	} `json:"TABLE_vlanbriefxbrief"`
}

// ParseVLANBrief decodes `show vlan brief | json`.
func ParseVLANBrief(b []byte) (*VLANBrief, error) {
	return norm.DecodeJSON[VLANBrief](b, CmdShowVLANBrief)
}

// InterfaceRow is one row of `show interface | json`.
type InterfaceRow struct {
	Interface  Text `json:"interface"`
	State      Text `json:"state"`
	AdminState Text `json:"admin_state"`
	MTU        Text `json:"eth_mtu"`
	Desc       Text `json:"desc"`
	Mode       Text `json:"eth_mode"`
	Bundle     Text `json:"eth_bundle"`
	Members    Text `json:"eth_members"`
}

// InterfaceTable is `show interface | json`.
type InterfaceTable struct {
	Table struct {
		Row Rows[InterfaceRow] `json:"ROW_interface"`
	} `json:"TABLE_interface"`
}

// ParseInterfaces decodes `show interface | json`.
func ParseInterfaces(b []byte) (*InterfaceTable, error) {
	return norm.DecodeJSON[InterfaceTable](b, CmdShowInterface)
}

// PortChannelSummary is `show port-channel summary | json`.
type PortChannelSummary struct {
	Table struct {
		Row Rows[struct {
			Group       Text `json:"group"`
			PortChannel Text `json:"port-channel"`
			Status      Text `json:"status"`
			Protocol    Text `json:"prtcl"`
			Members     struct {
				Row Rows[struct {
					Port   Text `json:"port"`
					Status Text `json:"port-status"`
				}] `json:"ROW_member"`
			} `json:"TABLE_member"`
		}] `json:"ROW_channel"`
	} `json:"TABLE_channel"`
}

// ParsePortChannelSummary decodes `show port-channel summary | json`.
func ParsePortChannelSummary(b []byte) (*PortChannelSummary, error) {
	return norm.DecodeJSON[PortChannelSummary](b, CmdShowPortChannel)
}

// Switchport is one interface of `show interface switchport` (text).
type Switchport struct {
	Name       string
	Enabled    bool
	Mode       string
	AccessVLAN int
	NativeVLAN int
	Allowed    intent.VLANSet
}

// ParseSwitchports reads the text of `show interface switchport`: blocks
// starting "Name: X" with "Key: value" lines; a long "Trunking VLANs
// Allowed" list continues on lines without a key.
func ParseSwitchports(text string) ([]Switchport, error) {
	var out []Switchport
	var cur *Switchport
	var allowed strings.Builder // continuation lines appended in linear time
	var inAllowed bool
	flush := func() error {
		if cur == nil {
			return nil
		}
		s, err := intent.ParseVLANSet(allowed.String())
		if err != nil {
			return fmt.Errorf("parse %q: %s: %w", CmdShowSwitchport, cur.Name, err)
		}
		cur.Allowed = s
		out = append(out, *cur)
		cur = nil
		allowed.Reset()
		return nil
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r ")
		if name, ok := strings.CutPrefix(line, "Name: "); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			cur = &Switchport{Name: intent.NormalizeInterface(name)}
			inAllowed = false
			continue
		}
		if cur == nil {
			continue
		}
		key, val, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			if inAllowed && strings.TrimSpace(line) != "" {
				allowed.WriteString(strings.TrimSpace(line))
			}
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		inAllowed = key == "Trunking VLANs Allowed"
		switch key {
		case "Switchport":
			cur.Enabled = val == "Enabled"
		case "Operational Mode":
			cur.Mode = val
		case "Access Mode VLAN":
			cur.AccessVLAN = leadingInt(val)
		case "Trunking Native Mode VLAN":
			cur.NativeVLAN = leadingInt(val)
		case "Trunking VLANs Allowed":
			allowed.Reset()
			allowed.WriteString(val)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, sc.Err()
}

func leadingInt(s string) int {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(f[0])
	return n
}

// ParseLLDPNeighborsDetail reads the text of `show lldp neighbors detail`:
// one record per "Chassis id:" line, with "Port id", "Local Port id",
// "Port Description" and "System Name".
func ParseLLDPNeighborsDetail(text string) ([]intent.LLDPNeighbor, error) {
	var out []intent.LLDPNeighbor
	var cur *intent.LLDPNeighbor
	flush := func() {
		if cur != nil && cur.LocalPort != "" {
			out = append(out, *cur)
		}
		cur = nil
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r ")
		key, val, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch key {
		case "Chassis id":
			flush()
			cur = &intent.LLDPNeighbor{ChassisID: norm.MAC(val)}
		case "Port id":
			if cur != nil {
				cur.PortID = norm.MAC(val)
			}
		case "Local Port id":
			if cur != nil {
				cur.LocalPort = intent.NormalizeInterface(val)
			}
		case "Port Description":
			if cur != nil && val != "null" {
				cur.PortDescr = val
			}
		case "System Name":
			if cur != nil && val != "null" {
				cur.SystemName = val
			}
		}
	}
	flush()
	return out, sc.Err()
}

// InterfaceConfig is the LAG-related configuration of one interface from
// `show running-config`; its MLAG id is the `vpc N` line.
type InterfaceConfig = ifstate.Config

// ParseRunningInterfaces reads `show running-config`: the
// interface blocks and, in each, `channel-group N [mode on|active|passive]`
// (no mode is a static member, mode on), `lacp rate fast`, `lacp min-links
// N` and `vpc N`. Names are canonical.
func ParseRunningInterfaces(text string) (map[string]*InterfaceConfig, error) {
	return ifstate.ReadConfigs(CmdShowRunningConfig, text, func(c *InterfaceConfig, f []string) error {
		var err error
		switch {
		case len(f) >= 2 && f[0] == "channel-group":
			c.ChannelMode = intent.ChannelOn
			for i := 2; i+1 < len(f); i++ {
				if f[i] == "mode" {
					c.ChannelMode = intent.ChannelMode(f[i+1])
				}
			}
			c.ChannelGroup, err = ifstate.Number(f[1], "channel-group")
		case len(f) == 3 && f[0] == "lacp" && f[1] == "rate":
			c.LACPFast = f[2] == "fast"
		case len(f) == 3 && f[0] == "lacp" && f[1] == "min-links":
			c.MinLinks, err = ifstate.Number(f[2], "min-links")
		case len(f) == 2 && f[0] == "vpc" && f[1] != "peer-link":
			c.MLAG, err = ifstate.Number(f[1], "vpc id")
		}
		return err
	})
}

// Outputs are the raw outputs of the observe commands; a nil or empty one
// contributes nothing.
type Outputs struct {
	VLANBrief, Interface, PortChannel []byte
	Switchport, LLDPDetail            string
	RunningInterfaces                 string
}

// BuildState turns the outputs of the observe commands into the
// vendor-neutral state of switch name: Ethernet ports and port-channels
// with canonical names (port-channel10 is Port-Channel10), sorted.
func BuildState(name string, o Outputs) (*intent.SwitchState, error) {
	st := &intent.SwitchState{Name: name, Platform: "nxos", VLANs: []intent.VLAN{}, Interfaces: []intent.Interface{}}
	if len(o.VLANBrief) > 0 {
		v, err := ParseVLANBrief(o.VLANBrief)
		if err != nil {
			return nil, err
		}
		for _, r := range v.Table.Row {
			id := r.ID.Int()
			if id < 1 || id > 4094 {
				return nil, fmt.Errorf("parse %q: vlan id %q", CmdShowVLANBrief, r.ID)
			}
			st.VLANs = append(st.VLANs, intent.VLAN{ID: id, Name: string(r.Name)})
		}
		slices.SortFunc(st.VLANs, func(a, b intent.VLAN) int { return a.ID - b.ID })
	}

	ifs := ifstate.Set{}
	get := ifs.Get

	if len(o.Interface) > 0 {
		v, err := ParseInterfaces(o.Interface)
		if err != nil {
			return nil, err
		}
		for _, r := range v.Table.Row {
			i := get(string(r.Interface))
			if i == nil {
				continue
			}
			i.Description = string(r.Desc)
			i.MTU = r.MTU.Int()
			i.AdminUp = r.AdminState == "up"
			i.OperUp = r.State == "up"
			if r.Mode == "routed" {
				i.Mode = intent.ModeRouted
			}
			if r.Bundle != "" {
				i.ChannelGroup = intent.LAGID(string(r.Bundle))
			}
			if i.Kind == intent.KindLAG {
				for _, m := range strings.FieldsFunc(string(r.Members), func(r rune) bool { return r == ',' || r == ' ' }) {
					ifstate.AddMember(i, intent.NormalizeInterface(m))
				}
			}
		}
	}

	if o.Switchport != "" {
		sps, err := ParseSwitchports(o.Switchport)
		if err != nil {
			return nil, err
		}
		for _, sp := range sps {
			i := get(sp.Name)
			if i == nil || !sp.Enabled {
				continue
			}
			switch sp.Mode {
			case "trunk":
				i.Mode, i.NativeVLAN, i.Allowed = intent.ModeTrunk, sp.NativeVLAN, sp.Allowed
			case "access":
				i.Mode, i.AccessVLAN = intent.ModeAccess, sp.AccessVLAN
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

	memberFlag := map[string]string{}
	lagProto := map[string]string{}
	if len(o.PortChannel) > 0 {
		v, err := ParsePortChannelSummary(o.PortChannel)
		if err != nil {
			return nil, err
		}
		for _, r := range v.Table.Row {
			lag := get(string(r.PortChannel))
			if lag == nil {
				if lag = get("port-channel" + string(r.Group)); lag == nil {
					continue
				}
			}
			lagProto[lag.Name] = string(r.Protocol)
			for _, m := range r.Members.Row {
				mi := get(string(m.Port))
				if mi == nil {
					continue
				}
				memberFlag[mi.Name] = string(m.Status)
				if mi.ChannelGroup == 0 {
					mi.ChannelGroup = intent.LAGID(lag.Name)
				}
				if mi.ChannelMode == "" {
					mi.ChannelMode = intent.ChannelOn
					if r.Protocol == "LACP" {
						mi.ChannelMode = intent.ChannelActive
					}
				}
			}
		}
	}

	ifs.LinkMembers()
	for _, i := range ifs {
		if i.Kind == intent.KindEthernet && i.ChannelGroup != 0 {
			i.MemberState = memberState(i, memberFlag[i.Name])
		}
	}
	ifs.SortMembers()
	for _, i := range ifs {
		if i.Kind != intent.KindLAG {
			continue
		}
		for _, m := range i.Members {
			if mi := ifs[m]; mi != nil && mi.ChannelMode != "" {
				if t := mi.ChannelMode.LAGType(); i.LAGType == "" || t == intent.LAGLACP {
					i.LAGType = t
				}
			}
		}
		if i.LAGType == "" && len(i.Members) > 0 {
			switch lagProto[i.Name] {
			case "LACP":
				i.LAGType = intent.LAGLACP
			case "NONE":
				i.LAGType = intent.LAGStatic
			}
		}
	}

	if o.LLDPDetail != "" {
		n, err := ParseLLDPNeighborsDetail(o.LLDPDetail)
		if err != nil {
			return nil, err
		}
		st.LLDP = n
		slices.SortStableFunc(st.LLDP, func(a, b intent.LLDPNeighbor) int { return norm.CompareInterfaces(a.LocalPort, b.LocalPort) })
	}

	st.Interfaces = ifs.Sorted()
	return st, nil
}

// memberState maps the member flag of `show port-channel summary` (P up in
// port-channel, I individual, s suspended, H hot-standby, D down); without a
// flag a static member is bundled when its link is up.
func memberState(i *intent.Interface, flag string) intent.MemberState {
	switch flag {
	case "P":
		return intent.MemberBundled
	case "I":
		return intent.MemberIndividual
	case "s", "H":
		return intent.MemberSuspended
	case "D", "r":
		return intent.MemberDown
	}
	if !i.OperUp {
		return intent.MemberDown
	}
	if i.ChannelMode == intent.ChannelOn {
		return intent.MemberBundled
	}
	return intent.MemberUnknown
}
