package device

import (
	"fmt"
	"strings"
)

// SetVLANState suspends VLAN vid or makes it active again, as `vlan VID` /
// `state suspend|active` at the console would: state is "suspend" or
// "active" ("shutdown" and "no-shutdown" shut the VLAN down in VLAN mode,
// as NX-OS's `shutdown` does; EOS and OpenConfig have no such thing and
// refuse them).
func (d *Device) SetVLANState(vid int, state string) error {
	return d.Update(func(c *Config) error {
		v, ok := c.VLANs[vid]
		if !ok {
			return fmt.Errorf("drift %s: %w: vlan %d is not defined", d.name, ErrInvalid, vid)
		}
		switch strings.ToLower(state) {
		case "suspend":
			v.Suspended = true
		case "active":
			v.Suspended = false
		case "shutdown", "no-shutdown":
			if d.platform != PlatformNXOS {
				return fmt.Errorf("drift %s: %w: only NX-OS shuts a vlan down in vlan mode (use suspend)", d.name, ErrInvalid)
			}
			v.Shutdown = strings.EqualFold(state, "shutdown")
		default:
			return fmt.Errorf("drift %s: %w: vlan state %q (want suspend, active, shutdown or no-shutdown)", d.name, ErrInvalid, state)
		}
		return nil
	})
}
