// Package eos is the Arista EOS driver: it observes a switch through
// `| json` show commands over SSH (scrapligo's arista_eos platform), renders
// typed changes to EOS CLI lines, and applies them inside one configuration
// session that is committed only when every line was accepted and aborted
// otherwise, so a failed apply leaves the device exactly as it was.
//
// Around that transaction: sessions earlier runs left pending (a lost
// connection, a killed process) are found and removed by the next apply, so
// they never fill EOS's limit of five; a commit is refused
// (CONCURRENT_CHANGE) when the running configuration is no longer what
// Observe read; and with Config.ConfirmTimeout the commit is `commit
// timer`, which the switch reverts by itself unless Confirm (the
// switchdrivers.Confirmer the engine calls after its check) confirms it, so
// a run killed right after its commit does not leave its change behind.
//
// The parsers (Parse*, BuildState) are pure and tested on real captured
// device output in testdata/ (sources in testdata/SOURCES.md); the renderer
// (Render) is pure and tested against golden files in testdata/render/.
package eos
