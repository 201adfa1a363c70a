package plan

import (
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
)

// partialBlocks returns the records a driver could not read (obs.Partial)
// that could matter to the plan of ds: the plan would be computed from an
// observation that lacks them, so the switch is left alone. A record
// matters when it is about
//
//   - a VLAN of the inventory, or one a change names;
//   - a host-facing port, a member of a LAG of the inventory, or an
//     interface a change names;
//   - any port-channel, when the inventory gives the switch LAGs (LAG ids
//     are chosen from the port-channels observed);
//   - nothing the driver could name (a row without a readable key).
//
// Records about other VLANs and interfaces do not hold the switch back.
func partialBlocks(ds intent.DesiredSwitch, obs *intent.SwitchState, changes []intent.SwitchChange) []intent.Unparsed {
	if len(obs.Partial) == 0 {
		return nil
	}
	vlans := map[string]bool{}
	ifs := map[string]bool{}
	for _, v := range ds.VLANs {
		vlans[strconv.Itoa(v.ID)] = true
	}
	for _, p := range ds.Ports {
		ifs[intent.NormalizeInterface(p.Name)] = true
	}
	for _, l := range ds.LAGs {
		for _, m := range l.Members {
			ifs[intent.NormalizeInterface(m)] = true
		}
	}
	for _, c := range changes {
		if c.Object == intent.ObjVLAN {
			vlans[c.Name] = true
		} else {
			ifs[intent.NormalizeInterface(c.Name)] = true
		}
	}
	var out []intent.Unparsed
	for _, u := range obs.Partial {
		var matters bool
		switch u.Kind {
		case intent.ObjVLAN:
			matters = vlans[u.Record]
		case intent.ObjInterface, intent.ObjLAG:
			n := intent.NormalizeInterface(u.Record)
			matters = ifs[n] || (len(ds.LAGs) > 0 && (u.Kind == intent.ObjLAG || intent.LAGID(n) != 0))
		default:
			matters = true
		}
		if matters {
			out = append(out, u)
		}
	}
	return out
}

// applyPartial skips d when its observation lacks records the plan may
// need, and warns about the others.
func applyPartial(d *Device, ds intent.DesiredSwitch, obs *intent.SwitchState) {
	blocks := partialBlocks(ds, obs, d.Switch)
	if len(blocks) == 0 {
		for _, u := range obs.Partial {
			d.Warnings = append(d.Warnings, "observation incomplete, not about anything this plan needs: "+u.String())
		}
		return
	}
	parts := make([]string, len(blocks))
	for i, u := range blocks {
		parts[i] = u.String()
	}
	d.Skipped = "observation incomplete: " + strings.Join(parts, "; ")
	d.Cause = string(cause.ObservePartial)
	d.Switch = nil
}
