package nxos

import (
	"regexp"
	"strconv"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers/internal/clirender"
)

// dialect is NX-OS's spelling of the lines clirender writes: port-channels
// as `port-channelN` (up to four digits), MTU 576-9216, `switchport` before the
// trunk settings (NX-OS ports may default to routed), `lacp min-links`,
// `vpc`, `lacp rate`, and `state active` plus `no shutdown` for a VLAN.
var dialect = clirender.Dialect{
	LAGName:      regexp.MustCompile(`^Port-Channel[0-9]{1,4}$`),
	LAGInterface: cliLAGName,
	MinMTU:       576,
	MaxMTU:       9216,
	Trunk:        []string{"switchport", "switchport mode trunk"},
	MinLinks:     "lacp min-links",
	MLAG:         "vpc",
	LACPRate:     "lacp rate",
	// A VLAN is active when its state is active and it is not shut
	// down locally (shown as act/lshut or sus/lshut).
	VLANActive: []string{"state active", "no shutdown"},
}

// Render turns typed changes into NX-OS configuration lines, in order. It
// is pure. `feature lacp` comes first when any change uses LACP;
// members join with `channel-group N mode on|active|passive` (NX-OS also
// reads a bare `channel-group N` as mode on; the explicit form is used). Port-channels are written
// `port-channelN` as NX-OS prints them. Every name and description that
// reaches a line is checked first, so inventory text can never inject a
// command.
func Render(changes []intent.SwitchChange) ([]string, error) {
	lines, err := dialect.Render(changes)
	if err != nil {
		return nil, err
	}
	for _, c := range changes {
		if needsLACP(c) {
			return append([]string{"feature lacp"}, lines...), nil
		}
	}
	return lines, nil
}

// needsLACP reports whether a change uses a command of NX-OS's lacp
// feature (enabling it again is harmless).
func needsLACP(c intent.SwitchChange) bool {
	if c.Action == intent.Delete {
		return false
	}
	return (c.Join && c.ChannelMode.LAGType() == intent.LAGLACP) || c.LACPRate != "" ||
		(c.Object == intent.ObjLAG && (c.MinLinks > 0 || c.LAGType == intent.LAGLACP))
}

// cliLAGName is NX-OS's spelling of a port-channel.
func cliLAGName(canonical string) string {
	return "port-channel" + strconv.Itoa(intent.LAGID(canonical))
}
