package device

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/intent"
)

// Drift helpers change the running configuration behind netalign's back, as
// an operator at the console would, so that validate has something to find;
// mlag-peer-link and mlag-keepalive bring a link between MLAG/vPC peers down
// or up, as a pulled cable would.

// RemoveAllowedVLAN removes vid from a port's trunk allowed list.
func (d *Device) RemoveAllowedVLAN(port string, vid int) error {
	return d.drift(port, func(in *Interface) error {
		in.Allowed = in.Allowed.Minus(intent.NewVLANSet(vid))
		return nil
	})
}

// AddAllowedVLANs adds vids to a port's trunk allowed list, as `switchport
// trunk allowed vlan add` would.
func (d *Device) AddAllowedVLANs(port string, vids intent.VLANSet) error {
	return d.drift(port, func(in *Interface) error {
		in.Allowed = in.Allowed.Union(vids)
		if in.Allowed.Equal(allVLANs) {
			in.Allowed = allVLANs
		}
		return nil
	})
}

// SetNativeVLAN changes a port's trunk native VLAN.
func (d *Device) SetNativeVLAN(port string, vid int) error {
	return d.drift(port, func(in *Interface) error {
		in.NativeVLAN = vid
		return nil
	})
}

// SetMTU changes a port's MTU (0: platform default).
func (d *Device) SetMTU(port string, mtu int) error {
	return d.drift(port, func(in *Interface) error {
		in.MTU = mtu
		return nil
	})
}

// SetShutdown shuts a port down or brings it up.
func (d *Device) SetShutdown(port string, shut bool) error {
	return d.drift(port, func(in *Interface) error {
		in.Shutdown = shut
		return nil
	})
}

// SetAccess turns a port into an access port in vid.
func (d *Device) SetAccess(port string, vid int) error {
	return d.drift(port, func(in *Interface) error {
		in.Mode, in.AccessVLAN = intent.ModeAccess, vid
		return nil
	})
}

// SetLAGStatic turns every member of port-channel id into a static member
// (channel-group id mode on).
func (d *Device) SetLAGStatic(id int) error {
	return d.setLAGMode(id, intent.ChannelOn)
}

// SetLAGLACP turns every member of port-channel id into an LACP member in
// mode (active or passive).
func (d *Device) SetLAGLACP(id int, mode intent.ChannelMode) error {
	return d.setLAGMode(id, mode)
}

func (d *Device) setLAGMode(id int, mode intent.ChannelMode) error {
	if mode.LAGType() == intent.LAGNone {
		return fmt.Errorf("drift %s: %w: channel mode %q", d.name, ErrInvalid, mode)
	}
	return d.Update(func(c *Config) error {
		members := c.Members(id)
		if _, ok := c.Interfaces[intent.LAGName(id)]; !ok {
			return fmt.Errorf("drift %s: %w: %s", d.name, ErrNoInterface, intent.LAGName(id))
		}
		for _, m := range members {
			c.Interfaces[m].ChannelMode = mode
		}
		return nil
	})
}

// SetChannelGroup moves a port into port-channel id (creating it).
func (d *Device) SetChannelGroup(port string, id int, mode intent.ChannelMode) error {
	return d.Update(func(c *Config) error {
		if err := c.ClearChannelGroup(port); err != nil {
			return fmt.Errorf("drift %s: %w", d.name, err)
		}
		if err := c.SetChannelGroup(port, id, mode); err != nil {
			return fmt.Errorf("drift %s: %w", d.name, err)
		}
		return nil
	})
}

// RemoveChannelGroup takes a port out of its port-channel.
func (d *Device) RemoveChannelGroup(port string) error {
	return d.Update(func(c *Config) error {
		if err := c.ClearChannelGroup(port); err != nil {
			return fmt.Errorf("drift %s: %w", d.name, err)
		}
		return nil
	})
}

// RemoveVLAN deletes a VLAN definition.
func (d *Device) RemoveVLAN(vid int) error {
	return d.Update(func(c *Config) error {
		if err := c.RemoveVLAN(vid); err != nil {
			return fmt.Errorf("drift %s: %w", d.name, err)
		}
		return nil
	})
}

// SetMLAGID sets the MLAG (EOS `mlag N`) / vPC (NX-OS `vpc N`) id of a
// port-channel; 0 removes it.
func (d *Device) SetMLAGID(lag string, id int) error {
	return d.drift(lag, func(in *Interface) error {
		if !in.IsLAG() || id < 0 {
			return fmt.Errorf("%w: mlag id %d on %s", ErrInvalid, id, in.Name)
		}
		in.MLAGID = id
		return nil
	})
}

