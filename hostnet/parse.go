package hostnet

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/intent"
)

// ipLink is the part of one `ip -d -j link show` entry netalign reads.
type ipLink struct {
	Ifname    string   `json:"ifname"`
	Flags     []string `json:"flags"`
	MTU       int      `json:"mtu"`
	Master    string   `json:"master"`
	OperState string   `json:"operstate"`
	Address   string   `json:"address"`
	LinkType  string   `json:"link_type"`
	// Link is the parent of a VLAN device ("eth1", or "eth1@if5" style is
	// never printed in JSON).
	Link     string `json:"link"`
	LinkInfo *struct {
		Kind      string          `json:"info_kind"`
		Data      json.RawMessage `json:"info_data"`
		SlaveKind string          `json:"info_slave_kind"`
		SlaveData json.RawMessage `json:"info_slave_data"`
	} `json:"linkinfo"`
}

type ipBondData struct {
	Mode           string `json:"mode"`
	Miimon         int    `json:"miimon"`
	UpDelay        int    `json:"updelay"`
	DownDelay      int    `json:"downdelay"`
	XmitHashPolicy string `json:"xmit_hash_policy"`
	MinLinks       int    `json:"min_links"`
	LACPRate       string `json:"ad_lacp_rate"`
	ArpInterval    int    `json:"arp_interval"`
	// ArpIPTarget is printed only when the bond has targets.
	ArpIPTarget []string `json:"arp_ip_target"`
	AdInfo      *struct {
		Aggregator int    `json:"aggregator"`
		PartnerMAC string `json:"partner_mac"`
	} `json:"ad_info"`
}

type ipBondSlaveData struct {
	State        string `json:"state"`
	MIIStatus    string `json:"mii_status"`
	AggregatorID int    `json:"ad_aggregator_id"`
	ActorState   int    `json:"ad_actor_oper_port_state"`
	PartnerState int    `json:"ad_partner_oper_port_state"`
}

type ipBridgeData struct {
	VLANFiltering int `json:"vlan_filtering"`
}

type ipVLANData struct {
	Protocol string `json:"protocol"`
	ID       int    `json:"id"`
}

// ParseIPLink parses the output of `ip -d -j link show` (iproute2 JSON, also
// pretty-printed with -p) into links. A bond's ad_info (the kernel sends it
// to unprivileged readers too) gives its active aggregator, and its partner
// system MAC (ZeroMAC: none) to the 802.3ad slaves in that aggregator.
// Bridge VLANs are not part of this output; see ParseBridgeVLANs.
func ParseIPLink(b []byte) ([]intent.Link, error) {
	var raw []ipLink
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("parse ip -d -j link show: %w", err)
	}
	links := make([]intent.Link, 0, len(raw))
	type adInfo struct {
		agg int
		mac string
	}
	ad := map[string]adInfo{}
	for _, r := range raw {
		l := intent.Link{
			Name:      r.Ifname,
			Kind:      intent.LinkDevice,
			MAC:       r.Address,
			MTU:       r.MTU,
			AdminUp:   slices.Contains(r.Flags, "UP"),
			OperState: strings.ToLower(r.OperState),
			Master:    r.Master,
		}
		if r.LinkType == "loopback" {
			l.Kind = intent.LinkOther
		}
		if zeroMAC(l.MAC) {
			l.MAC = "" // loopback: netlink reports no address at all
		}
		if li := r.LinkInfo; li != nil {
			switch li.Kind {
			case "":
			case "bond":
				l.Kind = intent.LinkBond
				var d ipBondData
				if err := unmarshalOpt(li.Data, &d); err != nil {
					return nil, fmt.Errorf("parse ip link %s bond info: %w", r.Ifname, err)
				}
				mode, err := intent.ParseBondMode(d.Mode)
				if err != nil {
					return nil, fmt.Errorf("parse ip link %s: %w", r.Ifname, err)
				}
				l.Bond = &intent.BondInfo{Mode: mode, Miimon: d.Miimon, LACPRate: d.LACPRate,
					XmitHashPolicy: d.XmitHashPolicy, UpDelay: d.UpDelay, DownDelay: d.DownDelay, MinLinks: d.MinLinks,
					ArpInterval: d.ArpInterval, ArpIPTargets: d.ArpIPTarget}
				if d.AdInfo != nil {
					ad[r.Ifname] = adInfo{d.AdInfo.Aggregator, d.AdInfo.PartnerMAC}
				}
			case "bridge":
				l.Kind = intent.LinkBridge
				var d ipBridgeData
				if err := unmarshalOpt(li.Data, &d); err != nil {
					return nil, fmt.Errorf("parse ip link %s bridge info: %w", r.Ifname, err)
				}
				l.VLANFiltering = d.VLANFiltering == 1
			case "vlan":
				l.Kind = intent.LinkVLAN
				var d ipVLANData
				if err := unmarshalOpt(li.Data, &d); err != nil {
					return nil, fmt.Errorf("parse ip link %s vlan info: %w", r.Ifname, err)
				}
				l.VLANID = d.ID
				l.Parent = r.Link
			case "veth":
				l.Kind = intent.LinkVeth
			default:
				l.Kind = intent.LinkOther
			}
			if li.SlaveKind == "bond" {
				var s ipBondSlaveData
				if err := unmarshalOpt(li.SlaveData, &s); err != nil {
					return nil, fmt.Errorf("parse ip link %s bond slave info: %w", r.Ifname, err)
				}
				l.BondSlave = &intent.BondSlaveInfo{State: strings.ToLower(s.State), MIIStatus: strings.ToLower(s.MIIStatus),
					AggregatorID: s.AggregatorID, ActorPortState: s.ActorState, PartnerState: s.PartnerState}
			}
		}
		links = append(links, l)
	}
	for bond, a := range ad {
		setADInfo(links, bond, a.agg, a.mac)
	}
	return links, nil
}

