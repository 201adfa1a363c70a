// Package harvester converts between a Harvester cluster's network objects
// and netalign's inventory: Import reads the output of
// `kubectl get clusternetworks,vlanconfigs,network-attachment-definitions -A -o yaml`
// (ClusterNetwork and VlanConfig of network.harvesterhci.io/v1beta1, bridge
// NetworkAttachmentDefinitions of k8s.cni.cncf.io/v1) into cluster networks,
// VM networks and uplink NICs; Export writes those manifests from an
// inventory. It does no I/O beyond the reader and writer it is given.
package harvester
