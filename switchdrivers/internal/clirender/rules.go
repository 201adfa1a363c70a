package clirender

// CheckPort returns the error Render gives for a physical port the
// inventory names name, or nil: the same check, handed to inventory check
// through the driver registry (switchdrivers.Rules.Port), so that check
// refuses every port name the renderer would.
func (d *Dialect) CheckPort(name string) error {
	_, err := checkName(name, EthernetName)
	return err
}
