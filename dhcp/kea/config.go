package kea

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/intent"
)

// Marker is the user-context key that marks a subnet4 entry as netalign's:
// "user-context": {"netalign": {"network": "vlan100"}}.
const Marker = "netalign"

// marker is the value stored under Marker.
type marker struct {
	Network string `json:"network,omitempty"`
	// InheritLeaseTime records that the pool sets no lease time of its own.
	// config-get reports the inherited valid-lifetime inside every subnet,
	// so without this the pool could not be read back as it was written.
	InheritLeaseTime bool `json:"inheritLeaseTime,omitempty"`
}

// subnet4 is the part of a Kea subnet4 entry that maps onto a pool. It is
// only ever decoded: subnets are written back from their raw JSON (foreign
// ones) or rendered whole (netalign's).
type subnet4 struct {
	ID     int    `json:"id"`
	Subnet string `json:"subnet"`
	Pools  []struct {
		Pool string `json:"pool"`
	} `json:"pools"`
	OptionData    []option       `json:"option-data"`
	ValidLifetime *int           `json:"valid-lifetime"`
	Interface     string         `json:"interface"`
	Relay         *relay         `json:"relay"`
	Reservations  []reservation  `json:"reservations"`
	UserContext   map[string]any `json:"user-context"`
}

type relay struct {
	IPAddresses []string `json:"ip-addresses,omitempty"`
	// IPAddress is the pre-1.7 single-address spelling, still accepted.
	IPAddress string `json:"ip-address,omitempty"`
}

type option struct {
	Name  string `json:"name,omitempty"`
	Code  int    `json:"code,omitempty"`
	Space string `json:"space,omitempty"`
	Data  string `json:"data"`
}

type reservation struct {
	HWAddress string `json:"hw-address,omitempty"`
	IPAddress string `json:"ip-address,omitempty"`
	Hostname  string `json:"hostname,omitempty"`
}

type sharedNetwork struct {
	Name      string            `json:"name"`
	Interface string            `json:"interface"`
	Relay     *relay            `json:"relay"`
	Subnet4   []json.RawMessage `json:"subnet4"`
}

// DHCP option codes netalign maps onto pool fields.
const (
	optRouters    = 3
	optDNSServers = 6
	optDomainName = 15
)

// Dhcp4 returns the value of the "Dhcp4" key of a configuration document (a
// kea-dhcp4.conf file, comments allowed, or config-get's arguments).
func Dhcp4(doc []byte) (json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(StripComments(doc), &top); err != nil {
		return nil, fmt.Errorf("kea configuration: %w", err)
	}
	d, ok := top["Dhcp4"]
	if !ok {
		return nil, fmt.Errorf("kea configuration: no Dhcp4 object")
	}
	return d, nil
}

// ParsePools returns the pools of a Dhcp4 object: every subnet4 entry, at the
// top level and inside shared networks. Subnets marked with Marker at the top
// level are Owned; a subnet's VLAN is its id.
func ParsePools(dhcp4 json.RawMessage) ([]intent.Pool, error) {
	var top struct {
		Subnet4        []json.RawMessage `json:"subnet4"`
		SharedNetworks []sharedNetwork   `json:"shared-networks"`
	}
	if err := json.Unmarshal(StripComments(dhcp4), &top); err != nil {
		return nil, fmt.Errorf("kea Dhcp4: %w", err)
	}
	var out []intent.Pool
	for _, raw := range top.Subnet4 {
		p, err := parseSubnet(raw, "", nil, true)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	for _, sn := range top.SharedNetworks {
		for _, raw := range sn.Subnet4 {
			p, err := parseSubnet(raw, sn.Interface, sn.Relay, false)
			if err != nil {
				return nil, fmt.Errorf("shared network %q: %w", sn.Name, err)
			}
			out = append(out, p)
		}
	}
	dhcp.SortPools(out)
	return out, nil
}

func parseSubnet(raw json.RawMessage, iface string, rel *relay, ownable bool) (intent.Pool, error) {
	var s subnet4
	if err := json.Unmarshal(raw, &s); err != nil {
		return intent.Pool{}, fmt.Errorf("subnet4 entry: %w", err)
	}
	p := intent.Pool{VLAN: s.ID, Subnet: s.Subnet, Interface: iface}
	for _, pl := range s.Pools {
		r, err := parsePoolRange(pl.Pool)
		if err != nil {
			return p, fmt.Errorf("subnet %d (%s): %w", s.ID, s.Subnet, err)
		}
		p.Ranges = append(p.Ranges, r)
	}
	for _, o := range s.OptionData {
		if o.Space != "" && o.Space != "dhcp4" {
			continue
		}
		switch {
		case o.Name == "routers" || o.Code == optRouters:
			p.Gateway = strings.TrimSpace(strings.Split(o.Data, ",")[0])
		case o.Name == "domain-name-servers" || o.Code == optDNSServers:
			p.DNS = splitList(o.Data)
		case o.Name == "domain-name" || o.Code == optDomainName:
			p.Domain = strings.TrimSpace(o.Data)
		}
	}
	if s.ValidLifetime != nil {
		p.LeaseTime = *s.ValidLifetime
	}
	if s.Interface != "" {
		p.Interface = s.Interface
	}
	if s.Relay != nil && (len(s.Relay.IPAddresses) > 0 || s.Relay.IPAddress != "") {
		rel = s.Relay
	}
	if rel != nil {
		if len(rel.IPAddresses) > 0 {
			p.Relay = rel.IPAddresses[0]
		} else {
			p.Relay = rel.IPAddress
		}
		if p.Relay == "0.0.0.0" {
			p.Relay = "" // Kea's spelling of "no relay"
		}
	}
	for _, r := range s.Reservations {
		if r.HWAddress == "" {
			continue // client-id, duid, circuit-id: not a MAC reservation
		}
		mac := r.HWAddress
		if hw, err := net.ParseMAC(mac); err == nil {
			mac = hw.String()
		}
		p.Reservations = append(p.Reservations, intent.Reservation{MAC: mac, IP: r.IPAddress, Hostname: r.Hostname})
	}
	if m, ok := ownerOf(s.UserContext); ok && ownable {
		p.Owned = true
		p.Network = m.Network
		if m.InheritLeaseTime {
			p.LeaseTime = 0
		}
	}
	return p, nil
}

// ownerOf returns the netalign marker of a user-context, if any.
func ownerOf(uc map[string]any) (marker, bool) {
	v, ok := uc[Marker]
	if !ok {
		return marker{}, false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return marker{}, false
	}
	var m marker
	m.Network, _ = obj["network"].(string)
	m.InheritLeaseTime, _ = obj["inheritLeaseTime"].(bool)
	return m, true
}

// parsePoolRange reads a Kea pool: "first - last" or a prefix "a.b.c.d/len".
func parsePoolRange(s string) (string, error) {
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return "", fmt.Errorf("pool %q: %w", s, err)
		}
		a, b := dhcp.PrefixRange(pfx)
		return dhcp.FormatRange(a, b), nil
	}
	a, b, err := dhcp.ParseRange(s)
	if err != nil {
		return "", fmt.Errorf("pool: %w", err)
	}
	return dhcp.FormatRange(a, b), nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Rewrite returns the Dhcp4 object with the top-level subnet4 entries netalign
