// Package eos is the Arista EOS driver: it observes a switch through
// `| json` show commands over SSH (scrapligo's arista_eos platform), renders
// typed changes to EOS CLI lines, and applies them inside one configuration
// session that is committed only when every line was accepted and aborted
// otherwise, so a failed apply leaves the device exactly as it was.
//
// The parsers (Parse*) and the renderer (Render) are pure and are tested on
// real captured device output in testdata/.
package eos
