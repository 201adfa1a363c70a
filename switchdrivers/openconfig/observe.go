package openconfig

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	gpb "github.com/openconfig/gnmi/proto/gnmi"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers/internal/norm"
)

// The subset of the OpenConfig tree netalign reads, member names without
// module qualifiers (see stripModules).
type ocDoc struct {
	Interfaces struct {
		Interface records[ocInterface] `json:"interface"`
	} `json:"interfaces"`
	NetworkInstances struct {
		NetworkInstance records[ocNetworkInstance] `json:"network-instance"`
	} `json:"network-instances"`
	LACP struct {
		Interfaces struct {
			Interface records[ocLACPInterface] `json:"interface"`
		} `json:"interfaces"`
	} `json:"lacp"`
	LLDP struct {
		Interfaces struct {
			Interface records[ocLLDPInterface] `json:"interface"`
		} `json:"interfaces"`
	} `json:"lldp"`
	// skipped are the updates of the GetResponse that could not be read.
	skipped []intent.Unparsed
}

// records is a YANG list, decoded entry by entry: an entry that does not
// fit its type (which embeds norm.Undecoded) is kept with Err set instead
// of failing the whole response.
type records[T any] []T

// UnmarshalJSON decodes an array (or null) entry by entry.
func (r *records[T]) UnmarshalJSON(b []byte) error {
	v, err := norm.DecodeList[T](b)
	*r = v
	return err
}

// The subtrees Observe reads, as Partial names them.
const (
	srcInterfaces = "get /interfaces"
	srcVLANs      = "get /network-instances/network-instance/vlans"
	srcLACP       = "get /lacp"
	srcLLDP       = "get /lldp"
)

type ocInterface struct {
	norm.Undecoded
	Name     string     `json:"name"`
	Config   ocIfConfig `json:"config"`
	State    ocIfConfig `json:"state"`
	Ethernet *struct {
		Config       ocEthConfig     `json:"config"`
		State        ocEthConfig     `json:"state"`
		SwitchedVLAN *ocSwitchedVLAN `json:"switched-vlan"`
	} `json:"ethernet"`
	Aggregation *struct {
		Config       ocAggConfig     `json:"config"`
		State        ocAggConfig     `json:"state"`
		SwitchedVLAN *ocSwitchedVLAN `json:"switched-vlan"`
	} `json:"aggregation"`
}

type ocIfConfig struct {
	Name        string  `json:"name"`
	Type        string  `json:"type"`
	MTU         ocInt   `json:"mtu"`
	Description string  `json:"description"`
	Enabled     *ocBool `json:"enabled"`
	OperStatus  string  `json:"oper-status"`
	AdminStatus string  `json:"admin-status"`
}

type ocEthConfig struct {
	AggregateID string `json:"aggregate-id"`
}

type ocAggConfig struct {
	LAGType  string   `json:"lag-type"`
	MinLinks ocInt    `json:"min-links"`
	Member   []string `json:"member"`
}

type ocSwitchedVLAN struct {
	Config ocSwitchedVLANConfig `json:"config"`
	State  ocSwitchedVLANConfig `json:"state"`
}

type ocSwitchedVLANConfig struct {
	InterfaceMode string            `json:"interface-mode"`
	NativeVLAN    ocInt             `json:"native-vlan"`
	AccessVLAN    ocInt             `json:"access-vlan"`
	TrunkVLANs    []json.RawMessage `json:"trunk-vlans"`
}

type ocNetworkInstance struct {
	norm.Undecoded
	Name  string `json:"name"`
	VLANs struct {
		VLAN records[ocVLAN] `json:"vlan"`
	} `json:"vlans"`
}

type ocVLAN struct {
	norm.Undecoded
	VLANID ocInt        `json:"vlan-id"`
	Config ocVLANConfig `json:"config"`
	State  ocVLANConfig `json:"state"`
}

