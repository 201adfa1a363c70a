// Package norm holds the small normalisations the switch parsers share:
// natural ordering of interface names, the one spelling of MAC addresses
// in netalign's vendor-neutral state, and decoding of `| json` output with
// errors that name the command.
package norm