// owns replaced by owned (in VLAN order, after the foreign ones). Every other
// key and every foreign subnet is carried through as the raw JSON it was.
// A pool whose id or subnet collides with a foreign subnet is an error.
func Rewrite(dhcp4 json.RawMessage, owned []intent.Pool) (json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(StripComments(dhcp4), &top); err != nil {
		return nil, fmt.Errorf("kea Dhcp4: %w", err)
	}
	all, err := ParsePools(dhcp4)
	if err != nil {
		return nil, err
	}
	var foreign []intent.Pool
	for _, p := range all {
		if !p.Owned {
			foreign = append(foreign, p)
		}
	}
	if err := dhcp.CheckUnowned(owned, foreign); err != nil {
		return nil, err
	}
	var subnets []json.RawMessage
	if raw, ok := top["subnet4"]; ok {
		if err := json.Unmarshal(raw, &subnets); err != nil {
			return nil, fmt.Errorf("kea Dhcp4 subnet4: %w", err)
		}
	}
	out := make([]json.RawMessage, 0, len(subnets)+len(owned))
	for _, raw := range subnets {
		var s struct {
			UserContext map[string]any `json:"user-context"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("kea Dhcp4 subnet4 entry: %w", err)
		}
		if _, mine := ownerOf(s.UserContext); mine {
			continue
		}
		out = append(out, raw)
	}
	for _, p := range owned {
		b, err := marshal(RenderSubnet(p))
		if err != nil {
			return nil, fmt.Errorf("vlan %d: render subnet: %w", p.VLAN, err)
		}
		out = append(out, b)
	}
	if _, had := top["subnet4"]; had || len(out) > 0 {
		b, err := marshal(out)
		if err != nil {
			return nil, err
		}
		top["subnet4"] = b
	}
	return marshal(top)
}

// RenderSubnet returns the subnet4 entry of a pool netalign owns.
func RenderSubnet(p intent.Pool) map[string]any {
	s := map[string]any{
		"id":     p.VLAN,
		"subnet": p.Subnet,
	}
	pools := make([]map[string]any, 0, len(p.Ranges))
	for _, r := range p.Ranges {
		a, b, err := dhcp.ParseRange(r)
		if err == nil {
			r = a.String() + " - " + b.String()
		}
		pools = append(pools, map[string]any{"pool": r})
	}
	s["pools"] = pools
	var opts []map[string]any
	if p.Gateway != "" {
		opts = append(opts, map[string]any{"name": "routers", "data": p.Gateway})
	}
	if len(p.DNS) > 0 {
		opts = append(opts, map[string]any{"name": "domain-name-servers", "data": strings.Join(p.DNS, ", ")})
	}
	if p.Domain != "" {
		opts = append(opts, map[string]any{"name": "domain-name", "data": p.Domain})
	}
	if len(opts) > 0 {
		s["option-data"] = opts
	}
	m := map[string]any{}
	if p.Network != "" {
		m["network"] = p.Network
	}
	if p.LeaseTime > 0 {
		s["valid-lifetime"] = p.LeaseTime
	} else {
		m["inheritLeaseTime"] = true
	}
	s["user-context"] = map[string]any{Marker: m}
	if p.Interface != "" {
		s["interface"] = p.Interface
	}
	if p.Relay != "" {
		s["relay"] = map[string]any{"ip-addresses": []string{p.Relay}}
	}
	if len(p.Reservations) > 0 {
		res := make([]map[string]any, 0, len(p.Reservations))
		for _, r := range p.Reservations {
			mac := r.MAC
			if hw, err := net.ParseMAC(mac); err == nil {
				mac = hw.String()
			}
			e := map[string]any{"hw-address": mac, "ip-address": r.IP}
			if r.Hostname != "" {
				e["hostname"] = r.Hostname
			}
			res = append(res, e)
		}
		s["reservations"] = res
	}
	return s
}

// marshal encodes without HTML escaping, so that the configuration Kea writes
// back reads as the operator wrote it.
func marshal(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
