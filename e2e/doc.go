// Package e2e drives the built netalign binary as an operator would, against
// the simulated lab (switches over SSH and gNMI, the built-in DHCP server),
// and checks what it did on the devices. The real-kernel tests of host
// networking live in e2e/realkernel.
package e2e
