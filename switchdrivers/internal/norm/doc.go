// Package norm holds the small normalisations the switch parsers share:
// natural ordering of interface names and the one spelling of MAC addresses
// in netalign's vendor-neutral state.
package norm
