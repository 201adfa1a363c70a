package sshcli

import "github.com/netalign/netalign/internal/lab/device"

// vlanStateCommands are the VLAN configuration mode commands that suspend a
// VLAN or make it active: `state active|suspend` and `no state` on both
// platforms, and on NX-OS `shutdown` / `no shutdown` (shown as act/lshut or
// sus/lshut). EOS has no `shutdown` in VLAN mode: it answers "% Invalid
// input" as the real CLI does.
func vlanStateCommands(eos bool) []*cmd {
	set := func(fn func(v *device.VLAN)) func(sh *shell, _ []string) (string, error) {
		return func(sh *shell, _ []string) (string, error) {
			return "", sh.wrapErr(sh.apply(func(c *device.Config) error {
				for _, id := range sh.vlans {
					if v, ok := c.VLANs[id]; ok {
						fn(v)
					}
				}
				return nil
			}))
		}
	}
	cmds := []*cmd{
		{pattern: "state active", modes: mVlan, run: set(func(v *device.VLAN) { v.Suspended = false })},
		{pattern: "state suspend", modes: mVlan, run: set(func(v *device.VLAN) { v.Suspended = true })},
		{pattern: "no state", modes: mVlan, run: set(func(v *device.VLAN) { v.Suspended = false })},
		{pattern: "no state active", modes: mVlan, run: set(func(v *device.VLAN) { v.Suspended = false })},
		{pattern: "no state suspend", modes: mVlan, run: set(func(v *device.VLAN) { v.Suspended = false })},
	}
	if !eos {
		cmds = append(cmds,
			&cmd{pattern: "shutdown", modes: mVlan, run: set(func(v *device.VLAN) { v.Shutdown = true })},
			&cmd{pattern: "no shutdown", modes: mVlan, run: set(func(v *device.VLAN) { v.Shutdown = false })},
		)
	}
	return cmds
}

// vlanStatus is the Status column of `show vlan` on both platforms (and
// EOS's JSON status): active, suspended, act/lshut or sus/lshut.
func vlanStatus(v *device.VLAN) string {
	switch {
	case v.Suspended && v.Shutdown:
		return "sus/lshut"
	case v.Suspended:
		return "suspended"
	case v.Shutdown:
		return "act/lshut"
	}
	return "active"
}
