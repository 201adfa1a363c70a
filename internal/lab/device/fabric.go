package device

import (
	"strconv"

	"github.com/netalign/netalign/internal/intent"
)

// Fabric links the devices of one lab so that LACP state can follow a host
// bond across switches: a Linux 802.3ad bond forms one aggregator per LACP
// partner (system id + key) and uses only the one it selects (most ports;
// ad_select=stable). Two switches present one partner only when they are an
// MLAG (EOS) / vPC (NX-OS) pair — both configured for it, the peering
// established (see MLAGStatus.Active) and the port-channels carrying the
// same MLAG/vPC id. Otherwise the ports on the switch the bond did not
// select are not in sync and the switch shows them suspended.
//
// Build the fabric (Add, PairMLAG) before the devices serve anything; it is
// read without locking afterwards.
type Fabric struct {
	byBond   map[string][]*Device
	mlagPeer map[*Device]*Device
}

// NewFabric returns an empty fabric.
func NewFabric() *Fabric {
	return &Fabric{byBond: map[string][]*Device{}, mlagPeer: map[*Device]*Device{}}
}

// Add registers d and the host bonds cabled to it.
func (f *Fabric) Add(d *Device) {
	d.fabric = f
	seen := map[string]bool{}
	for _, p := range d.ports {
		if p.Peer != nil && !seen[p.Peer.BondKey()] {
			seen[p.Peer.BondKey()] = true
			f.byBond[p.Peer.BondKey()] = append(f.byBond[p.Peer.BondKey()], d)
		}
	}
}

// PairMLAG records that a and b are configured as MLAG/vPC peers in the
// inventory (whether their configurations agree is checked live).
func (f *Fabric) PairMLAG(a, b *Device) {
	f.mlagPeer[a], f.mlagPeer[b] = b, a
}

// splitAcrossSwitches suspends the members of d whose host bond selected
// an aggregator on another switch (or another, non-MLAG port-channel).
// cfg and out are d's configuration and locally derived state.
func (f *Fabric) splitAcrossSwitches(d *Device, cfg *Config, out map[string]*Oper) {
	// Bonds with LACP members bundled here.
	bonds := map[string]bool{}
	for name, o := range out {
		in := cfg.Interfaces[name]
		if o.MemberState == intent.MemberBundled && o.Peer != nil && in.ChannelMode != intent.ChannelOn && len(f.byBond[o.Peer.BondKey()]) > 1 {
			bonds[o.Peer.BondKey()] = true
		}
	}
	if len(bonds) == 0 {
		return
	}
	cfgs := map[*Device]*Config{d: cfg}
	opers := map[*Device]map[string]*Oper{d: out}
	get := func(x *Device) (*Config, map[string]*Oper) {
		if c, ok := cfgs[x]; ok {
			return c, opers[x]
		}
		x.mu.Lock()
		c := x.running.Clone()
		x.mu.Unlock()
		o := derive(x.platform, c, x.peers)
		cfgs[x], opers[x] = c, o
		return c, o
	}
	peerings := map[*Device]bool{}
	active := func(x *Device, c *Config) bool {
		up, ok := peerings[x]
		if !ok {
			up = x.mlagStatus(c).Active(x.platform)
			peerings[x] = up
		}
		return up
	}
	for bond := range bonds {
		// Aggregator of every LACP-bundled member of this bond, fabric-wide.
		agg := map[*Device]map[string]string{}
		counts := map[string]int{}
		for _, x := range f.byBond[bond] {
			c, o := get(x)
			agg[x] = map[string]string{}
			for name, mo := range o {
				in := c.Interfaces[name]
				if mo.MemberState != intent.MemberBundled || mo.Peer == nil || mo.Peer.BondKey() != bond || in.ChannelMode == intent.ChannelOn {
					continue
				}
				key := x.name + "/" + strconv.Itoa(in.ChannelGroup)
				lag := c.Interfaces[intent.LAGName(in.ChannelGroup)]
				if y := f.mlagPeer[x]; y != nil && c.MLAG && lag != nil && lag.MLAGID > 0 && active(x, c) {
					if yc, _ := get(y); yc.MLAG && hasMLAGID(yc, lag.MLAGID) {
						a, b := x.name, y.name
						if b < a {
							a, b = b, a
						}
						key = a + "+" + b + "/mlag" + strconv.Itoa(lag.MLAGID)
					}
				}
				agg[x][name] = key
				counts[key]++
			}
		}
		win := best(counts, func(a, b string) bool { return a < b })
		for name, key := range agg[d] {
			if key != win {
				out[name].MemberState, out[name].Reason = intent.MemberSuspended, ReasonSplit
			}
		}
	}
}

func hasMLAGID(c *Config, id int) bool {
	for _, in := range c.Interfaces {
		if in.IsLAG() && in.MLAGID == id {
			return true
		}
	}
	return false
}

// MLAGPeer returns the device paired with d in its fabric, or nil.
func (d *Device) MLAGPeer() *Device {
	if d.fabric == nil {
		return nil
	}
	return d.fabric.mlagPeer[d]
}
