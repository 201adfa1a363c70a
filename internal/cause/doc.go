// Package cause names why an operation on a device failed, with a stable
// code a CI job can branch on (UNREACHABLE, TIMEOUT, AUTH_FAILED, ...), and
// one line a person can act on.
//
// Drivers return a *Error at the boundary where they know the cause (the
// SSH handshake, the TLS verification, the credential lookup); Of finds the
// code of any error, classifying the standard library's network and context
// errors when no driver did. Errors never name the device: the engine adds
// it, once.
package cause
