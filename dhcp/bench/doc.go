// Package bench compares the DHCP servers netalign drives by DORA
// throughput, with one load generator for all (Kea's perfdhcp acting as a
// relay, avalanche scenario) in one run: see BenchmarkDORA in bench_test.go.
// Each server is real, started in its own network namespace, and given the
// same pool through its netalign driver.
package bench
