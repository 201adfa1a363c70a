package plan

import "fmt"

// Target narrows p to the devices keep selects, as terraform's -target
// does: every other device is skipped, its pending changes counted in the
// reason but not applied. Planning itself still saw every device (an MLAG
// pair shares LAG ids; cross-layer checks need both sides).
func Target(p *Plan, keep func(kind DeviceKind, name string) bool) {
	for i := range p.Devices {
		d := &p.Devices[i]
		if keep(d.Kind, d.Name) {
			continue
		}
		reason := "not targeted"
		if n := d.Changes(); n > 0 {
			reason = fmt.Sprintf("not targeted (%d pending change(s) left alone)", n)
		} else if d.Skipped != "" {
			reason = "not targeted; " + d.Skipped
		}
		d.Skipped = reason
		d.Switch, d.Host, d.DHCP = nil, nil, nil
		d.Warnings = nil
	}
}
