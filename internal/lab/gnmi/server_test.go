package gnmi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	gpb "github.com/openconfig/gnmi/proto/gnmi"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

const (
	testUser = "admin"
	testPass = "s3cret"
)

// testDevice is an OpenConfig switch whose Ethernet1 and Ethernet2 face the
// two NICs of an 802.3ad bond (lacp_rate fast), Ethernet3 an active-backup
// bond's NIC, Ethernet4 nothing.
func testDevice() *device.Device {
	lacp := func(nic string) *device.HostNIC {
		return &device.HostNIC{Host: "h0", NIC: nic, BondMode: intent.LACP, LACPRate: "fast", ClusterNetwork: "mgmt"}
	}
	return device.New("oc1", device.PlatformOpenConfig, []device.PortSpec{
		{Name: "Ethernet1", Peer: lacp("eno1")},
		{Name: "Ethernet2", Peer: lacp("eno2")},
		{Name: "Ethernet3", Peer: &device.HostNIC{Host: "h1", NIC: "eno3", BondMode: intent.ActiveBackup, ClusterNetwork: "oob"}},
		{Name: "Ethernet4"},
	})
}

type target struct {
	dev    *device.Device
	srv    *Server
	addr   string
	client gpb.GNMIClient
}

func startTarget(t testing.TB, opts Options) *target {
	t.Helper()
	if opts.Dir == "" && opts.CA == nil {
		opts.Dir = t.TempDir()
	}
	if opts.Username == "" {
		opts.Username, opts.Password = testUser, testPass
	}
	dev := testDevice()
	srv, err := New(dev, opts)
	if err != nil {
		t.Fatal(err)
	}
	a, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &target{dev: dev, srv: srv, addr: a.String(), client: dialTarget(t, a.String(), srv.CAFile())}
}

func dialTarget(t testing.TB, addr, caFile string) gpb.GNMIClient {
	t.Helper()
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("no CA in", caFile)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return gpb.NewGNMIClient(conn)
}

func authCtx(t testing.TB, user, pass string) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return metadata.AppendToOutgoingContext(ctx, "username", user, "password", pass)
}

func mustPath(t testing.TB, s string) *gpb.Path {
	t.Helper()
	p := &gpb.Path{}
	for _, part := range splitPath(s) {
		name, rest, _ := strings.Cut(part, "[")
		e := &gpb.PathElem{Name: name}
		for rest != "" {
			kv, after, _ := strings.Cut(rest, "]")
			k, v, _ := strings.Cut(kv, "=")
			if e.Key == nil {
				e.Key = map[string]string{}
			}
			e.Key[k] = v
			rest = strings.TrimPrefix(after, "[")
		}
		p.Elem = append(p.Elem, e)
	}
	return p
}

