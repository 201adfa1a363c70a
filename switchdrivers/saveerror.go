package switchdrivers

import "fmt"

// SaveError reports a transaction that was applied (committed to
// running-config) but whose copy to startup-config failed: the device runs
// the new configuration and would lose it on reload. The ApplyResult
// returned with it is complete. Device is for callers; the message does
// not name it.
type SaveError struct {
	Device string
	Err    error
}

func (e *SaveError) Error() string {
	return fmt.Sprintf("applied, but saving to startup-config failed: %v", e.Err)
}

func (e *SaveError) Unwrap() error { return e.Err }
