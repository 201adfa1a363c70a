package sshcli

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

// reply is a show command's answer: out as the dialect prints `| json` when
// the command was piped to it, text otherwise.
func (sh *shell) reply(out any, text string) (string, error) {
	if sh.format.json {
		return sh.renderJSON(out)
	}
	return text, nil
}

// renderJSON prints v as EOS prints `| json` (4-space indentation) or as
// NX-OS prints `| json` (one line) / `| json-pretty`.
func (sh *shell) renderJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	switch {
	case sh.dev.Platform() == device.PlatformEOS:
		enc.SetIndent("", "    ")
	case sh.format.pretty:
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return b.String(), nil
}

// noJSON is the EOS/NX-OS reply to `| json` on a text-only command.
func (sh *shell) noJSON() error {
	if sh.dev.Platform() == device.PlatformNXOS {
		return cliError("% Json not supported for this command")
	}
	return cliError("% This is an unconverted command")
}

// dotMAC prints 02:00:aa:bb:cc:dd as 0200.aabb.ccdd (EOS LLDP and NX-OS).
func dotMAC(mac string) string {
	h := strings.ReplaceAll(strings.ToLower(mac), ":", "")
	if len(h) != 12 {
		return mac
	}
	return h[0:4] + "." + h[4:8] + "." + h[8:12]
}

func portMAC(dev, port string) string { return device.DeriveMAC(dev, port) }

func speedBits(speed string) int64 {
	switch strings.ToUpper(speed) {
	case "1G":
		return 1_000_000_000
	case "25G":
		return 25_000_000_000
	case "40G":
		return 40_000_000_000
	case "100G":
		return 100_000_000_000
	}
	return 10_000_000_000
}

func (sh *shell) snapshot() *device.Snapshot { return sh.dev.Snapshot() }

func speedOf(snap *device.Snapshot, name string) string {
	for _, p := range snap.Ports {
		if p.Name == name {
			return p.Speed
		}
	}
	return "10G"
}

// vlanMembers returns, per VLAN, the interfaces that carry it: access ports
// in it, trunks allowing it; port-channel members are represented by their
// port-channel.
func vlanMembers(c *device.Config) map[int][]string {
	out := map[int][]string{}
	for _, name := range c.InterfaceNames() {
		in := c.Interfaces[name]
		if in.Routed || (!in.IsLAG() && in.ChannelGroup > 0) {
			continue
		}
		for _, id := range c.VLANIDs() {
			if (in.Mode == intent.ModeAccess && in.AccessVLAN == id) ||
				(in.Mode == intent.ModeTrunk && in.Allowed.Contains(id)) {
				out[id] = append(out[id], name)
			}
		}
	}
	return out
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// lacpPartner is what a member's LACP partner (a Linux 802.3ad bond)
// advertises: system priority 65535 and the host's MAC, key 9 + port
// number in the bond's order, state bits by the member's state.
func lacpPartner(snap *device.Snapshot, port string) (EOSLacpNeighbor, bool) {
	o := snap.Oper[port]
	in := snap.Config.Interfaces[port]
	if o == nil || o.Peer == nil || in.ChannelMode == intent.ChannelOn || in.ChannelGroup == 0 {
		return EOSLacpNeighbor{}, false
	}
	n := EOSLacpNeighbor{PartnerPortPriority: 255, ActorPortStatus: "noAgg", PartnerSystemID: "0000,00-00-00-00-00-00", PartnerOperKey: "0x0000"}
	if o.Peer.BondMode != intent.LACP || !o.LinkUp {
		n.PartnerPortState = EOSLacpPortState{Defaulted: true, Expired: true}
		return n, true
	}
	mac := strings.ReplaceAll(device.HostChassisMAC(o.Peer.Host), ":", "-")
	n.PartnerSystemID = "ffff," + mac
	n.PartnerOperKey = "0x0009"
	n.PartnerPortID = 1
	for i, p := range snap.Ports {
		if p.Name == port {
			n.PartnerPortID = i + 1
		}
	}
	fast := strings.EqualFold(o.Peer.LACPRate, "fast")
	if o.MemberState == intent.MemberBundled {
		n.ActorPortStatus = "bundled"
		n.PartnerPortState = EOSLacpPortState{Collecting: true, Distributing: true, Synchronization: true, Timeout: fast, Activity: true, Aggregation: true}
	} else {
		n.ActorPortStatus = "inactive"
		n.PartnerPortState = EOSLacpPortState{Timeout: fast, Activity: true, Aggregation: true}
	}
	return n, true
}