// splitPath splits on '/' outside brackets.
func splitPath(s string) []string {
	var out []string
	depth, start := 0, 1
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
		case '/':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func jv(s string) *gpb.TypedValue {
	return &gpb.TypedValue{Value: &gpb.TypedValue_JsonIetfVal{JsonIetfVal: []byte(s)}}
}

func upd(t testing.TB, path, val string) *gpb.Update {
	return &gpb.Update{Path: mustPath(t, path), Val: jv(val)}
}

// lacpLAGRequest is a LACP LAG Port-Channel10 with Ethernet1 and Ethernet2,
// trunk native 1 allowing 10 and 100-102, VLANs 10 and 100 defined.
func lacpLAGRequest(t testing.TB) *gpb.SetRequest {
	return &gpb.SetRequest{Update: []*gpb.Update{
		upd(t, "/network-instances/network-instance[name=default]/vlans/vlan[vlan-id=10]/config", `{"vlan-id":10,"name":"mgmt"}`),
		upd(t, "/network-instances/network-instance[name=default]/vlans/vlan[vlan-id=100]/config", `{"vlan-id":100}`),
		upd(t, "/interfaces/interface[name=Port-Channel10]/config", `{"name":"Port-Channel10","type":"iana-if-type:ieee8023adLag","mtu":9000}`),
		upd(t, "/interfaces/interface[name=Port-Channel10]/aggregation/config", `{"lag-type":"LACP","min-links":1}`),
		upd(t, "/interfaces/interface[name=Port-Channel10]/aggregation/switched-vlan/config", `{"interface-mode":"TRUNK","native-vlan":1,"trunk-vlans":[10,"100..102"]}`),
		upd(t, "/lacp/interfaces/interface[name=Port-Channel10]/config", `{"name":"Port-Channel10","interval":"FAST","lacp-mode":"ACTIVE"}`),
		upd(t, "/interfaces/interface[name=Ethernet1]/ethernet/config", `{"openconfig-if-aggregate:aggregate-id":"Port-Channel10"}`),
		upd(t, "/interfaces/interface[name=Ethernet2]/ethernet/config", `{"openconfig-if-aggregate:aggregate-id":"Port-Channel10"}`),
	}}
}

func getJSON(t *testing.T, tg *target, path string) any {
	t.Helper()
	resp, err := tg.client.Get(authCtx(t, testUser, testPass), &gpb.GetRequest{Path: []*gpb.Path{mustPath(t, path)}, Encoding: gpb.Encoding_JSON_IETF})
	if err != nil {
		t.Fatalf("get %s: %v", path, err)
	}
	if n := len(resp.Notification); n != 1 || len(resp.Notification[0].Update) != 1 {
		t.Fatalf("get %s: want one notification with one update, got %v", path, resp)
	}
	var v any
	if err := json.Unmarshal(resp.Notification[0].Update[0].Val.GetJsonIetfVal(), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCapabilities(t *testing.T) {
	tg := startTarget(t, Options{HideModels: []string{"openconfig-lacp"}})
	resp, err := tg.client.Capabilities(authCtx(t, testUser, testPass), &gpb.CapabilityRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range resp.SupportedModels {
		names = append(names, m.Name)
	}
	want := []string{"openconfig-interfaces", "openconfig-if-ethernet", "openconfig-if-aggregate", "openconfig-vlan", "openconfig-lldp", "openconfig-network-instance"}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("models (-want +got):\n%s", d)
	}
	if resp.GNMIVersion == "" || resp.SupportedEncodings[0] != gpb.Encoding_JSON_IETF {
		t.Errorf("version %q encodings %v", resp.GNMIVersion, resp.SupportedEncodings)
	}
}

func TestAuthentication(t *testing.T) {
	tg := startTarget(t, Options{})
	for _, tc := range []struct{ name, user, pass string }{
		{"wrong password", testUser, "nope"},
		{"wrong user", "root", testPass},
		{"no credentials", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tg.client.Capabilities(authCtx(t, tc.user, tc.pass), &gpb.CapabilityRequest{})
			if status.Code(err) != codes.Unauthenticated {
				t.Fatalf("want Unauthenticated, got %v", err)
			}
		})
	}
	tg.dev.SetFaults(device.Faults{AuthFail: true})
	if _, err := tg.client.Get(authCtx(t, testUser, testPass), &gpb.GetRequest{Encoding: gpb.Encoding_JSON_IETF}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("AuthFail fault: want Unauthenticated, got %v", err)
	}
}

func TestTLSWrongCA(t *testing.T) {
	tg := startTarget(t, Options{})
	other, err := LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := dialTarget(t, tg.addr, other.File())
	_, err = c.Capabilities(authCtx(t, testUser, testPass), &gpb.CapabilityRequest{})
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("want a certificate verification failure, got %v", err)
	}
}

func TestCAPersists(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.CertPEM()) != string(b.CertPEM()) || a.File() != filepath.Join(dir, "ca.pem") {
		t.Fatal("CA not reused from the lab directory")
	}
}

