package harvester

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/golden"
	"github.com/netalign/netalign/inventory"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestImportKubectlList(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "kubectl-get-clusternetworks-vlanconfigs-nads.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	im, err := Import(f)
	if err != nil {
		t.Fatal(err)
	}
	checkClusterNetworks(t, im.ClusterNetworks)
	wantNets := []inventory.Network{
		{Name: "mgmt-untagged", ClusterNetwork: "mgmt"},
		{Name: "storagenetwork-frqx7", ClusterNetwork: "data", VLAN: 2011},
		{Name: "vlan100", ClusterNetwork: "data", VLAN: 100},
	}
	if diff := cmp.Diff(wantNets, im.Networks); diff != "" {
		t.Errorf("networks (-want +got):\n%s", diff)
	}
	wantUplinks := []Uplink{
		{Name: "data-vlanconfig", ClusterNetwork: "data", NICs: []string{"ens3f0", "ens3f1"}},
		{Name: "oob-harvester-2", ClusterNetwork: "oob", NodeSelector: map[string]string{"kubernetes.io/hostname": "harvester-2"}, NICs: []string{"eno3", "eno4"}},
		{Name: "oob-rack2", ClusterNetwork: "oob", NodeSelector: map[string]string{"topology.kubernetes.io/zone": "rack2"}, NICs: []string{"eno2"}},
	}
	if diff := cmp.Diff(wantUplinks, im.Uplinks); diff != "" {
		t.Errorf("uplinks (-want +got):\n%s", diff)
	}
	wantHosts := map[string][]inventory.HostClusterNetwork{
		AllNodes:      {{Name: "data", NICs: []inventory.NIC{{Name: "ens3f0"}, {Name: "ens3f1"}}}},
		"harvester-2": {{Name: "oob", NICs: []inventory.NIC{{Name: "eno3"}, {Name: "eno4"}}}},
	}
	if diff := cmp.Diff(wantHosts, im.HostNICs()); diff != "" {
		t.Errorf("host NICs (-want +got):\n%s", diff)
	}
	if len(im.Warnings) != 1 || !strings.Contains(im.Warnings[0], "tenant-a/sriov-fast") || !strings.Contains(im.Warnings[0], "macvlan") {
		t.Errorf("warnings %q, want one for the macvlan NAD", im.Warnings)
	}
}

func TestImportErrors(t *testing.T) {
	for name, in := range map[string]string{
		"vlanconfig without cluster network": "apiVersion: network.harvesterhci.io/v1beta1\nkind: VlanConfig\nmetadata: {name: x}\nspec: {uplink: {nics: [eth0]}}\n",
		"bad bond mode":                      "apiVersion: network.harvesterhci.io/v1beta1\nkind: VlanConfig\nmetadata: {name: x}\nspec: {clusterNetwork: a, uplink: {bondOptions: {mode: fastest}}}\n",
		"bridge of another network":          "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {name: n, labels: {network.harvesterhci.io/clusternetwork: a}}\nspec: {config: '{\"type\":\"bridge\",\"bridge\":\"b-br\",\"vlan\":5}'}\n",
		"broken config JSON":                 "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {name: n}\nspec: {config: '{\"type\":'}\n",
		"vlan out of range":                  "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {name: n}\nspec: {config: '{\"type\":\"bridge\",\"bridge\":\"a-br\",\"vlan\":4095}'}\n",
		"not YAML":                           "items: [\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Import(strings.NewReader(in)); err == nil {
				t.Error("want error")
			}
		})
	}
}

