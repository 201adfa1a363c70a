package harvester

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

// mgmtNetwork is Harvester's built-in cluster network: the installer
// creates its ClusterNetwork and it takes no VlanConfig.
const mgmtNetwork = "mgmt"

type meta struct {
	Name      string            `yaml:"name"`
	Namespace string            `yaml:"namespace,omitempty"`
	Labels    map[string]string `yaml:"labels,omitempty"`
}

type manifest struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   meta   `yaml:"metadata"`
	Spec       any    `yaml:"spec,omitempty"`
}

type vcOut struct {
	ClusterNetwork string            `yaml:"clusterNetwork"`
	NodeSelector   map[string]string `yaml:"nodeSelector,omitempty"`
	Uplink         struct {
		NICs           []string `yaml:"nics"`
		LinkAttributes struct {
			MTU int `yaml:"mtu,omitempty"`
		} `yaml:"linkAttributes"`
		BondOptions struct {
			Mode   string `yaml:"mode"`
			Miimon int    `yaml:"miimon,omitempty"`
		} `yaml:"bondOptions"`
	} `yaml:"uplink"`
}

type nadOut struct {
	Config string `yaml:"config"`
}

// NADNamespace is the namespace Export puts NADs in.
const NADNamespace = "default"

// Export writes the Harvester manifests for an inventory, as one YAML
// stream for `kubectl apply -f`: a ClusterNetwork per cluster network but
// mgmt (built in), VlanConfigs with the hosts' NICs, bond mode, miimon and
// MTU, and a bridge NAD per network. Hosts of a cluster network with the
// same NICs share one VlanConfig (without node selector when they are all
// the inventory's hosts); other hosts get one VlanConfig each, selected by
// kubernetes.io/hostname. mgmt gets no VlanConfig (its uplink is set at
// installation).
func Export(inv *inventory.Inventory, w io.Writer) error {
	var docs []manifest
	cns := slices.Clone(inv.ClusterNetworks)
	slices.SortFunc(cns, func(a, b inventory.ClusterNetwork) int { return strings.Compare(a.Name, b.Name) })
	for _, cn := range cns {
		if cn.Name == mgmtNetwork {
			continue
		}
		docs = append(docs, manifest{APIVersion: networkAPIVersion, Kind: kindClusterNetwork, Metadata: meta{Name: cn.Name}})
		vcs, err := vlanConfigs(inv, cn)
		if err != nil {
			return fmt.Errorf("harvester export: %w", err)
		}
		docs = append(docs, vcs...)
	}
	nets := slices.Clone(inv.Networks)
	slices.SortFunc(nets, func(a, b inventory.Network) int { return strings.Compare(a.Name, b.Name) })
	for _, n := range nets {
		d, err := nad(n)
		if err != nil {
			return fmt.Errorf("harvester export: network %s: %w", n.Name, err)
		}
		docs = append(docs, d)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return fmt.Errorf("harvester export: %w", err)
		}
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("harvester export: %w", err)
	}
	return nil
}

// vlanConfigs groups the hosts of cn by NIC list.
func vlanConfigs(inv *inventory.Inventory, cn inventory.ClusterNetwork) ([]manifest, error) {
	mode, err := intent.ParseBondMode(cn.Bond.Mode)
	if err != nil {
		return nil, fmt.Errorf("cluster network %s: %w", cn.Name, err)
	}
	if cn.Bond.ArpInterval > 0 {
		return nil, fmt.Errorf("cluster network %s: ARP monitoring (arpInterval %d) has no place in a VlanConfig, whose bondOptions carry mode and miimon only", cn.Name, cn.Bond.ArpInterval)
	}
	type group struct {
		nics  []string
		hosts []string
	}
	var groups []*group
	for _, h := range inv.Hosts {
		for _, hcn := range h.ClusterNetworks {
			if hcn.Name != cn.Name {
				continue
			}
			var nics []string
			for _, n := range hcn.NICs {
				nics = append(nics, n.Name)
			}
			slices.Sort(nics)
			i := slices.IndexFunc(groups, func(g *group) bool { return slices.Equal(g.nics, nics) })
			if i < 0 {
				groups = append(groups, &group{nics: nics})
				i = len(groups) - 1
			}
			groups[i].hosts = append(groups[i].hosts, h.Name)
		}
	}
	var out []manifest
	for _, g := range groups {
		selectors := []map[string]string{nil}
		names := []string{cn.Name + "-vlanconfig"}
		if len(groups) > 1 || len(g.hosts) != len(inv.Hosts) {
			selectors, names = nil, nil
			for _, h := range g.hosts {
				selectors = append(selectors, map[string]string{LabelHostname: h})
				names = append(names, cn.Name+"-"+h)
			}
		}
		for i, sel := range selectors {
			var s vcOut
			s.ClusterNetwork = cn.Name
			s.NodeSelector = sel
			s.Uplink.NICs = g.nics
			s.Uplink.LinkAttributes.MTU = cn.MTU
			s.Uplink.BondOptions.Mode = mode.String()
			s.Uplink.BondOptions.Miimon = cn.Bond.MIIMonitor()
			out = append(out, manifest{APIVersion: networkAPIVersion, Kind: kindVlanConfig,
				Metadata: meta{Name: names[i], Labels: map[string]string{LabelClusterNetwork: cn.Name}}, Spec: s})
		}
	}
	return out, nil
}

// nad renders one network as Harvester's bridge NAD.
func nad(n inventory.Network) (manifest, error) {
	if n.VLAN < 0 || n.VLAN > 4094 {
		return manifest{}, fmt.Errorf("vlan %d outside 0-4094", n.VLAN)
	}
	cfg, err := json.Marshal(bridgeConfig{CNIVersion: "0.3.1", Name: n.Name, Type: "bridge",
		Bridge: n.ClusterNetwork + bridgeSuffix, PromiscMode: true, VLAN: n.VLAN, IPAM: json.RawMessage(`{}`)})
	if err != nil {
		return manifest{}, err
	}
	labels := map[string]string{LabelClusterNetwork: n.ClusterNetwork, LabelNetworkType: typeUntagged}
	if n.VLAN > 0 {
		labels[LabelNetworkType] = typeL2VLAN
		labels[LabelVLANID] = strconv.Itoa(n.VLAN)
	}
	return manifest{APIVersion: nadAPIVersion, Kind: kindNAD,
		Metadata: meta{Name: n.Name, Namespace: NADNamespace, Labels: labels}, Spec: nadOut{Config: string(cfg)}}, nil
}