func TestSetLACPLAGThenGet(t *testing.T) {
	tg := startTarget(t, Options{})
	if _, err := tg.client.Set(authCtx(t, testUser, testPass), lacpLAGRequest(t)); err != nil {
		t.Fatal(err)
	}
	st := tg.dev.State()
	po := st.Interface("Port-Channel10")
	if po == nil {
		t.Fatal("no Port-Channel10 in the device model")
	}
	wantPo := intent.Interface{
		Name: "Port-Channel10", Kind: intent.KindLAG, AdminUp: true, OperUp: true, MTU: 9000,
		Mode: intent.ModeTrunk, NativeVLAN: 1, Allowed: intent.NewVLANSet(10, 100, 101, 102),
		LAGType: intent.LAGLACP, Members: []string{"Ethernet1", "Ethernet2"}, MinLinks: 1,
	}
	if d := cmp.Diff(wantPo, *po); d != "" {
		t.Errorf("Port-Channel10 (-want +got):\n%s", d)
	}
	for _, m := range []string{"Ethernet1", "Ethernet2"} {
		in := st.Interface(m)
		if in.ChannelGroup != 10 || in.ChannelMode != intent.ChannelActive || in.LACPRate != "fast" || in.MemberState != intent.MemberBundled {
			t.Errorf("%s: group %d mode %s rate %s state %s", m, in.ChannelGroup, in.ChannelMode, in.LACPRate, in.MemberState)
		}
	}
	if !st.HasVLAN(10) || !st.HasVLAN(100) {
		t.Errorf("vlans %v", st.VLANs)
	}

	// Get at several prefixes of the same subtree.
	agg := getJSON(t, tg, "/interfaces/interface[name=Port-Channel10]/aggregation/config")
	if d := cmp.Diff(map[string]any{"lag-type": "LACP", "min-links": 1.0}, agg); d != "" {
		t.Errorf("aggregation/config (-want +got):\n%s", d)
	}
	sv := getJSON(t, tg, "/interfaces/interface[name=Port-Channel10]/aggregation/switched-vlan/config/trunk-vlans")
	if d := cmp.Diff([]any{10.0, "100..102"}, sv); d != "" {
		t.Errorf("trunk-vlans (-want +got):\n%s", d)
	}
	eth := getJSON(t, tg, "/interfaces/interface[name=Ethernet1]/ethernet")
	wantEth := map[string]any{
		"config":                        map[string]any{"openconfig-if-aggregate:aggregate-id": "Port-Channel10"},
		"state":                         map[string]any{"openconfig-if-aggregate:aggregate-id": "Port-Channel10"},
		"openconfig-vlan:switched-vlan": map[string]any{"config": map[string]any{"interface-mode": "ACCESS", "access-vlan": 1.0}, "state": map[string]any{"interface-mode": "ACCESS", "access-vlan": 1.0}},
	}
	if d := cmp.Diff(wantEth, eth); d != "" {
		t.Errorf("Ethernet1 ethernet (-want +got):\n%s", d)
	}
	member := getJSON(t, tg, "/lacp/interfaces/interface[name=Port-Channel10]/members/member[interface=Ethernet2]/state")
	wantMember := map[string]any{
		"interface": "Ethernet2", "activity": "ACTIVE", "timeout": "SHORT", "synchronization": "IN_SYNC",
		"aggregatable": true, "collecting": true, "distributing": true, "partner-id": device.HostChassisMAC("h0"),
	}
	if d := cmp.Diff(wantMember, member); d != "" {
		t.Errorf("lacp member (-want +got):\n%s", d)
	}
	vlan := getJSON(t, tg, "/network-instances/network-instance[name=default]/vlans/vlan[vlan-id=100]/config/name")
	if vlan != "VLAN0100" {
		t.Errorf("vlan 100 name %v", vlan)
	}
	lldp := getJSON(t, tg, "/lldp/interfaces/interface[name=Ethernet3]/neighbors")
	wantLLDP := map[string]any{"neighbor": []any{map[string]any{"id": device.HostChassisMAC("h1"), "state": map[string]any{
		"id": device.HostChassisMAC("h1"), "system-name": "h1", "port-id": device.DeriveMAC("h1", "eno3"),
		"chassis-id": device.HostChassisMAC("h1"), "port-description": "eno3"}}}}
	if d := cmp.Diff(wantLLDP, lldp); d != "" {
		t.Errorf("lldp (-want +got):\n%s", d)
	}
	typ := getJSON(t, tg, "/interfaces/interface[name=Port-Channel10]/state/type")
	if typ != "iana-if-type:ieee8023adLag" {
		t.Errorf("state/type %v", typ)
	}
}

