package openconfig

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab"
	labgnmi "github.com/netalign/netalign/internal/lab/gnmi"
	"github.com/netalign/netalign/inventory"
	"github.com/netalign/netalign/switchdrivers"
)

// TestLabInventory runs the driver the way netalign does against `netalign
// lab`: the lab starts an OpenConfig switch through the gNMI hook and writes
// an inventory pointing at it (address, port, CA file, credential
// variables); ConfigFor turns that into the driver's Config.
func TestLabInventory(t *testing.T) {
	dir := t.TempDir()
	ca, err := labgnmi.LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("OC_LAB_USER", labUser)
	t.Setenv("OC_LAB_PASS", labPass)
	inv := &inventory.Inventory{
		Version:  1,
		Settings: inventory.Settings{Parallelism: 4, Timeout: time.Minute, RollbackTimeout: time.Minute},
		ClusterNetworks: []inventory.ClusterNetwork{
			{Name: "mgmt", MTU: 9000, UntaggedVLAN: 1, Bond: inventory.Bond{Mode: "802.3ad", Miimon: new(100), LACPRate: "fast"}},
		},
		Switches: []inventory.Switch{{Name: "oob-sw", Platform: "openconfig", Protocol: "gnmi", Address: "192.0.2.20:6030"}},
		Hosts: []inventory.Host{{
			Name: "harvester-0", Address: "192.0.2.101", Access: "none",
			ClusterNetworks: []inventory.HostClusterNetwork{{Name: "mgmt", NICs: []inventory.NIC{
				{Name: "eno3", Switch: "oob-sw", Port: "Ethernet5"}, {Name: "eno4", Switch: "oob-sw", Port: "Ethernet6"},
			}}},
		}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := lab.Start(ctx, inv, lab.Options{
		Dir: dir, Username: labUser, Password: labPass, UsernameEnv: "OC_LAB_USER", PasswordEnv: "OC_LAB_PASS", Ports: 8,
		GNMI:    labgnmi.Hook(labgnmi.Options{CA: ca, Username: labUser, Password: labPass}),
		GNMITLS: &inventory.TLS{CA: ca.File()},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	sw := l.Inventory().Switches[0]
	cfg, err := switchdrivers.ConfigFor(sw, l.Inventory().Settings)
	if err != nil {
		t.Fatal(err)
	}
	r := switchdrivers.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	drv, err := r.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close()
	if _, err := drv.Apply(ctx, []intent.SwitchChange{
		{Action: intent.Create, Object: intent.ObjLAG, Name: "Port-Channel10", LAGType: intent.LAGLACP, SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(1)},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet5", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
		{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet6", Join: true, ChannelGroup: 10, ChannelMode: intent.ChannelActive, LACPRate: "fast"},
	}); err != nil {
		t.Fatal(err)
	}
	st, err := drv.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range st.LLDP {
		got = append(got, n.LocalPort+" "+n.SystemName+" "+n.PortDescr)
	}
	if d := cmp.Diff([]string{"Ethernet5 harvester-0 eno3", "Ethernet6 harvester-0 eno4"}, got); d != "" {
		t.Errorf("lldp (-want +got):\n%s", d)
	}
	for _, p := range []string{"Ethernet5", "Ethernet6"} {
		if in := st.Interface(p); in.MemberState != intent.MemberBundled {
			t.Errorf("%s: member state %q facing an 802.3ad bond", p, in.MemberState)
		}
	}
	if po := st.Interface("Port-Channel10"); po == nil || po.LAGType != intent.LAGLACP || !po.OperUp {
		t.Errorf("Port-Channel10: %+v", po)
	}
}