type ocVLANConfig struct {
	VLANID ocInt  `json:"vlan-id"`
	Name   string `json:"name"`
	// Status is ACTIVE or SUSPENDED (openconfig-vlan; absent: ACTIVE).
	Status string `json:"status"`
}

type ocLACPInterface struct {
	norm.Undecoded
	Name   string `json:"name"`
	Config struct {
		Interval string `json:"interval"`
		LACPMode string `json:"lacp-mode"`
	} `json:"config"`
	State struct {
		Interval string `json:"interval"`
		LACPMode string `json:"lacp-mode"`
	} `json:"state"`
	Members struct {
		Member []struct {
			Interface string `json:"interface"`
			State     struct {
				Synchronization string `json:"synchronization"`
				Aggregatable    ocBool `json:"aggregatable"`
				Collecting      ocBool `json:"collecting"`
				Distributing    ocBool `json:"distributing"`
			} `json:"state"`
		} `json:"member"`
	} `json:"members"`
}

type ocLLDPInterface struct {
	norm.Undecoded
	Name      string `json:"name"`
	Neighbors struct {
		Neighbor []struct {
			ID    string `json:"id"`
			State struct {
				SystemName      string `json:"system-name"`
				PortID          string `json:"port-id"`
				ChassisID       string `json:"chassis-id"`
				PortDescription string `json:"port-description"`
			} `json:"state"`
		} `json:"neighbor"`
	} `json:"neighbors"`
}

// decodeDoc merges the notifications of a GetResponse into an ocDoc. An
// update whose value cannot be decoded or placed is left out and recorded
// in the doc's skipped list; a tree that is not OpenConfig's shape at all
// (a container where a list belongs) is an error.
func decodeDoc(notifs []*gpb.Notification) (*ocDoc, error) {
	t := tree{}
	var skips norm.Skips
	for _, n := range notifs {
		for _, u := range n.GetUpdate() {
			p := joinPath(n.GetPrefix(), u.GetPath())
			v, err := decodeValue(u.GetVal())
			if err == nil {
				err = t.insert(p, v)
			}
			if err != nil {
				skips.Record("get", "update "+PathString(p), "%v", err)
			}
		}
	}
	b, err := json.Marshal(map[string]any(t))
	if err != nil {
		return nil, err
	}
	doc := &ocDoc{}
	if err := json.Unmarshal(b, doc); err != nil {
		return nil, fmt.Errorf("decode openconfig tree: %w", err)
	}
	doc.skipped = skips.List()
	return doc, nil
}

// parseTrunkVLANs reads trunk-vlans entries: numbers, "100..200" ranges (the
// openconfig-vlan form) and, leniently, "100-200".
func parseTrunkVLANs(raw []json.RawMessage) (intent.VLANSet, error) {
	var ids intent.VLANBits
	for _, r := range raw {
		s := strings.Trim(string(r), `"`)
		lo, hi, isRange := strings.Cut(s, "..")
		if !isRange {
			lo, hi, isRange = strings.Cut(s, "-")
		}
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("trunk-vlans entry %s", r)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				return nil, fmt.Errorf("trunk-vlans entry %s", r)
			}
		}
		if err := ids.AddRange(a, b); err != nil {
			return nil, fmt.Errorf("trunk-vlans entry %s is outside 1-4094", r)
		}
	}
	return ids.Set(), nil
}

// lagNameRE matches LAG names of the usual OpenConfig targets: Port-Channel10
// (EOS), port-channel10 (NX-OS), PortChannel10 (SONiC), ae10 (Junos),
// Bundle-Ether10 (IOS XR).
var lagNameRE = regexp.MustCompile(`^(?i)(port-?channel|po|ae|bundle-ether|lag)\s*(\d+)$`)