func TestGetWildcardAndRoot(t *testing.T) {
	tg := startTarget(t, Options{})
	resp, err := tg.client.Get(authCtx(t, testUser, testPass), &gpb.GetRequest{
		Path: []*gpb.Path{mustPath(t, "/interfaces/interface/state/oper-status")}, Encoding: gpb.Encoding_JSON_IETF})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, u := range resp.Notification[0].Update {
		got[u.Path.Elem[1].Key["name"]] = string(u.Val.GetJsonIetfVal())
	}
	want := map[string]string{"Ethernet1": `"UP"`, "Ethernet2": `"UP"`, "Ethernet3": `"UP"`, "Ethernet4": `"DOWN"`}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("oper-status (-want +got):\n%s", d)
	}
	root := getJSON(t, tg, "/").(map[string]any)
	for _, k := range []string{"openconfig-interfaces:interfaces", "openconfig-network-instance:network-instances", "openconfig-lacp:lacp", "openconfig-lldp:lldp"} {
		if _, ok := root[k]; !ok {
			t.Errorf("root has no %s: %v", k, root)
		}
	}
	_, err = tg.client.Get(authCtx(t, testUser, testPass), &gpb.GetRequest{Path: []*gpb.Path{mustPath(t, "/interfaces/interface[name=Ethernet99]")}, Encoding: gpb.Encoding_JSON_IETF})
	if status.Code(err) != codes.NotFound {
		t.Errorf("missing interface: want NotFound, got %v", err)
	}
	_, err = tg.client.Get(authCtx(t, testUser, testPass), &gpb.GetRequest{Path: []*gpb.Path{mustPath(t, "/interfaces/bogus")}, Encoding: gpb.Encoding_JSON_IETF})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "/interfaces/bogus") {
		t.Errorf("unknown path: want InvalidArgument naming it, got %v", err)
	}
}

