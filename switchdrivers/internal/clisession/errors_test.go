package clisession

import (
	"errors"
	"fmt"
	"testing"

	"github.com/netalign/netalign/switchdrivers"
)

func TestWithoutDevice(t *testing.T) {
	ce := &switchdrivers.CommandError{Device: "leaf1", Command: "commit", Output: "% Cannot commit"}
	err := WithoutDevice("leaf1", ce)
	if got := err.Error(); got != `command "commit": % Cannot commit` {
		t.Errorf("message %q", got)
	}
	var back *switchdrivers.CommandError
	if !errors.As(err, &back) || back != ce {
		t.Error("the CommandError is lost")
	}
	re := &switchdrivers.RollbackError{Device: "leaf1", Err: err, RolledBack: true}
	if got := re.Error(); got != `leaf1: command "commit": % Cannot commit (rolled back)` {
		t.Errorf("rollback message %q", got)
	}
	other := fmt.Errorf("send configuration: %w", ce)
	if WithoutDevice("leaf1", other) != other || WithoutDevice("leaf1", nil) != nil {
		t.Error("an error without the device prefix was changed")
	}
}
