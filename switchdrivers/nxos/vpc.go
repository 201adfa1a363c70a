package nxos

import (
	"fmt"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers/internal/norm"
)

// CmdShowVPC reads the vPC peering. NX-OS refuses it without `feature vpc`.
const CmdShowVPC = "show vpc | json"

// VPCRow is one vPC of `show vpc | json`.
type VPCRow struct {
	ID                Text `json:"vpc-id"`
	IfIndex           Text `json:"vpc-ifindex"`
	PortState         Text `json:"vpc-port-state"`
	Consistency       Text `json:"vpc-consistency"`
	ConsistencyStatus Text `json:"vpc-consistency-status"`
}

// VPC is `show vpc | json` (or `| json native`: numbers instead of strings,
// every table a list).
type VPC struct {
	DomainID              Text `json:"vpc-domain-id"`
	PeerStatus            Text `json:"vpc-peer-status"`
	KeepaliveStatus       Text `json:"vpc-peer-keepalive-status"`
	PeerConsistency       Text `json:"vpc-peer-consistency"`
	PeerConsistencyStatus Text `json:"vpc-peer-consistency-status"`
	PerVLANConsistency    Text `json:"vpc-per-vlan-peer-consistency"`
	Type2Consistency      Text `json:"vpc-type-2-consistency"`
	Type2Status           Text `json:"vpc-type-2-consistency-status"`
	PeerLinks             struct {
		Row Rows[struct {
			IfIndex   Text `json:"peerlink-ifindex"`
			PortState Text `json:"peer-link-port-state"`
		}] `json:"ROW_peerlink"`
	} `json:"TABLE_peerlink"`
	VPCs struct {
		Row Rows[VPCRow] `json:"ROW_vpc"`
	} `json:"TABLE_vpc"`
}

// ParseVPC decodes `show vpc | json`; output without a domain id is not
// that command's.
func ParseVPC(b []byte) (*VPC, error) {
	v, err := norm.DecodeJSON[VPC](b, CmdShowVPC)
	if err != nil {
		return nil, err
	}
	if v.DomainID == "" {
		return nil, fmt.Errorf("parse %q: no vPC domain id", CmdShowVPC)
	}
	return v, nil
}

// Peering is the vPC peering in vendor-neutral words: active when the peer
// status is peer-ok, the peer link up when its port state is 1, the
// keep-alive up when the peer is peer-alive. Inconsistent lists the global,
// per-VLAN and type-2 consistency and every vPC that is not consistent.
func (v *VPC) Peering() *intent.MLAGState {
	is := func(t Text, want ...string) bool {
		s := strings.ToLower(strings.TrimSpace(string(t)))
		for _, w := range want {
			if s == w {
				return true
			}
		}
		return false
	}
	// NX-API prints not_configured; the text form says "Not configured".
	if is(v.DomainID, "not_configured", "not configured", "none") {
		return &intent.MLAGState{State: intent.MLAGDisabled}
	}
	s := &intent.MLAGState{Domain: string(v.DomainID), State: intent.MLAGInactive}
	if is(v.PeerStatus, "peer-ok") {
		s.State = intent.MLAGActive
	}
	for _, r := range v.PeerLinks.Row {
		// 1 on most releases; the Nexus 3500 NX-API reference shows
		// "enabled".
		if is(r.PortState, "1", "up", "enabled") {
			s.PeerLinkUp = true
		}
	}
	s.KeepaliveUp = is(v.KeepaliveStatus, "peer-alive")
	add := func(what string, c, status Text) {
		if c != "" && !is(c, "consistent") {
			s.Inconsistent = append(s.Inconsistent, what+": "+reason(c, status))
		}
	}
	add("global", v.PeerConsistency, v.PeerConsistencyStatus)
	add("per-vlan", v.PerVLANConsistency, "")
	add("type-2", v.Type2Consistency, v.Type2Status)
	for _, r := range v.VPCs.Row {
		add(fmt.Sprintf("vpc %s (%s)", r.ID, r.IfIndex), r.Consistency, r.ConsistencyStatus)
	}
	return s
}

func reason(c, status Text) string {
	if status == "" {
		return string(c)
	}
	return string(c) + " (" + string(status) + ")"
}

// ObserveVPC reads the output of CmdShowVPC; empty output (the command was
// refused: no `feature vpc`) is no vPC state.
func ObserveVPC(b []byte) (*intent.MLAGState, error) {
	if len(b) == 0 {
		return nil, nil
	}
	v, err := ParseVPC(b)
	if err != nil {
		return nil, err
	}
	return v.Peering(), nil
}