// TestSetAtomic: one bad operation fails the whole request with
// InvalidArgument naming the path, and the device does not change.
func TestSetAtomic(t *testing.T) {
	good := func(t *testing.T) []*gpb.Update { return lacpLAGRequest(t).Update }
	cases := []struct {
		name     string
		req      func(t *testing.T) *gpb.SetRequest
		wantPath string
	}{
		{"unknown path", func(t *testing.T) *gpb.SetRequest {
			return &gpb.SetRequest{Update: append(good(t), upd(t, "/interfaces/interface[name=Ethernet3]/config/speed", `"10G"`))}
		}, "/interfaces/interface[name=Ethernet3]/config/speed"},
		{"unknown member in value", func(t *testing.T) *gpb.SetRequest {
			return &gpb.SetRequest{Update: append(good(t), upd(t, "/interfaces/interface[name=Ethernet3]/config", `{"speed":"10G"}`))}
		}, "/interfaces/interface[name=Ethernet3]/config/speed"},
		{"vlan out of range", func(t *testing.T) *gpb.SetRequest {
			return &gpb.SetRequest{Update: append(good(t), upd(t, "/interfaces/interface[name=Ethernet3]/ethernet/switched-vlan/config", `{"interface-mode":"TRUNK","trunk-vlans":[5000]}`))}
		}, "/interfaces/interface[name=Ethernet3]/ethernet/switched-vlan/config/trunk-vlans"},
		{"bad enum", func(t *testing.T) *gpb.SetRequest {
			return &gpb.SetRequest{Update: append(good(t), upd(t, "/interfaces/interface[name=Port-Channel10]/aggregation/config/lag-type", `"ROUND_ROBIN"`))}
		}, "/interfaces/interface[name=Port-Channel10]/aggregation/config/lag-type"},
		{"read-only state", func(t *testing.T) *gpb.SetRequest {
			return &gpb.SetRequest{Update: append(good(t), upd(t, "/interfaces/interface[name=Ethernet3]/state/mtu", `9000`))}
		}, "/interfaces/interface[name=Ethernet3]/state"},
		{"aggregate-id names no LAG", func(t *testing.T) *gpb.SetRequest {
			return &gpb.SetRequest{Update: append(good(t), upd(t, "/interfaces/interface[name=Ethernet3]/ethernet/config/aggregate-id", `"Port-Channel99"`))}
		}, "/interfaces/interface[name=Ethernet3]/ethernet/config/aggregate-id"},
		{"no such port", func(t *testing.T) *gpb.SetRequest {
			return &gpb.SetRequest{Update: append(good(t), upd(t, "/interfaces/interface[name=Ethernet42]/config/mtu", `9000`))}
		}, "/interfaces/interface[name=Ethernet42]"},
		{"delete vlan 1", func(t *testing.T) *gpb.SetRequest {
			return &gpb.SetRequest{Delete: []*gpb.Path{mustPath(t, "/network-instances/network-instance[name=default]/vlans/vlan[vlan-id=1]")}, Update: good(t)}
		}, "/network-instances/network-instance[name=default]/vlans/vlan[vlan-id=1]"},
		{"other network instance", func(t *testing.T) *gpb.SetRequest {
			return &gpb.SetRequest{Update: append(good(t), upd(t, "/network-instances/network-instance[name=blue]/vlans/vlan[vlan-id=7]/config", `{"vlan-id":7}`))}
		}, "/network-instances/network-instance[name=blue]"},
		{"key contradicts path", func(t *testing.T) *gpb.SetRequest {
			return &gpb.SetRequest{Update: append(good(t), upd(t, "/interfaces/interface[name=Ethernet3]/config", `{"name":"Ethernet4"}`))}
		}, "/interfaces/interface[name=Ethernet3]/config/name"},
		{"not json", func(t *testing.T) *gpb.SetRequest {
			return &gpb.SetRequest{Update: append(good(t), upd(t, "/interfaces/interface[name=Ethernet3]/config", `{"mtu":`))}
		}, "/interfaces/interface[name=Ethernet3]/config"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := startTarget(t, Options{})
			before := tg.dev.Running()
			_, err := tg.client.Set(authCtx(t, testUser, testPass), tc.req(t))
			if status.Code(err) != codes.InvalidArgument {
				t.Fatalf("want InvalidArgument, got %v", err)
			}
			t.Logf("refused: %s", status.Convert(err).Message())
			if !strings.Contains(status.Convert(err).Message(), tc.wantPath) {
				t.Errorf("error %q does not name %s", status.Convert(err).Message(), tc.wantPath)
			}
			after := tg.dev.Running()
			if !before.Equal(&after) {
				t.Error("the device changed although the request failed")
			}
		})
	}
}

func TestSetRejectCommitFault(t *testing.T) {
	tg := startTarget(t, Options{})
	tg.dev.SetFaults(device.Faults{RejectCommit: true})
	before := tg.dev.Running()
	_, err := tg.client.Set(authCtx(t, testUser, testPass), lacpLAGRequest(t))
	if status.Code(err) != codes.Aborted {
		t.Fatalf("want Aborted, got %v", err)
	}
	after := tg.dev.Running()
	if !before.Equal(&after) {
		t.Error("rejected commit changed the device")
	}
}

