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

// VLANBrief is `show vlan brief | json` (or `| json native`).
type VLANBrief struct {
	Table struct {
		Row Rows[struct {
			norm.Undecoded
			// ID is the VLAN id, shifted left 24 bits on some releases
			// (16777216 for VLAN 1; napalm issue 1490), which then give
			// the real id in IDUTF.
			ID    Text `json:"vlanshowbr-vlanid"`
			IDUTF Text `json:"vlanshowbr-vlanid-utf"`
			Name  Text `json:"vlanshowbr-vlanname"`
			// State is active or suspend; ShutState noshutdown or
			// shutdown (`shutdown` in VLAN configuration mode).
			State     Text `json:"vlanshowbr-vlanstate"`
			ShutState Text `json:"vlanshowbr-shutstate"`
			Ports     Text `json:"vlanshowplist-ifidx"`
		}] `json:"ROW_vlanbriefxbrief"`
	} `json:"TABLE_vlanbriefxbrief"`
}

// ParseVLANBrief decodes `show vlan brief | json`.
func ParseVLANBrief(b []byte) (*VLANBrief, error) {
	return norm.DecodeJSON[VLANBrief](b, CmdShowVLANBrief)
}

// InterfaceRow is one row of `show interface | json`.
type InterfaceRow struct {
	norm.Undecoded
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
			norm.Undecoded
			Group       Text `json:"group"`
			PortChannel Text `json:"port-channel"`
			Status      Text `json:"status"`
			Protocol    Text `json:"prtcl"`
			Members     struct {
				Row Rows[struct {
					norm.Undecoded
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
// Allowed" list continues on lines without a key. A block whose VLANs
// cannot be read is left out and returned among the skipped records.
func ParseSwitchports(text string) ([]Switchport, []intent.Unparsed) {
	return norm.Collect(func(s *norm.Skips) []Switchport { return parseSwitchports(text, s) })
}

func parseSwitchports(text string, skips *norm.Skips) []Switchport {
	var out []Switchport
	var cur *Switchport
	var allowed strings.Builder // continuation lines appended in linear time
	var inAllowed bool
	var bad string // why the current block cannot be read
	flush := func() {
		if cur == nil {
			return
		}
		s, err := intent.ParseVLANSet(allowed.String())
		switch {
		case bad != "":
			skips.Interface(CmdShowSwitchport, cur.Name, "%s", bad)
		case err != nil:
			skips.Interface(CmdShowSwitchport, cur.Name, "trunking vlans allowed: %v", err)
		default:
			cur.Allowed = s
			out = append(out, *cur)
		}
		cur, bad = nil, ""
		allowed.Reset()
	}
	vlan := func(key, val string) int {
		n, ok := leadingInt(val)
		if !ok && bad == "" {
			bad = fmt.Sprintf("%s %q is not a vlan", strings.ToLower(key), val)
		}
		return n
	}
	sc := scanner(text)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r ")
		if name, ok := strings.CutPrefix(line, "Name: "); ok {
			flush()
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
			cur.AccessVLAN = vlan(key, val)
		case "Trunking Native Mode VLAN":
			cur.NativeVLAN = vlan(key, val)
		case "Trunking VLANs Allowed":
			allowed.Reset()
			allowed.WriteString(val)
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		skips.Record(CmdShowSwitchport, "the rest of the output", "%v", err)
	}
	return out
}

// scanner reads text line by line, with lines of up to 1 MiB (a port list
// on one line).
func scanner(text string) *bufio.Scanner {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	return sc
}

// leadingInt reads the number that starts s ("1 (default)"), false when
// there is none.
func leadingInt(s string) (int, bool) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0, false
	}
	n, err := strconv.Atoi(f[0])
	return n, err == nil
}

// ParseLLDPNeighborsDetail reads the text of `show lldp neighbors detail`:
// one record per "Chassis id:" line, with "Port id", "Local Port id",
// "Port Description" and "System Name". A record without a local port is
// left out and returned among the skipped records.
func ParseLLDPNeighborsDetail(text string) ([]intent.LLDPNeighbor, []intent.Unparsed) {
	return norm.Collect(func(s *norm.Skips) []intent.LLDPNeighbor { return parseLLDPNeighborsDetail(text, s) })
}

func parseLLDPNeighborsDetail(text string, skips *norm.Skips) []intent.LLDPNeighbor {
	var out []intent.LLDPNeighbor
	var cur *intent.LLDPNeighbor
	flush := func() {
		switch {
		case cur == nil:
		case cur.LocalPort == "":
			skips.Record(CmdShowLLDPDetail, "chassis id "+cur.ChassisID, "no local port id")
		default:
			out = append(out, *cur)
		}
		cur = nil
	}
	sc := scanner(text)
	for sc.Scan() {
		// Lines are read without their indentation (genieparser's
		// captures indent the whole output).
		line := strings.TrimSpace(sc.Text())
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
	if err := sc.Err(); err != nil {
		skips.Record(CmdShowLLDPDetail, "the rest of the output", "%v", err)
	}
	return out
}

// InterfaceConfig is the LAG-related configuration of one interface from
// `show running-config`; its MLAG id is the `vpc N` line.
type InterfaceConfig = ifstate.Config

// ParseRunningInterfaces reads `show running-config`: the
// interface blocks and, in each, `channel-group N [mode on|active|passive]`
// (no mode is a static member, mode on), `lacp rate fast`, `lacp min-links
// N` and `vpc N`. Names are canonical. A block with a line that cannot be
// read is left out and returned among the skipped records.
func ParseRunningInterfaces(text string) (map[string]*InterfaceConfig, []intent.Unparsed) {
	return norm.Collect(func(s *norm.Skips) map[string]*InterfaceConfig { return parseRunningInterfaces(text, s) })
}

func parseRunningInterfaces(text string, skips *norm.Skips) map[string]*InterfaceConfig {
	return ifstate.ReadConfigs(CmdShowRunningConfig, text, skips, func(c *InterfaceConfig, f []string) error {
		var err error
		switch {
		case len(f) >= 2 && f[0] == "channel-group":
			c.ChannelMode = intent.ChannelOn
			for i := 2; i+1 < len(f); i++ {
				if f[i] == "mode" {
					c.ChannelMode = intent.ChannelMode(f[i+1])
				}
			}
			if c.ChannelMode.LAGType() == intent.LAGNone {
				return fmt.Errorf("channel-group mode %q", c.ChannelMode)
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

// vlanID is the id of a `show vlan brief` row: vlanshowbr-vlanid-utf when
// the release gives it (it is the real id where vlanshowbr-vlanid is
// shifted left 24 bits, napalm issue 1490), else vlanshowbr-vlanid, read
// as shifted when it is a VLAN id times 2^24.
func vlanID(id, utf Text) (int, error) {
	if strings.TrimSpace(string(utf)) != "" {
		n := utf.Int()
		if n < 1 || n > 4094 {
			return 0, fmt.Errorf("vlanshowbr-vlanid-utf %q is not a vlan id", utf)
		}
		return n, nil
	}
	n := id.Int()
	if n > 4094 && n&(1<<24-1) == 0 && n>>24 >= 1 && n>>24 <= 4094 {
		n >>= 24
	}
	if n < 1 || n > 4094 {
		return 0, fmt.Errorf("vlanshowbr-vlanid %q is not a vlan id", id)
	}
	return n, nil
}

// vlanState reads vlanshowbr-vlanstate (active, suspend) and
// vlanshowbr-shutstate (noshutdown, shutdown); either absent is the
// default (active, not shut down).
func vlanState(state, shut Text) (suspended, shutdown bool, err error) {
	switch strings.TrimSpace(string(state)) {
	case "", "active":
	case "suspend", "suspended":
		suspended = true
	default:
		return false, false, fmt.Errorf("vlanshowbr-vlanstate %q not understood", state)
	}
	switch strings.TrimSpace(string(shut)) {
	case "", "noshutdown":
	case "shutdown":
		shutdown = true
	default:
		return false, false, fmt.Errorf("vlanshowbr-shutstate %q not understood", shut)
	}
	return suspended, shutdown, nil
}

// BuildState turns the outputs of the observe commands into the
// vendor-neutral state of switch name: Ethernet ports and port-channels
// with canonical names (port-channel10 is Port-Channel10), sorted.
//
// An output that is not what its command prints at all (not JSON, a
// table of the wrong shape) fails the observation; a record in it that
// cannot be understood (a row of the wrong types, a VLAN id or state that
// is not one, a VLAN list that is not one, a running-config line that
// cannot be read) is left out, entirely, and listed in the state's
// Partial.
func BuildState(name string, o Outputs) (*intent.SwitchState, error) {
	st := &intent.SwitchState{Name: name, Platform: "nxos", VLANs: []intent.VLAN{}, Interfaces: []intent.Interface{}}
	var skips norm.Skips
	if len(o.VLANBrief) > 0 {
		v, err := ParseVLANBrief(o.VLANBrief)
		if err != nil {
			return nil, err
		}
		seen := map[int]bool{}
		for i, r := range v.Table.Row {
			if r.Err != nil {
				skips.Record(CmdShowVLANBrief, fmt.Sprintf("row %d", i+1), "%v", r.Err)
				continue
			}
			id, err := vlanID(r.ID, r.IDUTF)
			if err != nil {
				skips.Record(CmdShowVLANBrief, fmt.Sprintf("row %d", i+1), "%v", err)
				continue
			}
			if seen[id] {
				skips.VLAN(CmdShowVLANBrief, strconv.Itoa(id), "listed twice")
				continue
			}
			seen[id] = true
			suspended, shutdown, err := vlanState(r.State, r.ShutState)
			if err != nil {
				skips.VLAN(CmdShowVLANBrief, strconv.Itoa(id), "%v", err)
				continue
			}
			st.VLANs = append(st.VLANs, intent.VLAN{ID: id, Name: string(r.Name), Suspended: suspended, Shutdown: shutdown})
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
		for n, r := range v.Table.Row {
			if r.Err != nil {
				skips.Record(CmdShowInterface, fmt.Sprintf("row %d", n+1), "%v", r.Err)
				continue
			}
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
		for _, sp := range parseSwitchports(o.Switchport, &skips) {
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
		ifs.ApplyConfig(parseRunningInterfaces(o.RunningInterfaces, &skips))
	}

	memberFlag := map[string]string{}
	lagProto := map[string]string{}
	if len(o.PortChannel) > 0 {
		v, err := ParsePortChannelSummary(o.PortChannel)
		if err != nil {
			return nil, err
		}
		for n, r := range v.Table.Row {
			if r.Err != nil {
				skips.Record(CmdShowPortChannel, fmt.Sprintf("row %d", n+1), "%v", r.Err)
				continue
			}
			lag := get(string(r.PortChannel))
			if lag == nil {
				if lag = get("port-channel" + string(r.Group)); lag == nil {
					continue
				}
			}
			lagProto[lag.Name] = string(r.Protocol)
			for k, m := range r.Members.Row {
				if m.Err != nil {
					skips.Interface(CmdShowPortChannel, lag.Name, "member row %d: %v", k+1, m.Err)
					continue
				}
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
		st.LLDP = parseLLDPNeighborsDetail(o.LLDPDetail, &skips)
		slices.SortStableFunc(st.LLDP, func(a, b intent.LLDPNeighbor) int { return norm.CompareInterfaces(a.LocalPort, b.LocalPort) })
	}

	st.Interfaces = ifs.Sorted()
	st.Partial = skips.List()
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