// setADInfo records a bond's 802.3ad ad_info (IFLA_BOND_AD_INFO): the bond
// gets its active aggregator, its slaves in that aggregator the partner's
// system MAC (normalised; ZeroMAC when there is no partner).
func setADInfo(links []intent.Link, bond string, agg int, partner string) {
	partner = normMAC(partner)
	for i := range links {
		l := &links[i]
		switch {
		case l.Name == bond && l.Bond != nil:
			l.Bond.ActiveAggregator = agg
		case l.Master == bond && l.BondSlave != nil && agg != 0 && l.BondSlave.AggregatorID == agg && partner != "":
			l.BondSlave.PartnerMAC = partner
		}
	}
}

// normMAC spells a MAC as the kernel prints it (lower case); an all-zero
// MAC is ZeroMAC, text that is no MAC is dropped.
func normMAC(s string) string {
	m, err := net.ParseMAC(strings.TrimSpace(s))
	if err != nil || len(m) != 6 {
		return ""
	}
	return m.String()
}

func unmarshalOpt(b json.RawMessage, v any) error {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, v)
}

func zeroMAC(m string) bool { return m == "" || m == intent.ZeroMAC }

// maxBridgeVLANs bounds the port VLANs of one `bridge -j vlan show`: 4094
// VLANs on each of 256 ports.
const maxBridgeVLANs = 4094 * 256

// bridgeVLANEntry is one VLAN of `bridge -j vlan show`.
type bridgeVLANEntry struct {
	VLAN    int      `json:"vlan"`
	VLANEnd int      `json:"vlanEnd"`
	Flags   []string `json:"flags"`
}