// TestSetSemantics covers replace versus update, deletes, LAG type changes
// and a change made outside gNMI (as the CLI frontends do) showing in Get.
func TestSetSemantics(t *testing.T) {
	tg := startTarget(t, Options{})
	ctx := authCtx(t, testUser, testPass)
	if _, err := tg.client.Set(ctx, lacpLAGRequest(t)); err != nil {
		t.Fatal(err)
	}
	// Update merges: only native-vlan changes.
	if _, err := tg.client.Set(ctx, &gpb.SetRequest{Update: []*gpb.Update{
		upd(t, "/interfaces/interface[name=Port-Channel10]/aggregation/switched-vlan/config", `{"native-vlan":10}`),
	}}); err != nil {
		t.Fatal(err)
	}
	st0 := tg.dev.State()
	po := st0.Interface("Port-Channel10")
	if po.NativeVLAN != 10 || !po.Allowed.Equal(intent.NewVLANSet(10, 100, 101, 102)) || po.Mode != intent.ModeTrunk {
		t.Errorf("after update: %+v", po)
	}
	// Replace drops what the value leaves out: trunk-vlans back to all.
	if _, err := tg.client.Set(ctx, &gpb.SetRequest{Replace: []*gpb.Update{
		upd(t, "/interfaces/interface[name=Port-Channel10]/aggregation/switched-vlan/config", `{"interface-mode":"TRUNK"}`),
	}}); err != nil {
		t.Fatal(err)
	}
	st0 = tg.dev.State()
	po = st0.Interface("Port-Channel10")
	if po.NativeVLAN != 1 || !po.Allowed.Equal(intent.VLANRange(1, 4094)) {
		t.Errorf("after replace: native %d allowed %s", po.NativeVLAN, po.Allowed)
	}
	// LACP -> static in one request: members follow the LAG's type.
	if _, err := tg.client.Set(ctx, &gpb.SetRequest{
		Delete: []*gpb.Path{mustPath(t, "/lacp/interfaces/interface[name=Port-Channel10]")},
		Update: []*gpb.Update{upd(t, "/interfaces/interface[name=Port-Channel10]/aggregation/config/lag-type", `"STATIC"`)},
	}); err != nil {
		t.Fatal(err)
	}
	st := tg.dev.State()
	if in := st.Interface("Ethernet1"); in.ChannelMode != intent.ChannelOn || st.Interface("Port-Channel10").LAGType != intent.LAGStatic {
		t.Errorf("after type change: member mode %s lag %s", in.ChannelMode, st.Interface("Port-Channel10").LAGType)
	}
	// Deleting the LAG and its members' aggregate-id together.
	if _, err := tg.client.Set(ctx, &gpb.SetRequest{Delete: []*gpb.Path{
		mustPath(t, "/interfaces/interface[name=Port-Channel10]"),
		mustPath(t, "/interfaces/interface[name=Ethernet1]/ethernet/config/aggregate-id"),
		mustPath(t, "/interfaces/interface[name=Ethernet2]/ethernet/config/aggregate-id"),
		mustPath(t, "/network-instances/network-instance[name=default]/vlans/vlan[vlan-id=100]"),
		mustPath(t, "/interfaces/interface[name=Ethernet4]/config/description"), // absent: accepted
	}}); err != nil {
		t.Fatal(err)
	}
	st = tg.dev.State()
	if st.Interface("Port-Channel10") != nil || st.Interface("Ethernet1").ChannelGroup != 0 || st.HasVLAN(100) {
		t.Errorf("after delete: %+v", st)
	}
	// A change made through the model (as the SSH dialects make them).
	if err := tg.dev.SetMTU("Ethernet4", 9216); err != nil {
		t.Fatal(err)
	}
	if got := getJSON(t, tg, "/interfaces/interface[name=Ethernet4]/config/mtu"); got != 9216.0 {
		t.Errorf("mtu set through the model: got %v over gNMI", got)
	}
}

