package inventory

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxLAGID is the highest port-channel number any supported platform takes
// (NX-OS allows 1-4096; EOS 1-2000).
const MaxLAGID = 4096

// DefaultLAGIDs is the range of port-channel numbers netalign allocates from
// when a switch sets no lagIds.
const DefaultLAGIDs = "1-999"

// ParseLAGRange parses a lagIds value: "lo-hi" with 1 <= lo <= hi <= 4096,
// or a single number. The empty string is DefaultLAGIDs.
func ParseLAGRange(s string) (lo, hi int, err error) {
	v := strings.TrimSpace(s)
	if v == "" {
		v = DefaultLAGIDs
	}
	a, b, isRange := strings.Cut(v, "-")
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := lo, error(nil)
	if isRange {
		hi, err2 = strconv.Atoi(strings.TrimSpace(b))
	}
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("lag id range %q: want lo-hi, for example 10-99", s)
	}
	if lo < 1 || hi > MaxLAGID {
		return 0, 0, fmt.Errorf("lag id range %q: ids must be within 1-%d", s, MaxLAGID)
	}
	if lo > hi {
		return 0, 0, fmt.Errorf("lag id range %q: start is greater than end", s)
	}
	return lo, hi, nil
}

// portPrefixes are the spellings of the two interface families operators
// abbreviate. This is deliberately minimal: inventory imports no project
// package, and it only needs to tell whether two inventory entries name the
// same port. The full, per-platform normalisation the planner uses is
// intent.NormalizeInterface.
var portPrefixes = []struct{ short, long string }{
	{"port-channel", "Port-Channel"},
	{"ethernet", "Ethernet"},
	{"eth", "Ethernet"},
	{"et", "Ethernet"},
	{"po", "Port-Channel"},
}

// NormalizePort returns a canonical spelling of a switch port so that Et1,
// eth1, ethernet1 and Ethernet1 compare equal (and Po10 equals
// Port-Channel10). Names of other families (swp1, xe-0/0/1) come back
// unchanged.
func NormalizePort(name string) string {
	n := strings.TrimSpace(name)
	lower := strings.ToLower(n)
	for _, p := range portPrefixes {
		if rest, ok := strings.CutPrefix(lower, p.short); ok {
			if rest != "" && isDigit(rest[0]) {
				return p.long + n[len(p.short):]
			}
		}
	}
	return n
}