func exportInventory() *inventory.Inventory {
	nics := func(n ...string) []inventory.NIC {
		var out []inventory.NIC
		for _, x := range n {
			out = append(out, inventory.NIC{Name: x})
		}
		return out
	}
	return &inventory.Inventory{
		Version: 1,
		ClusterNetworks: []inventory.ClusterNetwork{
			{Name: "oob", MTU: 1500, Bond: inventory.Bond{Mode: "1", Miimon: new(100)}},
			{Name: "mgmt", MTU: 9000, Bond: inventory.Bond{Mode: "lacp", Miimon: new(100)}, MgmtVLAN: 10},
			{Name: "data", MTU: 9000, Bond: inventory.Bond{Mode: "802.3ad", Miimon: new(100)}},
		},
		Networks: []inventory.Network{
			{Name: "vlan100", ClusterNetwork: "data", VLAN: 100},
			{Name: "untagged-oob", ClusterNetwork: "oob"},
			{Name: "vlan200", ClusterNetwork: "mgmt", VLAN: 200},
		},
		Hosts: []inventory.Host{
			{Name: "harvester-0", ClusterNetworks: []inventory.HostClusterNetwork{
				{Name: "mgmt", NICs: nics("eno1", "eno2")}, {Name: "data", NICs: nics("ens3f0", "ens3f1")}, {Name: "oob", NICs: nics("eno3")}}},
			{Name: "harvester-1", ClusterNetworks: []inventory.HostClusterNetwork{
				{Name: "mgmt", NICs: nics("eno1", "eno2")}, {Name: "data", NICs: nics("ens3f1", "ens3f0")}, {Name: "oob", NICs: nics("eno4")}}},
		},
	}
}

func TestExportGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Export(exportInventory(), &buf); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "export.golden"), buf.Bytes(), *update)
}

func TestExportImportRoundTrip(t *testing.T) {
	inv := exportInventory()
	var buf bytes.Buffer
	if err := Export(inv, &buf); err != nil {
		t.Fatal(err)
	}
	im, err := Import(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// mgmt has no ClusterNetwork or VlanConfig in Harvester manifests: it
	// comes back from its NAD, without bond options.
	checkClusterNetworks(t, im.ClusterNetworks)
	wantNets := []inventory.Network{
		{Name: "untagged-oob", ClusterNetwork: "oob"},
		{Name: "vlan100", ClusterNetwork: "data", VLAN: 100},
		{Name: "vlan200", ClusterNetwork: "mgmt", VLAN: 200},
	}
	if diff := cmp.Diff(wantNets, im.Networks); diff != "" {
		t.Errorf("networks (-want +got):\n%s", diff)
	}
	wantHosts := map[string][]inventory.HostClusterNetwork{
		AllNodes:      {{Name: "data", NICs: []inventory.NIC{{Name: "ens3f0"}, {Name: "ens3f1"}}}},
		"harvester-0": {{Name: "oob", NICs: []inventory.NIC{{Name: "eno3"}}}},
		"harvester-1": {{Name: "oob", NICs: []inventory.NIC{{Name: "eno4"}}}},
	}
	if diff := cmp.Diff(wantHosts, im.HostNICs()); diff != "" {
		t.Errorf("host NICs (-want +got):\n%s", diff)
	}
	if len(im.Warnings) != 0 {
		t.Errorf("warnings: %q", im.Warnings)
	}
}

func TestExportRejectsBadMode(t *testing.T) {
	inv := &inventory.Inventory{ClusterNetworks: []inventory.ClusterNetwork{{Name: "x", Bond: inventory.Bond{Mode: "fastest"}}}}
	if err := Export(inv, &bytes.Buffer{}); err == nil {
		t.Error("want error for an unknown bond mode")
	}
}

// checkClusterNetworks compares imported cluster networks with those of the
// test manifests: a LACP data network, mgmt, an active-backup oob network.
func checkClusterNetworks(t *testing.T, got []inventory.ClusterNetwork) {
	t.Helper()
	want := []inventory.ClusterNetwork{
		{Name: "data", MTU: 9000, Bond: inventory.Bond{Mode: "802.3ad", Miimon: new(100)}},
		{Name: "mgmt"},
		{Name: "oob", MTU: 1500, Bond: inventory.Bond{Mode: "active-backup", Miimon: new(100)}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cluster networks (-want +got):\n%s", diff)
	}
}

// TestExportRejectsARPMonitoring: a VlanConfig's bondOptions carry mode and
// miimon only; a bond monitored with ARP cannot be exported (miimon 0
// would be left out and read as Harvester's 100).
func TestExportRejectsARPMonitoring(t *testing.T) {
	inv := &inventory.Inventory{ClusterNetworks: []inventory.ClusterNetwork{{Name: "x",
		Bond: inventory.Bond{Mode: "active-backup", Miimon: new(0), ArpInterval: 200, ArpIPTargets: []string{"192.0.2.1"}}}}}
	err := Export(inv, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "ARP monitoring (arpInterval 200)") {
		t.Errorf("err = %v, want the ARP monitoring refused", err)
	}
}
