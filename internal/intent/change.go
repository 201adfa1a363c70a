package intent

// Action is what a change does to its object.
type Action string

// Actions, terraform-style.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
)

// Symbol is the one-character marker of the action in plan output.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Delete:
		return "-"
	}
	return "~"
}

// Field is one attribute's before and after, for display.
type Field struct {
	Name   string `json:"name"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// ObjectKind is what a switch change touches.
type ObjectKind string

// Switch object kinds.
const (
	ObjVLAN      ObjectKind = "vlan"
	ObjInterface ObjectKind = "interface"
	ObjLAG       ObjectKind = "lag"
)

// SwitchChange is one typed change to a switch. Drivers render it to their
// own configuration language; the planner orders changes so that applying
// them in sequence is valid (VLANs, then LAGs, then members, then ports).
type SwitchChange struct {
	Action Action     `json:"action"`
	Object ObjectKind `json:"object"`
	// Name is the VLAN id ("100") or the canonical interface name.
	Name string `json:"name"`

	// VLAN is set for ObjVLAN.
	VLAN *VLAN `json:"vlan,omitempty"`
	// Reactivate, on a VLAN update, makes a suspended or shut-down VLAN
	// active (EOS `state active`; NX-OS `state active` and `no shutdown`;
	// OpenConfig status ACTIVE).
	Reactivate bool `json:"reactivate,omitempty"`

	// Trunk settings for interfaces and LAGs. SetTrunk makes the port a trunk
	// with NativeVLAN. AddVLANs/RemoveVLANs edit the allowed list
	// incrementally; ReplaceVLANs (fully managed ports) sets it to Allowed.
	SetTrunk     bool    `json:"setTrunk,omitempty"`
	NativeVLAN   int     `json:"nativeVlan,omitempty"`
	AddVLANs     VLANSet `json:"addVlans,omitempty"`
	RemoveVLANs  VLANSet `json:"removeVlans,omitempty"`
	ReplaceVLANs bool    `json:"replaceVlans,omitempty"`
	Allowed      VLANSet `json:"allowed,omitempty"`
	// MTU is the new MTU (0: unchanged).
	MTU int `json:"mtu,omitempty"`

	// Member changes (physical ports): Join puts the port in LAG ChannelGroup
	// with ChannelMode; Leave takes it out of its LAG.
	Join         bool        `json:"join,omitempty"`
	Leave        bool        `json:"leave,omitempty"`
	ChannelGroup int         `json:"channelGroup,omitempty"`
	ChannelMode  ChannelMode `json:"channelMode,omitempty"`
	LACPRate     string      `json:"lacpRate,omitempty"`

	// LAG changes.
	LAGType  LAGType `json:"lagType,omitempty"`
	MinLinks int     `json:"minLinks,omitempty"`
	MLAGID   int     `json:"mlagId,omitempty"`

	// Description is set on the interface when non-empty.
	Description string `json:"description,omitempty"`

	// Fields is the before/after of every attribute, for display.
	Fields []Field `json:"fields,omitempty"`
	// Disruptive changes interrupt traffic (LAG re-creation, member moves).
	Disruptive bool   `json:"disruptive,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// HostObject is what a host change touches.
type HostObject string

// Host object kinds.
const (
	ObjBond       HostObject = "bond"
	ObjBondSlave  HostObject = "bond-slave"
	ObjBridge     HostObject = "bridge"
	ObjBridgeVLAN HostObject = "bridge-vlans"
	ObjSubIf      HostObject = "vlan-subinterface"
	ObjLinkMTU    HostObject = "mtu"
)

// HostChange is one typed change to a host.
type HostChange struct {
	Action Action     `json:"action"`
	Object HostObject `json:"object"`
	// Name is the link the change is about.
	Name string `json:"name"`
	// Bond is the full desired cluster network the change belongs to, so that
	// an applier has every option at hand.
	Bond *DesiredBond `json:"bond,omitempty"`
	// Master is the bond a slave joins or leaves, or the bridge a port joins.
	Master string `json:"master,omitempty"`
	// VLAN changes on a bridge port.
	AddVLANs    VLANSet `json:"addVlans,omitempty"`
	RemoveVLANs VLANSet `json:"removeVlans,omitempty"`
	PVID        int     `json:"pvid,omitempty"`
	MTU         int     `json:"mtu,omitempty"`

	Fields     []Field `json:"fields,omitempty"`
	Disruptive bool    `json:"disruptive,omitempty"`
	Reason     string  `json:"reason,omitempty"`
}

// PoolChange is one typed change to a DHCP server: the pool after the change
// (create/update) or before it (delete).
type PoolChange struct {
	Action Action  `json:"action"`
	Pool   Pool    `json:"pool"`
	Before *Pool   `json:"before,omitempty"`
	Fields []Field `json:"fields,omitempty"`
}
