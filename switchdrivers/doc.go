// Package switchdrivers defines the Driver interface every switch OS driver
// implements, their explicit Registry, the connection Config built from the
// inventory, and the typed errors callers branch on. One sub-package per
// switch OS holds the parsers, renderers and session logic.
package switchdrivers
