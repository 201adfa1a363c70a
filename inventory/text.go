package inventory

import (
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length bounds of inventory text. Names and ports reach device CLIs and
// generated configuration verbatim, so they are kept short; every other
// string is bounded too.
const (
	maxNameLen  = 64
	maxTextLen  = 256
	maxPathLen  = 1024
	maxIfaceLen = 15 // IFNAMSIZ - 1
	// maxClusterNetworkLen keeps "<name>-bo" and "<name>-br" within
	// maxIfaceLen.
	maxClusterNetworkLen = 12
)

var (
	objectNameRE     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	portNameRE       = regexp.MustCompile(`^[A-Za-z0-9/:._-]+$`)
	clusterNetworkRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	envNameRE        = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	hostLabelRE      = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$`)
)

// textKind says which rules a string field follows beyond the common ones.
type textKind int

const (
	kindText   textKind = iota // any one-line text without shell/CLI metacharacters
	kindName                   // the name of an inventory object
	kindRef                    // a reference to an object name (optional)
	kindPort                   // a switch port name
	kindIface                  // a Linux interface name
	kindEnv                    // an environment variable name
	kindPath                   // a file path
	kindSecret                 // never inspected or echoed (rejected elsewhere)
)

// fieldKinds classifies the string fields of the schema by "Type.Field".
// Fields not listed are kindText. Every string of the inventory is checked
// (sweepText walks them all), so a new field is safe by default.
var fieldKinds = map[string]textKind{
	"ClusterNetwork.Name":           kindName,
	"Network.Name":                  kindName,
	"Network.ClusterNetwork":        kindRef,
	"DHCPBlock.Server":              kindRef,
	"DHCPBlock.Interface":           kindIface,
	"Reservation.Hostname":          kindName,
	"Switch.Name":                   kindName,
	"Switch.MLAGPeer":               kindRef,
	"Switch.ProtectedPorts":         kindPort,
	"Switch.FullyManagedPorts":      kindPort,
	"Switch.MgmtPort":               kindPort,
	"Switch.KnownHosts":             kindPath,
	"Switch.NetworkInstance":        kindName,
	"DHCPServer.Name":               kindName,
	"DHCPServer.ConfigPath":         kindPath,
	"DHCPServer.LeaseFile":          kindPath,
	"Host.Name":                     kindName,
	"SSHAccess.KnownHosts":          kindPath,
	"HostClusterNetwork.Name":       kindRef,
	"NIC.Name":                      kindIface,
	"NIC.Switch":                    kindRef,
	"NIC.Port":                      kindPort,
	"TLS.CA":                        kindPath,
	"TLS.Cert":                      kindPath,
	"TLS.Key":                       kindPath,
	"Credentials.UsernameEnv":       kindEnv,
	"Credentials.PasswordEnv":       kindEnv,
	"Credentials.EnablePasswordEnv": kindEnv,
	"Credentials.PasswordFile":      kindPath,
	"Credentials.SSHKeyFile":        kindPath,
	"Credentials.Password":          kindSecret,
}

// sweepText applies the injection rules to every string reachable from v,
// naming each by its field path. The path is kept as a stack of segments and
// only spelled out for a problem: inventories of tens of thousands of ports
// are swept in a few milliseconds.
func (c *checker) sweepText(v reflect.Value, kind textKind, segs []pathSeg) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			c.sweepText(v.Elem(), kind, segs)
		}
	case reflect.Struct:
		for _, f := range schemaOf(v.Type()).fields {
			c.sweepText(v.Field(f.index), f.kind, append(segs, pathSeg{field: f.tag}))
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			c.sweepText(v.Index(i), kind, append(segs, pathSeg{index: i, isIndex: true}))
		}
	case reflect.String:
		if s := v.String(); s != "" && kind != kindSecret {
			if msg := textProblem(s, kind); msg != "" {
				c.addBad(segsPath(segs), s, msg)
			}
		}
	}
}

// pathSeg is one step of a field path: a field name or a list index.
type pathSeg struct {
	field   string
	index   int
	isIndex bool
}

func segsPath(segs []pathSeg) string {
	var b strings.Builder
	for _, s := range segs {
		if s.isIndex {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.field)
	}
	return b.String()
}

// textProblem returns the first problem of one string, or "".
func textProblem(s string, kind textKind) string {
	if msg := unsafeText(s); msg != "" {
		return msg + ": text that reaches a device CLI or a configuration file must be one plain line"
	}
	limit := maxTextLen
	switch kind {
	case kindName, kindRef, kindPort, kindEnv:
		limit = maxNameLen
	case kindIface:
		limit = maxIfaceLen
	case kindPath:
		limit = maxPathLen
	}
	if len(s) > limit {
		return fmt.Sprintf("is %d bytes long; at most %d are allowed", len(s), limit)
	}
	switch kind {
	case kindName, kindRef:
		if !objectNameRE.MatchString(s) {
			return "invalid name: use letters, digits, '.', '_' and '-', starting with a letter or digit"
		}
	case kindPort:
		if !portNameRE.MatchString(s) {
			return "invalid port name: use letters, digits and / : . _ -"
		}
	case kindIface:
		return badIfaceName(s)
	case kindEnv:
		if !envNameRE.MatchString(s) {
			return "invalid environment variable name: use letters, digits and '_', not starting with a digit"
		}
	}
	return ""
}

// unsafeText returns why s could break out of the line or the command it is
// written into, or "".
func unsafeText(s string) string {
	if !utf8.ValidString(s) {
		return "contains invalid UTF-8"
	}
	for _, r := range s {
		switch {
		case r == '\n':
			return "contains a newline"
		case r == '\r':
			return "contains a carriage return"
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return fmt.Sprintf("contains the control character %U", r)
		case unicode.Is(unicode.Cf, r):
			// Bidi overrides and isolates, zero-width spaces and joiners,
			// the BOM: text that shows other than it reads.
			return fmt.Sprintf("contains the invisible format character %U", r)
		}
	}
	for _, m := range []string{";", "|", "`", "$(", "&&"} {
		if strings.Contains(s, m) {
			return fmt.Sprintf("contains %q, which could inject a command", m)
		}
	}
	return ""
}

// badIfaceName applies the kernel's rules for interface names
// (dev_valid_name): at most 15 bytes, not "." or "..", no '/', ':' or
// whitespace.
func badIfaceName(s string) string {
	switch {
	case s == "." || s == "..":
		return "invalid interface name"
	case len(s) > maxIfaceLen:
		return fmt.Sprintf("interface names are at most %d bytes", maxIfaceLen)
	case strings.ContainsAny(s, "/:"):
		return "interface names cannot contain '/' or ':'"
	case strings.ContainsAny(s, "\"'`$\\"):
		return "interface names cannot contain quotes, '$' or '\\'"
	}
	for _, r := range s {
		if unicode.IsSpace(r) {
			return "interface names cannot contain whitespace"
		}
	}
	return ""
}

// validHostname reports whether s is a DNS host name (RFC 1123 labels).
func validHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if len(l) > 63 || !hostLabelRE.MatchString(l) {
			return false
		}
	}
	return true
}

// parseHostPort accepts "host" or "host:port" ("[v6]:port" for IPv6 with a
// port), where host is an IP address or a DNS name. port is 0 when absent.
func parseHostPort(s string) (host string, port int, err error) {
	if s == "" {
		return "", 0, fmt.Errorf("is empty")
	}
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return "", 0, fmt.Errorf("zoned addresses are not supported")
		}
		return s, 0, nil
	}
	if strings.Contains(s, ":") {
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			return "", 0, fmt.Errorf("want host or host:port")
		}
		port, err = strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 {
			return "", 0, fmt.Errorf("port must be 1-65535")
		}
		if _, err := netip.ParseAddr(h); err != nil && !validHostname(h) {
			return "", 0, fmt.Errorf("%q is neither an IP address nor a host name", h)
		}
		return h, port, nil
	}
	if !validHostname(s) {
		return "", 0, fmt.Errorf("neither an IP address nor a host name")
	}
	return s, 0, nil
}

// parseIPv4 parses a dotted-quad IPv4 address (DHCPv4 carries nothing else).
func parseIPv4(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("not an IP address")
	}
	if !a.Is4() {
		return netip.Addr{}, fmt.Errorf("not an IPv4 address")
	}
	return a, nil
}

func joinPath(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }
