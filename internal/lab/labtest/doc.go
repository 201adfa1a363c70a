// Package labtest starts the simulated lab inside a test: the switches of an
// inventory on loopback, their credentials exported into the test's
// environment, everything stopped when the test ends.
package labtest
