package validate_test

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/hostnet"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/validate"
)

// captured reads a host's state from captures in hostnet/testdata (see its
// SOURCES.md) through the parsers remote observation uses: `ip -d -j link
// show`, `bridge -j vlan show` (optional) and /proc/net/bonding/<bond>.
func captured(t *testing.T, ipLink, bridgeVLANs, bond, bonding string) *intent.HostState {
	t.Helper()
	var vlans []byte
	if bridgeVLANs != "" {
		vlans = mustRead(t, bridgeVLANs)
	}
	st, err := hostnet.HostStateFromIproute2("h", mustRead(t, ipLink), vlans, map[string][]byte{bond: mustRead(t, bonding)})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// lacpDesired is host h with one 802.3ad cluster network mgmt on nics, each
// cabled to Ethernet1 of the switch sws names for it, and those switches;
// peers makes the first two MLAG peers.
func lacpDesired(nics, sws []string, peers bool) *intent.Desired {
	d := &intent.Desired{Hosts: []intent.DesiredHost{{Name: "h", Bonds: []intent.DesiredBond{{
		ClusterNetwork: "mgmt", Bond: "mgmt-bo", Bridge: "mgmt-br", NICs: nics, MTU: 1500, PVID: 1,
		Options: intent.BondInfo{Mode: intent.LACP, Miimon: 100, LACPRate: "fast", XmitHashPolicy: "layer3+4"},
	}}}}}
	for i, nic := range nics {
		j := slices.IndexFunc(d.Switches, func(s intent.DesiredSwitch) bool { return s.Name == sws[i] })
		if j < 0 {
			d.Switches = append(d.Switches, intent.DesiredSwitch{Name: sws[i]})
			j = len(d.Switches) - 1
		}
		d.Switches[j].Ports = append(d.Switches[j].Ports, intent.DesiredPort{Name: "Ethernet1", Host: "h", NIC: nic, ClusterNetwork: "mgmt", BondMode: intent.LACP})
	}
	if peers && len(d.Switches) == 2 {
		d.Switches[0].MLAGPeer, d.Switches[1].MLAGPeer = d.Switches[1].Name, d.Switches[0].Name
	}
	return d
}

// TestHostLACPFromCaptures checks the host LACP rules on real captured
// states. Only the LACP codes are compared: the captures other than the
// bundled one carry no bridge VLANs, so other host rules are not under
// test here.
func TestHostLACPFromCaptures(t *testing.T) {
	const (
		twoIP   = "ip_-d_-j_link_show.realkernel-8023ad-two-partners.json"
		twoProc = "proc_net_bonding_mgmt-bo.realkernel-8023ad-two-partners.txt"
	)
	type want struct {
		code, object, expected, found string
		msg                           []string // substrings of the message
	}
	h0NotBundled := want{"LACP_NOT_BUNDLED", "h0", "in aggregator 2 with a partner", "aggregator 1, partner 3a:5f:bc:5a:47:80",
		[]string{"mgmt-bo member h0 (cabled to leaf1 Ethernet1)", "not the bond's active 2"}}
	for _, tc := range []struct {
		name            string
		ipLink, bonding string
		d               *intent.Desired
		mutate          func(*intent.HostState)
		want            []want
	}{
		{name: "two LACP systems, switches not MLAG peers", ipLink: twoIP, bonding: twoProc,
			d: lacpDesired([]string{"h0", "h1"}, []string{"leaf1", "leaf2"}, false),
			want: []want{h0NotBundled,
				{"LACP_PARTNER_MISMATCH", "mgmt-bo", "one partner system", "3a:5f:bc:5a:47:80 on h0; e2:fa:ca:60:fd:a2 on h1",
					[]string{"cabled to leaf1 and leaf2, which are not one MLAG pair"}}}},
		{name: "two LACP systems on an MLAG pair", ipLink: twoIP, bonding: twoProc,
			d: lacpDesired([]string{"h0", "h1"}, []string{"leaf1", "leaf2"}, true),
			want: []want{h0NotBundled,
				{"LACP_PARTNER_MISMATCH", "mgmt-bo", "one partner system (the MLAG system of leaf1 and leaf2)", "3a:5f:bc:5a:47:80 on h0; e2:fa:ca:60:fd:a2 on h1",
					[]string{"MLAG peers leaf1 and leaf2", "not an MLAG on both peers"}}}},
		{name: "two LACP systems, both NICs cabled to one switch", ipLink: twoIP, bonding: twoProc,
			d: lacpDesired([]string{"h0", "h1"}, []string{"leaf1", "leaf1"}, false),
			want: []want{h0NotBundled,
				{"LACP_PARTNER_MISMATCH", "mgmt-bo", "one partner system", "3a:5f:bc:5a:47:80 on h0; e2:fa:ca:60:fd:a2 on h1",
					[]string{"cabled to leaf1 in the inventory", "cabled to another device"}}}},
		// Read without CAP_NET_ADMIN, h0's partner is unknown: it is still
		// not bundled, but the mismatch cannot be seen.
		{name: "two LACP systems, read unprivileged",
			ipLink: "ip_-d_-j_link_show.realkernel-8023ad-two-partners-unprivileged.json", bonding: "proc_net_bonding_mgmt-bo.realkernel-8023ad-two-partners-unprivileged.txt",
			d:    lacpDesired([]string{"h0", "h1"}, []string{"leaf1", "leaf2"}, false),
			want: []want{{"LACP_NOT_BUNDLED", "h0", "in aggregator 2 with a partner", "aggregator 1", []string{"leaf1 Ethernet1"}}}},
		{name: "facing plain ports, no partner",
			ipLink: "ip_-d_-j_link_show.realkernel-8023ad-facing-bridge.json", bonding: "proc_net_bonding_mgmt-bo.realkernel-8023ad-facing-bridge.txt",
			d: lacpDesired([]string{"h0", "h1"}, []string{"leaf1", "leaf2"}, false),
			want: []want{
				{"LACP_NOT_BUNDLED", "h0", "in aggregator 1 with a partner", "no partner (00:00:00:00:00:00)",
					[]string{"mgmt-bo member h0 (cabled to leaf1 Ethernet1)", "hears no LACP partner"}},
				{"LACP_NOT_BUNDLED", "h1", "in aggregator 1 with a partner", "aggregator 2, no partner (00:00:00:00:00:00)",
					[]string{"mgmt-bo member h1 (cabled to leaf2 Ethernet1)", "hears no LACP partner"}}}},
		{name: "bond down, aggregator N/A",
			ipLink: "ip_-d_-j_link_show.realkernel-8023ad-bond-down.json", bonding: "proc_net_bonding_mgmt-bo.realkernel-8023ad-bond-down.txt",
			d: lacpDesired([]string{"h0", "h1"}, []string{"leaf1", "leaf2"}, false),
			want: []want{
				{"LACP_NOT_BUNDLED", "h0", "in the active aggregator with a partner", "mgmt-bo down, aggregator N/A", []string{"the bond is down"}},
				{"LACP_NOT_BUNDLED", "h1", "in the active aggregator with a partner", "mgmt-bo down, aggregator N/A", []string{"the bond is down"}}}},
		{name: "aggregator N/A on an up bond",
			ipLink: "ip_-d_-j_link_show.realkernel-8023ad-bond-down.json", bonding: "proc_net_bonding_mgmt-bo.realkernel-8023ad-bond-down.txt",
			d:      lacpDesired([]string{"h0", "h1"}, []string{"leaf1", "leaf2"}, false),
			mutate: func(st *intent.HostState) { st.Link("mgmt-bo").AdminUp = true },
			want: []want{
				{"LACP_NOT_BUNDLED", "h0", "in the active aggregator with a partner", "aggregator N/A", []string{"not put it in an aggregator"}},
				{"LACP_NOT_BUNDLED", "h1", "in the active aggregator with a partner", "aggregator N/A", []string{"not put it in an aggregator"}}}},
		// The rules are for 802.3ad bonds only: the same slaves under a
		// bond in another mode are not judged on LACP.
		{name: "bond in another mode", ipLink: twoIP, bonding: twoProc,
			d:      lacpDesired([]string{"h0", "h1"}, []string{"leaf1", "leaf2"}, false),
			mutate: func(st *intent.HostState) { st.Link("mgmt-bo").Bond.Mode = intent.BalanceXOR }},
		{name: "NICs without slave state are not judged", ipLink: twoIP, bonding: twoProc,
			d: lacpDesired([]string{"h0", "h1"}, []string{"leaf1", "leaf2"}, false),
			mutate: func(st *intent.HostState) {
				st.Link("h0").BondSlave, st.Link("h1").BondSlave = nil, nil
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := captured(t, tc.ipLink, "", "mgmt-bo", tc.bonding)
			if tc.mutate != nil {
				tc.mutate(st)
			}
			var got []want
			for _, f := range validate.Check(validate.Input{Desired: tc.d, Observed: &intent.Observed{Hosts: []intent.HostState{*st}}}) {
				if !strings.HasPrefix(string(f.Code), "LACP_") {
					continue
				}
				if f.Device != "h" || f.Severity != validate.SeverityError {
					t.Errorf("%s %s: device %q severity %q, want h, error", f.Code, f.Object, f.Device, f.Severity)
				}
				w := want{code: string(f.Code), object: f.Object, expected: f.Expected, found: f.Found}
				for _, tw := range tc.want {
					if tw.code == w.code && tw.object == w.object {
						for _, m := range tw.msg {
							if !strings.Contains(f.Message, m) {
								t.Errorf("%s %s: message %q lacks %q", f.Code, f.Object, f.Message, m)
							}
						}
						w.msg = tw.msg
					}
				}
				got = append(got, w)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("LACP findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHostLACPBundledIsClean: the captured host with mgmt-bo bundled
// (802.3ad) and oob-bo (active-backup), checked against the desired state
// it was built from, has no finding at all.
func TestHostLACPBundledIsClean(t *testing.T) {
	st, err := hostnet.HostStateFromIproute2("h", mustRead(t, "ip_-d_-j_link_show.realkernel-host.json"), mustRead(t, "bridge_-j_vlan_show.realkernel-host.json"),
		map[string][]byte{
			"mgmt-bo": mustRead(t, "proc_net_bonding_mgmt-bo.realkernel-8023ad-bundled.txt"),
			"oob-bo":  mustRead(t, "proc_net_bonding_oob-bo.realkernel-active-backup.txt"),
		})
	if err != nil {
		t.Fatal(err)
	}
	d := lacpDesired([]string{"va0", "va1"}, []string{"leaf1", "leaf2"}, true)
	mgmt := &d.Hosts[0].Bonds[0]
	mgmt.VLANs, mgmt.MgmtVLAN = intent.NewVLANSet(10, 100, 200, 201, 202), 10
	d.Hosts[0].Bonds = append(d.Hosts[0].Bonds, intent.DesiredBond{ClusterNetwork: "oob", Bond: "oob-bo", Bridge: "oob-br", NICs: []string{"va2", "va3"},
		MTU: 1500, PVID: 1, Options: intent.BondInfo{Mode: intent.ActiveBackup, Miimon: 100}})
	if fs := validate.Check(validate.Input{Desired: d, Observed: &intent.Observed{Hosts: []intent.HostState{*st}}}); len(fs) != 0 {
		t.Errorf("findings on the bundled capture: %+v", fs)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "hostnet", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHostLACPInJUnit: LACP_NOT_BUNDLED is a rule of switches and hosts, so
// a host's JUnit suite lists it (failed here) next to LACP_PARTNER_MISMATCH.
func TestHostLACPInJUnit(t *testing.T) {
	st := captured(t, "ip_-d_-j_link_show.realkernel-8023ad-facing-bridge.json", "", "mgmt-bo", "proc_net_bonding_mgmt-bo.realkernel-8023ad-facing-bridge.txt")
	fs := validate.Check(validate.Input{Desired: lacpDesired([]string{"h0", "h1"}, []string{"leaf1", "leaf2"}, false), Observed: &intent.Observed{Hosts: []intent.HostState{*st}}})
	var b bytes.Buffer
	if err := validate.NewReport([]string{"h", "leaf1"}, nil, nil, fs).WriteJUnit(&b, map[string]string{"h": "host", "leaf1": "switch"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			got[s.Name+" "+c.Name] = map[bool]string{true: "failed", false: "passed"}[c.Failure != nil]
		}
	}
	for k, want := range map[string]string{
		"h LACP_NOT_BUNDLED":          "failed",
		"h LACP_PARTNER_MISMATCH":     "passed",
		"leaf1 LACP_NOT_BUNDLED":      "passed",
		"leaf1 LACP_PARTNER_MISMATCH": "",
	} {
		if got[k] != want {
			t.Errorf("%s: %q, want %q", k, got[k], want)
		}
	}
}