func TestLAGWithoutMembersKeepsType(t *testing.T) {
	tg := startTarget(t, Options{})
	ctx := authCtx(t, testUser, testPass)
	if _, err := tg.client.Set(ctx, &gpb.SetRequest{Update: []*gpb.Update{
		upd(t, "/interfaces/interface[name=Port-Channel20]/config", `{"name":"Port-Channel20","type":"iana-if-type:ieee8023adLag"}`),
		upd(t, "/interfaces/interface[name=Port-Channel20]/aggregation/config", `{"lag-type":"LACP"}`),
		upd(t, "/lacp/interfaces/interface[name=Port-Channel20]/config", `{"name":"Port-Channel20","lacp-mode":"PASSIVE","interval":"FAST"}`),
	}}); err != nil {
		t.Fatal(err)
	}
	if got := getJSON(t, tg, "/lacp/interfaces/interface[name=Port-Channel20]/config"); !cmp.Equal(got, map[string]any{"name": "Port-Channel20", "lacp-mode": "PASSIVE", "interval": "FAST"}) {
		t.Errorf("lacp config of an empty LAG: %v", got)
	}
	// A member joining later takes the LAG's LACP settings.
	if _, err := tg.client.Set(ctx, &gpb.SetRequest{Update: []*gpb.Update{
		upd(t, "/interfaces/interface[name=Ethernet1]/ethernet/config/aggregate-id", `"Port-Channel20"`),
	}}); err != nil {
		t.Fatal(err)
	}
	st := tg.dev.State()
	in := st.Interface("Ethernet1")
	if in.ChannelMode != intent.ChannelPassive || in.LACPRate != "fast" {
		t.Errorf("member: mode %s rate %s", in.ChannelMode, in.LACPRate)
	}
}

func TestLatencyFaultHonoursDeadline(t *testing.T) {
	tg := startTarget(t, Options{})
	tg.dev.SetFaults(device.Faults{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(authCtx(t, testUser, testPass), 50*time.Millisecond)
	defer cancel()
	_, err := tg.client.Capabilities(ctx, &gpb.CapabilityRequest{})
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("want DeadlineExceeded, got %v", err)
	}
}

func TestDropAfterFault(t *testing.T) {
	tg := startTarget(t, Options{})
	tg.dev.SetFaults(device.Faults{DropAfter: 2})
	ctx := authCtx(t, testUser, testPass)
	for i := 0; i < 2; i++ {
		if _, err := tg.client.Capabilities(ctx, &gpb.CapabilityRequest{}); err != nil {
			t.Fatalf("rpc %d: %v", i+1, err)
		}
	}
	if _, err := tg.client.Capabilities(ctx, &gpb.CapabilityRequest{}); status.Code(err) != codes.Unavailable {
		t.Fatalf("third rpc: want Unavailable, got %v", err)
	}
}

func TestBlackholeFault(t *testing.T) {
	tg := startTarget(t, Options{})
	tg.dev.SetFaults(device.Faults{Blackhole: true})
	ctx, cancel := context.WithTimeout(authCtx(t, testUser, testPass), 100*time.Millisecond)
	defer cancel()
	_, err := tg.client.Capabilities(ctx, &gpb.CapabilityRequest{})
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("a device that never answers: want DeadlineExceeded, got %v", err)
	}
}

func TestGetConfigOnlyAndPlainJSON(t *testing.T) {
	tg := startTarget(t, Options{})
	ctx := authCtx(t, testUser, testPass)
	resp, err := tg.client.Get(ctx, &gpb.GetRequest{Path: []*gpb.Path{mustPath(t, "/interfaces/interface[name=Ethernet1]")}, Type: gpb.GetRequest_CONFIG, Encoding: gpb.Encoding_JSON})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(resp.Notification[0].Update[0].Val.GetJsonVal(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"name":   "Ethernet1",
		"config": map[string]any{"name": "Ethernet1", "type": "ethernetCsmacd", "enabled": true},
		"ethernet": map[string]any{"config": map[string]any{},
			"switched-vlan": map[string]any{"config": map[string]any{"interface-mode": "ACCESS", "access-vlan": 1.0}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("config-only plain JSON (-want +got):\n%s", d)
	}
	if _, err := tg.client.Get(ctx, &gpb.GetRequest{Encoding: gpb.Encoding_PROTO}); status.Code(err) != codes.Unimplemented {
		t.Errorf("PROTO encoding: want Unimplemented, got %v", err)
	}
}

func TestServeStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dev := testDevice()
	hook := Hook(Options{Dir: t.TempDir(), Username: testUser, Password: testPass})
	addr, stop, err := hook(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	stop()
	stop() // idempotent
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("listener still open after stop")
	}
}
