package hostnet

import (
	"testing"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// TestParseBondADInfo decodes IFLA_LINKINFO > IFLA_INFO_DATA >
// IFLA_BOND_AD_INFO as the kernel nests it (bond_fill_info), with the
// NLA_F_NESTED flag on the nests.
func TestParseBondADInfo(t *testing.T) {
	msg := func(adInfo bool) []byte {
		data := nl.NewRtAttr(nl.IFLA_INFO_DATA|int(nl.NLA_F_NESTED), nil)
		data.AddRtAttr(nl.IFLA_BOND_MODE, []byte{4})
		if adInfo {
			ad := data.AddRtAttr(nl.IFLA_BOND_AD_INFO|int(nl.NLA_F_NESTED), nil)
			ad.AddRtAttr(nl.IFLA_BOND_AD_INFO_AGGREGATOR, nl.Uint16Attr(2))
			ad.AddRtAttr(nl.IFLA_BOND_AD_INFO_NUM_PORTS, nl.Uint16Attr(1))
			ad.AddRtAttr(nl.IFLA_BOND_AD_INFO_PARTNER_MAC, []byte{0xe2, 0xfa, 0xca, 0x60, 0xfd, 0xa2})
		}
		info := nl.NewRtAttr(unix.IFLA_LINKINFO|int(nl.NLA_F_NESTED), nil)
		info.AddRtAttr(nl.IFLA_INFO_KIND, nl.NonZeroTerminated("bond"))
		info.AddChild(data)
		b := nl.NewIfInfomsg(unix.AF_UNSPEC).Serialize()
		b = append(b, nl.NewRtAttr(unix.IFLA_IFNAME, nl.ZeroTerminated("mgmt-bo")).Serialize()...)
		return append(b, info.Serialize()...)
	}
	agg, partner, err := parseBondADInfo(msg(true))
	if err != nil || agg != 2 || partner != "e2:fa:ca:60:fd:a2" {
		t.Errorf("with ad_info: %d %q %v, want 2 e2:fa:ca:60:fd:a2", agg, partner, err)
	}
	// No active aggregator: the kernel sends no ad_info.
	agg, partner, err = parseBondADInfo(msg(false))
	if err != nil || agg != 0 || partner != "" {
		t.Errorf("without ad_info: %d %q %v, want 0 \"\"", agg, partner, err)
	}
	if _, _, err := parseBondADInfo([]byte{1, 2}); err == nil {
		t.Error("short message: want an error")
	}
}