// ParseBridgeVLANs parses `bridge -j vlan show` into the VLANs of each port
// (and of each bridge itself). It reads both JSON shapes iproute2 has used:
// a list of {"ifname", "vlans"} (iproute2 5.x and later) and an object
// keyed by port name (older releases); "vlanEnd" ranges are expanded, at
// most maxBridgeVLANs VLANs in all, so a hostile output cannot expand into
// gigabytes.
func ParseBridgeVLANs(b []byte) (map[string][]intent.BridgeVLAN, error) {
	out := map[string][]intent.BridgeVLAN{}
	total := 0
	conv := func(port string, es []bridgeVLANEntry) error {
		for _, e := range es {
			end := max(e.VLAN, e.VLANEnd)
			if e.VLAN < 1 || end > 4094 {
				return fmt.Errorf("parse bridge -j vlan show: %s: vlan %d-%d is outside 1-4094", port, e.VLAN, end)
			}
			if total += end - e.VLAN + 1; total > maxBridgeVLANs {
				return fmt.Errorf("parse bridge -j vlan show: more than %d port VLANs", maxBridgeVLANs)
			}
			for v := e.VLAN; v <= end; v++ {
				out[port] = append(out[port], intent.BridgeVLAN{VID: v,
					PVID: slices.Contains(e.Flags, "PVID"), Untagged: slices.Contains(e.Flags, "Egress Untagged")})
			}
		}
		return nil
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return out, nil
	}
	if b[0] == '{' {
		var m map[string][]bridgeVLANEntry
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("parse bridge -j vlan show: %w", err)
		}
		for port, es := range m {
			if err := conv(port, es); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	var list []struct {
		Ifname string            `json:"ifname"`
		VLANs  []bridgeVLANEntry `json:"vlans"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("parse bridge -j vlan show: %w", err)
	}
	for _, p := range list {
		if err := conv(p.Ifname, p.VLANs); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ProcBonding is what /proc/net/bonding/<bond> says about a bond.
type ProcBonding struct {
	// ModeText is the "Bonding Mode:" line, e.g.
	// "IEEE 802.3ad Dynamic link aggregation".
	ModeText string
	// Mode is the bond mode that line names.
	Mode           intent.BondMode
	XmitHashPolicy string
	Miimon         int
	UpDelay        int
	DownDelay      int
	LACPRate       string
	MinLinks       int
	// ArpInterval and ArpIPTargets are from "ARP Polling Interval (ms)" and
	// "ARP IP target/s (n.n.n.n form)", which the kernel prints only while
	// ARP monitoring is on (arp_interval > 0): 0 and none otherwise.
	ArpInterval  int
	ArpIPTargets []string
	ActiveSlave  string
	// ActiveAggregator and PartnerMAC are from "Active Aggregator Info"
	// (802.3ad only; PartnerMAC is intent.ZeroMAC when the aggregator has
	// no partner). The kernel prints that block only to CAP_NET_ADMIN
	// readers, and prints "bond X has no active aggregator" instead when
	// there is none: both leave them zero.
	ActiveAggregator int
	PartnerMAC       string
	Slaves           []ProcBondingSlave
}

// ProcBondingSlave is one "Slave Interface:" block.
type ProcBondingSlave struct {
	Name       string
	MIIStatus  string
	PermHWAddr string
	// AggregatorID is 0 for "Aggregator ID: N/A" (802.3ad, in no
	// aggregator) and in other modes.
	AggregatorID int
	// ActorPortState and PartnerPortState are the LACP port states of the
	// "details actor/partner lacp pdu" blocks (kernels since 4.x print them,
	// to CAP_NET_ADMIN readers only).
	ActorPortState   int
	PartnerPortState int
	// PartnerMAC is the partner's system MAC from the partner PDU details,
	// intent.ZeroMAC when the slave hears no partner, empty without the
	// details.
	PartnerMAC string
}

// procBondingMode maps the kernel's "Bonding Mode:" text (bond_mode_name in
// drivers/net/bonding/bond_main.c) to the mode.
func procBondingMode(text string) (intent.BondMode, bool) {
	switch text {
	case "load balancing (round-robin)":
		return intent.BalanceRR, true
	case "fault-tolerance (active-backup)":
		return intent.ActiveBackup, true
	case "load balancing (xor)":
		return intent.BalanceXOR, true
	case "fault-tolerance (broadcast)":
		return intent.Broadcast, true
	case "IEEE 802.3ad Dynamic link aggregation":
		return intent.LACP, true
	case "transmit load balancing":
		return intent.BalanceTLB, true
	case "adaptive load balancing":
		return intent.BalanceALB, true
	}
	return 0, false
}

// ParseProcBonding parses the text of /proc/net/bonding/<bond>.
func ParseProcBonding(b []byte) (*ProcBonding, error) {
	p := &ProcBonding{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	var cur *ProcBondingSlave
	section := "" // "", "active-agg", "actor", "partner"
	sawMode := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			if line == "" && cur == nil {
				section = ""
			}
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch key {
		case "Bonding Mode":
			m, known := procBondingMode(val)
			if !known {
				return nil, fmt.Errorf("parse /proc/net/bonding: unknown bonding mode %q", val)
			}
			p.ModeText, p.Mode, sawMode = val, m, true
			continue
		case "Slave Interface":
			p.Slaves = append(p.Slaves, ProcBondingSlave{Name: val})
			cur = &p.Slaves[len(p.Slaves)-1]
			section = ""
			continue
		case "Active Aggregator Info":
			section = "active-agg"
			continue
		case "details actor lacp pdu":
			section = "actor"
			continue
		case "details partner lacp pdu":
			section = "partner"
			continue
		}
		if cur == nil {
			switch key {
			case "Transmit Hash Policy":
				p.XmitHashPolicy, _, _ = strings.Cut(val, " ")
			case "MII Polling Interval (ms)":
				p.Miimon = atoi(val)
			case "Up Delay (ms)":
				p.UpDelay = atoi(val)
			case "Down Delay (ms)":
				p.DownDelay = atoi(val)
			case "LACP rate":
				p.LACPRate = val
			case "Min links":
				p.MinLinks = atoi(val)
			case "ARP Polling Interval (ms)":
				p.ArpInterval = atoi(val)
			case "ARP IP target/s (n.n.n.n form)":
				for _, t := range strings.Split(val, ",") {
					if t = strings.TrimSpace(t); t != "" {
						p.ArpIPTargets = append(p.ArpIPTargets, t)
					}
				}
			case "Currently Active Slave":
				if val != "None" {
					p.ActiveSlave = val
				}
			case "Aggregator ID":
				if section == "active-agg" {
					p.ActiveAggregator = atoi(val)
				}
			case "Partner Mac Address":
				if section == "active-agg" {
					p.PartnerMAC = normMAC(val)
				}
			}
			continue
		}
		switch {
		case key == "MII Status" && section == "":
			cur.MIIStatus = val
		case key == "Permanent HW addr":
			cur.PermHWAddr = val
		case key == "Aggregator ID" && section == "":
			cur.AggregatorID = atoi(val)
		case key == "port state" && section == "actor":
			cur.ActorPortState = atoi(val)
		case key == "port state" && section == "partner":
			cur.PartnerPortState = atoi(val)
		case key == "system mac address" && section == "partner":
			cur.PartnerMAC = normMAC(val)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("parse /proc/net/bonding: %w", err)
	}
	if !sawMode {
		return nil, fmt.Errorf("parse /proc/net/bonding: no \"Bonding Mode\" line")
	}
	return p, nil
}

func atoi(s string) int {
	v, _ := strconv.Atoi(strings.TrimSpace(s))
	return v
}

// mergeProcBonding copies what only /proc/net/bonding knows (the LACP
// partner MAC of each slave) into the bond's slaves, and the active
// aggregator, the ARP monitoring and the slave LACP states where the link
// data had none.
func mergeProcBonding(links []intent.Link, bond string, p *ProcBonding) {
	for i := range links {
		l := &links[i]
		if l.Name == bond && l.Bond != nil && l.Bond.ActiveAggregator == 0 {
			l.Bond.ActiveAggregator = p.ActiveAggregator
		}
		if l.Name == bond && l.Bond != nil && l.Bond.ArpInterval == 0 && p.ArpInterval > 0 {
			l.Bond.ArpInterval = p.ArpInterval
			if len(l.Bond.ArpIPTargets) == 0 {
				l.Bond.ArpIPTargets = p.ArpIPTargets
			}
		}
		if l.Master != bond {
			continue
		}
		for _, s := range p.Slaves {
			if s.Name != l.Name {
				continue
			}
			if l.BondSlave == nil {
				l.BondSlave = &intent.BondSlaveInfo{MIIStatus: strings.ToLower(s.MIIStatus)}
			}
			bs := l.BondSlave
			if bs.AggregatorID == 0 {
				bs.AggregatorID = s.AggregatorID
			}
			if bs.ActorPortState == 0 {
				bs.ActorPortState = s.ActorPortState
			}
			if bs.PartnerState == 0 {
				bs.PartnerState = s.PartnerPortState
			}
			switch {
			case s.PartnerMAC != "":
				bs.PartnerMAC = s.PartnerMAC
			case bs.PartnerMAC == "" && p.PartnerMAC != "" && bs.AggregatorID != 0 && bs.AggregatorID == p.ActiveAggregator:
				bs.PartnerMAC = p.PartnerMAC
			}
		}
	}
}

// HostStateFromIproute2 builds a host's state from the output of
// `ip -d -j link show`, `bridge -j vlan show` and the /proc/net/bonding
// file of each bond (keyed by bond name; may be nil).
func HostStateFromIproute2(name string, ipLinkJSON, bridgeVLANJSON []byte, bonding map[string][]byte) (*intent.HostState, error) {
	links, err := ParseIPLink(ipLinkJSON)
	if err != nil {
		return nil, err
	}
	vlans, err := ParseBridgeVLANs(bridgeVLANJSON)
	if err != nil {
		return nil, err
	}
	for i := range links {
		links[i].BridgeVLANs = vlans[links[i].Name]
	}
	bonds := make([]string, 0, len(bonding))
	for b := range bonding {
		bonds = append(bonds, b)
	}
	slices.Sort(bonds)
	for _, b := range bonds {
		p, err := ParseProcBonding(bonding[b])
		if err != nil {
			return nil, fmt.Errorf("bond %s: %w", b, err)
		}
		mergeProcBonding(links, b, p)
	}
	sortLinks(links)
	return &intent.HostState{Name: name, Links: links}, nil
}

// sortLinks orders links by name, so that states compare and print stably.
func sortLinks(links []intent.Link) {
	slices.SortFunc(links, func(a, b intent.Link) int { return strings.Compare(a.Name, b.Name) })
}
