// Package bench measures netalign against the simulated lab: the fleet
// benchmark (apply from blank, re-apply, validate on N switches with
// injected latency, compared with the physical bound) and the peer
// benchmark (netalign against Ansible's arista.eos modules on the same
// simulated EOS switches, in the same run).
//
// The lab runs in the harness process; netalign and ansible-playbook run
// as subprocesses, so their wall time, CPU time (user+system, including
// waited-for children) and peak memory come from the kernel's rusage of
// that process tree alone. The playbook generator lives here, not in the
// product.
//
// Everything heavy runs from cmd/netalign-bench (make bench, make
// bench-peer); the tests of this package are cheap and skip without
// ansible-playbook.
package bench
