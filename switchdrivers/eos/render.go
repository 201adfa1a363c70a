package eos

import (
	"regexp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers/internal/clirender"
)

// dialect is EOS's spelling of the lines clirender writes: port-channels
// keep their canonical name (Port-Channel and up to six digits), MTU
// 68-9214, `switchport mode trunk` alone (EOS ports are switched by
// default), `port-channel min-links`, `mlag`, `lacp timer` and `state
// active` for a VLAN.
var dialect = clirender.Dialect{
	LAGName:  regexp.MustCompile(`^Port-Channel[0-9]{1,6}$`),
	MinMTU:   68,
	MaxMTU:   9214,
	Trunk:    []string{"switchport mode trunk"},
	MinLinks: "port-channel min-links",
	MLAG:     "mlag",
	LACPRate: "lacp timer",
	// EOS has no `shutdown` in VLAN configuration mode: `state active`
	// is all a VLAN needs.
	VLANActive: []string{"state active"},
}

// Render turns typed changes into EOS configuration lines, in order, one
// block per change. It is pure. Trunk VLAN lists are edited incrementally
// (`switchport trunk allowed vlan add|remove`) unless the change replaces
// the list (fully managed ports). Every name and description that reaches a
// line is checked first, so inventory text can never inject a command.
func Render(changes []intent.SwitchChange) ([]string, error) {
	return dialect.Render(changes)
}
