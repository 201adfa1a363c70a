package harvester

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

// API groups, kinds and the labels Harvester puts on its objects.
const (
	networkAPIVersion = "network.harvesterhci.io/v1beta1"
	nadAPIVersion     = "k8s.cni.cncf.io/v1"

	kindClusterNetwork = "ClusterNetwork"
	kindVlanConfig     = "VlanConfig"
	kindNAD            = "NetworkAttachmentDefinition"

	// LabelClusterNetwork names the cluster network of a NAD or VlanConfig
	// (some manifests carry it as an annotation; both are read).
	LabelClusterNetwork = "network.harvesterhci.io/clusternetwork"
	// LabelNetworkType is L2VlanNetwork or UntaggedNetwork on a NAD.
	LabelNetworkType = "network.harvesterhci.io/type"
	// LabelVLANID is the VLAN id of an L2VlanNetwork NAD.
	LabelVLANID = "network.harvesterhci.io/vlan-id"
	// LabelHostname is the node label a per-node VlanConfig selects on.
	LabelHostname = "kubernetes.io/hostname"

	typeL2VLAN   = "L2VlanNetwork"
	typeUntagged = "UntaggedNetwork"
	bridgeSuffix = "-br"
)

// object is the part of any Kubernetes object the import reads.
type object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Namespace   string            `yaml:"namespace"`
		Labels      map[string]string `yaml:"labels"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Spec  yaml.Node `yaml:"spec"`
	Items []object  `yaml:"items"`
}

// vlanConfigSpec is spec of a network.harvesterhci.io/v1beta1 VlanConfig.
type vlanConfigSpec struct {
	ClusterNetwork string            `yaml:"clusterNetwork"`
	NodeSelector   map[string]string `yaml:"nodeSelector"`
	Uplink         struct {
		NICs           []string `yaml:"nics"`
		LinkAttributes struct {
			MTU    int `yaml:"mtu"`
			TxQLen int `yaml:"txQLen"`
		} `yaml:"linkAttributes"`
		BondOptions struct {
			Mode   string `yaml:"mode"`
			Miimon int    `yaml:"miimon"`
		} `yaml:"bondOptions"`
	} `yaml:"uplink"`
}

// nadSpec is spec of a k8s.cni.cncf.io/v1 NetworkAttachmentDefinition.
type nadSpec struct {
	Config string `yaml:"config"`
}

// bridgeConfig is the bridge CNI configuration Harvester writes into a NAD.
type bridgeConfig struct {
	CNIVersion  string          `json:"cniVersion"`
	Name        string          `json:"name,omitempty"`
	Type        string          `json:"type"`
	Bridge      string          `json:"bridge"`
	PromiscMode bool            `json:"promiscMode"`
	VLAN        int             `json:"vlan,omitempty"`
	IPAM        json.RawMessage `json:"ipam"`
}

// Imported is what a Harvester cluster's network objects say, in inventory
// terms.
type Imported struct {
	// ClusterNetworks from ClusterNetwork objects, with bond options and MTU
	// from their VlanConfigs; sorted by name.
	ClusterNetworks []inventory.ClusterNetwork
	// Networks from bridge NADs, sorted by name.
	Networks []inventory.Network
	// Uplinks are the VlanConfigs: the NICs that join a cluster network on
	// the nodes their selector picks; sorted by name.
	Uplinks []Uplink
	// Warnings name objects that were skipped or conflicting values that
	// were resolved (first VlanConfig by name wins).
	Warnings []string
}

// Uplink is one VlanConfig.
type Uplink struct {
	Name           string
	ClusterNetwork string
	// NodeSelector is empty when the VlanConfig applies to every node.
	NodeSelector map[string]string
	NICs         []string
}

// AllNodes is the HostNICs key of uplinks without a node selector.
const AllNodes = "*"

// HostNICs returns, per node name, the cluster networks and NICs the
// uplinks give it: uplinks that select by kubernetes.io/hostname alone are
// keyed by that name, uplinks without a selector by AllNodes. Uplinks with
// other selectors need the node labels and are left out (see Uplinks).
func (im *Imported) HostNICs() map[string][]inventory.HostClusterNetwork {
	out := map[string][]inventory.HostClusterNetwork{}
	for _, u := range im.Uplinks {
		key := ""
		switch {
		case len(u.NodeSelector) == 0:
			key = AllNodes
		case len(u.NodeSelector) == 1 && u.NodeSelector[LabelHostname] != "":
			key = u.NodeSelector[LabelHostname]
		default:
			continue
		}
		hcn := inventory.HostClusterNetwork{Name: u.ClusterNetwork}
		for _, n := range u.NICs {
			hcn.NICs = append(hcn.NICs, inventory.NIC{Name: n})
		}
		out[key] = append(out[key], hcn)
	}
	return out
}

// Import reads the output of
//
//	kubectl get clusternetworks,vlanconfigs,network-attachment-definitions -A -o yaml
//
// (a v1 List) or a stream of such objects (what Export writes) and returns
// the cluster networks (bond mode, miimon and MTU from their VlanConfigs),
// the VM networks (VLAN ids of bridge NADs) and the uplink NICs per node
// selector. Other kinds are ignored; a NAD whose CNI config is not a bridge
// is skipped with a warning.
func Import(r io.Reader) (*Imported, error) {
	var objs []object
	dec := yaml.NewDecoder(r)
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("harvester import: %w", err)
		}
		if o.Kind == "List" || strings.HasSuffix(o.Kind, "List") {
			objs = append(objs, o.Items...)
			continue
		}
		if o.Kind != "" {
			objs = append(objs, o)
		}
	}
	im := &Imported{}
	cns := map[string]*inventory.ClusterNetwork{}
	cn := func(name string) *inventory.ClusterNetwork {
		if c, ok := cns[name]; ok {
			return c
		}
		c := &inventory.ClusterNetwork{Name: name}
		cns[name] = c
		return c
	}
	var vcs []struct {
		name string
		spec vlanConfigSpec
	}
	for _, o := range objs {
		ref := o.Kind + " " + qualified(o.Metadata.Namespace, o.Metadata.Name)
		switch {
		case o.Kind == kindClusterNetwork && strings.HasPrefix(o.APIVersion, "network.harvesterhci.io/"):
			cn(o.Metadata.Name)
		case o.Kind == kindVlanConfig && strings.HasPrefix(o.APIVersion, "network.harvesterhci.io/"):
			var s vlanConfigSpec
			if err := o.Spec.Decode(&s); err != nil {
				return nil, fmt.Errorf("harvester import: %s: %w", ref, err)
			}
			if s.ClusterNetwork == "" {
				return nil, fmt.Errorf("harvester import: %s: spec.clusterNetwork is empty", ref)
			}
			vcs = append(vcs, struct {
				name string
				spec vlanConfigSpec
			}{o.Metadata.Name, s})
		case o.Kind == kindNAD && strings.HasPrefix(o.APIVersion, "k8s.cni.cncf.io/"):
			n, warn, err := importNAD(o)
			if err != nil {
				return nil, fmt.Errorf("harvester import: %s: %w", ref, err)
			}
			if warn != "" {
				im.Warnings = append(im.Warnings, ref+": "+warn)
				continue
			}
			im.Networks = append(im.Networks, n)
			cn(n.ClusterNetwork)
		}
	}
	slices.SortFunc(vcs, func(a, b struct {
		name string
		spec vlanConfigSpec
	}) int {
		return strings.Compare(a.name, b.name)
	})
	configured := map[string]string{}
	for _, vc := range vcs {
		s := vc.spec
		c := cn(s.ClusterNetwork)
		bond := inventory.Bond{Mode: s.Uplink.BondOptions.Mode}
		if m := s.Uplink.BondOptions.Miimon; m != 0 {
			bond.Miimon = &m // 0 is left out: Harvester's default, 100
		}
		if bond.Mode != "" {
			m, err := intent.ParseBondMode(bond.Mode)
			if err != nil {
				return nil, fmt.Errorf("harvester import: VlanConfig %s: %w", vc.name, err)
			}
			bond.Mode = m.String()
		}
		if first, ok := configured[s.ClusterNetwork]; ok {
			if c.Bond.Mode != bond.Mode || c.Bond.MIIMonitor() != bond.MIIMonitor() || c.MTU != s.Uplink.LinkAttributes.MTU {
				im.Warnings = append(im.Warnings, fmt.Sprintf("VlanConfig %s: bond options or MTU differ from VlanConfig %s of cluster network %s; %s kept",
					vc.name, first, s.ClusterNetwork, first))
			}
		} else {
			configured[s.ClusterNetwork] = vc.name
			c.Bond = bond
			c.MTU = s.Uplink.LinkAttributes.MTU
		}
		im.Uplinks = append(im.Uplinks, Uplink{Name: vc.name, ClusterNetwork: s.ClusterNetwork,
			NodeSelector: s.NodeSelector, NICs: slices.Clone(s.Uplink.NICs)})
	}
	for _, k := range slices.Sorted(maps.Keys(cns)) {
		im.ClusterNetworks = append(im.ClusterNetworks, *cns[k])
	}
	slices.SortFunc(im.Networks, func(a, b inventory.Network) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(im.Networks); i++ {
		if im.Networks[i].Name == im.Networks[i-1].Name {
			return nil, fmt.Errorf("harvester import: two NADs named %s in different namespaces; inventory network names must be unique", im.Networks[i].Name)
		}
	}
	return im, nil
}

func qualified(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

// importNAD turns a bridge NAD into a network; warn is set (and the NAD
// skipped) when it is not a Harvester bridge network.
func importNAD(o object) (n inventory.Network, warn string, err error) {
	var s nadSpec
	if err := o.Spec.Decode(&s); err != nil {
		return n, "", err
	}
	if s.Config == "" {
		return n, "no spec.config", nil
	}
	var c bridgeConfig
	if err := json.Unmarshal([]byte(s.Config), &c); err != nil {
		return n, "", fmt.Errorf("spec.config: %w", err)
	}
	if c.Type != "bridge" {
		return n, fmt.Sprintf("CNI type %q is not bridge", c.Type), nil
	}
	if bytes.Contains([]byte(s.Config), []byte(`"vlanTrunk"`)) {
		return n, "VLAN trunk networks are not supported", nil
	}
	cnName := o.Metadata.Labels[LabelClusterNetwork]
	if cnName == "" {
		cnName = o.Metadata.Annotations[LabelClusterNetwork]
	}
	if cnName == "" {
		if !strings.HasSuffix(c.Bridge, bridgeSuffix) {
			return n, fmt.Sprintf("no %s label and bridge %q is not <cluster network>-br", LabelClusterNetwork, c.Bridge), nil
		}
		cnName = strings.TrimSuffix(c.Bridge, bridgeSuffix)
	}
	if c.Bridge != "" && c.Bridge != cnName+bridgeSuffix {
		return n, "", fmt.Errorf("bridge %q does not belong to cluster network %s", c.Bridge, cnName)
	}
	vid := c.VLAN
	if l := o.Metadata.Labels[LabelVLANID]; l != "" && vid == 0 {
		if vid, err = strconv.Atoi(l); err != nil {
			return n, "", fmt.Errorf("label %s=%q: %w", LabelVLANID, l, err)
		}
	}
	if vid < 0 || vid > 4094 {
		return n, "", fmt.Errorf("vlan %d outside 0-4094", vid)
	}
	return inventory.Network{Name: o.Metadata.Name, ClusterNetwork: cnName, VLAN: vid}, "", nil
}