// canonicalLAG returns netalign's name and id of a LAG interface or
// aggregate-id: Port-ChannelN, N. A bare number (SONiC's aggregate-id) is
// the id itself. Other names (a LAG called "uplink") give id 0 and the name
// unchanged.
func canonicalLAG(name string) (string, int) {
	if id := intent.LAGID(name); id > 0 {
		return intent.LAGName(id), id
	}
	if m := lagNameRE.FindStringSubmatch(strings.TrimSpace(name)); m != nil {
		id, _ := strconv.Atoi(m[2])
		return intent.LAGName(id), id
	}
	if id, err := strconv.Atoi(name); err == nil && id > 0 {
		return intent.LAGName(id), id
	}
	return name, 0
}

// canonicalName is the state name of an interface of the given type.
func canonicalName(name, typ string) string {
	if typ == "ieee8023adLag" {
		n, _ := canonicalLAG(name)
		return n
	}
	return intent.NormalizeInterface(name)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// stateFromDoc maps the OpenConfig tree onto netalign's vendor-neutral state.
// ni is the network instance holding the VLANs. An entry that cannot be
// understood (a value of the wrong type, a VLAN id outside 1-4094 or a
// status other than ACTIVE and SUSPENDED, trunk-vlans that are not VLANs,
// an aggregate-id naming no LAG) is left out, entirely, and listed in the
// state's Partial.
func stateFromDoc(doc *ocDoc, ni string) *intent.SwitchState {
	st := &intent.SwitchState{VLANs: []intent.VLAN{}, Interfaces: []intent.Interface{}}
	var skips norm.Skips

	seen := map[int]bool{}
	for k, inst := range doc.NetworkInstances.NetworkInstance {
		if inst.Err != nil {
			skips.Record("get /network-instances", fmt.Sprintf("network-instance entry %d", k+1), "%v", inst.Err)
			continue
		}
		if inst.Name != ni {
			continue
		}
		for k, v := range inst.VLANs.VLAN {
			if v.Err != nil {
				skips.Record(srcVLANs, fmt.Sprintf("vlan entry %d", k+1), "%v", v.Err)
				continue
			}
			id := int(v.VLANID)
			if id == 0 {
				id = int(v.Config.VLANID)
			}
			if id < 1 || id > 4094 {
				skips.VLAN(srcVLANs, strconv.Itoa(id), "vlan id outside 1-4094")
				continue
			}
			if seen[id] {
				skips.VLAN(srcVLANs, strconv.Itoa(id), "listed twice")
				continue
			}
			seen[id] = true
			suspended := false
			switch status := unqualify(firstNonEmpty(v.State.Status, v.Config.Status)); status {
			case "", "ACTIVE":
			case "SUSPENDED":
				suspended = true
			default:
				skips.VLAN(srcVLANs, strconv.Itoa(id), "status %q not understood", status)
				continue
			}
			st.VLANs = append(st.VLANs, intent.VLAN{ID: id, Name: firstNonEmpty(v.Config.Name, v.State.Name), Suspended: suspended})
		}
	}
	sort.Slice(st.VLANs, func(i, j int) bool { return st.VLANs[i].ID < st.VLANs[j].ID })

	lacp := map[string]*ocLACPInterface{}
	for i := range doc.LACP.Interfaces.Interface {
		li := &doc.LACP.Interfaces.Interface[i]
		if li.Err != nil {
			skips.Record(srcLACP, fmt.Sprintf("interface entry %d", i+1), "%v", li.Err)
			continue
		}
		n, id := canonicalLAG(li.Name)
		if id == 0 {
			n = intent.NormalizeInterface(li.Name)
		}
		lacp[n] = li
	}

	byName := map[string]*intent.Interface{}
	aggOf := map[string]string{} // member -> LAG name, also for LAGs without a number
	for k, oi := range doc.Interfaces.Interface {
		if oi.Err != nil {
			skips.Record(srcInterfaces, fmt.Sprintf("interface entry %d", k+1), "%v", oi.Err)
			continue
		}
		typ := unqualify(firstNonEmpty(oi.Config.Type, oi.State.Type))
		var kind intent.InterfaceKind
		switch typ {
		case "ethernetCsmacd":
			kind = intent.KindEthernet
		case "ieee8023adLag":
			kind = intent.KindLAG
		default:
			continue // loopbacks, management, tunnels: not netalign's business
		}
		name := canonicalName(oi.Name, typ)
		it := intent.Interface{
			Name:        name,
			Kind:        kind,
			Description: firstNonEmpty(oi.Config.Description, oi.State.Description),
			AdminUp:     true,
			OperUp:      oi.State.OperStatus == "UP",
			MTU:         int(oi.Config.MTU),
		}
		if it.MTU == 0 {
			it.MTU = int(oi.State.MTU)
		}
		switch {
		case oi.Config.Enabled != nil:
			it.AdminUp = bool(*oi.Config.Enabled)
		case oi.State.Enabled != nil:
			it.AdminUp = bool(*oi.State.Enabled)
		case oi.State.AdminStatus != "":
			it.AdminUp = oi.State.AdminStatus == "UP"
		}
		var sw *ocSwitchedVLAN
		if oi.Ethernet != nil {
			sw = oi.Ethernet.SwitchedVLAN
			if agg := firstNonEmpty(oi.Ethernet.Config.AggregateID, oi.Ethernet.State.AggregateID); agg != "" && kind == intent.KindEthernet {
				lagName, id := canonicalLAG(agg)
				it.ChannelGroup = id
				aggOf[name] = lagName
			}
		}
		if oi.Aggregation != nil && kind == intent.KindLAG {
			if oi.Aggregation.SwitchedVLAN != nil {
				sw = oi.Aggregation.SwitchedVLAN
			}
			switch firstNonEmpty(oi.Aggregation.Config.LAGType, oi.Aggregation.State.LAGType) {
			case "LACP":
				it.LAGType = intent.LAGLACP
			case "STATIC":
				it.LAGType = intent.LAGStatic
			}
			it.MinLinks = int(oi.Aggregation.Config.MinLinks)
			if it.MinLinks == 0 {
				it.MinLinks = int(oi.Aggregation.State.MinLinks)
			}
			for _, m := range oi.Aggregation.State.Member {
				if m := intent.NormalizeInterface(m); !slices.Contains(it.Members, m) {
					it.Members = append(it.Members, m)
				}
			}
		}
		if kind == intent.KindLAG && it.LAGType == "" {
			// A LAG without lag-type: LACP when an LACP entry exists.
			it.LAGType = intent.LAGStatic
			if lacp[name] != nil {
				it.LAGType = intent.LAGLACP
			}
		}
		if sw != nil {
			c := sw.Config
			if c.InterfaceMode == "" {
				c = sw.State
			}
			switch c.InterfaceMode {
			case "TRUNK":
				it.Mode = intent.ModeTrunk
				it.NativeVLAN = int(c.NativeVLAN)
				if it.NativeVLAN == 0 {
					it.NativeVLAN = 1 // the openconfig-vlan default
				}
				if c.TrunkVLANs == nil {
					it.Allowed = intent.VLANRange(1, 4094)
				} else {
					set, err := parseTrunkVLANs(c.TrunkVLANs)
					if err != nil {
						skips.Interface(srcInterfaces, name, "%v", err)
						continue
					}
					it.Allowed = set
				}
			case "ACCESS":
				it.Mode = intent.ModeAccess
				it.AccessVLAN = int(c.AccessVLAN)
				if it.AccessVLAN == 0 {
					it.AccessVLAN = 1
				}
			}
		}
		st.Interfaces = append(st.Interfaces, it)
	}
	for i := range st.Interfaces {
		byName[st.Interfaces[i].Name] = &st.Interfaces[i]
	}

	// Members: from aggregate-id on the ports, merged with the LAG's own
	// member list; LACP settings and state from /lacp.
	drop := map[string]bool{}
	for i := range st.Interfaces {
		it := &st.Interfaces[i]
		lagName, ok := aggOf[it.Name]
		if !ok {
			continue
		}
		lag := byName[lagName]
		if lag == nil || lag.Kind != intent.KindLAG {
			skips.Interface(srcInterfaces, it.Name, "aggregate-id %s names no LAG interface", lagName)
			drop[it.Name] = true
			continue
		}
		if !slices.Contains(lag.Members, it.Name) {
			lag.Members = append(lag.Members, it.Name)
		}
		switch lag.LAGType {
		case intent.LAGStatic:
			it.ChannelMode = intent.ChannelOn
			it.MemberState = intent.MemberBundled
			if !it.OperUp {
				it.MemberState = intent.MemberDown
			}
		case intent.LAGLACP:
			it.ChannelMode = intent.ChannelActive
			li := lacp[lagName]
			if li == nil {
				break
			}
			if firstNonEmpty(li.Config.LACPMode, li.State.LACPMode) == "PASSIVE" {
				it.ChannelMode = intent.ChannelPassive
			}
			switch firstNonEmpty(li.Config.Interval, li.State.Interval) {
			case "FAST":
				it.LACPRate = "fast"
			case "SLOW":
				it.LACPRate = "slow"
			}
			it.MemberState = intent.MemberDown
			for _, m := range li.Members.Member {
				if intent.NormalizeInterface(m.Interface) != it.Name {
					continue
				}
				s := m.State
				switch {
				case !it.OperUp:
					it.MemberState = intent.MemberDown
				case s.Synchronization == "IN_SYNC" && bool(s.Collecting) && bool(s.Distributing):
					it.MemberState = intent.MemberBundled
				case !bool(s.Aggregatable) && bool(s.Collecting) && bool(s.Distributing):
					it.MemberState = intent.MemberIndividual
				default:
					it.MemberState = intent.MemberSuspended
				}
			}
		}
	}
	st.Interfaces = slices.DeleteFunc(st.Interfaces, func(i intent.Interface) bool { return drop[i.Name] })
	for i := range st.Interfaces {
		ms := st.Interfaces[i].Members
		sort.Slice(ms, func(a, b int) bool { return lessInterface(ms[a], ms[b]) })
	}
	// Port-channels first, then ports, as switches list them.
	sort.Slice(st.Interfaces, func(i, j int) bool {
		a, b := st.Interfaces[i], st.Interfaces[j]
		if (a.Kind == intent.KindLAG) != (b.Kind == intent.KindLAG) {
			return a.Kind == intent.KindLAG
		}
		return lessInterface(a.Name, b.Name)
	})

	for k, li := range doc.LLDP.Interfaces.Interface {
		if li.Err != nil {
			skips.Record(srcLLDP, fmt.Sprintf("interface entry %d", k+1), "%v", li.Err)
			continue
		}
		for _, n := range li.Neighbors.Neighbor {
			st.LLDP = append(st.LLDP, intent.LLDPNeighbor{
				LocalPort:  intent.NormalizeInterface(li.Name),
				SystemName: n.State.SystemName,
				PortID:     n.State.PortID,
				ChassisID:  n.State.ChassisID,
				PortDescr:  n.State.PortDescription,
			})
		}
	}
	sort.Slice(st.LLDP, func(i, j int) bool {
		a, b := st.LLDP[i], st.LLDP[j]
		if a.LocalPort != b.LocalPort {
			return lessInterface(a.LocalPort, b.LocalPort)
		}
		return a.SystemName < b.SystemName
	})
	st.Partial = append(slices.Clone(doc.skipped), skips.List()...)
	return st
}

// lessInterface orders Ethernet2 before Ethernet10: names compare by their
// text prefix, then numerically by each run of digits.
func lessInterface(a, b string) bool {
	for a != "" && b != "" {
		da, db := isDigit(a[0]), isDigit(b[0])
		if da && db {
			na, ra := leadingNumber(a)
			nb, rb := leadingNumber(b)
			if na != nb {
				return na < nb
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func leadingNumber(s string) (int, string) {
	i, n := 0, 0
	for i < len(s) && isDigit(s[i]) {
		n = n*10 + int(s[i]-'0')
		i++
	}
	return n, s[i:]
}
