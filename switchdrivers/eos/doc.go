// Package eos is the Arista EOS driver: it observes a switch through
// `| json` show commands over SSH (scrapligo's arista_eos platform), renders
// typed changes to EOS CLI lines, and applies them inside one configuration
// session that is committed only when every line was accepted and aborted
// otherwise, so a failed apply leaves the device exactly as it was.
//
// The parsers (Parse*, BuildState) are pure and tested on real captured
// device output in testdata/ (sources in testdata/SOURCES.md); the renderer
// (Render) is pure and tested against golden files in testdata/render/.
package eos
