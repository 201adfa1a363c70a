package gnmi

import (
	"strings"
)

type nodeKind int

const (
	kContainer nodeKind = iota
	kList
	kLeaf
	kLeafList
)

type leafKind int

const (
	tString leafKind = iota
	tUint16
	tBool
	tEnum
	tIdentity
	tVLANRange // trunk-vlans: uint16 vlan id or "lo..hi"
)

// leafType is the YANG type of a leaf, reduced to what the served nodes use.
type leafType struct {
	kind     leafKind
	min, max int
	enums    []string
	// idModule qualifies identityref values in JSON_IETF.
	idModule string
}

// schemaNode is one node of the served OpenConfig schema.
type schemaNode struct {
	name     string
	module   string
	kind     nodeKind
	key      string
	children map[string]*schemaNode
	order    []string
	typ      leafType
	readOnly bool
	parent   *schemaNode
}

func (n *schemaNode) child(name string) *schemaNode {
	if n.children == nil {
		return nil
	}
	return n.children[unqualify(name)]
}

// path returns the schema path of n, for messages.
func (n *schemaNode) path() string {
	if n.parent == nil {
		return ""
	}
	return n.parent.path() + "/" + n.name
}

// unqualify drops an RFC 7951 module qualifier.
func unqualify(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func container(name string, kids ...*schemaNode) *schemaNode {
	n := &schemaNode{name: name, kind: kContainer, children: map[string]*schemaNode{}}
	for _, k := range kids {
		n.children[k.name] = k
		n.order = append(n.order, k.name)
		k.parent = n
	}
	return n
}

func list(name, key string, kids ...*schemaNode) *schemaNode {
	n := container(name, kids...)
	n.kind, n.key = kList, key
	return n
}

func leaf(name string, t leafType) *schemaNode {
	return &schemaNode{name: name, kind: kLeaf, typ: t}
}

func leafList(name string, t leafType) *schemaNode {
	return &schemaNode{name: name, kind: kLeafList, typ: t}
}

// inModule sets the module of n and of every descendant without one.
func inModule(module string, n *schemaNode) *schemaNode {
	var walk func(*schemaNode)
	walk = func(x *schemaNode) {
		if x.module == "" {
			x.module = module
		}
		for _, c := range x.children {
			walk(c)
		}
	}
	walk(n)
	return n
}

// readOnly marks n and its descendants as state (config false).
func readOnly(n *schemaNode) *schemaNode {
	n.readOnly = true
	for _, c := range n.children {
		readOnly(c)
	}
	return n
}

var (
	str     = leafType{kind: tString}
	boolean = leafType{kind: tBool}
	vlanID  = leafType{kind: tUint16, min: 1, max: 4094}
	mtu     = leafType{kind: tUint16, min: 64, max: 65535}
	uint16T = leafType{kind: tUint16, min: 0, max: 65535}
)

func enum(vals ...string) leafType { return leafType{kind: tEnum, enums: vals} }

func identity(module string, vals ...string) leafType {
	return leafType{kind: tIdentity, enums: vals, idModule: module}
}

// Model is one YANG module the target advertises in Capabilities.
type Model struct {
	Name, Organization, Version string
}

// Models returns the modules the target serves, in the versions whose paths
// it follows.
func Models() []Model {
	const org = "OpenConfig working group"
	return []Model{
		{"openconfig-interfaces", org, "3.7.1"},
		{"openconfig-if-ethernet", org, "2.14.0"},
		{"openconfig-if-aggregate", org, "2.4.4"},
		{"openconfig-vlan", org, "3.2.2"},
		{"openconfig-lacp", org, "2.0.0"},
		{"openconfig-lldp", org, "0.2.1"},
		{"openconfig-network-instance", org, "4.4.1"},
	}
}

func switchedVLAN() *schemaNode {
	fields := func() []*schemaNode {
		return []*schemaNode{
			leaf("interface-mode", enum("ACCESS", "TRUNK")),
			leaf("native-vlan", vlanID),
			leaf("access-vlan", vlanID),
			leafList("trunk-vlans", leafType{kind: tVLANRange}),
		}
	}
	return inModule("openconfig-vlan", container("switched-vlan",
		container("config", fields()...),
		readOnly(container("state", fields()...)),
	))
}

// newSchema builds the served tree. Each call returns a fresh tree; the
// schema is immutable once built.
func newSchema() *schemaNode {
	ifType := identity("iana-if-type", "ethernetCsmacd", "ieee8023adLag", "softwareLoopback")
	ifFields := func() []*schemaNode {
		return []*schemaNode{
			leaf("name", str), leaf("type", ifType), leaf("mtu", mtu),
			leaf("description", str), leaf("enabled", boolean),
		}
	}
	ifState := append(ifFields(),
		leaf("admin-status", enum("UP", "DOWN", "TESTING")),
		leaf("oper-status", enum("UP", "DOWN", "TESTING", "UNKNOWN", "DORMANT", "NOT_PRESENT", "LOWER_LAYER_DOWN")),
	)
	aggID := func() *schemaNode { return inModule("openconfig-if-aggregate", leaf("aggregate-id", str)) }
	ethernet := inModule("openconfig-if-ethernet", container("ethernet",
		container("config", aggID()),
		readOnly(container("state", aggID())),
		switchedVLAN(),
	))
	lagType := enum("LACP", "STATIC")
	aggregation := inModule("openconfig-if-aggregate", container("aggregation",
		container("config", leaf("lag-type", lagType), leaf("min-links", uint16T)),
		readOnly(container("state", leaf("lag-type", lagType), leaf("min-links", uint16T), leafList("member", str))),
		switchedVLAN(),
	))
	interfaces := inModule("openconfig-interfaces", container("interfaces",
		list("interface", "name",
			leaf("name", str),
			container("config", ifFields()...),
			readOnly(container("state", ifState...)),
			ethernet,
			aggregation,
		),
	))

	niType := identity("openconfig-network-instance-types", "DEFAULT_INSTANCE", "L3VRF", "L2VSI")
	vlanFields := func() []*schemaNode {
		return []*schemaNode{leaf("vlan-id", vlanID), leaf("name", str), leaf("status", enum("ACTIVE", "SUSPENDED"))}
	}
	netinst := inModule("openconfig-network-instance", container("network-instances",
		list("network-instance", "name",
			leaf("name", str),
			container("config", leaf("name", str), leaf("type", niType)),
			readOnly(container("state", leaf("name", str), leaf("type", niType))),
			container("vlans",
				list("vlan", "vlan-id",
					leaf("vlan-id", vlanID),
					container("config", vlanFields()...),
					readOnly(container("state", vlanFields()...)),
				),
			),
		),
	))

	lacpFields := func() []*schemaNode {
		return []*schemaNode{leaf("name", str), leaf("interval", enum("FAST", "SLOW")), leaf("lacp-mode", enum("ACTIVE", "PASSIVE"))}
	}
	lacp := inModule("openconfig-lacp", container("lacp",
		container("interfaces",
			list("interface", "name",
				leaf("name", str),
				container("config", lacpFields()...),
				readOnly(container("state", lacpFields()...)),
				readOnly(container("members",
					list("member", "interface",
						leaf("interface", str),
						container("state",
							leaf("interface", str),
							leaf("activity", enum("ACTIVE", "PASSIVE")),
							leaf("timeout", enum("LONG", "SHORT")),
							leaf("synchronization", enum("IN_SYNC", "OUT_SYNC")),
							leaf("aggregatable", boolean),
							leaf("collecting", boolean),
							leaf("distributing", boolean),
							leaf("partner-id", str),
						),
					),
				)),
			),
		),
	))

	lldp := inModule("openconfig-lldp", readOnly(container("lldp",
		container("interfaces",
			list("interface", "name",
				leaf("name", str),
				container("neighbors",
					list("neighbor", "id",
						leaf("id", str),
						container("state",
							leaf("id", str), leaf("system-name", str), leaf("port-id", str),
							leaf("chassis-id", str), leaf("port-description", str),
						),
					),
				),
			),
		),
	)))

	return container("", interfaces, netinst, lacp, lldp)
}
