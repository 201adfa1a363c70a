package ifstate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers/internal/norm"
)

// Set is the interfaces of one switch being observed, by canonical name.
type Set map[string]*intent.Interface

// Managed reports whether raw names a port or LAG netalign manages
// (Ethernet ports and port-channels; not management ports, SVIs or
// loopbacks).
func Managed(raw string) bool {
	n := intent.NormalizeInterface(raw)
	return strings.HasPrefix(n, "Ethernet") || intent.LAGID(n) != 0
}

// Get returns the interface raw names, created on first use, or nil when
// raw is not a port or LAG netalign manages (management ports, SVIs,
// loopbacks).
func (s Set) Get(raw string) *intent.Interface {
	if !Managed(raw) {
		return nil
	}
	n := intent.NormalizeInterface(raw)
	if i, ok := s[n]; ok {
		return i
	}
	i := &intent.Interface{Name: n, Kind: intent.KindEthernet}
	if intent.LAGID(n) > 0 {
		i.Kind = intent.KindLAG
	}
	s[n] = i
	return i
}

// AddMember adds member to lag's members unless it is there already.
func AddMember(lag *intent.Interface, member string) {
	if lag != nil && member != "" && !slices.Contains(lag.Members, member) {
		lag.Members = append(lag.Members, member)
	}
}

// Config is the LAG-related configuration of one interface, read from the
// running configuration: no show command reports the configured
// channel-group mode, LACP rate or min-links of a member that is not
// bundled.
type Config struct {
	Name         string
	ChannelGroup int
	ChannelMode  intent.ChannelMode
	LACPFast     bool
	MinLinks     int
	// MLAG is the MLAG id (EOS `mlag N`, NX-OS `vpc N`).
	MLAG int
}

// ApplyConfig sets what the running configuration says: channel group and
// mode of members (with the LACP rate of LACP members, slow unless fast),
// min-links and MLAG id of LAGs.
func (s Set) ApplyConfig(cfg map[string]*Config) {
	for n, c := range cfg {
		i := s.Get(n)
		if i == nil {
			continue
		}
		if c.ChannelGroup > 0 {
			i.ChannelGroup, i.ChannelMode = c.ChannelGroup, c.ChannelMode
			if c.ChannelMode.LAGType() == intent.LAGLACP {
				i.LACPRate = "slow"
				if c.LACPFast {
					i.LACPRate = "fast"
				}
			}
		}
		if i.Kind == intent.KindLAG {
			i.MinLinks = c.MinLinks
			if c.MLAG > 0 {
				i.MLAGID = c.MLAG
			}
		}
	}
}

// LinkMembers adds every port with a channel group to its LAG's members:
// configured membership is authoritative, the show commands list only the
// members currently in the bundle.
func (s Set) LinkMembers() {
	for _, i := range s {
		if i.Kind != intent.KindEthernet || i.ChannelGroup == 0 {
			continue
		}
		AddMember(s.Get(intent.LAGName(i.ChannelGroup)), i.Name)
	}
}

// SortMembers puts every LAG's members in natural order.
func (s Set) SortMembers() {
	for _, lag := range s {
		if lag.Kind == intent.KindLAG {
			slices.SortFunc(lag.Members, norm.CompareInterfaces)
		}
	}
}

// Sorted returns the interfaces in natural order of their names.
func (s Set) Sorted() []intent.Interface {
	out := make([]intent.Interface, 0, len(s))
	for _, i := range s {
		out = append(out, *i)
	}
	slices.SortFunc(out, func(a, b intent.Interface) int { return norm.CompareInterfaces(a.Name, b.Name) })
	return out
}

// RunningHostname returns the name after the top-level `hostname` line of a
// running configuration, or "".
func RunningHostname(text string) string {
	for line := range strings.Lines(text) {
		if h, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n "), "hostname "); ok {
			return strings.TrimSpace(h)
		}
	}
	return ""
}

// ReadConfigs reads the interface blocks of a running configuration (the
// output of cmd): for each `interface NAME` block it creates the Config of
// the canonical name and hands line the fields of each of the block's own
// lines (deeper sub-blocks are skipped). A line that line refuses makes the
// whole block unreadable: the interface is left out and recorded in skips
// with the line and the reason, and the other blocks are read.
func ReadConfigs(cmd, text string, skips *norm.Skips, line func(c *Config, f []string) error) map[string]*Config {
	out := map[string]*Config{}
	var cur *Config
	indent := ""
	for raw := range strings.Lines(text) {
		l := strings.TrimRight(raw, "\r\n ")
		if l == "" || strings.HasPrefix(l, "!") {
			if l == "!" {
				cur = nil
			}
			continue
		}
		if !strings.HasPrefix(l, " ") {
			cur, indent = nil, ""
			if name, ok := strings.CutPrefix(l, "interface "); ok {
				n := intent.NormalizeInterface(name)
				cur = &Config{Name: n}
				out[n] = cur
			}
			continue
		}
		if cur == nil {
			continue
		}
		// The block's own lines share the indentation of its first one;
		// deeper ones belong to sub-blocks (EOS tx-queue, for one).
		ws := l[:len(l)-len(strings.TrimLeft(l, " "))]
		if indent == "" {
			indent = ws
		}
		if ws != indent {
			continue
		}
		if err := line(cur, strings.Fields(l)); err != nil {
			skips.Interface(cmd, cur.Name, "line %q: %v", strings.TrimSpace(l), err)
			delete(out, cur.Name)
			cur = nil
		}
	}
	return out
}

// Number reads the number of a running-config line for ReadConfigs' line
// function: "bad channel-group" when it is not one.
func Number(s, what string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("bad %s", what)
	}
	return n, nil
}