// upDown reads the up|down word of a link drift.
func upDown(dev string, spec []string) (bool, error) {
	if len(spec) == 2 {
		switch strings.ToLower(spec[1]) {
		case "up":
			return true, nil
		case "down":
			return false, nil
		}
	}
	return false, fmt.Errorf("drift %s: %s takes up or down; want %s", dev, spec[0], DriftUsage)
}

func (d *Device) drift(port string, fn func(in *Interface) error) error {
	return d.Update(func(c *Config) error {
		in, err := c.Interface(port)
		if err != nil {
			return fmt.Errorf("drift %s: %w", d.name, err)
		}
		if err := fn(in); err != nil {
			return fmt.Errorf("drift %s %s: %w", d.name, in.Name, err)
		}
		return nil
	})
}

// DriftUsage lists the drift specifications Drift accepts.
const DriftUsage = `remove-allowed-vlan PORT VID | add-allowed-vlan PORT VIDS|all | native-vlan PORT VID | mtu PORT N | shutdown PORT | no-shutdown PORT | access PORT VID | lag-static ID | lag-lacp ID [active|passive] | channel-group PORT ID on|active|passive | no-channel-group PORT | remove-vlan VID | vlan-state VID suspend|active|shutdown|no-shutdown | mlag-id LAG ID | mlag-peer-link up|down | mlag-keepalive up|down`

// Drift applies one drift given as words (the form `netalign lab drift`
// takes), for example "remove-allowed-vlan Ethernet1 100" or "lag-static 10".
func (d *Device) Drift(spec []string) error {
	if len(spec) == 0 {
		return fmt.Errorf("drift %s: empty; want %s", d.name, DriftUsage)
	}
	num := func(i int) (int, error) {
		if i >= len(spec) {
			return 0, fmt.Errorf("drift %s: %s needs more arguments; want %s", d.name, spec[0], DriftUsage)
		}
		n, err := strconv.Atoi(spec[i])
		if err != nil {
			return 0, fmt.Errorf("drift %s: %q is not a number", d.name, spec[i])
		}
		return n, nil
	}
	arg := func(i int) (string, error) {
		if i >= len(spec) {
			return "", fmt.Errorf("drift %s: %s needs more arguments; want %s", d.name, spec[0], DriftUsage)
		}
		return spec[i], nil
	}
	port, _ := arg(1)
	switch strings.ToLower(spec[0]) {
	case "remove-allowed-vlan":
		v, err := num(2)
		if err != nil {
			return err
		}
		return d.RemoveAllowedVLAN(port, v)
	case "add-allowed-vlan":
		a, err := arg(2)
		if err != nil {
			return err
		}
		set, err := intent.ParseVLANSet(a)
		if err != nil {
			return fmt.Errorf("drift %s: %w", d.name, err)
		}
		return d.AddAllowedVLANs(port, set)
	case "native-vlan":
		v, err := num(2)
		if err != nil {
			return err
		}
		return d.SetNativeVLAN(port, v)
	case "mtu":
		v, err := num(2)
		if err != nil {
			return err
		}
		return d.SetMTU(port, v)
	case "shutdown":
		return d.SetShutdown(port, true)
	case "no-shutdown":
		return d.SetShutdown(port, false)
	case "access":
		v, err := num(2)
		if err != nil {
			return err
		}
		return d.SetAccess(port, v)
	case "lag-static":
		id, err := num(1)
		if err != nil {
			return err
		}
		return d.SetLAGStatic(id)
	case "lag-lacp":
		id, err := num(1)
		if err != nil {
			return err
		}
		mode := intent.ChannelActive
		if len(spec) > 2 {
			mode = intent.ChannelMode(strings.ToLower(spec[2]))
		}
		return d.SetLAGLACP(id, mode)
	case "channel-group":
		id, err := num(2)
		if err != nil {
			return err
		}
		m, err := arg(3)
		if err != nil {
			return err
		}
		return d.SetChannelGroup(port, id, intent.ChannelMode(strings.ToLower(m)))
	case "no-channel-group":
		return d.RemoveChannelGroup(port)
	case "remove-vlan":
		v, err := num(1)
		if err != nil {
			return err
		}
		return d.RemoveVLAN(v)
	case "vlan-state":
		v, err := num(1)
		if err != nil {
			return err
		}
		st, err := arg(2)
		if err != nil {
			return err
		}
		return d.SetVLANState(v, st)
	case "mlag-id":
		v, err := num(2)
		if err != nil {
			return err
		}
		return d.SetMLAGID(port, v)
	case "mlag-peer-link", "mlag-keepalive":
		up, err := upDown(d.name, spec)
		if err != nil {
			return err
		}
		if strings.EqualFold(spec[0], "mlag-peer-link") {
			return d.SetMLAGPeerLink(up)
		}
		return d.SetMLAGKeepalive(up)
	}
	return fmt.Errorf("drift %s: unknown drift %q; want %s", d.name, spec[0], DriftUsage)
}
