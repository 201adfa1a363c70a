package norm

import (
	"net"
	"strings"
)

// MAC returns a MAC address written the way Linux prints it (lowercase,
// colon-separated: 02:00:86:a6:2d:25) whatever the switch's spelling
// (Cisco and Arista dotted 0200.86a6.2d25, hyphens, upper case). Values
// that are not a 48-bit MAC address (an interface name used as LLDP port
// id) are returned unchanged, so hosts and switches compare equal.
func MAC(s string) string {
	v := strings.TrimSpace(s)
	if hw, err := net.ParseMAC(v); err == nil && len(hw) == 6 {
		return hw.String()
	}
	return s
}
