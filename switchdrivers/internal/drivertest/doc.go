// Package drivertest holds the tests the CLI switch drivers (eos, nxos)
// share, parameterised by a Platform: render scenarios checked against each
// package's own golden files, injection and nonsense refusals, the lab
// scenarios run against a simulated switch of internal/lab (apply, observe,
// convergence, incremental VLAN edits, refused lines, dropped connections,
// deadlines, host keys, MLAG, LAG type changes), the benchmarks and the
// check of every state the fuzz targets build. What a platform does
// differently (EOS and NX-OS configuration sessions, NX-OS checkpoints) stays in the
// vendor package's own tests.
package drivertest
