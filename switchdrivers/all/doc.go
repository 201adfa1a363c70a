// Package all lists every switch driver netalign ships, in one place, so
// that main registers them explicitly (no init side effects).
package all
