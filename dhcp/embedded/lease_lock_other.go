//go:build !unix

package embedded

import "errors"

// leaseFileHeld cannot tell without flock: errors.ErrUnsupported.
func leaseFileHeld(string) (bool, error) { return false, errors.ErrUnsupported }
