package intent

import (
	"sort"
	"strings"
	"unicode"
)

// interfacePrefixes maps the abbreviations switch OSes print (and operators
// type) to the canonical long names: Et1 and eth1 are Ethernet1, Po10 is
// Port-Channel10 (EOS) or port-channel10 (NX-OS).
var interfacePrefixes = []struct{ short, long string }{
	{"port-channel", "Port-Channel"},
	{"portchannel", "PortChannel"},
	{"ethernet", "Ethernet"},
	{"eth", "Ethernet"},
	{"et", "Ethernet"},
	{"po", "Port-Channel"},
	{"management", "Management"},
	{"mgmt", "mgmt"},
	{"ma", "Management"},
}

// NormalizeInterface returns the canonical name of a switch interface, so that
// Et1, eth1, Ethernet1 and ethernet1 compare equal, and Po10 equals
// Port-Channel10 and port-channel10. Names it does not know (xe-0/0/1, swp1,
// ae0) are returned unchanged.
func NormalizeInterface(name string) string {
	n := strings.TrimSpace(name)
	lower := strings.ToLower(n)
	for _, p := range interfacePrefixes {
		if strings.HasPrefix(lower, p.short) {
			rest := n[len(p.short):]
			rest = strings.TrimLeft(rest, " ")
			if rest != "" && unicode.IsDigit(rune(rest[0])) {
				return p.long + rest
			}
		}
	}
	return n
}

// ShortInterface returns the EOS-style short name used in prompts
// (Ethernet1 -> Et1, Port-Channel10 -> Po10).
func ShortInterface(name string) string {
	n := NormalizeInterface(name)
	switch {
	case strings.HasPrefix(n, "Ethernet"):
		return "Et" + n[len("Ethernet"):]
	case strings.HasPrefix(n, "Port-Channel"):
		return "Po" + n[len("Port-Channel"):]
	case strings.HasPrefix(n, "Management"):
		return "Ma" + n[len("Management"):]
	}
	return n
}

// LAGName is the canonical name of LAG id on any platform in netalign's
// vendor-neutral state.
func LAGName(id int) string { return "Port-Channel" + itoa(id) }

// LAGID returns the id of a canonical LAG name, or 0.
func LAGID(name string) int {
	n := NormalizeInterface(name)
	if !strings.HasPrefix(n, "Port-Channel") {
		return 0
	}
	v := 0
	for _, c := range n[len("Port-Channel"):] {
		if c < '0' || c > '9' {
			return 0
		}
		v = v*10 + int(c-'0')
	}
	return v
}

func itoa(v int) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}

// lagDescriptionPrefix starts the description netalign gives every LAG it
// creates; the rest is the LAG's key (the host bond it serves).
const lagDescriptionPrefix = "netalign "

// LAGDescription is the description of the LAG netalign creates for key.
func LAGDescription(key string) string { return lagDescriptionPrefix + key }

// OwnedLAG returns the key of a LAG netalign created, from its description,
// and whether the description is netalign's.
func OwnedLAG(description string) (key string, ok bool) {
	key, ok = strings.CutPrefix(description, lagDescriptionPrefix)
	return key, ok && key != ""
}

// OrphanLAGs returns the LAGs netalign created on s that have no member
// left (a run that died between creating a LAG and moving its members
// into it, or a bond that moved elsewhere), sorted by name.
func (s *SwitchState) OrphanLAGs() []*Interface {
	members := map[int]bool{}
	for _, itf := range s.Interfaces {
		if itf.ChannelGroup != 0 {
			members[itf.ChannelGroup] = true
		}
	}
	var out []*Interface
	for i := range s.Interfaces {
		itf := &s.Interfaces[i]
		if itf.Kind != KindLAG || len(itf.Members) > 0 || members[LAGID(itf.Name)] {
			continue
		}
		if _, ok := OwnedLAG(itf.Description); ok {
			out = append(out, itf)
		}
	}
	sort.Slice(out, func(i, j int) bool { return LAGID(out[i].Name) < LAGID(out[j].Name) })
	return out
}
