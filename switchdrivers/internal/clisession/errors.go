package clisession

import "strings"

// prefixed is an error shown without its leading "device: ", for wrapping
// in an error that names the device already (RollbackError, "leaf1:
// observe: ..."). It unwraps to the original.
type prefixed struct {
	msg string
	err error
}

func (e *prefixed) Error() string { return e.msg }
func (e *prefixed) Unwrap() error { return e.err }

// WithoutDevice returns err with a leading "device: " removed from its
// message, still matching errors.Is and errors.As as err does. Other errors
// and nil are returned unchanged.
func WithoutDevice(device string, err error) error {
	if err == nil {
		return nil
	}
	m := err.Error()
	rest, ok := strings.CutPrefix(m, device+": ")
	if !ok || device == "" {
		return err
	}
	return &prefixed{msg: rest, err: err}
}
